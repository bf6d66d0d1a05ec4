// SPDX-License-Identifier: MIT
/*
 * rt.h on the hosted skiff machine: lib/sched threads, native lib/rcu.
 */
#define _GNU_SOURCE
#include "rt.h"

#include <stdlib.h>

#include <hosted/boot.h>
#include <plat/boot.h>
#include <plat/cpu.h>
#include <plat/time.h>
#include <rcu/rcu.h>
#include <sched/cpu.h>
#include <sched/preempt.h>
#include <sched/thread.h>

static const struct CMUnitTest *rt_tests;
static size_t rt_ntests;
static const char *rt_name;

void *rt_alloc(size_t len)
{
	void *p;

	sk_preempt_disable(); /* glibc must not be preempted */
	p = aligned_alloc(64, (len + 63) & ~(size_t)63);
	sk_preempt_enable();
	return p;
}

void rt_free(void *p)
{
	sk_preempt_disable();
	free(p);
	sk_preempt_enable();
}

static void *mem_alloc(size_t len, void *ctx)
{
	(void)ctx;
	return rt_alloc(len);
}

static void mem_free(void *p, size_t len, void *ctx)
{
	(void)ctx;
	(void)len;
	rt_free(p);
}

static void rt_boot(void *arg)
{
	static const struct sk_sched_mem_ops ops = {
		.alloc = mem_alloc,
		.free = mem_free,
	};
	struct sk_cpuset cpu0;
	int ret;

	(void)arg;
	if (sk_sched_init(&ops))
		sk_plat_shutdown(100);
	if (sk_rcu_init())
		sk_plat_shutdown(101);
	/* CMocka keeps its state in __thread variables: "main" must stay on
	 * CPU 0's pthread for the whole group. */
	sk_cpuset_zero(&cpu0);
	sk_cpuset_add(&cpu0, 0);
	if (sk_thread_set_affinity(&cpu0))
		sk_plat_shutdown(102);
	sk_preempt_disable();
	ret = _cmocka_run_group_tests(rt_name, rt_tests, rt_ntests, NULL, NULL);
	sk_preempt_enable();
	sk_plat_shutdown(ret);
}

int rt_main(const char *name, const struct CMUnitTest *tests, size_t n)
{
	rt_name = name;
	rt_tests = tests;
	rt_ntests = n;
	return sk_hosted_boot(NULL, rt_boot, NULL);
}

int rt_setup(void **state)
{
	(void)state;
	sk_preempt_enable();
	return 0;
}

int rt_teardown(void **state)
{
	(void)state;
	sk_preempt_disable();
	return 0;
}

struct rt_thread *rt_spawn(unsigned cpu, void (*fn)(void *), void *arg)
{
	struct sk_thread_attr attr = { 0 };
	struct sk_cpuset set;
	struct sk_thread *t = NULL;

	if (cpu != RT_ANY_CPU) {
		sk_cpuset_zero(&set);
		sk_cpuset_add(&set, cpu % sk_plat_cpu_count());
		attr.affinity = &set;
	}
	if (sk_thread_create(&t, &attr, fn, arg))
		return NULL;
	return (struct rt_thread *)(void *)t;
}

void rt_join(struct rt_thread *t)
{
	sk_thread_join((struct sk_thread *)(void *)t);
}

unsigned rt_ncpus(void)
{
	return sk_plat_cpu_count();
}

bool rt_is_native(void)
{
	return true;
}

void rt_yield(void)
{
	sk_thread_yield();
}

void rt_sleep_ns(uint64_t ns)
{
	sk_thread_sleep_for(ns);
}

uint64_t rt_now_ns(void)
{
	return sk_plat_clock_ns();
}
