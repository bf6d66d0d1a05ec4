// SPDX-License-Identifier: MIT
/*
 * x86-64 page tables: every operation is checked by an independent walker
 * that reads the raw tables in the hosted machine's RAM and rebuilds a
 * per-page map of a 4 GiB window, compared with a reference model.  Also
 * checks TLB flushes (every changed translation flushed before its frame
 * is handed back), huge-page splits, table reclaim and the out-of-memory
 * paths.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <mm/pt.h>
#include <plat/assert.h>
#include <plat/mem.h>

#include "mmboot.h"

#ifndef STRESS_SCALE
#define STRESS_SCALE 1
#endif

enum {
	RAM_PAGES = 8192,
	WIN_PAGES = 1 << 20, /* 4 GiB window */
	P_4K = 1,
	P_2M = 512,
	P_1G = 512 * 512,
};

#define WIN_BASE ((uintptr_t)1 << 32)
#define PG 4096u

/*
 * ---- TLB flushes: the real call, wrapped ----
 * This executable links with -Wl,--wrap=sk_plat_tlb_flush, so lib/mm's
 * calls land here; each is recorded and forwarded to the platform's own
 * sk_plat_tlb_flush (__real_sk_plat_tlb_flush).  Only vCPU 0 runs here.
 */

enum { FLUSH_MAX = 1 << 16 };

struct flush {
	uintptr_t va;
	size_t len;
};

static struct flush flushes[FLUSH_MAX];
static unsigned nflush;

void __real_sk_plat_tlb_flush(uintptr_t va, size_t len);
void __wrap_sk_plat_tlb_flush(uintptr_t va, size_t len);

void __wrap_sk_plat_tlb_flush(uintptr_t va, size_t len)
{
	if (nflush == FLUSH_MAX)
		SK_PANIC("test_pt: flush record full");
	flushes[nflush].va = va;
	flushes[nflush].len = len;
	nflush++;
	__real_sk_plat_tlb_flush(va, len);
}

static void flush_reset(void)
{
	nflush = 0;
}

/* Whether [va, va + len) lies inside one recorded flush. */
static int flush_covers(uintptr_t va, size_t len)
{
	for (unsigned i = 0; i < nflush; i++) {
		if (flushes[i].len == 0)
			return 1;
		if (va >= flushes[i].va &&
		    va + (len - 1) <= flushes[i].va + (flushes[i].len - 1))
			return 1;
	}
	return 0;
}

/* ---- table-page allocator over the machine's RAM, failure injection ---- */

static uint64_t ram_pa; /* the RAM region's first physical address */

static uint64_t free_pages[RAM_PAGES];
static unsigned nfree;
static long fail_after = -1; /* allocations left before -ENOMEM; -1 never */

static int tab_alloc(void *ctx, uint64_t *pa)
{
	(void)ctx;
	if (fail_after == 0 || nfree == 0)
		return -ENOMEM;
	if (fail_after > 0)
		fail_after--;
	*pa = free_pages[--nfree];
	memset(sk_plat_phys_to_virt(*pa), 0xa5, PG); /* dirty on purpose */
	return 0;
}

static void tab_free(void *ctx, uint64_t pa)
{
	(void)ctx;
	assert_true(nfree < RAM_PAGES);
	free_pages[nfree++] = pa;
}

static const struct sk_pt_ops ops = { tab_alloc, tab_free, NULL };

/* ---- the reference model: one entry per 4 KiB page of the window ---- */

static uint64_t *m_pa; /* 0: unmapped */
static uint8_t *m_prot;
static uint64_t *w_pa; /* what the walker found */
static uint8_t *w_prot;
static unsigned long walk_tables;

static uint64_t *raw(uint64_t pa)
{
	assert_true(pa >= ram_pa && pa < ram_pa + (uint64_t)RAM_PAGES * PG);
	return (uint64_t *)sk_plat_phys_to_virt(pa);
}

static unsigned raw_prot(uint64_t e)
{
	unsigned p = 0;

	if (e & 1) {
		p = SK_PT_READ;
		p |= (e & 2) ? SK_PT_WRITE : 0;
		p |= (e >> 63) ? 0 : SK_PT_EXEC;
	}
	p |= (e & 4) ? SK_PT_USER : 0;
	p |= (e & 0x100) ? SK_PT_GLOBAL : 0;
	p |= (e & 0x10) ? SK_PT_NOCACHE : 0;
	return p | ((e & SK_PTE_SW_OWNED) ? SK_PT_OWNED : 0);
}

static void walk_leaf(uintptr_t va, uint64_t e, int level)
{
	uint64_t npages = (uint64_t)1 << (9 * level);
	uint64_t pa = e & 0x000ffffffffff000ull;

	assert_true(va >= WIN_BASE && va - WIN_BASE < (uint64_t)WIN_PAGES * PG);
	assert_int_equal(pa % (npages * PG), 0);
	if (!(e & 1))
		assert_true(e & SK_PTE_SW_NONE);
	for (uint64_t i = 0; i < npages; i++) {
		uint64_t idx = (va - WIN_BASE) / PG + i;

		w_pa[idx] = pa + i * PG;
		w_prot[idx] = (uint8_t)raw_prot(e);
	}
}

/* Independent walker: no code shared with pt.c. */
static void walk(uint64_t tpa, int level, uintptr_t va0)
{
	uint64_t *t = raw(tpa);
	int used = 0;

	walk_tables++;
	for (unsigned i = 0; i < 512; i++) {
		uint64_t e = t[i];
		uintptr_t va = va0 + ((uintptr_t)i << (12 + 9 * level));

		if (!(e & 1) && !(e & SK_PTE_SW_NONE)) {
			assert_int_equal(e, 0);
			continue;
		}
		used++;
		if (level == 0 || (e & 0x80)) {
			assert_true(level <= 2);
			walk_leaf(va, e, level);
		} else {
			assert_int_equal(e & 0xfff, 7); /* P|RW|US table */
			walk(e & 0x000ffffffffff000ull, level - 1, va);
		}
	}
	if (level != 3)
		assert_true(used > 0); /* empty tables are reclaimed */
}

static void check_model(const struct sk_pt *pt)
{
	memset(w_pa, 0, WIN_PAGES * sizeof(*w_pa));
	memset(w_prot, 0, WIN_PAGES);
	walk_tables = 0;
	walk(pt->root_pa, 3, 0);
	assert_int_equal(walk_tables, pt->ntables);
	assert_int_equal(nfree + pt->ntables, RAM_PAGES);
	for (size_t i = 0; i < WIN_PAGES; i++) {
		if (m_pa[i] != w_pa[i] || m_prot[i] != w_prot[i])
			fail_msg("page %zu: model %llx/%x walk %llx/%x", i,
				 (unsigned long long)m_pa[i], m_prot[i],
				 (unsigned long long)w_pa[i], w_prot[i]);
	}
}

static uintptr_t win_va(size_t page)
{
	return WIN_BASE + page * PG;
}

/* ---- unmap callback: after the flush, matching the model ---- */

static unsigned long cb_pages;

static void leaf_cb(void *arg, uintptr_t va, uint64_t pa, size_t size,
		    unsigned prot)
{
	size_t first = (va - WIN_BASE) / PG;

	(void)arg;
	assert_true(flush_covers(va, size));
	for (size_t i = 0; i < size / PG; i++) {
		assert_int_equal(m_pa[first + i], pa + i * PG);
		assert_int_equal(m_prot[first + i], prot);
	}
	cb_pages += size / PG;
}

static int setup(void **state)
{
	(void)state;
	ram_pa = mb_ram_pa();
	nfree = 0;
	for (unsigned i = 0; i < RAM_PAGES; i++)
		free_pages[nfree++] = ram_pa + (uint64_t)i * PG;
	memset(m_pa, 0, WIN_PAGES * sizeof(*m_pa));
	memset(m_prot, 0, WIN_PAGES);
	fail_after = -1;
	flush_reset();
	return 0;
}

static void model_map(size_t page, size_t n, uint64_t pa, unsigned prot)
{
	for (size_t i = 0; i < n; i++) {
		m_pa[page + i] = pa + i * PG;
		m_prot[page + i] = (uint8_t)prot;
		if (prot & SK_PT_ACCESS)
			m_prot[page + i] |= SK_PT_READ;
	}
}

static void test_pt_map_aligned_uses_largest_pages(void **state)
{
	struct sk_pt pt;
	struct sk_pt_info info;
	uintptr_t va = WIN_BASE;
	uint64_t pa = (uint64_t)1 << 40;
	size_t len = SK_PT_SIZE_1G + SK_PT_SIZE_2M + SK_PT_SIZE_4K;

	(void)state;
	assert_int_equal(sk_pt_create(&pt, &ops, NULL), 0);
	assert_int_equal(sk_pt_map(&pt, va, pa, len, SK_PT_READ, 0), 0);
	assert_int_equal(pt.ntables, 4);
	assert_int_equal(sk_pt_query(&pt, va + 12345, &info), 0);
	assert_int_equal(info.size, SK_PT_SIZE_1G);
	assert_int_equal(info.pa, pa + 12345);
	assert_int_equal(sk_pt_query(&pt, va + SK_PT_SIZE_1G, &info), 0);
	assert_int_equal(info.size, SK_PT_SIZE_2M);
	assert_int_equal(sk_pt_query(&pt, va + len - 1, &info), 0);
	assert_int_equal(info.size, SK_PT_SIZE_4K);
	assert_int_equal(info.prot, SK_PT_READ);
	assert_int_equal(sk_pt_query(&pt, va + len, &info), -ENOENT);
	model_map(0, len / PG, pa, SK_PT_READ);
	check_model(&pt);
	sk_pt_destroy(&pt, NULL, NULL);
	assert_int_equal(nfree, RAM_PAGES);
}

static void test_pt_map_flags_limit_page_size(void **state)
{
	struct sk_pt pt;
	struct sk_pt_info info;

	(void)state;
	assert_int_equal(sk_pt_create(&pt, &ops, NULL), 0);
	assert_int_equal(sk_pt_map(&pt, WIN_BASE, 0, SK_PT_SIZE_1G, SK_PT_READ,
				   SK_PT_MAP_NO_1G),
			 0);
	assert_int_equal(sk_pt_query(&pt, WIN_BASE, &info), 0);
	assert_int_equal(info.size, SK_PT_SIZE_2M);
	assert_int_equal(sk_pt_map(&pt, WIN_BASE + SK_PT_SIZE_1G, 0,
				   SK_PT_SIZE_2M, SK_PT_READ, SK_PT_MAP_NO_2M),
			 0);
	assert_int_equal(sk_pt_query(&pt, WIN_BASE + SK_PT_SIZE_1G, &info), 0);
	assert_int_equal(info.size, SK_PT_SIZE_4K);
	model_map(0, P_1G, 0, SK_PT_READ);
	model_map(P_1G, P_2M, 0, SK_PT_READ);
	check_model(&pt);
	sk_pt_destroy(&pt, NULL, NULL);
}

static void test_pt_protect_subrange_splits_huge_page(void **state)
{
	struct sk_pt pt;
	struct sk_pt_info info;
	uint64_t pa = (uint64_t)3 << 30;
	uintptr_t mid = WIN_BASE + SK_PT_SIZE_1G / 2 + 5 * PG;

	(void)state;
	assert_int_equal(sk_pt_create(&pt, &ops, NULL), 0);
	assert_int_equal(sk_pt_map(&pt, WIN_BASE, pa, SK_PT_SIZE_1G,
				   SK_PT_READ | SK_PT_WRITE, 0),
			 0);
	model_map(0, P_1G, pa, SK_PT_READ | SK_PT_WRITE);
	flush_reset();
	assert_int_equal(sk_pt_protect(&pt, mid, PG, SK_PT_READ), 0);
	/* The old 1 GiB translation is gone from every TLB. */
	assert_true(flush_covers(WIN_BASE, SK_PT_SIZE_1G));
	m_prot[(mid - WIN_BASE) / PG] = SK_PT_READ;
	check_model(&pt);
	assert_int_equal(pt.ntables, 4); /* root, pdpt + split pd, pt */
	assert_int_equal(sk_pt_query(&pt, mid, &info), 0);
	assert_int_equal(info.size, SK_PT_SIZE_4K);
	assert_int_equal(sk_pt_query(&pt, mid - PG, &info), 0);
	assert_int_equal(info.prot, SK_PT_READ | SK_PT_WRITE);
	assert_int_equal(sk_pt_query(&pt, WIN_BASE, &info), 0);
	assert_int_equal(info.size, SK_PT_SIZE_2M);
	assert_int_equal(info.pa, pa);
	sk_pt_destroy(&pt, NULL, NULL);
	assert_int_equal(nfree, RAM_PAGES);
}

static void test_pt_unmap_everything_reclaims_tables(void **state)
{
	struct sk_pt pt;

	(void)state;
	assert_int_equal(sk_pt_create(&pt, &ops, NULL), 0);
	for (size_t i = 0; i < 64; i++)
		assert_int_equal(sk_pt_map(&pt, win_va(i * 4099), i * PG, PG,
					   SK_PT_READ, 0),
				 0);
	assert_true(pt.ntables > 4);
	cb_pages = 0;
	flush_reset();
	for (size_t i = 0; i < 64; i++)
		model_map(i * 4099, 1, i * PG, SK_PT_READ);
	assert_int_equal(sk_pt_unmap(&pt, WIN_BASE, (size_t)WIN_PAGES * PG,
				     leaf_cb, NULL),
			 0);
	assert_int_equal(cb_pages, 64);
	assert_int_equal(pt.ntables, 1);
	assert_int_equal(nfree, RAM_PAGES - 1);
	memset(m_pa, 0, WIN_PAGES * sizeof(*m_pa));
	memset(m_prot, 0, WIN_PAGES);
	check_model(&pt);
	sk_pt_destroy(&pt, NULL, NULL);
}

static void test_pt_map_over_mapping_returns_eexist(void **state)
{
	struct sk_pt pt;

	(void)state;
	assert_int_equal(sk_pt_create(&pt, &ops, NULL), 0);
	assert_int_equal(sk_pt_map(&pt, win_va(300), 0, PG, SK_PT_READ, 0), 0);
	assert_int_equal(
		sk_pt_map(&pt, WIN_BASE, 0, SK_PT_SIZE_2M, SK_PT_READ, 0),
		-EEXIST);
	model_map(300, 1, 0, SK_PT_READ);
	check_model(&pt);
	sk_pt_destroy(&pt, NULL, NULL);
}

static void test_pt_bad_input_returns_einval(void **state)
{
	struct sk_pt pt;
	struct sk_pt_info info;
	uintptr_t hole = (uintptr_t)1 << 47;

	(void)state;
	assert_int_equal(sk_pt_create(&pt, &ops, NULL), 0);
	assert_int_equal(sk_pt_map(&pt, WIN_BASE + 1, 0, PG, 1, 0), -EINVAL);
	assert_int_equal(sk_pt_map(&pt, WIN_BASE, 1, PG, 1, 0), -EINVAL);
	assert_int_equal(sk_pt_map(&pt, WIN_BASE, 0, 0, 1, 0), -EINVAL);
	assert_int_equal(sk_pt_map(&pt, WIN_BASE, 0, PG, 1 << 12, 0), -EINVAL);
	assert_int_equal(sk_pt_map(&pt, WIN_BASE, 0, PG, 1, 1 << 5), -EINVAL);
	assert_int_equal(sk_pt_map(&pt, hole, 0, PG, 1, 0), -EINVAL);
	assert_int_equal(sk_pt_map(&pt, hole - PG, 0, 2 * PG, 1, 0), -EINVAL);
	assert_int_equal(sk_pt_map(&pt, WIN_BASE, (uint64_t)1 << 52, PG, 1, 0),
			 -EINVAL);
	assert_int_equal(sk_pt_map(&pt, UINTPTR_MAX - PG + 1, 0, 2 * PG, 1, 0),
			 -EINVAL);
	assert_int_equal(sk_pt_unmap(&pt, WIN_BASE, 3, NULL, NULL), -EINVAL);
	assert_int_equal(sk_pt_protect(&pt, WIN_BASE, PG, 1 << 9), -EINVAL);
	assert_int_equal(sk_pt_query(&pt, hole, &info), -EINVAL);
	assert_int_equal(pt.ntables, 1);
	sk_pt_destroy(&pt, NULL, NULL);
}

static void test_pt_upper_half_maps_and_walks(void **state)
{
	struct sk_pt pt;
	struct sk_pt_info info;
	uintptr_t top = UINTPTR_MAX - SK_PT_SIZE_2M + 1;

	(void)state;
	assert_int_equal(sk_pt_create(&pt, &ops, NULL), 0);
	assert_int_equal(sk_pt_map(&pt, top, 0, SK_PT_SIZE_2M, SK_PT_READ, 0),
			 0);
	assert_int_equal(sk_pt_query(&pt, UINTPTR_MAX, &info), 0);
	assert_int_equal(info.pa, SK_PT_SIZE_2M - 1);
	assert_int_equal(sk_pt_protect(&pt, UINTPTR_MAX - PG + 1, PG,
				       SK_PT_READ | SK_PT_WRITE),
			 0);
	assert_int_equal(sk_pt_query(&pt, top, &info), 0);
	assert_int_equal(info.size, PG);
	assert_int_equal(sk_pt_unmap(&pt, top, SK_PT_SIZE_2M, NULL, NULL), 0);
	assert_int_equal(pt.ntables, 1);
	sk_pt_destroy(&pt, NULL, NULL);
}

static void test_pt_prot_none_keeps_frame(void **state)
{
	struct sk_pt pt;
	struct sk_pt_info info;

	(void)state;
	assert_int_equal(sk_pt_create(&pt, &ops, NULL), 0);
	assert_int_equal(sk_pt_map(&pt, win_va(7), 0x5000, PG,
				   SK_PT_READ | SK_PT_OWNED, 0),
			 0);
	assert_int_equal(sk_pt_protect(&pt, win_va(7), PG, 0), 0);
	assert_true(flush_covers(win_va(7), PG));
	assert_int_equal(sk_pt_query(&pt, win_va(7), &info), 0);
	assert_int_equal(info.pa, 0x5000);
	assert_int_equal(info.prot, SK_PT_OWNED);
	model_map(7, 1, 0x5000, SK_PT_OWNED);
	check_model(&pt);
	assert_int_equal(sk_pt_protect(&pt, win_va(7), PG, SK_PT_WRITE), 0);
	assert_int_equal(sk_pt_query(&pt, win_va(7), &info), 0);
	assert_int_equal(info.prot, SK_PT_READ | SK_PT_WRITE | SK_PT_OWNED);
	sk_pt_destroy(&pt, NULL, NULL);
}

static void test_pt_map_oom_rolls_back(void **state)
{
	struct sk_pt pt;
	size_t len = 3 * SK_PT_SIZE_2M + 9 * PG;
	uintptr_t va = WIN_BASE + SK_PT_SIZE_1G - SK_PT_SIZE_2M - 4 * PG;

	(void)state;
	assert_int_equal(sk_pt_create(&pt, &ops, NULL), 0);
	for (long k = 0;; k++) {
		int err;

		fail_after = k;
		err = sk_pt_map(&pt, va, 0, len, SK_PT_READ, 0);
		fail_after = -1;
		if (err == 0)
			break;
		assert_int_equal(err, -ENOMEM);
		assert_int_equal(pt.ntables, 1);
		check_model(&pt);
		assert_true(k < 16);
	}
	model_map((va - WIN_BASE) / PG, len / PG, 0, SK_PT_READ);
	check_model(&pt);
	sk_pt_destroy(&pt, NULL, NULL);
	assert_int_equal(nfree, RAM_PAGES);
}

static void test_pt_split_oom_changes_nothing(void **state)
{
	struct sk_pt pt;

	(void)state;
	assert_int_equal(sk_pt_create(&pt, &ops, NULL), 0);
	assert_int_equal(
		sk_pt_map(&pt, WIN_BASE, 0, SK_PT_SIZE_1G, SK_PT_READ, 0), 0);
	model_map(0, P_1G, 0, SK_PT_READ);
	for (long k = 0; k < 2; k++) {
		fail_after = k;
		assert_int_equal(sk_pt_unmap(&pt, win_va(1000), PG, NULL, NULL),
				 -ENOMEM);
		assert_int_equal(sk_pt_protect(&pt, win_va(1000), PG, 0),
				 -ENOMEM);
		fail_after = -1;
		check_model(&pt);
	}
	sk_pt_destroy(&pt, NULL, NULL);
	assert_int_equal(nfree, RAM_PAGES);
}

/* ---- random operations against the model ---- */

static uint64_t rng_state = 42;

static size_t rnd(size_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (size_t)(rng_state % n);
}

static size_t rnd_pages(void)
{
	static const size_t units[] = { P_4K, P_2M, P_1G };
	size_t u = units[rnd(3)];

	return u == P_1G ? P_1G : u * (1 + rnd(u == P_4K ? 700 : 40));
}

static void random_map(struct sk_pt *pt)
{
	size_t n = rnd_pages(), unit = n % P_2M ? P_4K : P_2M;
	size_t page = rnd((WIN_PAGES - n) / unit + 1) * unit;
	uint64_t pa = (uint64_t)rnd(1 << 20) * P_1G * PG + page * PG;
	unsigned prot = (unsigned)rnd(1 << 7);
	unsigned flags = (unsigned)rnd(4);
	int busy = 0, err;

	for (size_t i = 0; i < n && !busy; i++)
		busy = m_pa[page + i] != 0;
	err = sk_pt_map(pt, win_va(page), pa, n * PG, prot, flags);
	if (busy) {
		assert_int_equal(err, -EEXIST);
		return;
	}
	assert_int_equal(err, 0);
	model_map(page, n, pa, prot);
}

static void random_unmap(struct sk_pt *pt)
{
	size_t n = rnd_pages();
	size_t page = rnd(WIN_PAGES - n + 1);
	unsigned long mapped = 0;

	for (size_t i = 0; i < n; i++)
		mapped += m_pa[page + i] != 0;
	cb_pages = 0;
	flush_reset();
	assert_int_equal(sk_pt_unmap(pt, win_va(page), n * PG, leaf_cb, NULL),
			 0);
	assert_int_equal(cb_pages, mapped);
	memset(m_pa + page, 0, n * sizeof(*m_pa));
	memset(m_prot + page, 0, n);
}

static void random_protect(struct sk_pt *pt)
{
	size_t n = rnd_pages();
	size_t page = rnd(WIN_PAGES - n + 1);
	unsigned prot = (unsigned)rnd(8), access = prot & SK_PT_ACCESS;

	if (access)
		access |= SK_PT_READ;
	flush_reset();
	assert_int_equal(sk_pt_protect(pt, win_va(page), n * PG, prot), 0);
	for (size_t i = 0; i < n; i++) {
		uint8_t old = m_prot[page + i];

		if (!m_pa[page + i])
			continue;
		m_prot[page + i] = (uint8_t)((old & ~SK_PT_ACCESS) | access);
		if (m_prot[page + i] != old)
			assert_true(flush_covers(win_va(page + i), PG));
	}
}

static void random_query(const struct sk_pt *pt)
{
	size_t page = rnd(WIN_PAGES);
	struct sk_pt_info info;
	int err = sk_pt_query(pt, win_va(page) + 8, &info);

	if (!m_pa[page]) {
		assert_int_equal(err, -ENOENT);
		return;
	}
	assert_int_equal(err, 0);
	assert_int_equal(info.pa, m_pa[page] + 8);
	assert_int_equal(info.prot, m_prot[page]);
}

static void test_pt_random_ops_match_model(void **state)
{
	struct sk_pt pt;
	unsigned long freed_pages;

	(void)state;
	assert_int_equal(sk_pt_create(&pt, &ops, NULL), 0);
	for (int i = 0; i < 400 * STRESS_SCALE; i++) {
		switch (rnd(5)) {
		case 0:
		case 1:
			random_map(&pt);
			break;
		case 2:
			random_unmap(&pt);
			break;
		case 3:
			random_protect(&pt);
			break;
		default:
			for (int q = 0; q < 64; q++)
				random_query(&pt);
		}
		if (i % 8 == 0)
			check_model(&pt);
	}
	check_model(&pt);
	cb_pages = 0;
	freed_pages = 0;
	for (size_t i = 0; i < WIN_PAGES; i++)
		freed_pages += m_pa[i] != 0;
	flush_reset();
	sk_pt_destroy(&pt, leaf_cb, NULL);
	assert_int_equal(cb_pages, freed_pages);
	assert_int_equal(nfree, RAM_PAGES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_pt_map_aligned_uses_largest_pages,
				       setup),
		cmocka_unit_test_setup(test_pt_map_flags_limit_page_size,
				       setup),
		cmocka_unit_test_setup(
			test_pt_protect_subrange_splits_huge_page, setup),
		cmocka_unit_test_setup(test_pt_unmap_everything_reclaims_tables,
				       setup),
		cmocka_unit_test_setup(test_pt_map_over_mapping_returns_eexist,
				       setup),
		cmocka_unit_test_setup(test_pt_bad_input_returns_einval, setup),
		cmocka_unit_test_setup(test_pt_upper_half_maps_and_walks,
				       setup),
		cmocka_unit_test_setup(test_pt_prot_none_keeps_frame, setup),
		cmocka_unit_test_setup(test_pt_map_oom_rolls_back, setup),
		cmocka_unit_test_setup(test_pt_split_oom_changes_nothing,
				       setup),
		cmocka_unit_test_setup(test_pt_random_ops_match_model, setup),
	};

	const struct mb_config cfg = { .ncpus = 1,
				       .ram_bytes = (size_t)RAM_PAGES * PG };

	m_pa = calloc(WIN_PAGES, sizeof(*m_pa));
	w_pa = calloc(WIN_PAGES, sizeof(*w_pa));
	m_prot = calloc(WIN_PAGES, 1);
	w_prot = calloc(WIN_PAGES, 1);
	if (!m_pa || !w_pa || !m_prot || !w_prot)
		return 1;
	return mb_main(&cfg, "mm_pt", tests, sizeof(tests) / sizeof(tests[0]));
}
