// SPDX-License-Identifier: MIT
/*
 * The physical page allocator on a hosted machine with NCPUS vCPUs (skiff
 * threads pinned one per vCPU): statistics and cache sizing, alignment and
 * zeroing, exhaustion and recovery, and a multi-CPU storm where pages are
 * stamped with their owner so an overlap shows, some freed on another CPU
 * than allocated them, and every page is back at the end.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <mm/page.h>
#include <plat/mem.h>

#include "mmboot.h"

#ifndef STRESS_SCALE
#define STRESS_SCALE 1
#endif

enum { RAM_PAGES = 16384, NCPUS = 4, LIVE = 48 };

static uint64_t *pg(uint64_t pa)
{
	return sk_plat_phys_to_virt(pa);
}

static void all_back(void)
{
	struct sk_page_stats st;

	sk_page_cache_drain();
	sk_page_stats_get(&st);
	assert_int_equal(st.cached_pages, 0);
	assert_int_equal(st.free_pages, st.total_pages);
}

static void test_page_init_stats_count_every_page(void **state)
{
	struct sk_page_stats st;

	(void)state;
	assert_int_equal(sk_page_init(), -EBUSY);
	sk_page_stats_get(&st);
	assert_int_equal(st.total_pages + st.meta_pages, RAM_PAGES);
	assert_int_equal(st.meta_pages, RAM_PAGES / 4096);
	assert_int_equal(st.free_pages, st.total_pages);
	/* All caches together hold at most 1/64 of RAM. */
	assert_int_equal(st.cache_high, st.total_pages / (64 * NCPUS));
	assert_int_equal(st.cache_batch,
			 st.cache_high / 2 < 64 ? st.cache_high / 2 : 64);
}

static void test_page_alloc_honours_alignment_and_zero(void **state)
{
	uint64_t pa, big;

	(void)state;
	assert_int_equal(sk_page_alloc(1, 0, &pa), 0);
	memset(pg(pa), 0x5a, SK_PAGE_SIZE);
	sk_page_free(pa, 1);
	assert_int_equal(sk_page_alloc(1, SK_PAGE_ZERO, &pa), 0);
	for (unsigned i = 0; i < SK_PAGE_SIZE / 8; i++)
		assert_int_equal(pg(pa)[i], 0);
	sk_page_free(pa, 1);
	assert_int_equal(sk_page_alloc(3, 0, &pa), 0);
	assert_int_equal(pa % (4 * SK_PAGE_SIZE), 0);
	assert_int_equal(sk_page_alloc(16, 0, &big), 0);
	assert_int_equal(big % (64 * 1024), 0);
	sk_page_free(pa, 1); /* parts of one allocation, freed apart */
	sk_page_free(pa + SK_PAGE_SIZE, 2);
	sk_page_free(big, 16);
	assert_int_equal(sk_page_alloc(5, SK_PAGE_ALIGN_2M, &pa), 0);
	assert_int_equal(pa % (2u << 20), 0);
	sk_page_free(pa, 5);
	assert_int_equal(sk_page_alloc_aligned(2, 1u << 20, 0, &pa), 0);
	assert_int_equal(pa % (1u << 20), 0);
	sk_page_free(pa, 2);
	assert_int_equal(sk_page_alloc(0, 0, &pa), -EINVAL);
	assert_int_equal(sk_page_alloc(1, 1 << 7, &pa), -EINVAL);
	assert_int_equal(sk_page_alloc_aligned(1, 3 * 4096, 0, &pa), -EINVAL);
	assert_int_equal(sk_page_alloc_aligned(1, 2048, 0, &pa), -EINVAL);
	assert_int_equal(sk_page_alloc(RAM_PAGES, 0, &pa), -ENOMEM);
	all_back();
}

static void test_page_exhaustion_returns_enomem_and_recovers(void **state)
{
	struct sk_page_stats st;
	uint64_t head = 0, pa;
	size_t n = 0;

	(void)state;
	sk_page_stats_get(&st);
	while (sk_page_alloc(1, 0, &pa) == 0) {
		pg(pa)[0] = head;
		head = pa;
		n++;
	}
	assert_int_equal(n, st.total_pages);
	assert_int_equal(sk_page_alloc(1, 0, &pa), -ENOMEM);
	assert_int_equal(sk_page_alloc(2, SK_PAGE_ZERO, &pa), -ENOMEM);
	while (head) {
		pa = head;
		head = pg(pa)[0];
		sk_page_free(pa, 1);
	}
	all_back();
	/* Cached pages do not block a large block: it drains first. */
	assert_int_equal(sk_page_alloc(1, 0, &pa), 0);
	sk_page_free(pa, 1);
	assert_int_equal(sk_page_alloc(st.total_pages / 2 + 1, 0, &pa), 0);
	sk_page_free(pa, st.total_pages / 2 + 1);
	all_back();
}

/* ---- the storm ---- */

struct live {
	uint64_t pa;
	size_t n;
	uint64_t tag;
};

static _Atomic uint64_t handoff[NCPUS]; /* pa << 4 | npages, or 0 */
static atomic_int storm_errors;

static void stamp(const struct live *l)
{
	for (size_t i = 0; i < l->n; i++) {
		uint64_t *w = pg(l->pa + i * SK_PAGE_SIZE);

		w[0] = l->tag + i;
		w[SK_PAGE_SIZE / 8 - 1] = ~(l->tag + i);
	}
}

static void check_and_free(const struct live *l)
{
	for (size_t i = 0; i < l->n; i++) {
		uint64_t *w = pg(l->pa + i * SK_PAGE_SIZE);

		if (w[0] != l->tag + i ||
		    w[SK_PAGE_SIZE / 8 - 1] != ~(l->tag + i))
			atomic_fetch_add(&storm_errors, 1);
	}
	sk_page_free(l->pa, l->n);
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Give a single page to the next CPU; free what the previous one gave. */
static void pass_page(unsigned cpu, struct live *l)
{
	uint64_t v = atomic_exchange(&handoff[(cpu + 1) % NCPUS], l->pa | 1);

	if (v)
		sk_page_free(v & ~(uint64_t)1, 1);
}

static void storm(void *arg)
{
	unsigned cpu = (unsigned)(uintptr_t)arg;
	struct live live[LIVE];
	uint64_t seed = 0x9e3779b97f4a7c15ull * (cpu + 1), seq = 0;
	unsigned nlive = 0;

	for (int i = 0; i < 20000 * STRESS_SCALE; i++) {
		uint64_t r = rnd(&seed);

		if (nlive < LIVE && (r & 1)) {
			struct live *l = &live[nlive];
			unsigned flags =
				(r >> 8) % 16 == 0 ? SK_PAGE_ALIGN_2M : 0;

			l->n = (r >> 4) % 4 ? 1 : 1 + (r >> 12) % 8;
			l->tag = ((uint64_t)cpu << 56) | (seq++ << 8);
			if (sk_page_alloc(l->n, flags, &l->pa))
				continue;
			if ((flags && l->pa % (2u << 20)) ||
			    l->pa % SK_PAGE_SIZE)
				atomic_fetch_add(&storm_errors, 1);
			stamp(l);
			nlive++;
		} else if (nlive) {
			unsigned j = (unsigned)((r >> 20) % nlive);

			if (live[j].n == 1 && (r >> 40) % 3 == 0)
				pass_page(cpu, &live[j]);
			else
				check_and_free(&live[j]);
			live[j] = live[--nlive];
		}
	}
	while (nlive)
		check_and_free(&live[--nlive]);
}

static void drain_on(void *arg)
{
	(void)arg;
	sk_page_cache_drain();
}

static void run_on_all(sk_thread_fn fn)
{
	mb_run_on_cpus(NCPUS, fn);
}

static void test_page_storm_no_overlap_all_returned(void **state)
{
	(void)state;
	run_on_all(storm);
	assert_int_equal(atomic_load(&storm_errors), 0);
	for (unsigned i = 0; i < NCPUS; i++) {
		uint64_t v = atomic_exchange(&handoff[i], 0);

		if (v)
			sk_page_free(v & ~(uint64_t)1, 1);
	}
	run_on_all(drain_on);
	all_back();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_init_stats_count_every_page),
		cmocka_unit_test(test_page_alloc_honours_alignment_and_zero),
		cmocka_unit_test(
			test_page_exhaustion_returns_enomem_and_recovers),
		cmocka_unit_test(test_page_storm_no_overlap_all_returned),
	};

	const struct mb_config cfg = {
		.ncpus = NCPUS,
		.ram_bytes = (size_t)RAM_PAGES * SK_PAGE_SIZE,
		.prepare = sk_page_init,
	};

	return mb_main(&cfg, "mm_page", tests,
		       sizeof(tests) / sizeof(tests[0]));
}
