/* SPDX-License-Identifier: MIT */
/*
 * Time on hosted: CLOCK_MONOTONIC is the skiff clock, unchanged, so a
 * deadline is also an absolute CLOCK_MONOTONIC time.  Each vCPU owns a
 * POSIX timer that signals its own thread (SIGEV_THREAD_ID).  The armed
 * deadline is remembered per vCPU, and irq.c drops any expiry that finds
 * the clock still before it, so a stale signal from an earlier arming can
 * never run the handler early.  Under ThreadSanitizer there are no timer
 * signals: an interrupt-controller pthread posts expiries (see below).
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

/*
 * TSan builds: the interrupt controller.  One pthread per machine sleeps
 * until the earliest vCPU deadline (intc_due, under intc_lock), then posts
 * PEND_TIMER to each vCPU whose deadline has passed (sk_hosted_post, which
 * also wakes it from idle).  Arming signals the condition variable, so the
 * controller re-evaluates; cancelling only clears the deadline (a wake-up
 * that finds nothing due is harmless).  irq.c still drops an expiry that
 * finds the clock before the vCPU's own armed deadline.
 */
static uint64_t hosted_intc_scan(uint64_t now)
{
	uint64_t earliest = UINT64_MAX;
	unsigned i;

	for (i = 0; i < sk_hosted_m.ncpus; i++) {
		struct hosted_cpu *c = &sk_hosted_m.cpus[i];

		if (c->intc_due == HOSTED_NO_DEADLINE)
			continue;
		if (c->intc_due <= now) {
			c->intc_due = HOSTED_NO_DEADLINE;
			sk_hosted_post(c, HOSTED_PEND_TIMER,
				       sk_hosted_m.sig_timer);
		} else if (c->intc_due < earliest) {
			earliest = c->intc_due;
		}
	}
	return earliest;
}

static void *hosted_intc_main(void *arg)
{
	struct timespec ts;
	uint64_t next;

	(void)arg;
	pthread_mutex_lock(&sk_hosted_m.intc_lock);
	for (;;) {
		next = hosted_intc_scan(sk_plat_clock_ns());
		if (next == UINT64_MAX) {
			pthread_cond_wait(&sk_hosted_m.intc_cond,
					  &sk_hosted_m.intc_lock);
			continue;
		}
		ts.tv_sec = (time_t)(next / HOSTED_NS_PER_S);
		ts.tv_nsec = (long)(next % HOSTED_NS_PER_S);
		pthread_cond_timedwait(&sk_hosted_m.intc_cond,
				       &sk_hosted_m.intc_lock, &ts);
	}
	return NULL;
}

/* Start the controller (TSan builds only).  Return: 0 or -EIO/-ENOMEM. */
int sk_hosted_intc_start(void)
{
	pthread_condattr_t attr;
	sigset_t all, old;
	int err;

	if (!HOSTED_TSAN)
		return 0;
	if (pthread_mutex_init(&sk_hosted_m.intc_lock, NULL) ||
	    pthread_condattr_init(&attr) ||
	    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) ||
	    pthread_cond_init(&sk_hosted_m.intc_cond, &attr))
		return -EIO;
	pthread_condattr_destroy(&attr);
	/* The controller takes no signals: it is not a vCPU. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&sk_hosted_m.intc_thread, NULL, hosted_intc_main,
			     NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		return err == EAGAIN ? -ENOMEM : -EIO;
	return 0;
}

/* Hand vCPU @c's deadline @at_ns (0: none) to the controller. */
static void hosted_intc_set(struct hosted_cpu *c, uint64_t at_ns)
{
	pthread_mutex_lock(&sk_hosted_m.intc_lock);
	c->intc_due = at_ns;
	if (at_ns != HOSTED_NO_DEADLINE)
		pthread_cond_signal(&sk_hosted_m.intc_cond);
	pthread_mutex_unlock(&sk_hosted_m.intc_lock);
}

/*
 * Create vCPU @c's timer, aimed at its thread (under TSan the controller
 * stands in for it).  Context: on that thread.
 */
int sk_hosted_timer_create(struct hosted_cpu *c)
{
	struct sigevent sev;

	if (HOSTED_TSAN)
		return 0;

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

	if (HOSTED_TSAN) {
		hosted_intc_set(c, at_ns);
		return;
	}
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

	SK_ASSERT(hosted_off_read(), "sk_plat_timer_arm called with irqs on");
	SK_ASSERT(c, "sk_plat_timer_arm on a thread that is not a vCPU");
	if (deadline_ns == HOSTED_NO_DEADLINE)
		deadline_ns = 1; /* 0 is "none" here; 1 is just as past */
	if (deadline_ns <= sk_plat_clock_ns()) {
		/* Past: pend it now, so enabling irqs runs it at once. */
		c->deadline_ns = deadline_ns;
		hosted_timer_settime(c, 0);
		atomic_fetch_or_explicit(&t->pend, HOSTED_PEND_TIMER,
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

	SK_ASSERT(hosted_off_read(),
		  "sk_plat_timer_cancel called with irqs on");
	SK_ASSERT(c, "sk_plat_timer_cancel on a thread that is not a vCPU");
	c->deadline_ns = HOSTED_NO_DEADLINE;
	hosted_timer_settime(c, 0);
}
