// SPDX-License-Identifier: MIT
/*
 * Wait/wake: ping-pong between threads pinned to different vCPUs and on
 * one vCPU (no lost wake-up: a lost one hangs the test).  Threads block
 * rather than spin and no timer is involved, so this unit also runs under
 * ThreadSanitizer (see docs/sched.md on timers under TSan).
 */
#include "harness.h"

#include <errno.h>

#include <plat/time.h>
#include <sched/wait.h>

enum { PAIRS = 100000 * STRESS_SCALE };

struct pingpong {
	atomic_uint turn; /* whose move: 0 or 1 */
	struct sk_thread *t[2];
	atomic_uint ready;
	unsigned rounds;
	unsigned wrong_cpu;
	unsigned cpu[2];
};

static void pp_side(struct pingpong *pp, unsigned me)
{
	for (unsigned i = 0; i < pp->rounds; i++) {
		sk_wait_prepare();
		while (atomic_load_explicit(&pp->turn, memory_order_acquire) !=
		       me) {
			sk_wait();
			sk_wait_prepare();
		}
		sk_wait_finish();
		if (st_cpu() != pp->cpu[me])
			pp->wrong_cpu++;
		atomic_store_explicit(&pp->turn, !me, memory_order_release);
		sk_preempt_disable(); /* the peer may exit once it sees turn */
		sk_thread_wake(pp->t[!me]);
		sk_preempt_enable();
	}
}

static void pp_a(void *arg)
{
	struct pingpong *pp = arg;

	while (atomic_load(&pp->ready) == 0)
		sk_thread_yield();
	pp_side(pp, 0);
}

static void pp_b(void *arg)
{
	struct pingpong *pp = arg;

	while (atomic_load(&pp->ready) == 0)
		sk_thread_yield();
	pp_side(pp, 1);
}

static void run_pingpong(unsigned cpu_a, unsigned cpu_b, unsigned rounds)
{
	struct pingpong pp = { .rounds = rounds, .cpu = { cpu_a, cpu_b } };
	struct sk_cpuset sa, sb;
	struct sk_thread_attr aa = st_pinned(cpu_a, &sa);
	struct sk_thread_attr ab = st_pinned(cpu_b, &sb);

	pp.t[0] = st_spawn(&aa, pp_a, &pp);
	pp.t[1] = st_spawn(&ab, pp_b, &pp);
	atomic_store(&pp.ready, 1);
	assert_int_equal(sk_thread_join(pp.t[0]), 0);
	assert_int_equal(sk_thread_join(pp.t[1]), 0);
	assert_int_equal(pp.wrong_cpu, 0);
	assert_int_equal(atomic_load(&pp.turn), 0);
}

static void test_wake_cross_vcpu_pingpong_never_lost(void **state)
{
	(void)state;
	run_pingpong(0, 1, PAIRS);
}

static void test_wake_same_vcpu_pingpong_never_lost(void **state)
{
	(void)state;
	run_pingpong(1, 1, PAIRS);
}

static void test_wake_before_sleep_is_kept(void **state)
{
	(void)state;
	sk_wait_prepare();
	sk_thread_wake(sk_thread_current()); /* lands before the sleep */
	assert_int_equal(sk_wait_until(sk_plat_clock_ns() + 10000000000ull), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		st_test(test_wake_cross_vcpu_pingpong_never_lost),
		st_test(test_wake_same_vcpu_pingpong_never_lost),
		st_test(test_wake_before_sleep_is_kept),
	};

	return st_main("sched_wake", tests, sizeof(tests) / sizeof(tests[0]));
}
