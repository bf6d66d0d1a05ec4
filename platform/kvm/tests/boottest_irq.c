// SPDX-License-Identifier: MIT
/*
 * Timer, IPI, irqs-off and clock cases of the boot test.  Every wait is
 * bounded (a broken platform fails a case instead of hanging), and every
 * assertion is about behaviour: "not before the deadline", "exactly once",
 * "only on the target", never "within N microseconds".
 */
#include <errno.h>

#include <plat/cpu.h>
#include <plat/irq.h>
#include <plat/mem.h>
#include <plat/time.h>

#include <x86/cpu.h>

#include "boottest.h"

static const uint64_t MS = 1000000ull;

static void on_timer(void *arg)
{
	unsigned cpu = sk_plat_cpu_id();

	(void)arg;
	atomic_store_explicit(&bt_counts[cpu].timer_fired_ns,
			      sk_plat_clock_ns(), memory_order_relaxed);
	atomic_fetch_add_explicit(&bt_counts[cpu].timer, 1,
				  memory_order_relaxed);
}

static void on_ipi(void *arg)
{
	(void)arg;
	atomic_fetch_add_explicit(&bt_counts[sk_plat_cpu_id()].ipi, 1,
				  memory_order_relaxed);
}

static void on_exit_hook(void *arg)
{
	(void)arg;
	atomic_fetch_add_explicit(&bt_counts[sk_plat_cpu_id()].exit_hook, 1,
				  memory_order_relaxed);
}

void bt_irq_handlers_install(void)
{
	sk_plat_irq_set_handler(SK_PLAT_IRQ_TIMER, on_timer, NULL);
	sk_plat_irq_set_handler(SK_PLAT_IRQ_IPI, on_ipi, NULL);
	sk_plat_irq_set_exit_hook(on_exit_hook, NULL);
}

static uint64_t count_of(_Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

/* Waiting state for the done() callbacks below; CPU 0 only. */
static _Atomic uint64_t *wait_counter;
static uint64_t wait_target;

static int counter_reached(void)
{
	return count_of(wait_counter) >= wait_target;
}

static int wait_count(_Atomic uint64_t *c, uint64_t target, uint64_t ns)
{
	wait_counter = c;
	wait_target = target;
	return bt_wait_until(counter_reached, ns);
}

static int never(void)
{
	return 0;
}

/* Let @ns pass with irqs enabled (something may fire meanwhile). */
static void pass_time(uint64_t ns)
{
	bt_wait_until(never, ns);
}

int bt_case_timer_not_early(void)
{
	static const uint64_t delays[] = { 50000, 1000000, 3000000, 200000 };
	struct bt_counts *me = &bt_counts[0];

	for (unsigned i = 0; i < SK_ARRAY_LEN(delays); i++) {
		uint64_t t = count_of(&me->timer), h = count_of(&me->exit_hook);
		uint64_t deadline = sk_plat_clock_ns() + delays[i];

		sk_plat_timer_arm(deadline);
		BT_CHECK(wait_count(&me->timer, t + 1, 5000 * MS) == 0);
		BT_CHECK(count_of(&me->timer_fired_ns) >= deadline);
		BT_CHECK(count_of(&me->exit_hook) > h);
	}
	return 0;
}

int bt_case_timer_past_deadline(void)
{
	struct bt_counts *me = &bt_counts[0];
	uint64_t t = count_of(&me->timer);

	sk_plat_timer_arm(sk_plat_clock_ns() - 1000);
	BT_CHECK(count_of(&me->timer) == t); /* irqs are off */
	BT_CHECK(wait_count(&me->timer, t + 1, 1000 * MS) == 0);
	sk_plat_timer_arm(0);
	BT_CHECK(wait_count(&me->timer, t + 2, 1000 * MS) == 0);
	pass_time(5 * MS);
	BT_CHECK(count_of(&me->timer) == t + 2);
	return 0;
}

int bt_case_timer_rearm_replaces(void)
{
	struct bt_counts *me = &bt_counts[0];
	uint64_t t = count_of(&me->timer), now = sk_plat_clock_ns();

	/* A later arming replaces an earlier one, and the other way round:
	 * each time exactly one expiry, at the deadline armed last. */
	sk_plat_timer_arm(now + 1000000 * MS); /* replaced: never fires */
	sk_plat_timer_arm(now + 1 * MS);
	BT_CHECK(wait_count(&me->timer, t + 1, 5000 * MS) == 0);
	BT_CHECK(count_of(&me->timer_fired_ns) >= now + 1 * MS);
	pass_time(10 * MS);
	BT_CHECK(count_of(&me->timer) == t + 1);
	now = sk_plat_clock_ns();
	sk_plat_timer_arm(now + 1 * MS); /* replaced by a later one */
	sk_plat_timer_arm(now + 20 * MS);
	BT_CHECK(wait_count(&me->timer, t + 2, 5000 * MS) == 0);
	BT_CHECK(count_of(&me->timer_fired_ns) >= now + 20 * MS);
	pass_time(5 * MS);
	BT_CHECK(count_of(&me->timer) == t + 2);
	return 0;
}

int bt_case_timer_cancel(void)
{
	struct bt_counts *me = &bt_counts[0];
	uint64_t t = count_of(&me->timer);

	sk_plat_timer_arm(sk_plat_clock_ns() + 1 * MS);
	sk_plat_timer_cancel();
	pass_time(10 * MS);
	BT_CHECK(count_of(&me->timer) == t);
	return 0;
}

static void remote_timer(unsigned cpu, void *arg)
{
	int *ok = arg;
	struct bt_counts *me = &bt_counts[cpu];
	uint64_t t = count_of(&me->timer);
	uint64_t deadline = sk_plat_clock_ns() + 2 * MS;
	uint64_t end = deadline + 5000 * MS;

	sk_plat_timer_arm(deadline);
	while (count_of(&me->timer) == t && sk_plat_clock_ns() < end)
		sk_plat_cpu_idle();
	ok[cpu] = count_of(&me->timer) == t + 1 &&
		  count_of(&me->timer_fired_ns) >= deadline;
}

int bt_case_timer_on_every_cpu(void)
{
	static int ok[SK_PLAT_CPUS_MAX];
	unsigned n = sk_plat_cpu_count();
	uint64_t t0 = count_of(&bt_counts[0].timer);

	for (unsigned c = 1; c < n; c++)
		bt_remote_post(c, remote_timer, ok);
	for (unsigned c = 1; c < n; c++) {
		BT_CHECK(bt_remote_wait(c) == 0);
		BT_CHECK(ok[c]);
	}
	BT_CHECK(count_of(&bt_counts[0].timer) == t0);
	return 0;
}

int bt_case_ipi_reaches_target(void)
{
	static uint64_t snap[SK_PLAT_CPUS_MAX];
	unsigned n = sk_plat_cpu_count();

	for (unsigned target = 0; target < n; target++) {
		for (unsigned c = 0; c < n; c++)
			snap[c] = count_of(&bt_counts[c].ipi);
		sk_plat_cpu_ipi(target);
		BT_CHECK(wait_count(&bt_counts[target].ipi, snap[target] + 1,
				    5000 * MS) == 0);
		pass_time(2 * MS);
		for (unsigned c = 0; c < n; c++)
			BT_CHECK(c == target ||
				 count_of(&bt_counts[c].ipi) == snap[c]);
	}
	return 0;
}

int bt_case_irq_off_defers(void)
{
	struct bt_counts *me = &bt_counts[0];
	uint64_t i = count_of(&me->ipi), t = count_of(&me->timer);
	uint64_t end = sk_plat_clock_ns() + 3 * MS;

	BT_CHECK(!sk_plat_irq_is_enabled());
	sk_plat_cpu_ipi(0);
	sk_plat_cpu_ipi(0); /* coalesces with the first */
	sk_plat_timer_arm(sk_plat_clock_ns() + 100000);
	while (sk_plat_clock_ns() < end)
		sk_plat_cpu_relax();
	BT_CHECK(count_of(&me->ipi) == i && count_of(&me->timer) == t);
	sk_plat_irq_flags f = sk_plat_irq_save();
	BT_CHECK(!(f & 0x200));
	sk_plat_irq_enable();
	sk_plat_irq_disable();
	BT_CHECK(count_of(&me->ipi) == i + 1);
	BT_CHECK(wait_count(&me->timer, t + 1, 1000 * MS) == 0);
	pass_time(5 * MS);
	BT_CHECK(count_of(&me->ipi) == i + 1 && count_of(&me->timer) == t + 1);
	return 0;
}

static _Atomic uint64_t clock_seen;
static _Atomic unsigned clock_backwards;

static void clock_hammer(unsigned cpu, void *arg)
{
	uint64_t rounds = *(const uint64_t *)arg;

	(void)cpu;
	for (uint64_t k = 0; k < rounds; k++) {
		/* Acquire: pairs with the release CAS below on another CPU,
		 * so this clock read happens after that CPU's read. */
		uint64_t seen =
			atomic_load_explicit(&clock_seen, memory_order_acquire);
		uint64_t now = sk_plat_clock_ns();

		if (now < seen)
			atomic_fetch_add_explicit(&clock_backwards, 1,
						  memory_order_relaxed);
		while (seen < now &&
		       !atomic_compare_exchange_weak_explicit(
			       &clock_seen, &seen, now, memory_order_release,
			       memory_order_acquire))
			;
	}
}

int bt_case_clock_monotonic_across_cpus(void)
{
	static uint64_t rounds = 20000;
	unsigned n = sk_plat_cpu_count();

	for (unsigned c = 1; c < n; c++)
		bt_remote_post(c, clock_hammer, &rounds);
	clock_hammer(0, &rounds);
	for (unsigned c = 1; c < n; c++)
		BT_CHECK(bt_remote_wait(c) == 0);
	BT_CHECK(atomic_load_explicit(&clock_backwards, memory_order_relaxed) ==
		 0);
	return 0;
}

int bt_case_tlb_flush_all_cpus(void)
{
	static volatile uint64_t probe = 1;

	/* With every CPU running, a shootdown must come back (all acked). */
	sk_plat_irq_enable();
	sk_plat_tlb_flush(0, 0);
	sk_plat_tlb_flush((uintptr_t)&probe, sizeof(probe));
	sk_plat_irq_disable();
	BT_CHECK(probe == 1);
	return 0;
}

static _Atomic uint64_t pit_irqs;
static _Atomic unsigned pit_irq_cpu;

static void on_pit(void *arg)
{
	(void)arg;
	atomic_store_explicit(&pit_irq_cpu, sk_plat_cpu_id(),
			      memory_order_relaxed);
	atomic_fetch_add_explicit(&pit_irqs, 1, memory_order_relaxed);
}

/* A real device line: PIT channel 0 (ISA IRQ 0, GSI 2 by the MADT's
 * override) through the I/O APIC to its registered handler on CPU 0. */
int bt_case_device_irq_routed(void)
{
	struct bt_counts *me = &bt_counts[0];
	uint64_t h = count_of(&me->exit_hook);
	unsigned divisor = 1193; /* about 1 kHz */

	BT_CHECK(sk_plat_irq_register(200, on_pit, NULL) == -EINVAL);
	BT_CHECK(sk_plat_irq_register(0, on_pit, NULL) == 0);
	BT_CHECK(sk_plat_irq_register(0, on_pit, NULL) == -EBUSY);
	BT_CHECK(count_of(&pit_irqs) == 0);
	sk_x86_outb(0x43, 0x34); /* channel 0, lo/hi, mode 2 (rate) */
	sk_x86_outb(0x40, (uint8_t)divisor);
	sk_x86_outb(0x40, (uint8_t)(divisor >> 8));
	BT_CHECK(wait_count(&pit_irqs, 3, 5000 * MS) == 0);
	sk_x86_outb(0x43, 0x30); /* mode 0: one more expiry, then quiet */
	sk_x86_outb(0x40, 0xff);
	sk_x86_outb(0x40, 0xff);
	BT_CHECK(atomic_load_explicit(&pit_irq_cpu, memory_order_relaxed) == 0);
	BT_CHECK(count_of(&me->exit_hook) > h);
	return 0;
}
