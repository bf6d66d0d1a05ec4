// SPDX-License-Identifier: MIT
/*
 * The schedtest image's memory cases: the images' heap is lib/mm (page
 * allocator over the memory map, sk_malloc on top), so the memory of
 * joined threads comes back; and RAM above 4 GiB is reported, handed to
 * the page allocator, mapped read+write (never executable) by the kernel
 * page tables, and usable.
 */
#include <errno.h>
#include <stdint.h>

#include <mm/malloc.h>
#include <mm/page.h>
#include <mm/pt.h>
#include <plat/mem.h>
#include <plat/time.h>
#include <sched/thread.h>
#include <kvm/boot.h>

#include "boottest.h"
#include "schedtest.h"

static const uint64_t GIB4 = 1ull << 32;
static const uint64_t CHUNK = 2ull << 20; /* 2 MiB */

enum { ROUNDS = 200, CHUNK_PAGES = 512, BLOCKS_MAX = 256 };

/*
 * A thread's memory is its 128 KiB stack plus its control block: 33
 * pages.  lib/sched keeps up to 64 released blocks per CPU for reuse, and
 * how full that cache is after a round depends on grace-period timing, so
 * the second round may leave up to 64 more blocks cached than the first.
 * A bump heap loses all ROUNDS threads' pages; a reusing heap loses at
 * most the cache's growth: the bound sits between the two.
 */
enum { THREAD_PAGES = 33, LOST_MAX = ROUNDS * THREAD_PAGES / 2 };

static size_t pages_free(void)
{
	struct sk_page_stats st;

	sk_page_stats_get(&st);
	return st.free_pages + st.cached_pages;
}

static void nothing(void *arg)
{
	(void)arg;
}

/* Create and join @n threads, one after the other, all on CPU 0. */
static int threads_churn(unsigned n)
{
	struct sk_cpuset cpu0;
	struct sk_thread_attr a = { .affinity = &cpu0 };

	sk_cpuset_zero(&cpu0);
	sk_cpuset_add(&cpu0, 0);
	for (unsigned i = 0; i < n; i++) {
		struct sk_thread *t;

		if (sk_thread_create(&t, &a, nothing, NULL) != 0 ||
		    sk_thread_join(t) != 0)
			return -1;
	}
	return 0;
}

/* Wait (up to 20 s: reaping waits for grace periods, and on a loaded
 * host a vCPU may be descheduled for long) until no more than
 * @slack pages of @before are missing; return how many are (SIZE_MAX if
 * a thread could not be created). */
static size_t pages_missing(size_t before, size_t slack)
{
	size_t lost = 0;

	for (unsigned k = 0; k < 2000; k++) {
		size_t now;

		/* lib/sched advances its reaping of released threads at a
		 * create or join on their CPU: give it one per round. */
		if (threads_churn(1) != 0)
			return SIZE_MAX;
		now = pages_free();

		lost = now < before ? before - now : 0;
		if (lost <= slack)
			break;
		sk_thread_sleep_for(10000000);
	}
	return lost;
}

/*
 * Threads created and joined one after the other: a round of 200 warms
 * the allocator's caches, then a second round must give back most of its
 * memory (LOST_MAX), where a bump heap would lose every thread's pages.  Everything runs on CPU 0: lib/sched frees a
 * released thread's memory from the CPU it was released on, at that
 * CPU's next create or join (docs/sched.md), so threads that exit on a
 * CPU that then goes idle stay cached there and would be counted lost.
 */
int st_case_heap_reuses_memory(void)
{
	size_t before, lost;
	struct sk_malloc_stats ms;

	struct sk_cpuset cpu0, all;

	sk_cpuset_zero(&cpu0);
	sk_cpuset_add(&cpu0, 0);
	sk_cpuset_fill(&all);
	BT_CHECK(sk_thread_set_affinity(&cpu0) == 0);
	sk_malloc_stats_get(&ms);
	BT_CHECK(ms.slabs > 0 || ms.large_pages > 0); /* lib/sched's memory */
	BT_CHECK(threads_churn(ROUNDS) == 0);
	before = pages_free();
	BT_CHECK(threads_churn(ROUNDS) == 0);
	lost = pages_missing(before, LOST_MAX);
	sk_x86_printf("  %u more threads: %lu pages not back (of %lu free)\n",
		      ROUNDS, (unsigned long)lost, (unsigned long)before);
	BT_CHECK(sk_thread_set_affinity(&all) == 0);
	BT_CHECK(lost <= LOST_MAX);
	return 0;
}

static uint64_t usable_above(uint64_t limit)
{
	static struct sk_plat_mem_region r[128];
	unsigned n = sk_plat_mem_regions(r, 128);
	uint64_t sum = 0;

	for (unsigned i = 0; i < n && i < 128; i++)
		if (r[i].type == SK_PLAT_MEM_USABLE &&
		    r[i].pa + r[i].len > limit)
			sum += r[i].pa + r[i].len -
			       (r[i].pa > limit ? r[i].pa : limit);
	return sum;
}

/* Write a block's tag into its first and last page; check it. */
static void block_stamp(uint64_t pa, size_t npages)
{
	uint64_t *first = sk_plat_phys_to_virt(pa);
	uint64_t *last = sk_plat_phys_to_virt(pa + (npages - 1) * SK_PAGE_SIZE);

	first[1] = pa ^ 0x5a5a5a5a5a5a5a5aull;
	last[0] = ~pa;
}

static int block_check(uint64_t pa, size_t npages)
{
	const uint64_t *first = sk_plat_phys_to_virt(pa);
	const uint64_t *last =
		sk_plat_phys_to_virt(pa + (npages - 1) * SK_PAGE_SIZE);

	return first[1] == (pa ^ 0x5a5a5a5a5a5a5a5aull) && last[0] == ~pa;
}

/* The kernel page tables map @pa: to itself, read+write, not exec. */
static int mapped_rw(uint64_t pa)
{
	const struct sk_pt *pt = sk_kvm_kernel_pt();
	struct sk_pt_info info;

	if (!pt || sk_pt_query(pt, (uintptr_t)pa, &info) != 0)
		return 0;
	return info.pa == pa && (info.prot & SK_PT_WRITE) &&
	       !(info.prot & SK_PT_EXEC);
}

struct block {
	uint64_t pa;
	size_t npages;
};

/*
 * Take all RAM the page allocator has, in blocks of 1 GiB, then 512 MiB,
 * ... down to 2 MiB (few blocks: QEMU backs guest RAM with transparent
 * huge pages, and touching every 2 MiB of a 6 GiB guest would make the
 * host allocate all of it).  Return the number of blocks in @b.
 */
static unsigned blocks_take_all(struct block *b, unsigned max)
{
	unsigned n = 0;

	for (size_t np = (size_t)1 << 18; np >= CHUNK_PAGES; np /= 2) {
		uint64_t pa;

		while (n < max && sk_page_alloc(np, 0, &pa) == 0)
			b[n++] = (struct block){ pa, np };
	}
	return n;
}

/*
 * "highmem=1" (tools/run --mem 6G): usable RAM above 4 GiB must exist.
 * Exhaust the page allocator (blocks_take_all); every block above 4 GiB
 * is stamped at both ends and read back, and the kernel page tables map
 * it read+write, not executable; the blocks above 4 GiB must add up to
 * that RAM (less the allocator's own state).  Then give everything back.
 */
int st_case_mem_above_4g(void)
{
	static struct block b[BLOCKS_MAX];
	uint64_t high = usable_above(GIB4), above = 0;
	unsigned n, bad = 0;

	sk_x86_printf("  usable RAM above 4 GiB: %lu MiB\n",
		      (unsigned long)(high >> 20));
	if (!bt_cmdline_has("highmem=1"))
		return high == 0 ? 0 : -1; /* the default 256 MiB machine */
	BT_CHECK(high >= CHUNK);
	n = blocks_take_all(b, BLOCKS_MAX);
	for (unsigned i = 0; i < n; i++)
		if (b[i].pa >= GIB4)
			block_stamp(b[i].pa, b[i].npages);
	for (unsigned i = 0; i < n; i++) {
		if (b[i].pa < GIB4)
			continue;
		above += b[i].npages * SK_PAGE_SIZE;
		if (!block_check(b[i].pa, b[i].npages) || !mapped_rw(b[i].pa) ||
		    !mapped_rw(b[i].pa + (b[i].npages - 1) * SK_PAGE_SIZE))
			bad++;
	}
	for (unsigned i = 0; i < n; i++)
		sk_page_free(b[i].pa, b[i].npages);
	sk_x86_printf("  %u blocks, %lu MiB above 4 GiB, %u bad\n", n,
		      (unsigned long)(above >> 20), bad);
	BT_CHECK(bad == 0);
	/* All of it but the allocator's state and the 2 MiB edges. */
	BT_CHECK(above + 8 * CHUNK >= high);
	return 0;
}
