/* SPDX-License-Identifier: MIT */
/*
 * Reader-writer lock: many readers or one writer.  Writer-preferring: once
 * a writer waits, new readers wait behind it, so writers cannot starve
 * (and a reader must not take the read lock recursively).  Built from a
 * skiff mutex and two wait queues; wakes are morphs.  All-zero bytes are
 * an unlocked rwlock.
 */
#ifndef SYNC_RWLOCK_H
#define SYNC_RWLOCK_H

#include <sync/mutex.h>
#include <sync/waitq.h>

struct sk_rwlock {
	struct sk_mutex m;
	struct sk_waitq readers; /* m */
	struct sk_waitq writers; /* m */
	unsigned nreaders; /* m: readers inside */
	unsigned writers_waiting; /* m */
	unsigned writer; /* m: 1 while a writer is inside */
};

#define SK_RWLOCK_INIT                                               \
	{                                                            \
		SK_MUTEX_INIT, SK_WAITQ_INIT, SK_WAITQ_INIT, 0, 0, 0 \
	}

/* sk_rwlock_init - make @rw an unlocked rwlock. */
void sk_rwlock_init(struct sk_rwlock *rw);

/*
 * sk_rwlock_read_lock - enter as a reader; waits while a writer is inside
 * or waiting.
 * Ordering: acquire (pairs with sk_rwlock_write_unlock).
 * Context: thread, preemption enabled; may block.
 */
void sk_rwlock_read_lock(struct sk_rwlock *rw);

/*
 * sk_rwlock_try_read_lock - enter as a reader without waiting.
 * Return: 0; -EBUSY if a writer is inside or waiting.
 * Context: thread, preemption enabled (the inner mutex may block briefly).
 */
int sk_rwlock_try_read_lock(struct sk_rwlock *rw);

/*
 * sk_rwlock_read_unlock - leave as a reader.
 * Context: thread; the caller holds a read lock.
 */
void sk_rwlock_read_unlock(struct sk_rwlock *rw);

/*
 * sk_rwlock_write_lock - enter alone.
 * Ordering: acquire (pairs with either unlock).
 * Context: thread, preemption enabled; may block.
 */
void sk_rwlock_write_lock(struct sk_rwlock *rw);

/*
 * sk_rwlock_try_write_lock - enter alone without waiting.
 * Return: 0; -EBUSY if anyone is inside.
 * Context: thread, preemption enabled (the inner mutex may block briefly).
 */
int sk_rwlock_try_write_lock(struct sk_rwlock *rw);

/*
 * sk_rwlock_write_unlock - leave as the writer; wakes the next writer if
 * one waits, else every waiting reader.
 * Context: thread; the caller holds the write lock.
 */
void sk_rwlock_write_unlock(struct sk_rwlock *rw);

#endif
