/* SPDX-License-Identifier: MIT */
/*
 * Time on hosted: CLOCK_MONOTONIC is the skiff clock, unchanged, so a
 * deadline is also an absolute CLOCK_MONOTONIC time.  Each vCPU owns a
 * POSIX timer that signals its own thread (SIGEV_THREAD_ID).  The armed
 * deadline is remembered per vCPU, and irq.c drops any expiry that finds
 * the clock still before it, so a stale signal from an earlier arming can
 * never run the handler early.
 */
#define _GNU_SOURCE
#include "hosted.h"

#include <errno.h>
#include <string.h>

#include <plat/assert.h>
#include <plat/time.h>

enum { HOSTED_NS_PER_S = 1000000000 };

static uint64_t hosted_clock_read(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * HOSTED_NS_PER_S + (uint64_t)ts.tv_nsec;
}

uint64_t sk_plat_clock_ns(void)
{
	/*
	 * Linux keeps CLOCK_MONOTONIC monotonic across CPUs (the kernel
	 * refuses an unsynchronised TSC as clocksource); test_clock checks it.
	 */
	return hosted_clock_read(CLOCK_MONOTONIC);
}

uint64_t sk_plat_wallclock_ns(void)
{
	return hosted_clock_read(CLOCK_REALTIME);
}

/* Create vCPU @c's timer, aimed at its thread.  Context: on that thread. */
int sk_hosted_timer_create(struct hosted_cpu *c)
{
	struct sigevent sev;

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = sk_hosted_m.sig_timer;
	sev._sigev_un._tid = c->tid;
	if (timer_create(CLOCK_MONOTONIC, &sev, &c->timer))
		return errno == EAGAIN ? -ENOMEM : -EIO;
	return 0;
}

static void hosted_timer_settime(struct hosted_cpu *c, uint64_t at_ns)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = (time_t)(at_ns / HOSTED_NS_PER_S);
	its.it_value.tv_nsec = (long)(at_ns % HOSTED_NS_PER_S);
	if (timer_settime(c->timer, TIMER_ABSTIME, &its, NULL))
		SK_PANIC("hosted: timer_settime failed");
}

void sk_plat_timer_arm(uint64_t deadline_ns)
{
	struct hosted_tls *t = sk_hosted_tls();
	struct hosted_cpu *c = t->cpu;

	SK_ASSERT(hosted_irq_read() & HOSTED_IRQ_OFF,
		  "sk_plat_timer_arm called with irqs on");
	SK_ASSERT(c, "sk_plat_timer_arm on a thread that is not a vCPU");
	if (deadline_ns == HOSTED_NO_DEADLINE)
		deadline_ns = 1; /* 0 is "none" here; 1 is just as past */
	if (deadline_ns <= sk_plat_clock_ns()) {
		/* Past: pend it now, so enabling irqs runs it at once. */
		c->deadline_ns = deadline_ns;
		hosted_timer_settime(c, 0);
		atomic_fetch_or_explicit(&t->irq, HOSTED_PEND_TIMER,
					 memory_order_relaxed);
		return;
	}
	/*
	 * Same future deadline, not yet delivered: the host timer is still
	 * set for it (a delivery or cancel would have cleared deadline_ns).
	 */
	if (deadline_ns == c->deadline_ns)
		return;
	c->deadline_ns = deadline_ns;
	hosted_timer_settime(c, deadline_ns);
}

void sk_plat_timer_cancel(void)
{
	struct hosted_cpu *c = sk_hosted_tls()->cpu;

	SK_ASSERT(hosted_irq_read() & HOSTED_IRQ_OFF,
		  "sk_plat_timer_cancel called with irqs on");
	SK_ASSERT(c, "sk_plat_timer_cancel on a thread that is not a vCPU");
	c->deadline_ns = HOSTED_NO_DEADLINE;
	hosted_timer_settime(c, 0);
}
