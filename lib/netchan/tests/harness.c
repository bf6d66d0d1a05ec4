// SPDX-License-Identifier: MIT
/*
 * lib/netchan test scaffolding: see harness.h.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <stdlib.h>

#include <hosted/boot.h>
#include <plat/boot.h>
#include <plat/cpu.h>
#include <rcu/rcu.h>
#include <sched/cpu.h>

static const struct CMUnitTest *nt_tests;
static size_t nt_ntests;
static const char *nt_name;

void *nt_alloc(size_t len)
{
	void *p;

	sk_preempt_disable();
	p = aligned_alloc(64, (len + 63) & ~(size_t)63);
	sk_preempt_enable();
	return p;
}

void nt_free(void *p)
{
	sk_preempt_disable();
	free(p);
	sk_preempt_enable();
}

static void *hook_alloc(size_t len, void *ctx)
{
	(void)ctx;
	return nt_alloc(len);
}

static void hook_free(void *p, size_t len, void *ctx)
{
	(void)ctx;
	(void)len;
	nt_free(p);
}

const struct sk_rcu_hash_mem_ops nt_hash_mem = {
	.alloc = hook_alloc,
	.free = hook_free,
};

static void nt_boot(void *arg)
{
	static const struct sk_sched_mem_ops ops = {
		.alloc = hook_alloc,
		.free = hook_free,
	};
	struct sk_cpuset cpu0;
	int ret;

	(void)arg;
	if (sk_sched_init(&ops))
		sk_plat_shutdown(100);
	if (sk_rcu_init())
		sk_plat_shutdown(101);
	/* CMocka keeps its state in thread-local storage of the vCPU's
	 * pthread: the test bodies must stay on one vCPU, or a failed
	 * assertion on another one quits the process silently. */
	sk_cpuset_zero(&cpu0);
	sk_cpuset_add(&cpu0, 0);
	if (sk_thread_set_affinity(&cpu0))
		sk_plat_shutdown(102);
	sk_preempt_disable();
	ret = _cmocka_run_group_tests(nt_name, nt_tests, nt_ntests, NULL, NULL);
	sk_preempt_enable();
	sk_plat_shutdown(ret);
}

int nt_main(const char *name, const struct CMUnitTest *tests, size_t n)
{
	nt_name = name;
	nt_tests = tests;
	nt_ntests = n;
	return sk_hosted_boot(NULL, nt_boot, NULL);
}

int nt_setup(void **state)
{
	(void)state;
	sk_preempt_enable();
	return 0;
}

int nt_teardown(void **state)
{
	(void)state;
	sk_preempt_disable();
	return 0;
}

struct sk_thread *nt_spawn(unsigned cpu, sk_thread_fn fn, void *arg)
{
	struct sk_thread_attr a = { 0 };
	struct sk_cpuset set;
	struct sk_thread *t = NULL;

	if (cpu != ~0u && cpu < sk_plat_cpu_count()) {
		sk_cpuset_zero(&set);
		sk_cpuset_add(&set, cpu);
		a.affinity = &set;
	}
	assert_int_equal(sk_thread_create(&t, &a, fn, arg), 0);
	assert_non_null(t);
	return t;
}
