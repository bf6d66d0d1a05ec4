// SPDX-License-Identifier: MIT
/*
 * Timers: many random deadlines fire in deadline order and never early;
 * cancelled timers never fire; re-arming replaces; past deadlines fire at
 * once; a thread's timers follow it to another CPU.
 */
#include "harness.h"

#include <errno.h>
#include <stdlib.h>

#include <plat/irq.h>
#include <plat/time.h>
#include <sched/timer.h>
#include <sched/wait.h>

enum { NTIMERS = 10000 };

struct rec {
	struct sk_timer tm;
	uint64_t deadline;
	uint64_t fired_at;
	unsigned order; /* 1-based firing order, 0: not fired */
};

static struct rec recs[NTIMERS];
static unsigned fired; /* written in irq context on the owner's CPU */
static struct sk_thread *waiter;
static unsigned expect_fired;

static void on_fire(void *arg)
{
	struct rec *r = arg;

	r->fired_at = sk_plat_clock_ns();
	r->order = ++fired;
	if (fired == expect_fired)
		sk_thread_wake(waiter);
}

/* Wait (sleeping) until @n callbacks have run. */
static void wait_fired(unsigned n)
{
	sk_wait_prepare();
	while (__atomic_load_n(&fired, __ATOMIC_ACQUIRE) < n) {
		sk_wait();
		sk_wait_prepare();
	}
	sk_wait_finish();
}

static void setup(unsigned n)
{
	fired = 0;
	expect_fired = n;
	waiter = sk_thread_current();
	for (unsigned i = 0; i < NTIMERS; i++) {
		if (sk_timer_is_armed(&recs[i].tm))
			sk_timer_cancel(&recs[i].tm);
		recs[i].order = 0;
		recs[i].fired_at = 0;
		sk_timer_init(&recs[i].tm, on_fire, &recs[i], 0);
	}
}

static int by_order(const void *a, const void *b)
{
	const struct rec *x = *(const struct rec *const *)a;
	const struct rec *y = *(const struct rec *const *)b;

	return (x->order > y->order) - (x->order < y->order);
}

static void test_timer_random_deadlines_fire_in_order(void **state)
{
	static struct rec *sorted[NTIMERS];
	uint64_t now = sk_plat_clock_ns();
	unsigned seed = 12345;
	sk_plat_irq_flags flags;
	int bad = 0;

	(void)state;
	setup(NTIMERS);
	/* irqs off while arming: a slow (sanitized) loop must not let an
	 * early timer fire before a later-armed one with a smaller deadline */
	flags = sk_plat_irq_save();
	for (unsigned i = 0; i < NTIMERS; i++) {
		seed = seed * 1103515245u + 12345u;
		recs[i].deadline = now + 1000000 + (seed >> 8) % 50000000;
		bad |= sk_timer_arm(&recs[i].tm, recs[i].deadline);
	}
	sk_plat_irq_restore(flags);
	assert_int_equal(bad, 0);
	wait_fired(NTIMERS);
	for (unsigned i = 0; i < NTIMERS; i++) {
		assert_true(recs[i].order > 0);
		assert_true(recs[i].fired_at >= recs[i].deadline);
		assert_false(sk_timer_is_armed(&recs[i].tm));
		sorted[i] = &recs[i];
	}
	qsort(sorted, NTIMERS, sizeof(sorted[0]), by_order);
	for (unsigned i = 1; i < NTIMERS; i++)
		assert_true(sorted[i - 1]->deadline <= sorted[i]->deadline);
}

static void test_timer_cancelled_never_fire(void **state)
{
	uint64_t now = sk_plat_clock_ns();
	sk_plat_irq_flags flags;
	int bad = 0;

	(void)state;
	setup(NTIMERS / 2);
	/* irqs off: none can fire before its cancel, however slow we are */
	flags = sk_plat_irq_save();
	for (unsigned i = 0; i < NTIMERS; i++)
		sk_timer_arm(&recs[i].tm, now + 2000000 + (i % 100) * 10000);
	for (unsigned i = 0; i < NTIMERS; i += 2)
		bad |= sk_timer_cancel(&recs[i].tm);
	sk_plat_irq_restore(flags);
	assert_int_equal(bad, 0);
	assert_int_equal(sk_timer_cancel(&recs[0].tm), -ENOENT);
	wait_fired(NTIMERS / 2);
	sk_thread_sleep_for(5000000); /* past every deadline */
	for (unsigned i = 0; i < NTIMERS; i++)
		assert_int_equal(recs[i].order != 0, i % 2 == 1);
	assert_int_equal(fired, NTIMERS / 2);
}

static void test_timer_rearm_replaces(void **state)
{
	uint64_t now = sk_plat_clock_ns();
	sk_plat_irq_flags flags;

	(void)state;
	setup(1);
	sk_timer_arm(&recs[0].tm, now + 60000000000ull); /* a minute */
	recs[0].deadline = now + 2000000;
	sk_timer_arm(&recs[0].tm, recs[0].deadline);
	wait_fired(1);
	assert_true(recs[0].fired_at >= recs[0].deadline);
	sk_thread_sleep_for(3000000);
	assert_int_equal(fired, 1); /* once, not twice */
	/* near, then far before irqs come back on: the near one is gone */
	setup(1);
	flags = sk_plat_irq_save();
	sk_timer_arm(&recs[0].tm, now);
	sk_timer_arm(&recs[0].tm, sk_plat_clock_ns() + 60000000000ull);
	sk_plat_irq_restore(flags);
	sk_thread_sleep_for(2000000);
	assert_int_equal(fired, 0);
	assert_int_equal(sk_timer_cancel(&recs[0].tm), 0);
}

static void test_timer_past_deadline_fires_at_once(void **state)
{
	(void)state;
	setup(3);
	sk_timer_arm(&recs[0].tm, 0);
	sk_timer_arm(&recs[1].tm, 1);
	sk_timer_arm(&recs[2].tm, sk_plat_clock_ns());
	wait_fired(3);
	assert_int_equal(fired, 3);
}

static void hop_fn(void *arg)
{
	struct sk_cpuset set;
	uint64_t *out = arg;
	uint64_t dl;

	setup(1);
	sk_cpuset_zero(&set);
	sk_cpuset_add(&set, 0);
	sk_thread_set_affinity(&set);
	dl = sk_plat_clock_ns() + 3000000;
	recs[0].deadline = dl;
	sk_timer_arm(&recs[0].tm, dl);
	sk_cpuset_zero(&set);
	sk_cpuset_add(&set, 1);
	sk_thread_set_affinity(&set); /* the timer moves with us */
	out[0] = st_cpu();
	wait_fired(1);
	out[1] = st_cpu();
}

static void test_timer_follows_migrating_thread(void **state)
{
	uint64_t out[2] = { 9, 9 };
	struct sk_thread *t;

	(void)state;
	t = st_spawn(NULL, hop_fn, out);
	assert_int_equal(sk_thread_join(t), 0);
	assert_int_equal(out[0], 1);
	assert_int_equal(out[1], 1);
	assert_int_equal(fired, 1);
	assert_true(recs[0].fired_at >= recs[0].deadline);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		st_test(test_timer_random_deadlines_fire_in_order),
		st_test(test_timer_cancelled_never_fire),
		st_test(test_timer_rearm_replaces),
		st_test(test_timer_past_deadline_fires_at_once),
		st_test(test_timer_follows_migrating_thread),
	};

	return st_main("sched_timer", tests, sizeof(tests) / sizeof(tests[0]));
}
