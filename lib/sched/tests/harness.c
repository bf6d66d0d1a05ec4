// SPDX-License-Identifier: MIT
/*
 * lib/sched test scaffolding: see harness.h.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <stdlib.h>

#include <hosted/boot.h>
#include <plat/boot.h>
#include <plat/cpu.h>
#include <sched/wait.h>

atomic_ulong st_allocs, st_frees;

static const struct CMUnitTest *st_tests;
static size_t st_ntests;
static const char *st_name;

/* The hook runs preemptible; glibc's malloc must not be preempted. */
static void *st_alloc(size_t len, void *ctx)
{
	void *p;

	(void)ctx;
	sk_preempt_disable();
	p = aligned_alloc(64, (len + 63) & ~(size_t)63);
	sk_preempt_enable();
	if (p)
		atomic_fetch_add_explicit(&st_allocs, 1, memory_order_relaxed);
	return p;
}

static void st_free(void *p, size_t len, void *ctx)
{
	(void)ctx;
	(void)len;
	sk_preempt_disable();
	free(p);
	sk_preempt_enable();
	atomic_fetch_add_explicit(&st_frees, 1, memory_order_relaxed);
}

static void st_boot(void *arg)
{
	static const struct sk_sched_mem_ops ops = {
		.alloc = st_alloc,
		.free = st_free,
	};
	int err = sk_sched_init(&ops);
	int ret;

	struct sk_cpuset cpu0;

	(void)arg;
	if (err)
		sk_plat_shutdown(100);
	/* CMocka keeps its state in __thread variables of the vCPU pthread:
	 * the thread running it must stay on one vCPU. */
	sk_cpuset_zero(&cpu0);
	sk_cpuset_add(&cpu0, 0);
	if (sk_thread_set_affinity(&cpu0))
		sk_plat_shutdown(101);
	sk_preempt_disable();
	if (sk_plat_cpu_id() != 0)
		sk_plat_shutdown(102);
	ret = _cmocka_run_group_tests(st_name, st_tests, st_ntests, NULL, NULL);
	sk_preempt_enable();
	sk_plat_shutdown(ret);
}

int st_main(const char *name, const struct CMUnitTest *tests, size_t n)
{
	st_name = name;
	st_tests = tests;
	st_ntests = n;
	return sk_hosted_boot(NULL, st_boot, NULL);
}

/* Fixtures fail the test if "main" ever left vCPU 0 (CMocka's state). */
int st_setup(void **state)
{
	(void)state;
	if (sk_plat_cpu_id() != 0)
		return -1;
	sk_preempt_enable();
	return 0;
}

int st_teardown(void **state)
{
	(void)state;
	sk_preempt_disable();
	return sk_plat_cpu_id() == 0 ? 0 : -1;
}

unsigned st_cpu(void)
{
	unsigned c;

	sk_preempt_disable();
	c = sk_plat_cpu_id();
	sk_preempt_enable();
	return c;
}

void st_sleep_until(atomic_uint *asleep, atomic_uint *go)
{
	sk_wait_prepare();
	if (asleep)
		atomic_store_explicit(asleep, 1, memory_order_release);
	while (!atomic_load_explicit(go, memory_order_acquire)) {
		sk_wait();
		sk_wait_prepare();
	}
	sk_wait_finish();
}

struct sk_thread *st_spawn(const struct sk_thread_attr *attr, sk_thread_fn fn,
			   void *arg)
{
	struct sk_thread *t = NULL;

	assert_int_equal(sk_thread_create(&t, attr, fn, arg), 0);
	assert_non_null(t);
	return t;
}

struct sk_thread_attr st_pinned(unsigned cpu, struct sk_cpuset *set)
{
	struct sk_thread_attr a = { 0 };

	sk_cpuset_zero(set);
	sk_cpuset_add(set, cpu);
	a.affinity = set;
	return a;
}
