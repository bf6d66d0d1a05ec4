// SPDX-License-Identifier: MIT
/*
 * lib/mm test scaffolding (see mmboot.h), one file for every platform: the
 * hosted one (real CMocka, glibc) and the kvm and xen images (their
 * tests/libtest: a CMocka subset and a small libc, sk_hosted_boot carving
 * the unit's RAM, at 4 GiB like hosted's when the machine has RAM there).
 * A unit that names more than one vCPU runs only on a machine with exactly
 * that many (hosted makes it so; an image built for the wrong machine says
 * so and stops with 98), since its expectations depend on the count.
 * lib/sched takes its memory from libc, so lib/mm's books stay exact.
 */
#define _GNU_SOURCE
#include "mmboot.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include <hosted/boot.h>
#include <plat/assert.h>
#include <plat/boot.h>
#include <plat/cpu.h>
#include <plat/mem.h>
#include <sched/cpu.h>
#include <sched/preempt.h>

enum { MB_THREADS_MAX = 64, MB_REGIONS_MAX = 128, MB_WRONG_MACHINE = 98 };

static const struct mb_config *mb_cfg;
static const struct CMUnitTest *mb_tests;
static size_t mb_ntests;
static const char *mb_name;

/* The scheduler's memory hook runs preemptible: never preempt libc. */
static void *mb_alloc(size_t len, void *ctx)
{
	void *p;

	(void)ctx;
	sk_preempt_disable();
	p = aligned_alloc(64, (len + 63) & ~(size_t)63);
	sk_preempt_enable();
	return p;
}

static void mb_free(void *p, size_t len, void *ctx)
{
	(void)ctx;
	(void)len;
	sk_preempt_disable();
	free(p);
	sk_preempt_enable();
}

/* Hosted has one region; an image's first usable one is the unit's. */
uint64_t mb_ram_pa(void)
{
	static struct sk_plat_mem_region r[MB_REGIONS_MAX];
	unsigned n = sk_plat_mem_regions(r, MB_REGIONS_MAX);

	for (unsigned i = 0; i < n && i < MB_REGIONS_MAX; i++)
		if (r[i].type == SK_PLAT_MEM_USABLE)
			return r[i].pa;
	SK_PANIC("mmboot: no usable RAM");
}

static sk_thread_fn mb_fn;
static atomic_uint mb_done, mb_misplaced;

/* Proof that thread @arg ran, and ran on the vCPU it was pinned to. */
static void mb_trampoline(void *arg)
{
	unsigned want = (unsigned)(uintptr_t)arg % sk_plat_cpu_count();

	sk_preempt_disable();
	if (sk_plat_cpu_id() != want)
		atomic_fetch_add_explicit(&mb_misplaced, 1,
					  memory_order_relaxed);
	sk_preempt_enable();
	mb_fn(arg);
	/* Joined before read: the join orders it, relaxed is enough. */
	atomic_fetch_add_explicit(&mb_done, 1, memory_order_relaxed);
}

void mb_run_on_cpus(unsigned n, sk_thread_fn fn)
{
	static struct sk_cpuset sets[MB_THREADS_MAX];
	struct sk_thread *t[MB_THREADS_MAX];
	unsigned ncpus = sk_plat_cpu_count(), made = 0;
	int err = 0, jerr = 0;

	assert_true(n <= MB_THREADS_MAX);
	mb_fn = fn;
	atomic_store_explicit(&mb_done, 0, memory_order_relaxed);
	atomic_store_explicit(&mb_misplaced, 0, memory_order_relaxed);
	/* Creating and joining block: preemptible, and no libc inside. */
	sk_preempt_enable();
	while (made < n && !err) {
		struct sk_thread_attr a = { .affinity = &sets[made] };

		sk_cpuset_zero(&sets[made]);
		sk_cpuset_add(&sets[made], made % ncpus);
		err = sk_thread_create(&t[made], &a, mb_trampoline,
				       (void *)(uintptr_t)made);
		if (!err)
			made++;
	}
	for (unsigned i = 0; i < made; i++)
		jerr |= sk_thread_join(t[i]) != 0;
	sk_preempt_disable();
	assert_int_equal(err, 0);
	assert_int_equal(jerr, 0);
	assert_int_equal(atomic_load_explicit(&mb_done, memory_order_relaxed),
			 n);
	assert_int_equal(
		atomic_load_explicit(&mb_misplaced, memory_order_relaxed), 0);
}

static void mb_boot(void *arg)
{
	static const struct sk_sched_mem_ops ops = { mb_alloc, mb_free, NULL };
	static struct sk_cpuset cpu0;
	int ret;

	(void)arg;
	if (mb_cfg->ncpus > 1 && mb_cfg->ncpus != sk_plat_cpu_count()) {
		printf("%s: needs a machine with %u vCPUs, this one has %u\n",
		       mb_name, mb_cfg->ncpus, sk_plat_cpu_count());
		sk_plat_shutdown(MB_WRONG_MACHINE);
	}
	if (sk_sched_init(&ops))
		sk_plat_shutdown(100);
	/* CMocka keeps its state in pthread TLS: stay on vCPU 0's pthread. */
	sk_cpuset_zero(&cpu0);
	sk_cpuset_add(&cpu0, 0);
	if (sk_thread_set_affinity(&cpu0))
		sk_plat_shutdown(101);
	sk_preempt_disable();
	if (mb_cfg->prepare && mb_cfg->prepare())
		sk_plat_shutdown(102);
	ret = _cmocka_run_group_tests(mb_name, mb_tests, mb_ntests, NULL, NULL);
	sk_preempt_enable();
	sk_plat_shutdown(ret);
}

int mb_main(const struct mb_config *cfg, const char *name,
	    const struct CMUnitTest *tests, size_t n)
{
	struct sk_hosted_config hc = { .ncpus = cfg->ncpus,
				       .ram_bytes = cfg->ram_bytes };

	mb_cfg = cfg;
	mb_name = name;
	mb_tests = tests;
	mb_ntests = n;
	return sk_hosted_boot(&hc, mb_boot, NULL);
}
