/* SPDX-License-Identifier: MIT */
/*
 * Soft interrupt flag: deferral, exactly-once replay, save/restore nesting,
 * the entry and exit hooks, and handlers that run with irqs off.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>

#include <plat/irq.h>
#include <plat/time.h>

static void test_irq_ipi_while_disabled_replayed_once(void **state)
{
	unsigned ipi0 = atomic_load(&ht.ipi[0]);
	unsigned hook0 = atomic_load(&ht.exit_hook[0]);

	(void)state;
	sk_plat_irq_disable();
	assert_false(sk_plat_irq_is_enabled());
	sk_plat_cpu_ipi(0);
	sk_plat_cpu_ipi(0);
	/* A self-IPI with irqs off is recorded at once. */
	assert_int_equal(atomic_load(&ht.ipi[0]), ipi0);
	assert_int_equal(atomic_load(&ht.exit_hook[0]), hook0);
	sk_plat_irq_enable();
	assert_true(sk_plat_irq_is_enabled());
	assert_int_equal(atomic_load(&ht.ipi[0]), ipi0 + 1);
	assert_int_equal(atomic_load(&ht.exit_hook[0]), hook0 + 1);
	sk_plat_irq_disable();
	sk_plat_irq_enable();
	assert_int_equal(atomic_load(&ht.ipi[0]), ipi0 + 1);
	assert_int_equal(atomic_load(&ht.irqs_on_in_handler), 0);
	assert_int_equal(atomic_load(&ht.exit_hook_irqs_on), 0);
}

/* The entry hook runs before the handlers, IPI and timer, irqs off. */
static void test_irq_entry_hook_runs_before_handlers(void **state)
{
	unsigned ipi0 = atomic_load(&ht.ipi[0]);
	unsigned timer0 = atomic_load(&ht.timer[0]);
	unsigned entry0 = atomic_load(&ht.entry_hook[0]);
	unsigned before0 = atomic_load(&ht.handler_before_entry);

	(void)state;
	atomic_store(&ht.entry_flag[0], 0);
	sk_plat_cpu_ipi(0);
	ht_wait_geq(&ht.ipi[0], ipi0 + 1, 0);
	assert_true(atomic_load(&ht.entry_hook[0]) > entry0);
	entry0 = atomic_load(&ht.entry_hook[0]);
	atomic_store(&ht.entry_flag[0], 0);
	sk_plat_irq_disable();
	sk_plat_timer_arm(sk_plat_clock_ns() + 1000000);
	sk_plat_irq_enable();
	ht_wait_geq(&ht.timer[0], timer0 + 1, 0);
	assert_true(atomic_load(&ht.entry_hook[0]) > entry0);
	assert_int_equal(atomic_load(&ht.handler_before_entry), before0);
	assert_int_equal(atomic_load(&ht.entry_hook_irqs_on), 0);
}

/*
 * The signal path itself: hosted IPIs are SIGUSR2 (docs/platform.md), and
 * a vCPU with irqs off gets one when a sender saw its irqs still on.
 */
static void test_irq_raw_signal_while_disabled_replayed_once(void **state)
{
	unsigned ipi0 = atomic_load(&ht.ipi[0]);

	(void)state;
	sk_plat_irq_disable();
	pthread_kill(pthread_self(), SIGUSR2);
	pthread_kill(pthread_self(), SIGUSR2);
	assert_int_equal(atomic_load(&ht.ipi[0]), ipi0);
	sk_plat_irq_enable();
	assert_int_equal(atomic_load(&ht.ipi[0]), ipi0 + 1);
	pthread_kill(pthread_self(), SIGUSR2);
	ht_wait_geq(&ht.ipi[0], ipi0 + 2, 0);
	assert_int_equal(atomic_load(&ht.irqs_on_in_handler), 0);
}

static void test_irq_signal_while_enabled_runs_handler_and_hook(void **state)
{
	unsigned ipi0 = atomic_load(&ht.ipi[0]);
	unsigned hook0 = atomic_load(&ht.exit_hook[0]);

	(void)state;
	assert_true(sk_plat_irq_is_enabled());
	sk_plat_cpu_ipi(0);
	ht_wait_geq(&ht.ipi[0], ipi0 + 1, 0);
	ht_wait_geq(&ht.exit_hook[0], hook0 + 1, 0);
	assert_true(sk_plat_irq_is_enabled());
	assert_int_equal(atomic_load(&ht.irqs_on_in_handler), 0);
	assert_int_equal(atomic_load(&ht.exit_hook_irqs_on), 0);
}

static void test_irq_save_restore_nested_replays_at_outer(void **state)
{
	unsigned ipi0 = atomic_load(&ht.ipi[0]);
	sk_plat_irq_flags outer, inner;

	(void)state;
	outer = sk_plat_irq_save();
	assert_false(sk_plat_irq_is_enabled());
	inner = sk_plat_irq_save();
	sk_plat_cpu_ipi(0);
	sk_plat_irq_restore(inner);
	assert_false(sk_plat_irq_is_enabled());
	assert_int_equal(atomic_load(&ht.ipi[0]), ipi0);
	sk_plat_irq_restore(outer);
	assert_true(sk_plat_irq_is_enabled());
	assert_int_equal(atomic_load(&ht.ipi[0]), ipi0 + 1);
}

static void test_irq_timer_and_ipi_both_pending_both_replayed(void **state)
{
	unsigned ipi0 = atomic_load(&ht.ipi[0]);
	unsigned tim0 = atomic_load(&ht.timer[0]);

	(void)state;
	sk_plat_irq_disable();
	sk_plat_timer_arm(sk_plat_clock_ns() - 1);
	sk_plat_cpu_ipi(0);
	assert_int_equal(atomic_load(&ht.ipi[0]), ipi0);
	assert_int_equal(atomic_load(&ht.timer[0]), tim0);
	sk_plat_irq_enable();
	assert_int_equal(atomic_load(&ht.ipi[0]), ipi0 + 1);
	assert_int_equal(atomic_load(&ht.timer[0]), tim0 + 1);
}

/* A secondary's IPIs stay pending while it keeps irqs off. */
static _Atomic unsigned irq_remote_phase;
static _Atomic unsigned irq_remote_seen;

static void irq_remote_hold(void *arg)
{
	unsigned cpu = sk_plat_cpu_id();
	unsigned before;

	(void)arg;
	sk_plat_irq_disable();
	before = atomic_load(&ht.ipi[cpu]);
	atomic_store(&irq_remote_phase, 1);
	/* Wait with irqs off until CPU 0 has sent; nothing may run. */
	while (atomic_load(&irq_remote_phase) != 2)
		sk_plat_cpu_relax();
	atomic_store(&irq_remote_seen, atomic_load(&ht.ipi[cpu]) - before);
	sk_plat_irq_enable();
	atomic_store(&irq_remote_phase,
		     3 + (atomic_load(&ht.ipi[cpu]) - before));
}

static void test_irq_remote_disabled_defers_until_enable(void **state)
{
	unsigned i;

	(void)state;
	atomic_store(&irq_remote_phase, 0);
	ht_run_async(1, irq_remote_hold, NULL);
	ht_wait_geq(&irq_remote_phase, 1, 1);
	for (i = 0; i < 100; i++)
		sk_plat_cpu_ipi(1);
	atomic_store(&irq_remote_phase, 2);
	ht_join(1);
	assert_int_equal(atomic_load(&irq_remote_seen), 0);
	/* Coalesced into at least one, delivered at enable. */
	assert_true(atomic_load(&irq_remote_phase) >= 4);
}

static void test_irq_register_device_line_enotsup(void **state)
{
	(void)state;
	assert_int_equal(sk_plat_irq_register(0, NULL, NULL), -ENOTSUP);
	assert_int_equal(sk_plat_irq_register(5, NULL, NULL), -ENOTSUP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_irq_entry_hook_runs_before_handlers),
		cmocka_unit_test(test_irq_ipi_while_disabled_replayed_once),
		cmocka_unit_test(
			test_irq_raw_signal_while_disabled_replayed_once),
		cmocka_unit_test(
			test_irq_signal_while_enabled_runs_handler_and_hook),
		cmocka_unit_test(test_irq_save_restore_nested_replays_at_outer),
		cmocka_unit_test(
			test_irq_timer_and_ipi_both_pending_both_replayed),
		cmocka_unit_test(test_irq_remote_disabled_defers_until_enable),
		cmocka_unit_test(test_irq_register_device_line_enotsup),
	};

	return ht_main(NULL, "hosted_irq", tests, SK_ARRAY_LEN(tests));
}
