/* SPDX-License-Identifier: MIT */
/*
 * Per-vCPU one-shot timers: right CPU, never early, past deadlines at once,
 * re-arming replaces, cancel.  Run with SK_CPUS=3.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <plat/irq.h>
#include <plat/time.h>

enum { TIMER_MS = 1000000 };

struct timer_shot {
	uint64_t delay_ns;
	uint64_t deadline_ns; /* out */
	unsigned cpu; /* out: where it armed */
};

/* Arm this CPU's timer and idle until it has fired once. */
static void timer_shoot(void *arg)
{
	struct timer_shot *s = arg;
	unsigned cpu = sk_plat_cpu_id();
	unsigned before = atomic_load(&ht.timer[cpu]);

	s->cpu = cpu;
	sk_plat_irq_disable();
	s->deadline_ns = sk_plat_clock_ns() + s->delay_ns;
	sk_plat_timer_arm(s->deadline_ns);
	while (atomic_load(&ht.timer[cpu]) == before)
		sk_plat_cpu_idle();
	sk_plat_irq_enable();
}

static void test_timer_each_cpu_fires_there_not_before_deadline(void **state)
{
	unsigned n = sk_plat_cpu_count(), cpu, other;
	unsigned before[HT_CPUS];
	struct timer_shot s;

	(void)state;
	for (cpu = 0; cpu < n; cpu++) {
		for (other = 0; other < n; other++)
			before[other] = atomic_load(&ht.timer[other]);
		s.delay_ns = 2 * TIMER_MS;
		ht_run_on(cpu, timer_shoot, &s);
		assert_int_equal(s.cpu, cpu);
		assert_true(atomic_load(&ht.timer_ns[cpu]) >= s.deadline_ns);
		for (other = 0; other < n; other++)
			assert_int_equal(atomic_load(&ht.timer[other]),
					 before[other] + (other == cpu));
	}
}

static void test_timer_past_deadline_fires_at_enable(void **state)
{
	unsigned before = atomic_load(&ht.timer[0]);
	uint64_t now;

	(void)state;
	sk_plat_irq_disable();
	now = sk_plat_clock_ns();
	sk_plat_timer_arm(now - 1);
	assert_int_equal(atomic_load(&ht.timer[0]), before);
	sk_plat_irq_enable();
	assert_int_equal(atomic_load(&ht.timer[0]), before + 1);
	assert_true(atomic_load(&ht.timer_ns[0]) >= now - 1);

	sk_plat_irq_disable();
	sk_plat_timer_arm(0);
	sk_plat_irq_enable();
	assert_int_equal(atomic_load(&ht.timer[0]), before + 2);
}

/*
 * Arm the timer at now + @first_ns, re-arm it at now + @second_ns, and wait
 * for the one expiry: it must be the second arming's, exactly once.
 */
static void rearm_check(uint64_t first_ns, uint64_t second_ns)
{
	unsigned before = atomic_load(&ht.timer[0]);
	uint64_t d2;

	sk_plat_irq_disable();
	sk_plat_timer_arm(sk_plat_clock_ns() + first_ns);
	d2 = sk_plat_clock_ns() + second_ns;
	sk_plat_timer_arm(d2);
	while (atomic_load(&ht.timer[0]) == before)
		sk_plat_cpu_idle();
	sk_plat_irq_enable();
	/* Had the first arming survived, an earlier one would have fired
	 * before d2 (a later one would have been too late: the test times
	 * out). */
	assert_true(atomic_load(&ht.timer_ns[0]) >= d2);
	assert_int_equal(atomic_load(&ht.timer[0]), before + 1);
}

static void test_timer_rearm_later_replaces_earlier(void **state)
{
	(void)state;
	rearm_check(1 * TIMER_MS, 10 * TIMER_MS);
}

static void test_timer_rearm_earlier_replaces_later(void **state)
{
	(void)state;
	/* An hour away: if re-arming failed, the test would time out. */
	rearm_check(3600ull * 1000 * TIMER_MS, 1 * TIMER_MS);
}

static void test_timer_rearm_same_deadline_fires_once(void **state)
{
	unsigned before = atomic_load(&ht.timer[0]);
	struct timer_shot s;
	uint64_t d;

	(void)state;
	sk_plat_irq_disable();
	d = sk_plat_clock_ns() + 2 * TIMER_MS;
	sk_plat_timer_arm(d);
	sk_plat_timer_arm(d);
	while (atomic_load(&ht.timer[0]) == before)
		sk_plat_cpu_idle();
	sk_plat_irq_enable();
	assert_true(atomic_load(&ht.timer_ns[0]) >= d);
	/* Idle well past d (CPU 1's timer wakes us): no second expiry. */
	s.delay_ns = 10 * TIMER_MS;
	ht_run_on(1, timer_shoot, &s);
	assert_int_equal(atomic_load(&ht.timer[0]), before + 1);
	/* And the same deadline again, now past, fires again at once. */
	sk_plat_irq_disable();
	sk_plat_timer_arm(d);
	sk_plat_irq_enable();
	assert_int_equal(atomic_load(&ht.timer[0]), before + 2);
}

static void test_timer_cancel_never_fires(void **state)
{
	unsigned before = atomic_load(&ht.timer[0]);
	struct timer_shot s;
	uint64_t d;

	(void)state;
	sk_plat_irq_disable();
	d = sk_plat_clock_ns() + 2 * TIMER_MS;
	sk_plat_timer_arm(d);
	sk_plat_timer_cancel();
	sk_plat_irq_enable();
	/* Idle on CPU 0 until well past d, woken by CPU 1's own timer. */
	s.delay_ns = 20 * TIMER_MS;
	ht_run_on(1, timer_shoot, &s);
	assert_true(sk_plat_clock_ns() > d);
	assert_int_equal(atomic_load(&ht.timer[0]), before);
}

static void test_timer_cancel_drops_pending_expiry(void **state)
{
	unsigned before = atomic_load(&ht.timer[0]);

	(void)state;
	sk_plat_irq_disable();
	sk_plat_timer_arm(1);
	sk_plat_timer_cancel();
	sk_plat_irq_enable();
	assert_int_equal(atomic_load(&ht.timer[0]), before);
}

/*
 * Arm, then compute with irqs on, toggling them but making no system call:
 * the expiry must arrive (as a signal, or under TSan as a bit posted while
 * irqs were on and replayed by the next enable).
 */
static void timer_busy(void *arg)
{
	struct timer_shot *s = arg;
	unsigned cpu = sk_plat_cpu_id();
	unsigned before = atomic_load(&ht.timer[cpu]);

	s->cpu = cpu;
	sk_plat_irq_disable();
	s->deadline_ns = sk_plat_clock_ns() + s->delay_ns;
	sk_plat_timer_arm(s->deadline_ns);
	sk_plat_irq_enable();
	while (atomic_load(&ht.timer[cpu]) == before) {
		sk_plat_irq_disable();
		sk_plat_cpu_relax();
		sk_plat_irq_enable();
	}
}

static void test_timer_busy_cpu_with_irqs_toggling_gets_expiry(void **state)
{
	unsigned before = atomic_load(&ht.timer[1]);
	struct timer_shot s;

	(void)state;
	s.delay_ns = 2 * TIMER_MS;
	ht_run_on(1, timer_busy, &s);
	assert_int_equal(s.cpu, 1);
	assert_int_equal(atomic_load(&ht.timer[1]), before + 1);
	assert_true(atomic_load(&ht.timer_ns[1]) >= s.deadline_ns);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_timer_each_cpu_fires_there_not_before_deadline),
		cmocka_unit_test(test_timer_past_deadline_fires_at_enable),
		cmocka_unit_test(test_timer_rearm_later_replaces_earlier),
		cmocka_unit_test(test_timer_rearm_earlier_replaces_later),
		cmocka_unit_test(test_timer_rearm_same_deadline_fires_once),
		cmocka_unit_test(test_timer_cancel_never_fires),
		cmocka_unit_test(test_timer_cancel_drops_pending_expiry),
		cmocka_unit_test(
			test_timer_busy_cpu_with_irqs_toggling_gets_expiry),
	};

	return ht_main(NULL, "hosted_timer", tests, SK_ARRAY_LEN(tests));
}
