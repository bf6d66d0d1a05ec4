// SPDX-License-Identifier: MIT
/*
 * lib/mm on a real hosted skiff machine: the page allocator and heap take
 * the platform's RAM, skiff threads pinned to every vCPU (two per vCPU, so
 * they preempt each other mid-call) run a cross-vCPU malloc/free storm, a
 * page storm, and map/fault/unmap in one shared address space.  Threads
 * never call libc or assert: they count errors, the test body asserts.
 * The vCPU count comes from $SK_CPUS (mmboot).
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
#include <mm/vma.h>
#include <plat/cpu.h>
#include <plat/mem.h>

#include "heaptest.h"
#include "mmboot.h"

enum { PER_CPU = 2, LIVE = 128 };

static size_t baseline_free;
static atomic_int errors;
static struct sk_mm *shared_mm;

/* Run @fn(i) on PER_CPU pinned threads per vCPU; join them all. */
static void run_threads(sk_thread_fn fn)
{
	mb_run_on_cpus(sk_plat_cpu_count() * PER_CPU, fn);
}

static void all_back(void)
{
	ht_all_back(baseline_free);
}

static void test_hosted_heap_storm_across_vcpus(void **state)
{
	(void)state;
	run_threads(ht_storm);
	ht_storm_finish();
	all_back();
}

/* ---- page storm ---- */

static void page_storm(void *arg)
{
	uint64_t seed = 0x2545f4914f6cdd1dull * ((uintptr_t)arg + 7);
	uint64_t pa[LIVE];
	size_t n[LIVE];
	unsigned nlive = 0;

	for (int i = 0; i < 20000 * STRESS_SCALE; i++) {
		uint64_t r = ht_rnd(&seed);

		if (nlive < LIVE && (r & 1)) {
			n[nlive] = (r >> 4) % 4 ? 1 : 1 + (r >> 8) % 16;
			if (sk_page_alloc(n[nlive], 0, &pa[nlive]))
				continue;
			for (size_t k = 0; k < n[nlive]; k++)
				*(uint64_t *)sk_plat_phys_to_virt(
					pa[nlive] + k * SK_PAGE_SIZE) =
					pa[nlive] + k;
			nlive++;
		} else if (nlive) {
			unsigned j = (unsigned)((r >> 20) % nlive);

			for (size_t k = 0; k < n[j]; k++)
				if (*(uint64_t *)sk_plat_phys_to_virt(
					    pa[j] + k * SK_PAGE_SIZE) !=
				    pa[j] + k)
					atomic_fetch_add(&errors, 1);
			sk_page_free(pa[j], n[j]);
			pa[j] = pa[--nlive];
			n[j] = n[nlive];
		}
	}
	while (nlive--)
		sk_page_free(pa[nlive], n[nlive]);
}

static void test_hosted_page_storm_across_vcpus(void **state)
{
	(void)state;
	run_threads(page_storm);
	assert_int_equal(atomic_load(&errors), 0);
	all_back();
}

/* ---- one address space, many threads ---- */

static void vm_worker(void *arg)
{
	uint64_t seed = 77 + (uintptr_t)arg, tag = (uintptr_t)arg << 32;

	for (int i = 0; i < 200 * STRESS_SCALE; i++) {
		struct sk_mmap_req r = {
			.len = (1 + ht_rnd(&seed) % 40) * SK_PAGE_SIZE,
			.prot = SK_PROT_READ | SK_PROT_WRITE,
			.flags = SK_MAP_PRIVATE | SK_MAP_ANONYMOUS,
		};
		struct sk_mm_area a;
		uintptr_t at;

		if (sk_mmap(shared_mm, &r, &at)) {
			atomic_fetch_add(&errors, 1);
			continue;
		}
		for (uintptr_t va = at; va < at + r.len; va += SK_PAGE_SIZE)
			if (sk_mm_fault(shared_mm, va, SK_PROT_WRITE) ||
			    sk_mm_query(shared_mm, va, &a) || !a.resident)
				atomic_fetch_add(&errors, 1);
			else
				*(uint64_t *)sk_plat_phys_to_virt(a.pa) =
					tag + va;
		for (uintptr_t va = at; va < at + r.len; va += SK_PAGE_SIZE)
			if (sk_mm_query(shared_mm, va, &a) ||
			    *(uint64_t *)sk_plat_phys_to_virt(a.pa) != tag + va)
				atomic_fetch_add(&errors, 1);
		if (sk_munmap(shared_mm, at, r.len))
			atomic_fetch_add(&errors, 1);
	}
}

static void test_hosted_shared_mm_threads(void **state)
{
	(void)state;
	assert_int_equal(
		sk_mm_create((uintptr_t)1 << 32, (size_t)1 << 30, &shared_mm),
		0);
	run_threads(vm_worker);
	assert_int_equal(atomic_load(&errors), 0);
	assert_int_equal(shared_mm->nvmas, 0);
	assert_int_equal(shared_mm->resident_pages, 0);
	sk_mm_destroy(shared_mm);
	all_back();
}

static int hosted_prepare(void)
{
	struct sk_page_stats ps;

	if (sk_page_init() || sk_malloc_init())
		return -1;
	sk_page_stats_get(&ps);
	baseline_free = ps.free_pages + ps.cached_pages;
	return 0;
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hosted_heap_storm_across_vcpus),
		cmocka_unit_test(test_hosted_page_storm_across_vcpus),
		cmocka_unit_test(test_hosted_shared_mm_threads),
	};
	const struct mb_config cfg = { .ram_bytes = (size_t)128 << 20,
				       .prepare = hosted_prepare };

	return mb_main(&cfg, "mm_hosted", tests,
		       sizeof(tests) / sizeof(tests[0]));
}
