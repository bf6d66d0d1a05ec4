// SPDX-License-Identifier: MIT
/*
 * Load balancing on 2 vCPUs: hogs started on one vCPU spread out once they
 * may; pinned threads never move; a thread pins itself and unpins.
 * Hogs are pure CPU loops (preempted by the platform timer): not a TSan
 * test.
 */
#include "harness.h"

#include <errno.h>

#include <plat/cpu.h>
#include <plat/time.h>

enum { HOGS = 4 };

struct hog {
	atomic_uint *stop;
	atomic_uint *unpin;
	atomic_uint cpu_mask; /* bit per vCPU it was seen on */
	atomic_uint now_on;
};

static void hog_fn(void *arg)
{
	struct hog *h = arg;
	struct sk_cpuset all;
	unsigned done_unpin = 0;

	sk_cpuset_fill(&all);
	while (!atomic_load_explicit(h->stop, memory_order_relaxed)) {
		unsigned c = st_cpu();

		atomic_store_explicit(&h->now_on, c, memory_order_relaxed);
		atomic_fetch_or_explicit(&h->cpu_mask, 1u << c,
					 memory_order_relaxed);
		if (!done_unpin && h->unpin &&
		    atomic_load_explicit(h->unpin, memory_order_relaxed)) {
			sk_thread_set_affinity(&all);
			done_unpin = 1;
		}
	}
}

static void test_balance_four_hogs_spread_over_two(void **state)
{
	atomic_uint stop = 0, unpin = 0;
	struct hog h[HOGS];
	struct sk_thread *t[HOGS];
	struct sk_cpuset set;
	struct sk_thread_attr a = st_pinned(0, &set);
	unsigned per_cpu[2] = { 0, 0 }, tries = 0;

	(void)state;
	assert_int_equal(sk_plat_cpu_count(), 2); /* SK_CPUS=2 in meson */
	for (unsigned i = 0; i < HOGS; i++) {
		h[i] = (struct hog){ .stop = &stop, .unpin = &unpin };
		t[i] = st_spawn(&a, hog_fn, &h[i]);
	}
	sk_thread_sleep_for(50000000);
	for (unsigned i = 0; i < HOGS; i++) /* pinned: all on vCPU 0 */
		assert_int_equal(atomic_load(&h[i].cpu_mask), 1);
	atomic_store(&unpin, 1);
	/* Behaviour, not timing: wait (bounded only by the test timeout)
	 * until the two vCPUs carry two hogs each. */
	for (;;) {
		sk_thread_sleep_for(20000000);
		per_cpu[0] = per_cpu[1] = 0;
		for (unsigned i = 0; i < HOGS; i++)
			per_cpu[atomic_load(&h[i].now_on) & 1]++;
		tries++;
		if (per_cpu[0] == 2 && per_cpu[1] == 2 &&
		    sk_sched_cpu_load(0) >= 2 && sk_sched_cpu_load(1) >= 2)
			break;
	}
	print_message("balanced after %u looks\n", tries);
	atomic_store(&stop, 1);
	for (unsigned i = 0; i < HOGS; i++)
		assert_int_equal(sk_thread_join(t[i]), 0);
}

static void test_balance_pinned_threads_never_move(void **state)
{
	atomic_uint stop = 0;
	struct hog h[3];
	struct sk_thread *t[3];
	struct sk_cpuset set;
	struct sk_thread_attr a = st_pinned(1, &set);

	(void)state;
	for (unsigned i = 0; i < 3; i++) {
		h[i] = (struct hog){ .stop = &stop };
		t[i] = st_spawn(&a, hog_fn, &h[i]);
	}
	/* vCPU 0 idles (we sleep) and would love to steal. */
	sk_thread_sleep_for(300000000);
	atomic_store(&stop, 1);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(sk_thread_join(t[i]), 0);
		assert_int_equal(atomic_load(&h[i].cpu_mask), 2);
	}
}

static void pin_unpin_fn(void *arg)
{
	unsigned *res = arg;
	struct sk_cpuset set;

	for (unsigned round = 0; round < 50; round++) {
		unsigned want = round & 1;

		sk_cpuset_zero(&set);
		sk_cpuset_add(&set, want);
		if (sk_thread_set_affinity(&set) != 0)
			res[1]++;
		for (unsigned k = 0; k < 20; k++) {
			if (st_cpu() != want)
				res[1]++;
			if (k % 4 == 0)
				sk_thread_sleep_for(10000);
			else
				sk_thread_yield();
		}
		res[0]++;
	}
	sk_cpuset_zero(&set);
	res[2] = (unsigned)sk_thread_set_affinity(&set); /* empty: -EINVAL */
}

static void test_balance_pin_unpin_self(void **state)
{
	unsigned res[3] = { 0, 0, 0 };
	struct sk_thread *t;

	(void)state;
	t = st_spawn(NULL, pin_unpin_fn, res);
	assert_int_equal(sk_thread_join(t), 0);
	assert_int_equal(res[0], 50);
	assert_int_equal(res[1], 0);
	assert_int_equal((int)res[2], -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		st_test(test_balance_four_hogs_spread_over_two),
		st_test(test_balance_pinned_threads_never_move),
		st_test(test_balance_pin_unpin_self),
	};

	return st_main("sched_balance", tests,
		       sizeof(tests) / sizeof(tests[0]));
}
