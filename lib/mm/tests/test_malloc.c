// SPDX-License-Identifier: MIT
/*
 * The heap on a hosted machine with NCPUS vCPUs (skiff threads pinned one
 * per vCPU): C semantics of every call, alignment, empty slabs going back
 * to the page allocator, and a cross-CPU free storm where every block is
 * filled with a pattern naming its owner (so overlap shows), most blocks
 * are freed by another CPU, and after a trim on every CPU every page is
 * back.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <mm/malloc.h>
#include <mm/page.h>
#include <plat/compiler.h>

#include "mmboot.h"

#ifndef STRESS_SCALE
#define STRESS_SCALE 1
#endif

enum { RAM_PAGES = 32768, NCPUS = 4, LIVE = 256, SLOTS = 64 };

static size_t baseline_free;

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void trim_on(void *arg)
{
	(void)arg;
	sk_malloc_trim();
	sk_page_cache_drain();
}

static void run_on_all(sk_thread_fn fn)
{
	mb_run_on_cpus(NCPUS, fn);
}

/* Every CPU trims twice (the second pass takes what the first sent). */
static void all_back(void)
{
	struct sk_malloc_stats ms;
	struct sk_page_stats ps;

	run_on_all(trim_on);
	run_on_all(trim_on);
	sk_malloc_stats_get(&ms);
	assert_int_equal(ms.slabs, 0);
	assert_int_equal(ms.large_pages, 0);
	sk_page_stats_get(&ps);
	assert_int_equal(ps.cached_pages, 0);
	assert_int_equal(ps.free_pages, baseline_free);
}

static void test_malloc_sizes_aligned_usable_distinct(void **state)
{
	static void *p[700];
	size_t n = 0;

	(void)state;
	for (size_t size = 0; size < 70000; size += 1 + size / 8, n++) {
		p[n] = sk_malloc(size);
		assert_non_null(p[n]);
		assert_int_equal((uintptr_t)p[n] % SK_MALLOC_ALIGN, 0);
		assert_true(sk_malloc_usable_size(p[n]) >= size);
		memset(p[n], (int)(n & 0xff), sk_malloc_usable_size(p[n]));
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char *c = p[i];

		for (size_t k = 0; k < sk_malloc_usable_size(c); k++)
			assert_int_equal(c[k], i & 0xff);
		sk_free(c);
	}
	sk_free(NULL);
	assert_int_equal(sk_malloc_usable_size(NULL), 0);
	all_back();
}

static void test_malloc_aligned_alloc_honours_alignment(void **state)
{
	(void)state;
	for (size_t align = 1; align <= ((size_t)4 << 20); align <<= 1) {
		size_t sizes[] = { 1, align / 2 + 1, align, 3 * align + 5,
				   9000 };

		for (unsigned i = 0; i < SK_ARRAY_LEN(sizes); i++) {
			void *p = sk_aligned_alloc(align, sizes[i]);

			assert_non_null(p);
			assert_int_equal((uintptr_t)p % align, 0);
			assert_true(sk_malloc_usable_size(p) >= sizes[i]);
			memset(p, 1, sizes[i]);
			sk_free(p);
		}
	}
	assert_null(sk_aligned_alloc(48, 16));
	assert_null(sk_aligned_alloc(0, 16));
	all_back();
}

static void test_malloc_calloc_realloc_semantics(void **state)
{
	struct sk_malloc_stats ms, ms2;
	unsigned char *p, *q;

	(void)state;
	assert_null(sk_calloc(SIZE_MAX / 2, 3));
	assert_null(sk_malloc(SIZE_MAX - 100));
	p = sk_malloc(100);
	memset(p, 0xee, 100);
	sk_free(p);
	p = sk_calloc(25, 4);
	for (int i = 0; i < 100; i++)
		assert_int_equal(p[i], 0);
	for (int i = 0; i < 100; i++)
		p[i] = (unsigned char)i;
	q = sk_realloc(p, 50000);
	assert_non_null(q);
	for (int i = 0; i < 100; i++)
		assert_int_equal(q[i], i);
	/* A large block shrinks in place and gives its tail pages back. */
	sk_malloc_stats_get(&ms);
	p = sk_realloc(q, 20000);
	assert_ptr_equal(p, q);
	assert_true(sk_malloc_usable_size(p) >= 20000);
	assert_true(sk_malloc_usable_size(p) < 50000 - 4096);
	sk_malloc_stats_get(&ms2);
	assert_true(ms2.large_pages < ms.large_pages);
	for (int i = 0; i < 100; i++)
		assert_int_equal(p[i], i);
	q = p;
	p = sk_realloc(q, 10);
	for (int i = 0; i < 10; i++)
		assert_int_equal(p[i], i);
	assert_null(sk_realloc(p, 0));
	p = sk_realloc(NULL, 5);
	assert_non_null(p);
	assert_null(sk_realloc(p, SIZE_MAX - 4096));
	sk_free(p);
	all_back();
}

static void test_malloc_empty_slabs_return_pages(void **state)
{
	enum { N = 5000 };
	static void *p[N];
	struct sk_malloc_stats ms;

	(void)state;
	for (int i = 0; i < N; i++)
		p[i] = sk_malloc(200);
	sk_malloc_stats_get(&ms);
	assert_true(ms.slabs >= N * 224 / (64 * 1024));
	/* Free out of order: slabs empty one by one and leave. */
	for (int i = 0; i < N; i += 2)
		sk_free(p[i]);
	for (int i = 1; i < N; i += 2)
		sk_free(p[i]);
	sk_malloc_stats_get(&ms);
	assert_true(ms.slabs <= 1); /* the current one stays */
	all_back();
}

/* ---- cross-CPU free storm ---- */

static _Atomic(uint64_t *) slot[SLOTS];
static atomic_int storm_errors;

static void fill(uint64_t *p, size_t size, uint64_t tag)
{
	p[0] = size;
	for (size_t i = 1; i < size / 8; i++)
		p[i] = tag ^ i;
}

static void check_free(uint64_t *p)
{
	size_t size = p[0];
	uint64_t tag = size / 8 > 1 ? p[1] ^ 1 : 0;

	if (sk_malloc_usable_size(p) < size)
		atomic_fetch_add(&storm_errors, 1);
	for (size_t i = 1; i < size / 8; i++)
		if (p[i] != (tag ^ i))
			atomic_fetch_add(&storm_errors, 1);
	sk_free(p);
}

static void storm(void *arg)
{
	unsigned cpu = (unsigned)(uintptr_t)arg;
	uint64_t *live[LIVE];
	uint64_t seed = 0x2545f4914f6cdd1dull * (cpu + 3), tag = cpu;
	unsigned nlive = 0;

	for (int i = 0; i < 60000 * STRESS_SCALE; i++) {
		uint64_t r = rnd(&seed);

		if (nlive < LIVE && (r & 1)) {
			size_t size = 8 + ((r >> 4) % 8 ? (r >> 8) % 512
							: (r >> 8) % 20000);
			uint64_t *p = sk_malloc(size);

			if (!p || (uintptr_t)p % SK_MALLOC_ALIGN) {
				atomic_fetch_add(&storm_errors, 1);
				continue;
			}
			fill(p, size, (tag += NCPUS) << 20);
			live[nlive++] = p;
		} else if (nlive) {
			unsigned j = (unsigned)((r >> 20) % nlive);
			uint64_t *old = live[j];

			live[j] = live[--nlive];
			/* Most blocks die on another CPU. */
			if ((r >> 40) % 4)
				old = atomic_exchange(&slot[(r >> 44) % SLOTS],
						      old);
			if (old)
				check_free(old);
		}
	}
	while (nlive)
		check_free(live[--nlive]);
}

static void test_malloc_cross_cpu_storm_all_returned(void **state)
{
	(void)state;
	run_on_all(storm);
	assert_int_equal(atomic_load(&storm_errors), 0);
	for (unsigned i = 0; i < SLOTS; i++) {
		uint64_t *p = atomic_exchange(&slot[i], NULL);

		if (p)
			check_free(p);
	}
	assert_int_equal(atomic_load(&storm_errors), 0);
	all_back();
}

static int malloc_prepare(void)
{
	struct sk_page_stats ps;

	if (sk_page_init() || sk_malloc_init())
		return -1;
	sk_page_cache_drain();
	sk_page_stats_get(&ps);
	baseline_free = ps.free_pages;
	return 0;
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_malloc_sizes_aligned_usable_distinct),
		cmocka_unit_test(test_malloc_aligned_alloc_honours_alignment),
		cmocka_unit_test(test_malloc_calloc_realloc_semantics),
		cmocka_unit_test(test_malloc_empty_slabs_return_pages),
		cmocka_unit_test(test_malloc_cross_cpu_storm_all_returned),
	};
	const struct mb_config cfg = {
		.ncpus = NCPUS,
		.ram_bytes = (size_t)RAM_PAGES * SK_PAGE_SIZE,
		.prepare = malloc_prepare,
	};

	return mb_main(&cfg, "mm_malloc", tests,
		       sizeof(tests) / sizeof(tests[0]));
}
