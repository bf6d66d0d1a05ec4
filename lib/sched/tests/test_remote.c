// SPDX-License-Identifier: MIT
/*
 * Changing another thread's affinity and priority
 * (sk_thread_set_affinity_of, sk_thread_set_prio_of): a sleeping thread
 * pinned elsewhere wakes there; a running one moves; a queued one moves;
 * the new weight shows in the thread walk; bad input is rejected.
 */
#include "harness.h"

#include <errno.h>
#include <stdbool.h>

#include <plat/time.h>
#include <sched/wait.h>

static const uint64_t GIVE_UP_NS = 20000000000ull;

struct sleeper {
	atomic_uint asleep;
	atomic_uint go;
	atomic_uint cpu_after; /* vCPU it ran on once woken, + 1 */
};

static void sleeper_fn(void *arg)
{
	struct sleeper *s = arg;

	st_sleep_until(&s->asleep, &s->go);
	atomic_store_explicit(&s->cpu_after, st_cpu() + 1,
			      memory_order_release);
}

/* A thread asleep on vCPU 1, re-pinned to vCPU 0, wakes on vCPU 0. */
static void test_remote_sleeping_thread_repinned_wakes_there(void **state)
{
	struct sleeper s = { 0 };
	struct sk_cpuset set1, set0;
	struct sk_thread_attr a = st_pinned(1, &set1);
	struct sk_thread *t;

	(void)state;
	t = st_spawn(&a, sleeper_fn, &s);
	while (!atomic_load_explicit(&s.asleep, memory_order_acquire))
		sk_thread_yield();
	sk_cpuset_zero(&set0);
	sk_cpuset_add(&set0, 0);
	assert_int_equal(sk_thread_set_affinity_of(t, &set0), 0);
	atomic_store_explicit(&s.go, 1, memory_order_release);
	sk_preempt_disable();
	sk_thread_wake(t);
	sk_preempt_enable();
	assert_int_equal(sk_thread_join(t), 0);
	assert_int_equal(atomic_load(&s.cpu_after), 0 + 1);
}

struct runner {
	atomic_uint stop;
	atomic_uint cpu_now; /* + 1, refreshed while it runs */
};

/* Runs (yielding, so it also works where the timer is not delivered)
 * until told to stop, publishing the vCPU it is on. */
static void runner_fn(void *arg)
{
	struct runner *r = arg;

	while (!atomic_load_explicit(&r->stop, memory_order_acquire)) {
		atomic_store_explicit(&r->cpu_now, st_cpu() + 1,
				      memory_order_release);
		sk_thread_yield();
	}
}

/* Wait (yielding) until @r reports vCPU @cpu; false after GIVE_UP_NS. */
static bool runner_reaches(struct runner *r, unsigned cpu)
{
	uint64_t give_up = sk_plat_clock_ns() + GIVE_UP_NS;

	while (atomic_load_explicit(&r->cpu_now, memory_order_acquire) !=
	       cpu + 1) {
		if (sk_plat_clock_ns() > give_up)
			return false;
		sk_thread_yield();
	}
	return true;
}

/* A thread running on vCPU 1 is moved to vCPU 0 and back. */
static void test_remote_running_thread_moves(void **state)
{
	struct runner r = { 0 };
	struct sk_cpuset set1, set0;
	struct sk_thread_attr a = st_pinned(1, &set1);
	struct sk_thread *t;

	(void)state;
	sk_cpuset_zero(&set0);
	sk_cpuset_add(&set0, 0);
	t = st_spawn(&a, runner_fn, &r);
	assert_true(runner_reaches(&r, 1));
	assert_int_equal(sk_thread_set_affinity_of(t, &set0), 0);
	assert_true(runner_reaches(&r, 0));
	assert_int_equal(sk_thread_set_affinity_of(t, &set1), 0);
	assert_true(runner_reaches(&r, 1));
	atomic_store_explicit(&r.stop, 1, memory_order_release);
	assert_int_equal(sk_thread_join(t), 0);
}

/* A FIFO thread yielding on vCPU 1 keeps a fair one queued there; moving
 * the queued one lets it run on vCPU 0 at once. */
static void test_remote_queued_thread_moves_and_runs(void **state)
{
	struct runner fifo = { 0 }, fair = { 0 };
	struct sk_cpuset set1, set0;
	struct sk_thread_attr a = st_pinned(1, &set1);
	struct sk_thread *tf, *tq;

	(void)state;
	sk_cpuset_zero(&set0);
	sk_cpuset_add(&set0, 0);
	a.sched_class = SK_THREAD_FIFO;
	a.rt_prio = 10;
	tf = st_spawn(&a, runner_fn, &fifo);
	assert_true(runner_reaches(&fifo, 1));
	a.sched_class = SK_THREAD_FAIR;
	a.rt_prio = 0;
	tq = st_spawn(&a, runner_fn, &fair);
	assert_int_equal(atomic_load(&fair.cpu_now), 0); /* never ran */
	assert_int_equal(sk_thread_set_affinity_of(tq, &set0), 0);
	assert_true(runner_reaches(&fair, 0));
	atomic_store_explicit(&fair.stop, 1, memory_order_release);
	atomic_store_explicit(&fifo.stop, 1, memory_order_release);
	assert_int_equal(sk_thread_join(tq), 0);
	assert_int_equal(sk_thread_join(tf), 0);
}

struct handoff_rehome {
	struct sleeper peer;
	struct sk_thread *peer_t, *hander_t;
	atomic_uint start; /* main re-pinned the peer */
	atomic_uint handed_back;
};

/* The peer, once woken: note where it runs, hand back to the hander. */
static void rehome_peer(void *arg)
{
	struct handoff_rehome *h = arg;

	sleeper_fn(&h->peer);
	sk_preempt_disable();
	atomic_store_explicit(&h->handed_back, 1, memory_order_release);
	sk_thread_wake(h->hander_t);
	sk_preempt_enable();
}

/* On vCPU 1 with the sleeping peer: hand over through sk_wake_and_wait. */
static void rehome_hander(void *arg)
{
	struct handoff_rehome *h = arg;

	while (!atomic_load_explicit(&h->start, memory_order_acquire))
		sk_thread_yield();
	sk_wait_prepare();
	sk_preempt_disable();
	atomic_store_explicit(&h->peer.go, 1, memory_order_release);
	sk_wake_and_wait(h->peer_t);
	while (!atomic_load_explicit(&h->handed_back, memory_order_acquire)) {
		sk_wait();
		sk_wait_prepare();
	}
	sk_wait_finish();
}

/* sk_wake_and_wait from vCPU 1 to a peer asleep there but re-pinned to
 * vCPU 0 must not take the direct switch: the peer runs on vCPU 0. */
static void test_remote_repinned_peer_not_handed_directly(void **state)
{
	struct handoff_rehome h = { 0 };
	struct sk_cpuset set1, set0;
	struct sk_thread_attr a = st_pinned(1, &set1);

	(void)state;
	sk_cpuset_zero(&set0);
	sk_cpuset_add(&set0, 0);
	h.hander_t = st_spawn(&a, rehome_hander, &h);
	h.peer_t = st_spawn(&a, rehome_peer, &h);
	while (!atomic_load_explicit(&h.peer.asleep, memory_order_acquire))
		sk_thread_yield();
	assert_int_equal(sk_thread_set_affinity_of(h.peer_t, &set0), 0);
	atomic_store_explicit(&h.start, 1, memory_order_release);
	assert_int_equal(sk_thread_join(h.peer_t), 0);
	assert_int_equal(sk_thread_join(h.hander_t), 0);
	assert_int_equal(atomic_load(&h.peer.cpu_after), 0 + 1);
}

struct prio_find {
	uint64_t id;
	unsigned prio;
	bool seen;
};

static int prio_of(const struct sk_thread_info *ti, void *arg)
{
	struct prio_find *f = arg;

	if (ti->id != f->id)
		return 0;
	f->prio = ti->prio;
	f->seen = true;
	return 1;
}

static unsigned walk_prio(const struct sk_thread *t)
{
	struct prio_find f = { .id = sk_thread_id(t) };

	assert_int_equal(sk_thread_walk(prio_of, &f), 1);
	assert_true(f.seen);
	return f.prio;
}

/* The new weight of a sleeping and of a running thread, on either vCPU. */
static void test_remote_prio_applied(void **state)
{
	struct sleeper s = { 0 };
	struct runner r = { 0 };
	struct sk_cpuset set1;
	struct sk_thread_attr a = st_pinned(1, &set1);
	struct sk_thread *ts, *tr;

	(void)state;
	ts = st_spawn(NULL, sleeper_fn, &s);
	tr = st_spawn(&a, runner_fn, &r);
	while (!atomic_load_explicit(&s.asleep, memory_order_acquire))
		sk_thread_yield();
	assert_true(runner_reaches(&r, 1));
	assert_int_equal(walk_prio(ts), SK_THREAD_PRIO_DEFAULT);
	assert_int_equal(sk_thread_set_prio_of(ts, 32), 0);
	assert_int_equal(sk_thread_set_prio_of(tr, 128), 0);
	assert_int_equal(walk_prio(ts), 32);
	assert_int_equal(walk_prio(tr), 128);
	atomic_store_explicit(&r.stop, 1, memory_order_release);
	atomic_store_explicit(&s.go, 1, memory_order_release);
	sk_preempt_disable();
	sk_thread_wake(ts);
	sk_preempt_enable();
	assert_int_equal(sk_thread_join(ts), 0);
	assert_int_equal(sk_thread_join(tr), 0);
}

static void test_remote_bad_input_rejected(void **state)
{
	struct sleeper s = { 0 };
	struct sk_cpuset none, set0;
	struct sk_thread *t;

	(void)state;
	sk_cpuset_zero(&none);
	sk_cpuset_zero(&set0);
	sk_cpuset_add(&set0, 0);
	sk_cpuset_add(&none, SK_PLAT_CPUS_MAX - 1); /* not on this machine */
	t = st_spawn(NULL, sleeper_fn, &s);
	assert_int_equal(sk_thread_set_affinity_of(NULL, &set0), -EINVAL);
	assert_int_equal(sk_thread_set_affinity_of(t, NULL), -EINVAL);
	assert_int_equal(sk_thread_set_affinity_of(t, &none), -EINVAL);
	assert_int_equal(sk_thread_set_prio_of(NULL, 64), -EINVAL);
	assert_int_equal(sk_thread_set_prio_of(t, 0), -EINVAL);
	assert_int_equal(sk_thread_set_prio_of(t, SK_THREAD_PRIO_MAX + 1),
			 -EINVAL);
	/* the caller itself: the self versions */
	assert_int_equal(sk_thread_set_prio_of(sk_thread_current(), 64), 0);
	assert_int_equal(sk_thread_set_affinity_of(sk_thread_current(), &set0),
			 0);
	atomic_store_explicit(&s.go, 1, memory_order_release);
	sk_preempt_disable();
	sk_thread_wake(t);
	sk_preempt_enable();
	assert_int_equal(sk_thread_join(t), 0);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		st_test(test_remote_sleeping_thread_repinned_wakes_there),
		st_test(test_remote_running_thread_moves),
		st_test(test_remote_queued_thread_moves_and_runs),
		st_test(test_remote_repinned_peer_not_handed_directly),
		st_test(test_remote_prio_applied),
		st_test(test_remote_bad_input_rejected),
	};

	return st_main("sched_remote", tests, sizeof(tests) / sizeof(tests[0]));
}
