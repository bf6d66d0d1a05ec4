// SPDX-License-Identifier: MIT
/*
 * Wait/wake: ping-pong between threads pinned to different vCPUs and on
 * one vCPU (no lost wake-up: a lost one hangs the test).  Threads block
 * rather than spin and no timer is involved, so this unit also runs under
 * ThreadSanitizer (see docs/sched.md on timers under TSan).
 */
#include "harness.h"

#include <errno.h>
#include <stdbool.h>

#include <plat/time.h>
#include <sched/wait.h>

enum { PAIRS = 100000 * STRESS_SCALE };

struct pingpong {
	bool combined; /* hand over with sk_wake_and_wait */
	atomic_uint turn; /* whose move: 0 or 1 */
	struct sk_thread *t[2];
	atomic_uint ready;
	unsigned rounds;
	unsigned wrong_cpu;
	unsigned cpu[2];
};

/* One move through sk_wake_and_wait: hand over, then wait for the turn. */
static void pp_side_combined(struct pingpong *pp, unsigned me)
{
	for (unsigned i = 0; i < pp->rounds; i++) {
		sk_wait_prepare();
		while (atomic_load_explicit(&pp->turn, memory_order_acquire) !=
		       me) {
			sk_wait();
			sk_wait_prepare();
		}
		if (st_cpu() != pp->cpu[me])
			pp->wrong_cpu++;
		sk_preempt_disable(); /* the peer may exit once it sees turn */
		atomic_store_explicit(&pp->turn, !me, memory_order_release);
		if (i + 1 == pp->rounds && me == 1) { /* last move: no wait */
			sk_wait_finish();
			sk_thread_wake(pp->t[!me]);
			sk_preempt_enable();
			return;
		}
		sk_wake_and_wait(pp->t[!me]);
	}
	sk_wait_finish();
}

static void pp_side(struct pingpong *pp, unsigned me)
{
	if (pp->combined) {
		pp_side_combined(pp, me);
		return;
	}
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

static void run_pingpong(unsigned cpu_a, unsigned cpu_b, unsigned rounds,
			 bool combined)
{
	struct pingpong pp = { .rounds = rounds,
			       .cpu = { cpu_a, cpu_b },
			       .combined = combined };
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
	run_pingpong(0, 1, PAIRS, false);
}

static void test_wake_same_vcpu_pingpong_never_lost(void **state)
{
	(void)state;
	run_pingpong(1, 1, PAIRS, false);
}

/* sk_wake_and_wait: the direct switch (same vCPU, nothing else runnable)
 * and the general path (across vCPUs) lose no wake-up either. */
static void test_wake_and_wait_same_vcpu_pingpong_never_lost(void **state)
{
	(void)state;
	run_pingpong(1, 1, PAIRS, true);
}

static void test_wake_and_wait_cross_vcpu_pingpong_never_lost(void **state)
{
	(void)state;
	run_pingpong(0, 1, PAIRS / 4, true);
}

struct crowd {
	atomic_uint stop;
	atomic_uint ran;
};

/* Shares vCPU 1 with a ping-pong: runnable (yielding) until stopped. */
static void crowd_yielder(void *arg)
{
	struct crowd *c = arg;

	while (!atomic_load_explicit(&c->stop, memory_order_acquire)) {
		atomic_fetch_add_explicit(&c->ran, 1, memory_order_relaxed);
		sk_thread_yield();
	}
}

/* With a third thread runnable on the vCPU the hand-off takes the
 * general path (runqueue, pick): still no lost wake-up, and the third
 * thread is not starved by the direct switches. */
static void test_wake_and_wait_crowded_vcpu_never_lost(void **state)
{
	struct crowd c = { 0 };
	struct sk_cpuset set;
	struct sk_thread_attr a = st_pinned(1, &set);
	struct sk_thread *y;

	(void)state;
	y = st_spawn(&a, crowd_yielder, &c);
	run_pingpong(1, 1, PAIRS / 4, true);
	atomic_store_explicit(&c.stop, 1, memory_order_release);
	assert_int_equal(sk_thread_join(y), 0);
	assert_true(atomic_load(&c.ran) > 0);
}

struct woken_peer {
	atomic_uint go;
	atomic_uint ran;
	atomic_uint asleep;
};

static void woken_peer_fn(void *arg)
{
	struct woken_peer *w = arg;

	st_sleep_until(&w->asleep, &w->go);
	atomic_store_explicit(&w->ran, 1, memory_order_release);
}

/* A caller woken since its sk_wait_prepare does not sleep in
 * sk_wake_and_wait, and still wakes the peer, on either vCPU. */
static void test_wake_and_wait_woken_caller_returns_peer_runs(void **state)
{
	(void)state;
	for (unsigned cpu = 0; cpu < 2; cpu++) {
		struct woken_peer w = { 0 };
		struct sk_cpuset set;
		struct sk_thread_attr a = st_pinned(cpu, &set);
		struct sk_thread *t = st_spawn(&a, woken_peer_fn, &w);

		while (!atomic_load_explicit(&w.asleep, memory_order_acquire))
			sk_thread_yield();
		sk_wait_prepare();
		sk_thread_wake(sk_thread_current()); /* before the sleep */
		sk_preempt_disable();
		atomic_store_explicit(&w.go, 1, memory_order_release);
		sk_wake_and_wait(t); /* returns: we were woken */
		assert_true(sk_preempt_is_enabled());
		assert_int_equal(sk_thread_join(t), 0);
		assert_int_equal(atomic_load(&w.ran), 1);
	}
}

static void test_wake_before_sleep_is_kept(void **state)
{
	(void)state;
	sk_wait_prepare();
	sk_thread_wake(sk_thread_current()); /* lands before the sleep */
	assert_int_equal(sk_wait_until(sk_plat_clock_ns() + 10000000000ull), 0);
}

/*
 * sk_thread_is_running: poll (yielding) until @t reads @want, bounded so a
 * broken answer fails the test instead of hanging it.  Return: the last
 * answer seen.
 */
static bool running_settles(const struct sk_thread *t, bool want)
{
	uint64_t give_up = sk_plat_clock_ns() + 20000000000ull;
	bool now;

	while ((now = sk_thread_is_running(t)) != want &&
	       sk_plat_clock_ns() < give_up)
		sk_thread_yield();
	return now;
}

struct runner {
	atomic_uint stop;
	atomic_uint spins; /* > 0 once the spinner is on its CPU */
	atomic_uint slept; /* the sleeper announced its wait */
	bool self_running; /* the thread saw itself running */
};

/* Runs on vCPU 1 until told to stop: yields (alone there, so it stays
 * the running thread) rather than spinning on a plain load, so it also
 * takes its interrupts under ThreadSanitizer. */
static void spinner(void *arg)
{
	struct runner *r = arg;

	r->self_running = sk_thread_is_running(sk_thread_current());
	while (!atomic_load_explicit(&r->stop, memory_order_acquire)) {
		atomic_fetch_add_explicit(&r->spins, 1, memory_order_relaxed);
		sk_thread_yield();
	}
}

static void sleeper(void *arg)
{
	struct runner *r = arg;

	st_sleep_until(&r->slept, &r->stop);
}

static void test_wake_is_running_self_true(void **state)
{
	(void)state;
	assert_true(sk_thread_is_running(sk_thread_current()));
}

static void quit(void *arg)
{
	(void)arg;
}

/*
 * A FIFO thread yielding on vCPU 1 keeps a fair thread pinned there queued
 * (a FIFO thread yields only to FIFO peers): running vs runnable.
 */
static void test_wake_is_running_spinner_true_queued_false(void **state)
{
	struct runner spin = { 0 };
	struct sk_cpuset set;
	struct sk_thread_attr a = st_pinned(1, &set);
	struct sk_thread *ts, *tq;

	(void)state;
	a.sched_class = SK_THREAD_FIFO;
	a.rt_prio = 10;
	ts = st_spawn(&a, spinner, &spin);
	while (!atomic_load_explicit(&spin.spins, memory_order_relaxed))
		sk_thread_yield();
	assert_true(running_settles(ts, true));
	a.sched_class = SK_THREAD_FAIR;
	a.rt_prio = 0;
	tq = st_spawn(&a, quit, NULL);
	assert_false(running_settles(tq, false));
	assert_true(sk_thread_is_running(ts));
	atomic_store_explicit(&spin.stop, 1, memory_order_release);
	assert_int_equal(sk_thread_join(ts), 0);
	assert_int_equal(sk_thread_join(tq), 0);
	assert_true(spin.self_running);
}

static void test_wake_is_running_sleeper_false(void **state)
{
	struct runner sleep = { 0 };
	struct sk_cpuset set;
	struct sk_thread_attr a = st_pinned(1, &set);
	struct sk_thread *tz;

	(void)state;
	tz = st_spawn(&a, sleeper, &sleep);
	while (!atomic_load_explicit(&sleep.slept, memory_order_acquire))
		sk_thread_yield();
	assert_false(running_settles(tz, false));
	atomic_store_explicit(&sleep.stop, 1, memory_order_release);
	sk_preempt_disable();
	sk_thread_wake(tz);
	sk_preempt_enable();
	assert_int_equal(sk_thread_join(tz), 0);
}

static void test_wake_is_running_exited_false(void **state)
{
	struct sk_thread *t;

	(void)state;
	t = st_spawn(NULL, quit, NULL);
	assert_false(running_settles(t, false));
	assert_int_equal(sk_thread_join(t), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		st_test(test_wake_cross_vcpu_pingpong_never_lost),
		st_test(test_wake_same_vcpu_pingpong_never_lost),
		st_test(test_wake_and_wait_same_vcpu_pingpong_never_lost),
		st_test(test_wake_and_wait_cross_vcpu_pingpong_never_lost),
		st_test(test_wake_and_wait_crowded_vcpu_never_lost),
		st_test(test_wake_and_wait_woken_caller_returns_peer_runs),
		st_test(test_wake_before_sleep_is_kept),
		st_test(test_wake_is_running_self_true),
		st_test(test_wake_is_running_spinner_true_queued_false),
		st_test(test_wake_is_running_sleeper_false),
		st_test(test_wake_is_running_exited_false),
	};

	return st_main("sched_wake", tests, sizeof(tests) / sizeof(tests[0]));
}
