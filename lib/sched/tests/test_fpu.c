// SPDX-License-Identifier: MIT
/*
 * FPU state survives preemption: threads on one vCPU run long floating-
 * point computations, each in its own MXCSR rounding mode, and compare
 * every result with the value main computed alone.  Pure CPU loops that
 * must be preempted: not a TSan test.
 */
#include "harness.h"

#include <string.h>

#include <plat/time.h>

enum { FP_THREADS = 4, FP_STEPS = 20000 };

struct fp_job {
	unsigned mode; /* MXCSR rounding control 0..3 */
	double expect;
	atomic_uint *stop;
	unsigned mismatches;
	unsigned rounds;
};

static double fp_work(unsigned seed)
{
	volatile double x = 1.0 + seed * 1e-3;
	double acc = 0.0, v[8];

	for (unsigned k = 0; k < 8; k++)
		v[k] = x * (k + 1);
	for (unsigned i = 0; i < FP_STEPS; i++) {
		for (unsigned k = 0; k < 8; k++) {
			v[k] = v[k] * 1.0000001 + 1.0 / (3.0 + k + i % 7);
			acc += v[k] / (1.0 + (double)i);
		}
	}
	return acc;
}

static void set_rounding(unsigned mode)
{
	unsigned mx = 0x1f80 | (mode << 13);

	__asm__ __volatile__("ldmxcsr %0" ::"m"(mx));
}

static void fp_fn(void *arg)
{
	struct fp_job *j = arg;

	set_rounding(j->mode);
	while (!atomic_load_explicit(j->stop, memory_order_relaxed)) {
		double r = fp_work(j->mode);

		if (memcmp(&r, &j->expect, sizeof(r)) != 0)
			j->mismatches++;
		j->rounds++;
	}
}

static void test_fpu_state_survives_preemption(void **state)
{
	atomic_uint stop = 0;
	struct fp_job jobs[FP_THREADS];
	struct sk_thread *t[FP_THREADS];
	struct sk_cpuset set;
	struct sk_thread_attr a = st_pinned(1, &set);
	struct sk_sched_stats before, after;

	(void)state;
	for (unsigned i = 0; i < FP_THREADS; i++) {
		jobs[i] = (struct fp_job){ .mode = i, .stop = &stop };
		set_rounding(i);
		jobs[i].expect = fp_work(i);
	}
	set_rounding(0);
	assert_true(jobs[0].expect != jobs[2].expect); /* modes matter */
	sk_sched_stats_get(1, &before);
	for (unsigned i = 0; i < FP_THREADS; i++)
		t[i] = st_spawn(&a, fp_fn, &jobs[i]);
	sk_thread_sleep_for(400000000);
	atomic_store(&stop, 1);
	for (unsigned i = 0; i < FP_THREADS; i++) {
		assert_int_equal(sk_thread_join(t[i]), 0);
		assert_int_equal(jobs[i].mismatches, 0);
		assert_true(jobs[i].rounds > 0);
	}
	sk_sched_stats_get(1, &after);
	print_message("preemptions on vCPU 1: %lu\n",
		      (unsigned long)(after.preemptions - before.preemptions));
	assert_true(after.preemptions > before.preemptions);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		st_test(test_fpu_state_survives_preemption),
	};

	return st_main("sched_fpu", tests, sizeof(tests) / sizeof(tests[0]));
}
