/* SPDX-License-Identifier: MIT */
/*
 * Heap test helpers shared by mm_malloc, mm_reclaim and mm_hosted, on top
 * of mmboot: give back everything every vCPU holds, check that every page
 * came back, and a cross-vCPU malloc/free storm whose blocks carry a
 * pattern naming their allocation (so an overlap or a lost byte shows).
 * Header-only (static inline) so that a unit keeps being one test source
 * plus mmboot.c, as the kvm and xen images build it.
 */
#ifndef MM_TESTS_HEAPTEST_H
#define MM_TESTS_HEAPTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <mm/malloc.h>
#include <mm/page.h>
#include <plat/cpu.h>

#include "mmboot.h"

#ifndef STRESS_SCALE
#define STRESS_SCALE 1
#endif

enum { HT_SLOTS = 64, HT_LIVE = 128, HT_STORM_OPS = 30000 * STRESS_SCALE };

static inline uint64_t ht_rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static inline void ht_trim_here(void *arg)
{
	(void)arg;
	sk_malloc_trim();
	sk_page_cache_drain();
}

/*
 * Every vCPU trims its heap and drains its page cache, twice: the second
 * pass takes back what the first one sent to other vCPUs.
 * Context: the test body.
 */
static inline void ht_trim_all(void)
{
	mb_run_on_cpus(sk_plat_cpu_count(), ht_trim_here);
	mb_run_on_cpus(sk_plat_cpu_count(), ht_trim_here);
}

/* ht_trim_all, then nothing is held and @free_pages pages are free. */
static inline void ht_all_back(size_t free_pages)
{
	struct sk_malloc_stats ms;
	struct sk_page_stats ps;

	ht_trim_all();
	sk_malloc_stats_get(&ms);
	assert_int_equal(ms.slabs, 0);
	assert_int_equal(ms.large_pages, 0);
	sk_page_stats_get(&ps);
	assert_int_equal(ps.cached_pages, 0);
	assert_int_equal(ps.free_pages, free_pages);
}

/* ---- the storm: blocks handed between threads through ht_slot ---- */

static _Atomic(uint64_t *) ht_slot[HT_SLOTS];
static atomic_int ht_errors;

static inline void ht_fill(uint64_t *p, size_t size, uint64_t tag)
{
	p[0] = size;
	for (size_t i = 1; i < size / 8; i++)
		p[i] = tag + i;
}

static inline void ht_check_free(uint64_t *p)
{
	size_t size = p[0];
	uint64_t tag = size / 8 > 1 ? p[1] - 1 : 0;

	if (sk_malloc_usable_size(p) < size)
		atomic_fetch_add(&ht_errors, 1);
	for (size_t i = 1; i < size / 8; i++)
		if (p[i] != tag + i)
			atomic_fetch_add(&ht_errors, 1);
	sk_free(p);
}

/* Mostly small sizes, one in eight up to 20 000 bytes (large blocks). */
static inline size_t ht_size(uint64_t r)
{
	return 8 + ((r >> 4) % 8 ? (r >> 8) % 512 : (r >> 8) % 20000);
}

/*
 * Thread body for mb_run_on_cpus: HT_STORM_OPS random allocations and
 * frees; three in four freed blocks are swapped through ht_slot, so most
 * die on another vCPU.  No libc, no assert: errors are counted.
 */
static inline void ht_storm(void *arg)
{
	uint64_t seed = 0x9e3779b97f4a7c15ull * ((uintptr_t)arg + 1);
	uint64_t *live[HT_LIVE], tag = (uint64_t)(uintptr_t)arg << 40;
	unsigned nlive = 0;

	for (int i = 0; i < HT_STORM_OPS; i++) {
		uint64_t r = ht_rnd(&seed);

		if (nlive < HT_LIVE && (r & 1)) {
			size_t size = ht_size(r);
			uint64_t *p = sk_malloc(size);

			if (!p) {
				atomic_fetch_add(&ht_errors, 1);
				continue;
			}
			ht_fill(p, size, tag += 1 << 20);
			live[nlive++] = p;
		} else if (nlive) {
			unsigned j = (unsigned)((r >> 20) % nlive);
			uint64_t *old = live[j];

			live[j] = live[--nlive];
			if ((r >> 40) % 4)
				old = atomic_exchange(
					&ht_slot[(r >> 44) % HT_SLOTS], old);
			if (old)
				ht_check_free(old);
		}
	}
	while (nlive)
		ht_check_free(live[--nlive]);
}

/* After the storm: free what is left in the slots; assert no error. */
static inline void ht_storm_finish(void)
{
	for (unsigned i = 0; i < HT_SLOTS; i++) {
		uint64_t *p = atomic_exchange(&ht_slot[i], NULL);

		if (p)
			ht_check_free(p);
	}
	assert_int_equal(atomic_load(&ht_errors), 0);
}

#endif
