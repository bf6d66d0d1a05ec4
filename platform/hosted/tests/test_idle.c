/* SPDX-License-Identifier: MIT */
/*
 * Idle: wakes on an IPI and on the timer, returns with irqs off, sleeps in
 * the host once halt polling ends, and never misses an interrupt that
 * races with going idle (ping-pong many times: one lost IPI would hang the
 * test until its timeout).  meson runs it with and without halt polling.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <plat/irq.h>
#include <plat/time.h>

#ifndef STRESS_SCALE
#define STRESS_SCALE 1
#endif

static _Atomic unsigned idle_armed;
static _Atomic unsigned idle_irqs_on_after;
static _Atomic pid_t idle_tid; /* the host thread of the idling vCPU */

/* Idle until this CPU's IPI count moves. */
static void idle_until_ipi(void *arg)
{
	unsigned cpu = sk_plat_cpu_id(), before;

	(void)arg;
	atomic_store(&idle_tid, gettid());
	sk_plat_irq_disable();
	before = atomic_load(&ht.ipi[cpu]);
	atomic_fetch_add(&idle_armed, 1);
	while (atomic_load(&ht.ipi[cpu]) == before) {
		sk_plat_cpu_idle();
		if (sk_plat_irq_is_enabled())
			atomic_fetch_add(&idle_irqs_on_after, 1);
	}
	sk_plat_irq_enable();
}

static void test_idle_wakes_on_ipi(void **state)
{
	unsigned armed = atomic_load(&idle_armed);

	(void)state;
	ht_run_async(1, idle_until_ipi, NULL);
	ht_wait_geq(&idle_armed, armed + 1, 1);
	sk_plat_cpu_ipi(1);
	ht_join(1);
	assert_int_equal(atomic_load(&idle_irqs_on_after), 0);
}

/* The state letter of host thread @tid (R running, S sleeping, ...). */
static char host_thread_state(pid_t tid)
{
	char path[64], buf[512], *paren;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	paren = strrchr(buf, ')');
	assert_non_null(paren);
	return paren[1] == ' ' ? paren[2] : '?';
}

/*
 * Halt polling ($SK_HOSTED_IDLE_POLL_NS, 50 us by default) must end: a
 * vCPU that idles with nothing to do ends up asleep in the host kernel,
 * not spinning.  Looked at from outside, through /proc, for up to 5 s.
 */
static void test_idle_sleeps_after_polling(void **state)
{
	unsigned armed = atomic_load(&idle_armed);
	struct timespec ms = { 0, 1000000 };
	char st = '?';

	(void)state;
	ht_run_async(1, idle_until_ipi, NULL);
	ht_wait_geq(&idle_armed, armed + 1, 1);
	for (unsigned i = 0; i < 5000 && st != 'S'; i++) {
		st = host_thread_state(atomic_load(&idle_tid));
		nanosleep(&ms, NULL);
	}
	sk_plat_cpu_ipi(1);
	ht_join(1);
	assert_int_equal(st, 'S');
}

static void test_idle_wakes_on_timer(void **state)
{
	unsigned before = atomic_load(&ht.timer[0]);
	uint64_t deadline;

	(void)state;
	sk_plat_irq_disable();
	deadline = sk_plat_clock_ns() + 1000000;
	sk_plat_timer_arm(deadline);
	while (atomic_load(&ht.timer[0]) == before)
		sk_plat_cpu_idle();
	assert_false(sk_plat_irq_is_enabled());
	sk_plat_irq_enable();
	assert_true(atomic_load(&ht.timer_ns[0]) >= deadline);
}

static void test_idle_pending_returns_at_once(void **state)
{
	unsigned before = atomic_load(&ht.ipi[0]);

	(void)state;
	sk_plat_irq_disable();
	sk_plat_cpu_ipi(0);
	sk_plat_cpu_idle(); /* must not sleep: the IPI is already pending */
	assert_int_equal(atomic_load(&ht.ipi[0]), before + 1);
	assert_false(sk_plat_irq_is_enabled());
	sk_plat_irq_enable();
	assert_int_equal(atomic_load(&ht.ipi[0]), before + 1);
}

/*
 * Ping-pong: each side idles until the ball is its own, then passes it
 * and IPIs the other.  Each IPI is sent right as the receiver heads for
 * idle, over and over.
 */
static _Atomic unsigned idle_ball;
static const unsigned idle_rounds = 3000 * STRESS_SCALE;

static void idle_play(unsigned me, unsigned other, unsigned parity)
{
	unsigned i;

	for (i = 0; i < idle_rounds; i++) {
		unsigned want = 2 * i + parity;

		sk_plat_irq_disable();
		while (atomic_load(&idle_ball) != want)
			sk_plat_cpu_idle();
		sk_plat_irq_enable();
		atomic_store(&idle_ball, want + 1);
		sk_plat_cpu_ipi(other);
	}
	(void)me;
}

static void idle_pong(void *arg)
{
	(void)arg;
	idle_play(1, 0, 1);
}

static void test_idle_ipi_racing_idle_never_missed(void **state)
{
	(void)state;
	atomic_store(&idle_ball, 0);
	ht_run_async(1, idle_pong, NULL);
	idle_play(0, 1, 0);
	ht_join(1);
	assert_int_equal(atomic_load(&idle_ball), 2 * idle_rounds);
}

/*
 * Blast: CPU 0 sends IPIs without pause while CPU 1 idles for each one.
 * Arrivals land anywhere in CPU 1's idle path, including between its
 * pending check and its sleep.  One lost there would leave ipi_sent set,
 * coalescing away every later IPI, and CPU 1 would sleep forever.
 */
static _Atomic unsigned idle_blast_done;
static const unsigned idle_blast_rounds = 20000 * STRESS_SCALE;

static void idle_blast_receive(void *arg)
{
	unsigned i, seen;

	(void)arg;
	for (i = 0; i < idle_blast_rounds; i++) {
		sk_plat_irq_disable();
		seen = atomic_load(&ht.ipi[1]);
		while (atomic_load(&ht.ipi[1]) == seen)
			sk_plat_cpu_idle();
		sk_plat_irq_enable();
	}
	atomic_store(&idle_blast_done, 1);
}

static void test_idle_ipi_blast_never_lost(void **state)
{
	unsigned before = atomic_load(&ht.ipi[1]);

	(void)state;
	atomic_store(&idle_blast_done, 0);
	ht_run_async(1, idle_blast_receive, NULL);
	while (!atomic_load(&idle_blast_done))
		sk_plat_cpu_ipi(1);
	ht_join(1);
	assert_true(atomic_load(&ht.ipi[1]) - before >= idle_blast_rounds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_idle_wakes_on_ipi),
		cmocka_unit_test(test_idle_sleeps_after_polling),
		cmocka_unit_test(test_idle_wakes_on_timer),
		cmocka_unit_test(test_idle_pending_returns_at_once),
		cmocka_unit_test(test_idle_ipi_racing_idle_never_missed),
		cmocka_unit_test(test_idle_ipi_blast_never_lost),
	};

	return ht_main(NULL, "hosted_idle", tests, SK_ARRAY_LEN(tests));
}
