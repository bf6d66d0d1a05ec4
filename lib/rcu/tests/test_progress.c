// SPDX-License-Identifier: MIT
/*
 * Grace periods make progress while every vCPU runs a CPU hog: one kind
 * spins in and out of short read-side sections, the other never enters
 * one.  Neither ever blocks or yields, so only preemption and the
 * quiescent-state IPIs can end the grace periods.  Needs real preemption
 * (not meaningful under TSan, where signals only arrive at interceptors).
 */
#include "rt.h"

#include <rcu/rcu.h>

enum { ROUNDS = 20 * STRESS_SCALE, CALLBACKS = 2000 };

static atomic_int stop;
static atomic_uint running;
static atomic_uint_least64_t spins;
static atomic_int cb_ran;

static void hog_reader(void *arg)
{
	uint64_t n = 0;

	(void)arg;
	atomic_fetch_add(&running, 1);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		sk_rcu_read_lock();
		n++;
		sk_rcu_read_unlock();
	}
	atomic_fetch_add(&spins, n);
}

static void hog_plain(void *arg)
{
	uint64_t n = 0;

	(void)arg;
	atomic_fetch_add(&running, 1);
	while (!atomic_load_explicit(&stop, memory_order_relaxed))
		n++;
	atomic_fetch_add(&spins, n);
}

static void count_cb(struct sk_rcu_head *h)
{
	(void)h;
	atomic_fetch_add(&cb_ran, 1);
}

static void run_with_hogs(void (*hog)(void *))
{
	unsigned n = rt_ncpus();
	struct rt_thread *t[64];
	struct sk_rcu_head *heads = rt_alloc(CALLBACKS * sizeof(*heads));
	struct sk_rcu_stats st0, st1;

	assert_non_null(heads);
	n = n > 64 ? 64 : n;
	atomic_store(&stop, 0);
	atomic_store(&running, 0);
	atomic_store(&cb_ran, 0);
	assert_int_equal(sk_rcu_stats_get(&st0), 0);
	for (unsigned i = 0; i < n; i++) {
		t[i] = rt_spawn(i, hog, NULL);
		assert_non_null(t[i]);
	}
	while (atomic_load(&running) < n)
		rt_yield();
	for (unsigned i = 0; i < ROUNDS; i++) {
		sk_synchronize_rcu();
		sk_synchronize_rcu_expedited();
	}
	for (unsigned i = 0; i < CALLBACKS; i++)
		sk_call_rcu(&heads[i], count_cb);
	sk_rcu_barrier();
	assert_int_equal(sk_rcu_stats_get(&st1), 0);
	atomic_store(&stop, 1);
	for (unsigned i = 0; i < n; i++)
		rt_join(t[i]);
	assert_int_equal(atomic_load(&cb_ran), CALLBACKS);
	assert_true(st1.gps - st0.gps >= ROUNDS);
	assert_true(st1.expedited - st0.expedited >= ROUNDS);
	assert_true(atomic_load(&spins) > 0);
	rt_free(heads);
}

static void test_progress_reader_hogs_do_not_stall(void **state)
{
	(void)state;
	run_with_hogs(hog_reader);
}

static void test_progress_plain_hogs_do_not_stall(void **state)
{
	(void)state;
	run_with_hogs(hog_plain);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		rt_test(test_progress_reader_hogs_do_not_stall),
		rt_test(test_progress_plain_hogs_do_not_stall),
	};

	return rt_main("rcu_progress", tests, sizeof(tests) / sizeof(tests[0]));
}
