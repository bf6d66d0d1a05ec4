// SPDX-License-Identifier: MIT
/*
 * lib/mm on a hosted machine with 2 MiB of RAM (the hosted minimum):
 * per-CPU caches switch off, and every layer runs out of memory for real.
 * Exhaustion must be an error return (NULL / -ENOMEM), never a crash, and
 * everything must come back afterwards.  Runs on CPU 0 without the
 * scheduler.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <hosted/boot.h>
#include <mm/malloc.h>
#include <mm/page.h>
#include <mm/vma.h>
#include <plat/boot.h>
#include <plat/irq.h>

static size_t baseline_free;

static void all_back(void)
{
	struct sk_page_stats st;

	sk_malloc_trim();
	sk_page_cache_drain();
	sk_page_stats_get(&st);
	assert_int_equal(st.free_pages, baseline_free);
}

static void test_tiny_caches_off(void **state)
{
	struct sk_page_stats st;

	(void)state;
	sk_page_stats_get(&st);
	assert_true(st.total_pages < 512);
	assert_int_equal(st.cache_high, 0);
	assert_int_equal(st.cached_pages, 0);
}

static void test_tiny_heap_exhaustion_returns_null(void **state)
{
	void *head = NULL, *p, *keep;
	size_t n = 0;

	(void)state;
	keep = sk_malloc(40);
	assert_non_null(keep);
	while ((p = sk_malloc(100)) != NULL) {
		*(void **)p = head;
		head = p;
		n++;
	}
	assert_true(n > 100);
	assert_null(sk_malloc(20000));
	assert_null(sk_calloc(10, 1000));
	assert_null(sk_aligned_alloc(4096, 100));
	assert_null(sk_realloc(keep, 30000));
	memset(keep, 7, 40); /* still valid after the failed realloc */
	while (head) {
		p = head;
		head = *(void **)p;
		sk_free(p);
	}
	sk_free(keep);
	all_back();
	p = sk_malloc(20000); /* memory is usable again */
	assert_non_null(p);
	sk_free(p);
	all_back();
}

static void test_tiny_faults_run_out_cleanly(void **state)
{
	struct sk_mmap_req r = { .len = (size_t)4 << 20,
				 .prot = SK_PROT_READ | SK_PROT_WRITE,
				 .flags = SK_MAP_PRIVATE | SK_MAP_ANONYMOUS };
	struct sk_mm *mm;
	uintptr_t a, va;
	int err = 0;

	(void)state;
	assert_int_equal(sk_mm_create((uintptr_t)1 << 32, (size_t)1 << 30, &mm),
			 0);
	assert_int_equal(sk_mmap(mm, &r, &a), 0); /* lazily: bigger than RAM */
	for (va = a; va < a + r.len && !err; va += 4096)
		err = sk_mm_fault(mm, va, SK_PROT_WRITE);
	assert_int_equal(err, -ENOMEM);
	assert_true(mm->resident_pages > 0);
	assert_true(mm->resident_pages < 512);
	/* Every page that did fault in is mapped and usable. */
	for (uintptr_t v = a; v < va - 4096; v += 4096) {
		struct sk_mm_area area;

		assert_int_equal(sk_mm_query(mm, v, &area), 0);
		assert_true(area.resident);
	}
	assert_int_equal(sk_munmap(mm, a, r.len), 0);
	assert_int_equal(mm->resident_pages, 0);
	sk_mm_destroy(mm);
	all_back();
}

static void boot_main(void *arg)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tiny_caches_off),
		cmocka_unit_test(test_tiny_heap_exhaustion_returns_null),
		cmocka_unit_test(test_tiny_faults_run_out_cleanly),
	};
	struct sk_page_stats st;

	(void)arg;
	sk_plat_irq_enable();
	if (sk_page_init() || sk_malloc_init())
		sk_plat_shutdown(100);
	sk_page_stats_get(&st);
	baseline_free = st.free_pages + st.cached_pages;
	sk_plat_shutdown(cmocka_run_group_tests(tests, NULL, NULL));
}

int main(void)
{
	struct sk_hosted_config cfg = { .ncpus = 1, .ram_bytes = 2 << 20 };

	return sk_hosted_boot(&cfg, boot_main, NULL);
}
