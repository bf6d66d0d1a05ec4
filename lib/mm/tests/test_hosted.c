// SPDX-License-Identifier: MIT
/*
 * lib/mm on a real hosted skiff machine: the page allocator and heap take
 * the platform's RAM, skiff threads pinned to every vCPU (two per vCPU, so
 * they preempt each other mid-call) run a cross-vCPU malloc/free storm, a
 * page storm, and map/fault/unmap in one shared address space.  Threads
 * never call libc or assert: they count errors, the test body asserts.
 * The scheduler gets its memory from libc so lib/mm's books stay exact.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include <hosted/boot.h>
#include <mm/malloc.h>
#include <mm/page.h>
#include <mm/vma.h>
#include <plat/boot.h>
#include <plat/cpu.h>
#include <plat/mem.h>
#include <sched/cpu.h>
#include <sched/preempt.h>
#include <sched/thread.h>

#ifndef STRESS_SCALE
#define STRESS_SCALE 1
#endif

enum { PER_CPU = 2, THREADS_MAX = 2 * 16, SLOTS = 64, LIVE = 128 };

static size_t baseline_free;
static atomic_int errors;
static atomic_ulong done_ops; /* proof the threads ran */
static _Atomic(uint64_t *) slot[SLOTS];
static struct sk_mm *shared_mm;

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Run @fn(i) on PER_CPU pinned threads per vCPU; join them all. */
static void run_threads(sk_thread_fn fn)
{
	static struct sk_cpuset sets[THREADS_MAX];
	struct sk_thread *t[THREADS_MAX];
	unsigned n = sk_plat_cpu_count() * PER_CPU;

	assert_true(n <= THREADS_MAX);
	for (unsigned i = 0; i < n; i++) {
		struct sk_thread_attr a = { .affinity = &sets[i] };

		sk_cpuset_zero(&sets[i]);
		sk_cpuset_add(&sets[i], i / PER_CPU);
		assert_int_equal(
			sk_thread_create(&t[i], &a, fn, (void *)(uintptr_t)i),
			0);
	}
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(sk_thread_join(t[i]), 0);
}

static void trim_fn(void *arg)
{
	(void)arg;
	sk_malloc_trim();
	sk_page_cache_drain();
}

static void all_back(void)
{
	struct sk_malloc_stats ms;
	struct sk_page_stats ps;

	run_threads(trim_fn);
	run_threads(trim_fn);
	sk_malloc_stats_get(&ms);
	assert_int_equal(ms.slabs, 0);
	assert_int_equal(ms.large_pages, 0);
	sk_page_stats_get(&ps);
	assert_int_equal(ps.cached_pages, 0);
	assert_int_equal(ps.free_pages, baseline_free);
}

/* ---- cross-vCPU heap storm ---- */

static void fill(uint64_t *p, size_t size, uint64_t tag)
{
	p[0] = size;
	for (size_t i = 1; i < size / 8; i++)
		p[i] = tag + i;
}

static void check_free(uint64_t *p)
{
	size_t size = p[0];
	uint64_t tag = size / 8 > 1 ? p[1] - 1 : 0;

	if (sk_malloc_usable_size(p) < size)
		atomic_fetch_add(&errors, 1);
	for (size_t i = 1; i < size / 8; i++)
		if (p[i] != tag + i)
			atomic_fetch_add(&errors, 1);
	sk_free(p);
}

static void heap_storm(void *arg)
{
	uint64_t seed = 0x9e3779b97f4a7c15ull * ((uintptr_t)arg + 1);
	uint64_t *live[LIVE], tag = (uint64_t)(uintptr_t)arg << 40;
	unsigned nlive = 0;

	for (int i = 0; i < 30000 * STRESS_SCALE; i++) {
		uint64_t r = rnd(&seed);

		if (nlive < LIVE && (r & 1)) {
			size_t size = 8 + ((r >> 4) % 16 ? (r >> 8) % 300
							 : (r >> 8) % 12000);
			uint64_t *p = sk_malloc(size);

			if (!p) {
				atomic_fetch_add(&errors, 1);
				continue;
			}
			fill(p, size, tag += 1 << 20);
			live[nlive++] = p;
		} else if (nlive) {
			unsigned j = (unsigned)((r >> 20) % nlive);
			uint64_t *old = live[j];

			live[j] = live[--nlive];
			if ((r >> 40) % 4)
				old = atomic_exchange(&slot[(r >> 44) % SLOTS],
						      old);
			if (old)
				check_free(old);
		}
	}
	while (nlive)
		check_free(live[--nlive]);
	atomic_fetch_add(&done_ops, 1);
}

static void test_hosted_heap_storm_across_vcpus(void **state)
{
	(void)state;
	atomic_store(&done_ops, 0);
	run_threads(heap_storm);
	assert_int_equal(atomic_load(&done_ops), sk_plat_cpu_count() * PER_CPU);
	for (unsigned i = 0; i < SLOTS; i++) {
		uint64_t *p = atomic_exchange(&slot[i], NULL);

		if (p)
			check_free(p);
	}
	assert_int_equal(atomic_load(&errors), 0);
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
		uint64_t r = rnd(&seed);

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
			.len = (1 + rnd(&seed) % 40) * SK_PAGE_SIZE,
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

/* The scheduler's memory: libc, never preempted inside. */
static void *sched_alloc(size_t len, void *ctx)
{
	void *p;

	(void)ctx;
	sk_preempt_disable();
	p = aligned_alloc(64, (len + 63) & ~(size_t)63);
	sk_preempt_enable();
	return p;
}

static void sched_free(void *p, size_t len, void *ctx)
{
	(void)ctx;
	(void)len;
	sk_preempt_disable();
	free(p);
	sk_preempt_enable();
}

static int test_setup(void **state)
{
	(void)state;
	sk_preempt_enable();
	return 0;
}

static int test_teardown(void **state)
{
	(void)state;
	sk_preempt_disable();
	return 0;
}

static void boot_main(void *arg)
{
	static const struct sk_sched_mem_ops ops = { sched_alloc, sched_free,
						     NULL };
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_hosted_heap_storm_across_vcpus, test_setup,
			test_teardown),
		cmocka_unit_test_setup_teardown(
			test_hosted_page_storm_across_vcpus, test_setup,
			test_teardown),
		cmocka_unit_test_setup_teardown(test_hosted_shared_mm_threads,
						test_setup, test_teardown),
	};
	static struct sk_cpuset cpu0;
	struct sk_page_stats ps;
	int ret;

	(void)arg;
	if (sk_page_init() || sk_malloc_init() || sk_sched_init(&ops))
		sk_plat_shutdown(100);
	/* CMocka keeps its state in pthread TLS: stay on vCPU 0's pthread. */
	sk_cpuset_zero(&cpu0);
	sk_cpuset_add(&cpu0, 0);
	if (sk_thread_set_affinity(&cpu0))
		sk_plat_shutdown(101);
	sk_page_stats_get(&ps);
	baseline_free = ps.free_pages + ps.cached_pages;
	sk_preempt_disable();
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	sk_preempt_enable();
	sk_plat_shutdown(ret);
}

int main(void)
{
	struct sk_hosted_config cfg = { .ram_bytes = (size_t)128 << 20 };

	return sk_hosted_boot(&cfg, boot_main, NULL);
}
