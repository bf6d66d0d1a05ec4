/* SPDX-License-Identifier: MIT */
/*
 * A wait queue used under the caller's own mutex: the list is guarded by
 * that mutex, so it needs no lock of its own, and every wake is a morph
 * (the woken thread is queued on the mutex and wakes owning it).  The
 * building block for rwlock and for subsystems that keep their own lock.
 * All-zero bytes are an empty queue.
 */
#ifndef SYNC_WAITQ_H
#define SYNC_WAITQ_H

#include <stdbool.h>

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
 * Context: thread, preemption enabled, caller owns @m; may block.
 */
void sk_waitq_wait(struct sk_waitq *q, struct sk_mutex *m);

/*
 * sk_waitq_wake_one - move the oldest waiter onto its mutex's queue.
 * Return: true if there was a waiter.
 * Context: thread; the caller owns the mutex the waiters passed.
 */
bool sk_waitq_wake_one(struct sk_waitq *q);

/*
 * sk_waitq_wake_all - move every waiter onto the mutex's queue.
 * Return: the number of waiters moved.
 * Context: thread; the caller owns the mutex the waiters passed.
 */
unsigned sk_waitq_wake_all(struct sk_waitq *q);

/* sk_waitq_is_empty - whether nobody waits.  Context: caller owns it. */
bool sk_waitq_is_empty(const struct sk_waitq *q);

#endif
