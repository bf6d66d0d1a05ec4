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

#include "heaptest.h"
#include "mmboot.h"

enum { RAM_PAGES = 32768, NCPUS = 4 };

static size_t baseline_free;

static void all_back(void)
{
	ht_all_back(baseline_free);
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

/* ---- cross-CPU free storm: two threads per vCPU ---- */

static void test_malloc_cross_cpu_storm_all_returned(void **state)
{
	(void)state;
	mb_run_on_cpus(2 * NCPUS, ht_storm);
	ht_storm_finish();
	all_back();
}

/*
 * ---- remote frees: magazines and lone blocks ----
 * vCPU 1 frees blocks vCPU 0 allocated.  They travel in a magazine, a page
 * of MAGN pointers sent when full, when its blocks total MAG_BYTES or at a
 * trim; a block freed while vCPU 1's page cache is empty goes alone.  A
 * CPU has a magazine for each owner number modulo 4.  The slab count
 * shows what the owners got back: a slab leaves when it empties.
 */
enum { MAGN = (4096 - 16) / 8, MAG_BYTES = 64 * 1024 };

static void *remote[MAGN + 1];
static unsigned remote_n;
static atomic_uint remote_cpu; /* which vCPU trim_one runs on */

static size_t slabs_now(void)
{
	struct sk_malloc_stats ms;

	sk_malloc_stats_get(&ms);
	return ms.slabs;
}

static void alloc_remote(unsigned n, size_t size)
{
	remote_n = n;
	for (unsigned i = 0; i < n; i++)
		assert_non_null(remote[i] = sk_malloc(size));
}

/* On vCPU 1: empty the page cache, then free every block of remote[]. */
static void drain_then_free(void *arg)
{
	if ((uintptr_t)arg != 1)
		return;
	sk_page_cache_drain();
	for (unsigned i = 0; i < remote_n; i++)
		sk_free(remote[i]);
}

static void trim_one(void *arg)
{
	if ((uintptr_t)arg == atomic_load(&remote_cpu))
		sk_malloc_trim();
}

static void trim_cpu(unsigned cpu)
{
	atomic_store(&remote_cpu, cpu);
	mb_run_on_cpus(NCPUS, trim_one);
}

static void test_malloc_remote_lone_block_reaches_owner(void **state)
{
	size_t before = slabs_now();

	(void)state;
	alloc_remote(1, 3000);
	assert_int_equal(slabs_now(), before + 1);
	mb_run_on_cpus(2, drain_then_free); /* no page: sent alone */
	trim_cpu(0);
	assert_int_equal(slabs_now(), before);
	all_back();
}

enum remote_end { HELD, SENT };

/*
 * 1 lone block, then @n - 1 into vCPU 1's magazine, which they fill (SENT:
 * vCPU 0 has them without vCPU 1 trimming) or not (HELD until it trims).
 */
static void remote_batch(unsigned n, size_t size, size_t nslabs,
			 enum remote_end end)
{
	size_t before = slabs_now();

	alloc_remote(n, size);
	assert_int_equal(slabs_now(), before + nslabs);
	mb_run_on_cpus(2, drain_then_free);
	trim_cpu(0);
	assert_int_equal(slabs_now(), end == SENT ? before : before + nslabs);
	trim_cpu(1);
	trim_cpu(0);
	assert_int_equal(slabs_now(), before);
	all_back();
}

static void test_malloc_remote_batch_held_until_trim(void **state)
{
	(void)state;
	remote_batch(MAGN, 48, 1, HELD);
	/* 7 blocks of 8 KiB per slab; 7 in the magazine stay below 64 KiB */
	remote_batch(8, 8192, 2, HELD);
}

static void test_malloc_remote_batch_sent_when_full(void **state)
{
	(void)state;
	remote_batch(MAGN + 1, 48, 1, SENT); /* MAGN pointers */
	remote_batch(1 + MAG_BYTES / 8192, 8192, 2, SENT); /* MAG_BYTES */
}

/* vCPU 2's half of remote[]: the odd slots.  No assert on a thread. */
static void alloc_odd_on_cpu2(void *arg)
{
	if ((uintptr_t)arg != 2)
		return;
	for (unsigned i = 1; i < remote_n; i += 2)
		remote[i] = sk_malloc(3000);
}

static void test_malloc_remote_two_owners_batched_apart(void **state)
{
	size_t before = slabs_now();

	(void)state;
	remote_n = 32; /* 16 blocks of 3 KiB each: one slab per owner */
	for (unsigned i = 0; i < remote_n; i += 2)
		assert_non_null(remote[i] = sk_malloc(3000));
	mb_run_on_cpus(3, alloc_odd_on_cpu2);
	for (unsigned i = 1; i < remote_n; i += 2)
		assert_non_null(remote[i]);
	assert_int_equal(slabs_now(), before + 2);
	mb_run_on_cpus(2, drain_then_free); /* owners 0, 2, 0, 2, ... */
	trim_cpu(0);
	trim_cpu(2);
	assert_int_equal(slabs_now(), before + 2); /* both held on vCPU 1 */
	trim_cpu(1);
	trim_cpu(0);
	trim_cpu(2);
	assert_int_equal(slabs_now(), before);
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
		cmocka_unit_test(test_malloc_remote_lone_block_reaches_owner),
		cmocka_unit_test(test_malloc_remote_batch_held_until_trim),
		cmocka_unit_test(test_malloc_remote_batch_sent_when_full),
		cmocka_unit_test(test_malloc_remote_two_owners_batched_apart),
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
