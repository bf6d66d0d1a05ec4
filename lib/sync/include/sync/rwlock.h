/* SPDX-License-Identifier: MIT */
/*
 * Reader-writer lock: many readers or one writer.  Writer-preferring: once
 * a writer waits, new readers wait behind it, so writers cannot starve
 * (and a reader must not take the read lock recursively).  Built from a
 * skiff mutex and two wait queues; wakes are morphs.  All-zero bytes are
 * an unlocked rwlock.
 * Who may run concurrently: any calls, on any threads; each holds the
 * inner mutex m for a few field updates only (never while it sleeps), and
 * the state it leaves there is one of: free; nreaders > 0 readers inside;
 * writer = 1 alone inside.  writers_waiting counts writers between their
 * first test and their entry or give-up (timed-out ones included until
 * they relock m); while it is non-zero no new reader enters.
 */
#ifndef SYNC_RWLOCK_H
#define SYNC_RWLOCK_H

#include <stdint.h>

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
 * sk_rwlock_read_lock_until - sk_rwlock_read_lock() that gives up at
 * @deadline_ns (absolute, sk_plat_clock_ns() scale; UINT64_MAX: never).
 * A reader that gives up leaves nothing behind: readers are woken all
 * at once, so no wake is owed to anyone else.
 * Return: 0 (the caller holds a read lock); -ETIMEDOUT if a writer was
 *         still inside or waiting when the deadline passed.
 * Ordering: acquire (pairs with sk_rwlock_write_unlock).
 * Context: thread, preemption enabled; may block (the inner mutex's
 *          short critical sections may delay the return past the
 *          deadline).
 */
int sk_rwlock_read_lock_until(struct sk_rwlock *rw, uint64_t deadline_ns);

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
 * sk_rwlock_write_lock_until - sk_rwlock_write_lock() that gives up at
 * @deadline_ns (absolute, sk_plat_clock_ns() scale; UINT64_MAX: never).
 * While it waits it holds new readers back, like any waiting writer.  If
 * it gives up as the last waiting writer with no writer inside, it lets
 * the readers it held back in.  A wake (hand-off) it was given is never
 * lost: the wait queue returns 0 for it, and the writer then takes the
 * lock if it is free, deadline or not.
 * Return: 0 (the caller holds the write lock); -ETIMEDOUT if anyone was
 *         still inside when the deadline passed.
 * Ordering: acquire (pairs with either unlock).
 * Context: thread, preemption enabled; may block (as the read side).
 */
int sk_rwlock_write_lock_until(struct sk_rwlock *rw, uint64_t deadline_ns);

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
