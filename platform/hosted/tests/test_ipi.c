/* SPDX-License-Identifier: MIT */
/*
 * IPIs: each reaches its target and only it, whether the target idles or
 * computes with irqs on; bursts coalesce but are never all lost.  Run
 * with SK_CPUS=4, more vCPUs than the 2-core CI machines have.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <sched.h>

#include <plat/irq.h>

#ifndef STRESS_SCALE
#define STRESS_SCALE 1
#endif

static void ipi_snapshot(unsigned *out)
{
	unsigned cpu;

	for (cpu = 0; cpu < sk_plat_cpu_count(); cpu++)
		out[cpu] = atomic_load(&ht.ipi[cpu]);
}

static void test_ipi_idle_target_only_target_handles(void **state)
{
	unsigned n = sk_plat_cpu_count(), target, cpu;
	unsigned before[HT_CPUS];

	(void)state;
	for (target = 1; target < n; target++) {
		ipi_snapshot(before);
		sk_plat_cpu_ipi(target);
		ht_wait_geq(&ht.ipi[target], before[target] + 1, 1);
		for (cpu = 0; cpu < n; cpu++)
			if (cpu != target)
				assert_int_equal(atomic_load(&ht.ipi[cpu]),
						 before[cpu]);
	}
}

static void test_ipi_self_handled_before_enable_returns(void **state)
{
	unsigned before[HT_CPUS], cpu;

	(void)state;
	ipi_snapshot(before);
	sk_plat_irq_disable();
	sk_plat_cpu_ipi(0);
	sk_plat_irq_enable();
	assert_int_equal(atomic_load(&ht.ipi[0]), before[0] + 1);
	for (cpu = 1; cpu < sk_plat_cpu_count(); cpu++)
		assert_int_equal(atomic_load(&ht.ipi[cpu]), before[cpu]);
}

/* Compute with irqs on until an IPI arrives. */
static _Atomic unsigned ipi_busy_ready;

static void ipi_busy(void *arg)
{
	unsigned cpu = sk_plat_cpu_id();
	unsigned before = atomic_load(&ht.ipi[cpu]);

	(void)arg;
	atomic_fetch_add(&ipi_busy_ready, 1);
	/*
	 * sched_yield is a plain system call; under ThreadSanitizer it is
	 * also where deferred signals get delivered (see docs/platform.md).
	 */
	while (atomic_load(&ht.ipi[cpu]) == before)
		sched_yield();
}

static void test_ipi_busy_target_interrupted(void **state)
{
	unsigned n = sk_plat_cpu_count(), target, ready;

	(void)state;
	for (target = 1; target < n; target++) {
		ready = atomic_load(&ipi_busy_ready);
		ht_run_async(target, ipi_busy, NULL);
		ht_wait_geq(&ipi_busy_ready, ready + 1, 1);
		sk_plat_cpu_ipi(target);
		ht_join(target);
	}
}

/*
 * Compute with irqs on, toggling them but making no system call: the IPI
 * must arrive (a signal, or under TSan a bit posted while irqs were on and
 * replayed by the next enable).
 */
static void ipi_toggling(void *arg)
{
	unsigned cpu = sk_plat_cpu_id();
	unsigned before = atomic_load(&ht.ipi[cpu]);

	(void)arg;
	atomic_fetch_add(&ipi_busy_ready, 1);
	while (atomic_load(&ht.ipi[cpu]) == before) {
		sk_plat_irq_disable();
		sk_plat_cpu_relax();
		sk_plat_irq_enable();
	}
}

static void test_ipi_target_toggling_irqs_interrupted(void **state)
{
	unsigned n = sk_plat_cpu_count(), target, ready;

	(void)state;
	for (target = 1; target < n; target++) {
		ready = atomic_load(&ipi_busy_ready);
		ht_run_async(target, ipi_toggling, NULL);
		ht_wait_geq(&ipi_busy_ready, ready + 1, 1);
		sk_plat_cpu_ipi(target);
		ht_join(target);
	}
}

/* Many senders, one target: every burst is answered at least once. */
static _Atomic unsigned ipi_storm_go;
static _Atomic unsigned ipi_storm_done;

static void ipi_storm(void *arg)
{
	unsigned i, rounds = 2000 * STRESS_SCALE;

	(void)arg;
	while (!atomic_load(&ipi_storm_go))
		sched_yield();
	for (i = 0; i < rounds; i++)
		sk_plat_cpu_ipi(0);
	atomic_fetch_add(&ipi_storm_done, 1);
	sk_plat_cpu_ipi(0);
}

static void test_ipi_storm_from_all_cpus_coalesces_not_lost(void **state)
{
	unsigned n = sk_plat_cpu_count(), cpu, before;

	(void)state;
	atomic_store(&ipi_storm_go, 0);
	atomic_store(&ipi_storm_done, 0);
	for (cpu = 1; cpu < n; cpu++)
		ht_run_async(cpu, ipi_storm, NULL);
	atomic_store(&ipi_storm_go, 1);
	ht_wait_geq(&ipi_storm_done, n - 1, 0);
	for (cpu = 1; cpu < n; cpu++)
		ht_join(cpu);
	/* Everything is sent; one more must still get through. */
	before = atomic_load(&ht.ipi[0]);
	sk_plat_cpu_ipi(0);
	ht_wait_geq(&ht.ipi[0], before + 1, 0);
	assert_int_equal(atomic_load(&ht.irqs_on_in_handler), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipi_idle_target_only_target_handles),
		cmocka_unit_test(test_ipi_self_handled_before_enable_returns),
		cmocka_unit_test(test_ipi_busy_target_interrupted),
		cmocka_unit_test(test_ipi_target_toggling_irqs_interrupted),
		cmocka_unit_test(
			test_ipi_storm_from_all_cpus_coalesces_not_lost),
	};

	return ht_main(NULL, "hosted_ipi", tests, SK_ARRAY_LEN(tests));
}
