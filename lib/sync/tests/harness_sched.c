// SPDX-License-Identifier: MIT
/*
 * Test harness backend (harness.h) for lib/sched on the hosted platform:
 * boot the machine, start the scheduler with a malloc hook, run the group
 * on the main skiff thread with preemption disabled around CMocka, and
 * run test threads as skiff threads (more of them than vCPUs).
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdlib.h>

#include <hosted/boot.h>
#include <plat/assert.h>
#include <plat/boot.h>
#include <sched/cpu.h>
#include <sched/preempt.h>
#include <sched/thread.h>

#include "harness.h"

static const struct CMUnitTest *th_tests;
static size_t th_ntests;
static const char *th_name;

void th_libc_enter(void)
{
	sk_preempt_disable();
}

void th_libc_exit(void)
{
	sk_preempt_enable();
}

static void *th_alloc(size_t len, void *ctx)
{
	(void)ctx;
	th_libc_enter();
	void *p = aligned_alloc(64, (len + 63) & ~(size_t)63);

	th_libc_exit();
	return p;
}

static void th_free(void *p, size_t len, void *ctx)
{
	(void)ctx;
	(void)len;
	th_libc_enter();
	free(p);
	th_libc_exit();
}

static void th_boot(void *arg)
{
	static const struct sk_sched_mem_ops ops = {
		.alloc = th_alloc,
		.free = th_free,
	};

	struct sk_cpuset cpu0;

	(void)arg;
	if (sk_sched_init(&ops) != 0)
		sk_plat_shutdown(100);
	/*
	 * CMocka keeps its state in thread-local variables of whichever
	 * vCPU pthread runs it: the group must never migrate.
	 */
	sk_cpuset_zero(&cpu0);
	sk_cpuset_add(&cpu0, 0);
	if (sk_thread_set_affinity(&cpu0) != 0)
		sk_plat_shutdown(101);
	sk_preempt_disable();
	int ret = _cmocka_run_group_tests(th_name, th_tests, th_ntests, NULL,
					  NULL);

	sk_preempt_enable();
	sk_plat_shutdown(ret);
}

int th_main(const char *name, const struct CMUnitTest *tests, size_t n)
{
	th_name = name;
	th_tests = tests;
	th_ntests = n;
	return sk_hosted_boot(NULL, th_boot, NULL);
}

int th_setup(void **state)
{
	(void)state;
	sk_preempt_enable();
	return 0;
}

int th_teardown(void **state)
{
	(void)state;
	sk_preempt_disable();
	return 0;
}

static struct sk_thread *th_spawn(sk_thread_fn fn, void *arg)
{
	struct sk_thread *t = NULL;

	if (sk_thread_create(&t, NULL, fn, arg) != 0)
		SK_PANIC("test harness: sk_thread_create failed");
	return t;
}

static void th_trampoline(void *p)
{
	struct th_one *t = p;

	t->fn(0, t->arg);
}

void th_start(struct th_one *t, th_fn fn, void *arg)
{
	t->fn = fn;
	t->arg = arg;
	t->handle = th_spawn(th_trampoline, t);
}

void th_join(struct th_one *t)
{
	if (sk_thread_join(t->handle) != 0)
		SK_PANIC("test harness: sk_thread_join failed");
}

struct th_slot {
	th_fn fn;
	void *arg;
	unsigned idx, n;
	atomic_uint *arrived;
};

static void th_slot_main(void *p)
{
	struct th_slot *s = p;

	/* All start together, or the first could finish before the last. */
	atomic_fetch_add(s->arrived, 1);
	while (atomic_load(s->arrived) < s->n)
		th_pause();
	s->fn(s->idx, s->arg);
}

void th_run(unsigned n, th_fn fn, void *arg)
{
	atomic_uint arrived = 0;

	th_libc_enter();
	struct sk_thread **ids = calloc(n, sizeof(*ids));
	struct th_slot *slots = calloc(n, sizeof(*slots));

	th_libc_exit();
	if (!ids || !slots)
		SK_PANIC("test harness: out of memory");
	for (unsigned i = 0; i < n; i++) {
		slots[i] = (struct th_slot){ fn, arg, i, n, &arrived };
		ids[i] = th_spawn(th_slot_main, &slots[i]);
	}
	for (unsigned i = 0; i < n; i++)
		if (sk_thread_join(ids[i]) != 0)
			SK_PANIC("test harness: sk_thread_join failed");
	th_libc_enter();
	free(ids);
	free(slots);
	th_libc_exit();
}

void th_yield(void)
{
	sk_thread_yield();
}

void th_pause(void)
{
	sk_thread_sleep_for(20000);
}
