// SPDX-License-Identifier: MIT
/*
 * Wait queue under the caller's mutex (sync/waitq.h).  A waiter appends
 * its record while it owns the mutex and only then unlocks, so a waker
 * (which must own the mutex) can never miss it; waking is always a morph.
 * A timed wait settles the race between its timeout and a wake with one
 * CAS on the record's state word (docs/sync.md, "Timeout against wake").
 */
#include <errno.h>
#include <stdint.h>

#include <plat/assert.h>
#include <plat/time.h>
#include <sched/wait.h>
#include <sync/waitq.h>

#include "waiter.h"

void sk_waitq_init(struct sk_waitq *q)
{
	*q = (struct sk_waitq)SK_WAITQ_INIT;
}

/*
 * CAS @cw's state from COND to @to.  The waker (to QUEUED, owning the
 * mutex) and the timed-out waiter (to TIMEDOUT, not owning it) both try;
 * exactly one wins.  Relaxed: the CAS only picks the winner.  What the
 * winner hands over is ordered elsewhere: a wake by the mutex hand-off
 * (the consumer's release of OWNED, the waiter's acquire), a timeout by
 * the mutex the waiter relocks before it touches the list or its record.
 */
static bool waitq_settle(struct sk_sync_cwaiter *cw, enum sk_sync_wstate to)
{
	unsigned expect = SK_SYNC_W_COND;

	return atomic_compare_exchange_strong_explicit(
		&cw->w.state, &expect, (unsigned)to, memory_order_relaxed,
		memory_order_relaxed);
}

/* Timed out and won the CAS: relock, leave the list unless reaped. */
static int waitq_cancel(struct sk_waitq *q, struct sk_mutex *m,
			struct sk_sync_cwaiter *cw)
{
	SK_SYNC_POINT(SK_SYNC_PT_WAITQ_CANCELLED);
	sk_mutex_lock(m);
	/* cw->m is NULL once a waker unlinked the record (under m). */
	if (cw->m)
		sk_sync_list_unlink(&q->head, &q->tail, cw);
	return -ETIMEDOUT;
}

int sk_waitq_wait_until(struct sk_waitq *q, struct sk_mutex *m,
			uint64_t deadline_ns)
{
	struct sk_sync_cwaiter cw = { .m = m };

	SK_ASSERT(sk_mutex_is_owned(m), "waitq wait without owning mutex");
	if (deadline_ns != UINT64_MAX && sk_plat_clock_ns() >= deadline_ns)
		return -ETIMEDOUT;
	cw.w.thread = sk_thread_current();
	atomic_store_explicit(&cw.w.state, SK_SYNC_W_COND,
			      memory_order_relaxed);
	sk_sync_list_append(&q->head, &q->tail, &cw);
	sk_mutex_unlock(m);

	/* COND: on the list; QUEUED: morphed, waiting for m. */
	unsigned waiting = 1u << SK_SYNC_W_COND | 1u << SK_SYNC_W_QUEUED;
	int s = sk_sync_waiter_sleep(&cw.w, waiting, deadline_ns);

	if (s == -ETIMEDOUT) {
		SK_SYNC_POINT(SK_SYNC_PT_WAITQ_TIMED_OUT);
		if (waitq_settle(&cw, SK_SYNC_W_TIMEDOUT))
			return waitq_cancel(q, m, &cw);
		/* A wake took us first: it counts, wait for m. */
		SK_SYNC_POINT(SK_SYNC_PT_WAITQ_WOKEN_LATE);
		s = sk_sync_waiter_sleep(&cw.w, waiting, UINT64_MAX);
	}
	SK_ASSERT(s == SK_SYNC_W_OWNED, "waitq waiter woke without mutex");
	sk_sync_mutex_claim(m);
	return 0;
}

void sk_waitq_wait(struct sk_waitq *q, struct sk_mutex *m)
{
	sk_waitq_wait_until(q, m, UINT64_MAX);
}

/*
 * Unlink the oldest record and morph its waiter onto its mutex, unless
 * the waiter timed out first: then it is only reaped (cw->m = NULL tells
 * the waiter, which reads it after relocking the mutex we hold).
 * Return: true if a waiter was woken.
 */
static bool waitq_pop(struct sk_waitq *q)
{
	struct sk_sync_cwaiter *cw = q->head;
	struct sk_mutex *m = cw->m;

	SK_ASSERT(sk_mutex_is_owned(m), "waitq wake without its mutex");
	sk_sync_list_unlink(&q->head, &q->tail, cw);
	if (waitq_settle(cw, SK_SYNC_W_QUEUED)) {
		sk_sync_mutex_morph(m, &cw->w);
		return true;
	}
	cw->m = NULL;
	SK_SYNC_POINT(SK_SYNC_PT_WAITQ_REAPED);
	return false;
}

bool sk_waitq_wake_one(struct sk_waitq *q)
{
	while (q->head)
		if (waitq_pop(q))
			return true;
	return false;
}

unsigned sk_waitq_wake_all(struct sk_waitq *q)
{
	unsigned n = 0;

	while (q->head)
		n += waitq_pop(q);
	return n;
}

bool sk_waitq_is_empty(const struct sk_waitq *q)
{
	for (const struct sk_sync_cwaiter *cw = q->head; cw; cw = cw->next)
		if (atomic_load_explicit(&cw->w.state, memory_order_relaxed) ==
		    SK_SYNC_W_COND)
			return false;
	return true;
}
