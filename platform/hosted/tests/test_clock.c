/* SPDX-License-Identifier: MIT */
/*
 * The monotonic clock never goes backwards across vCPUs: every CPU reads
 * the clock and raises a shared maximum; a reading below a maximum that
 * happened-before it is a violation.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <sched.h>

#include <plat/irq.h>
#include <plat/time.h>

#ifndef STRESS_SCALE
#define STRESS_SCALE 1
#endif

static _Atomic uint64_t clock_max;
static _Atomic unsigned clock_backwards;
static _Atomic unsigned clock_go;

static void clock_hammer(void *arg)
{
	unsigned i, rounds = 100000 * STRESS_SCALE;

	(void)arg;
	while (!atomic_load(&clock_go))
		sched_yield();
	for (i = 0; i < rounds; i++) {
		/* Acquire: pairs with the release CAS below. */
		uint64_t seen =
			atomic_load_explicit(&clock_max, memory_order_acquire);
		uint64_t now = sk_plat_clock_ns();

		if (now < seen)
			atomic_fetch_add(&clock_backwards, 1);
		while (seen < now &&
		       !atomic_compare_exchange_weak_explicit(
			       &clock_max, &seen, now, memory_order_release,
			       memory_order_acquire))
			;
	}
}

static void test_clock_hammered_by_all_cpus_never_backwards(void **state)
{
	unsigned n = sk_plat_cpu_count(), cpu;

	(void)state;
	for (cpu = 1; cpu < n; cpu++)
		ht_run_async(cpu, clock_hammer, NULL);
	atomic_store(&clock_go, 1);
	clock_hammer(NULL);
	for (cpu = 1; cpu < n; cpu++)
		ht_join(cpu);
	assert_int_equal(atomic_load(&clock_backwards), 0);
	assert_true(sk_plat_clock_ns() >= atomic_load(&clock_max));
}

static void test_clock_wallclock_after_2020(void **state)
{
	(void)state;
	/* 2020-01-01T00:00:00Z in ns since the epoch. */
	assert_true(sk_plat_wallclock_ns() > 1577836800ull * 1000000000ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_clock_hammered_by_all_cpus_never_backwards),
		cmocka_unit_test(test_clock_wallclock_after_2020),
	};

	return ht_main(NULL, "hosted_clock", tests, SK_ARRAY_LEN(tests));
}
