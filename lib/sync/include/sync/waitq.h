/* SPDX-License-Identifier: MIT */
/*
 * A wait queue used under the caller's own mutex: the list is guarded by
 * that mutex, so it needs no lock of its own, and every wake is a morph
 * (the woken thread is queued on the mutex and wakes owning it).  The
 * building block for rwlock and for subsystems that keep their own lock.
 * Who may run concurrently: every call on @q runs under the caller's
 * mutex except the one step of a timed-out waiter that races with the
 * wakers (a CAS on its own record, see sk_waitq_wait_until()).
 * All-zero bytes are an empty queue.
 */
#ifndef SYNC_WAITQ_H
#define SYNC_WAITQ_H

#include <stdbool.h>
#include <stdint.h>

#include <sync/mutex.h>

struct sk_sync_cwaiter;

struct sk_waitq {
	struct sk_sync_cwaiter *head; /* the caller's mutex */
	struct sk_sync_cwaiter *tail; /* the caller's mutex */
};

#define SK_WAITQ_INIT \
	{             \
		0, 0  \
	}

/* sk_waitq_init - make @q an empty wait queue. */
void sk_waitq_init(struct sk_waitq *q);

/*
 * sk_waitq_wait - release @m, sleep until woken by sk_waitq_wake_*, and
 * return owning @m again.  No spurious returns: a return means a wake
 * picked this waiter.  Every user of @q must use the same @m.
 * Ordering: as unlocking then locking @m.
 * Context: thread, preemption enabled, caller owns @m; may block.
 */
void sk_waitq_wait(struct sk_waitq *q, struct sk_mutex *m);

/*
 * sk_waitq_wait_until - sk_waitq_wait() that stops waiting at @deadline_ns
 * (absolute, sk_plat_clock_ns() scale; UINT64_MAX: never).  Owns @m again
 * on every return.  A deadline already passed returns at once, without
 * releasing @m.  Timeout and wake are settled exactly: a wake that
 * reported this waiter (sk_waitq_wake_one() true, or counted by
 * sk_waitq_wake_all()) makes it return 0 even if its deadline passed
 * meanwhile, and a waiter that returns -ETIMEDOUT was off @q before it
 * returned and no wake was spent on it.
 * Return: 0 when woken; -ETIMEDOUT.
 * Ordering: as unlocking then locking @m.
 * Context: thread, preemption enabled, caller owns @m; may block (after
 *          a timeout, also to relock @m).
 */
int sk_waitq_wait_until(struct sk_waitq *q, struct sk_mutex *m,
			uint64_t deadline_ns);

/*
 * sk_waitq_wake_one - move the oldest waiter that has not timed out onto
 * its mutex's queue; it wakes owning the mutex after the caller unlocks.
 * Records of waiters that timed out but have not relocked yet are
 * dropped on the way.
 * Return: true if a waiter was moved (it will return 0).
 * Context: thread; the caller owns the mutex the waiters passed.
 */
bool sk_waitq_wake_one(struct sk_waitq *q);

/*
 * sk_waitq_wake_all - move every waiter onto the mutex's queue.
 * Return: the number of waiters moved (each returns 0, once); timed-out
 *         waiters are not counted.
 * Context: thread; the caller owns the mutex the waiters passed.
 */
unsigned sk_waitq_wake_all(struct sk_waitq *q);

/*
 * sk_waitq_is_empty - whether nobody waits (waiters that timed out do not
 * count; a snapshot, they may time out at any time).
 * Context: thread; the caller owns the mutex the waiters passed.
 */
bool sk_waitq_is_empty(const struct sk_waitq *q);

#endif
