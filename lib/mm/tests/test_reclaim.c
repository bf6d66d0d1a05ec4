// SPDX-License-Identifier: MIT
/*
 * Cross-CPU reclaim on a hosted machine with 2 vCPUs: vCPU 1 fills its
 * page cache, keeps empty slabs of many size classes and a spare, and
 * holds a batch of remote frees owed to vCPU 0; then vCPU 0 allocates
 * single pages until -ENOMEM.  With the reclaim workers it must get every
 * page that is not really in use (the count measured with every cache
 * empty); with them stopped it gets fewer, which shows the test sees what
 * vCPU 1 keeps.  Then two threads per vCPU run memory dry at once, over
 * and over.  Everything comes back at the end.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <mm/malloc.h>
#include <mm/page.h>
#include <mm/reclaim.h>
#include <plat/compiler.h>
#include <plat/mem.h>
#include <sched/preempt.h>

#include "heaptest.h"
#include "mmboot.h"

enum { RAM_PAGES = 8192, NCPUS = 2, OWED = 10, CACHE_FILL = 200 };

static size_t real_free; /* free pages with every cache and slab empty */
static void *owed[OWED]; /* vCPU 0's blocks, freed on vCPU 1 */
static atomic_int fill_errors;

static uint64_t *pg(uint64_t pa)
{
	return sk_plat_phys_to_virt(pa);
}

/* Every CPU gives back everything; then the free count. */
static size_t free_after_trim(void)
{
	struct sk_page_stats st;

	ht_trim_all();
	sk_page_stats_get(&st);
	assert_int_equal(st.cached_pages, 0);
	return st.free_pages;
}

static void owe_on_cpu0(void *arg)
{
	if ((uintptr_t)arg != 0)
		return;
	for (unsigned i = 0; i < OWED; i++)
		if (!(owed[i] = sk_malloc(64)))
			atomic_fetch_add(&fill_errors, 1);
}

/* On vCPU 1: leave pages, empty slabs, a spare and remote frees behind. */
static void fill_on_cpu1(void *arg)
{
	static const size_t sizes[] = { 16, 48, 100, 300, 1000, 3000, 8000 };
	static uint64_t pa[CACHE_FILL];
	static void *blk[2 * (64 * 1024 / 256)];

	if ((uintptr_t)arg != 1)
		return;
	for (unsigned i = 0; i < OWED; i++)
		sk_free(owed[i]); /* stays in vCPU 1's magazine */
	for (unsigned i = 0; i < CACHE_FILL; i++)
		if (sk_page_alloc(1, 0, &pa[i]))
			atomic_fetch_add(&fill_errors, 1);
	for (unsigned i = 0; i < CACHE_FILL; i++)
		sk_page_free(pa[i], 1);
	for (unsigned i = 0; i < SK_ARRAY_LEN(sizes); i++)
		sk_free(sk_malloc(sizes[i])); /* an empty current slab each */
	for (unsigned i = 0; i < SK_ARRAY_LEN(blk); i++)
		if (!(blk[i] = sk_malloc(256)))
			atomic_fetch_add(&fill_errors, 1);
	for (unsigned i = 0; i < SK_ARRAY_LEN(blk); i++)
		sk_free(blk[i]); /* one slab empties off-current: the spare */
}

static void fill_cpu1(void)
{
	struct sk_page_stats st;

	mb_run_on_cpus(NCPUS, owe_on_cpu0);
	mb_run_on_cpus(NCPUS, fill_on_cpu1);
	assert_int_equal(atomic_load(&fill_errors), 0);
	sk_page_stats_get(&st);
	assert_true(st.cached_pages > 0);
	/* Cache, empty slabs and vCPU 0's slab pinned by the owed blocks. */
	assert_true(st.free_pages + st.cached_pages < real_free);
}

/*
 * On vCPU 0 (the test body), preemptible, no libc: single pages until
 * -ENOMEM, linked through themselves.  Return: how many it got.
 */
static size_t exhaust_then_free(void)
{
	uint64_t head = 0, pa;
	size_t n = 0;

	sk_preempt_enable();
	while (!sk_page_alloc(1, 0, &pa)) {
		*pg(pa) = head;
		head = pa;
		n++;
	}
	while (head) {
		pa = head;
		head = *pg(pa);
		sk_page_free(pa, 1);
	}
	sk_preempt_disable();
	return n;
}

static void test_reclaim_start_stop_pairs_checked(void **state)
{
	(void)state;
	sk_preempt_enable();
	assert_int_equal(sk_mm_reclaim_stop(), -EINVAL);
	assert_int_equal(sk_mm_reclaim_start(), 0);
	assert_int_equal(sk_mm_reclaim_start(), -EBUSY);
	assert_int_equal(sk_mm_reclaim_stop(), 0);
	assert_int_equal(sk_mm_reclaim_stop(), -EINVAL);
	sk_preempt_disable();
}

static void test_reclaim_other_cpu_caches_all_allocated(void **state)
{
	struct sk_mm_reclaim_stats before, after;
	size_t got;

	(void)state;
	sk_preempt_enable();
	assert_int_equal(sk_mm_reclaim_start(), 0);
	sk_preempt_disable();
	real_free = free_after_trim(); /* the workers' memory is in use */
	fill_cpu1();
	sk_mm_reclaim_stats_get(&before);
	got = exhaust_then_free();
	sk_mm_reclaim_stats_get(&after);
	assert_int_equal(got, real_free);
	assert_true(after.rounds > before.rounds);
	assert_true(after.worker_runs > before.worker_runs);
	assert_int_equal(free_after_trim(), real_free);
}

static void test_reclaim_stopped_other_cpu_keeps_its_cache(void **state)
{
	size_t got;

	(void)state;
	sk_preempt_enable();
	assert_int_equal(sk_mm_reclaim_stop(), 0);
	sk_preempt_disable();
	real_free = free_after_trim();
	fill_cpu1();
	got = exhaust_then_free();
	assert_true(got < real_free);
	assert_int_equal(free_after_trim(), real_free);
}

/*
 * Two threads per vCPU run memory dry at the same time, again and again,
 * each with its own mix of single pages and heap blocks: failing
 * allocations meet in reclaim rounds while the workers trim under them.
 * No deadlock and no page lost.  (A thread may get nothing in a round
 * while the others hold everything: that is a correct -ENOMEM.)
 */
enum { STORM_ROUNDS = 4 * STRESS_SCALE };

static atomic_size_t storm_got;

static void storm(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;

	for (unsigned r = 0; r < STORM_ROUNDS; r++) {
		uint64_t pages = 0, pa;
		void **blocks = NULL, **b;
		size_t got = 0;

		for (unsigned k = 0;; k++) {
			if ((k + id) % 4 == 0) {
				b = sk_malloc(64 + 512 * ((k + id) % 16));
				if (!b)
					break;
				*b = blocks;
				blocks = b;
			} else {
				if (sk_page_alloc(1, 0, &pa))
					break;
				*pg(pa) = pages;
				pages = pa;
			}
			got++;
		}
		atomic_fetch_add(&storm_got, got);
		while (pages) {
			pa = pages;
			pages = *pg(pa);
			sk_page_free(pa, 1);
		}
		while (blocks) {
			b = blocks;
			blocks = *b;
			sk_free(b);
		}
	}
}

static void test_reclaim_concurrent_exhaustion_all_returned(void **state)
{
	struct sk_mm_reclaim_stats before, after;

	(void)state;
	sk_preempt_enable();
	assert_int_equal(sk_mm_reclaim_start(), 0);
	sk_preempt_disable();
	real_free = free_after_trim();
	sk_mm_reclaim_stats_get(&before);
	mb_run_on_cpus(2 * NCPUS, storm);
	sk_mm_reclaim_stats_get(&after);
	assert_true(atomic_load(&storm_got) > 0);
	assert_true(after.rounds > before.rounds);
	assert_int_equal(free_after_trim(), real_free);
	sk_preempt_enable();
	assert_int_equal(sk_mm_reclaim_stop(), 0);
	sk_preempt_disable();
}

static int reclaim_prepare(void)
{
	return sk_page_init() || sk_malloc_init() ? -1 : 0;
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reclaim_start_stop_pairs_checked),
		cmocka_unit_test(test_reclaim_other_cpu_caches_all_allocated),
		cmocka_unit_test(
			test_reclaim_stopped_other_cpu_keeps_its_cache),
		cmocka_unit_test(
			test_reclaim_concurrent_exhaustion_all_returned),
	};
	const struct mb_config cfg = {
		.ncpus = NCPUS,
		.ram_bytes = (size_t)RAM_PAGES * SK_PAGE_SIZE,
		.prepare = reclaim_prepare,
	};

	return mb_main(&cfg, "mm_reclaim", tests,
		       sizeof(tests) / sizeof(tests[0]));
}
