/* SPDX-License-Identifier: MIT */
/*
 * The skiff mutex: a blocking lock with no spinlock inside, after
 * Gidenstam & Papatriantafilou, "LFthreads" (2007).  An atomic count, a
 * lock-free MPSC queue of waiter records living on the waiters' stacks, and
 * a responsibility hand-off token for the late-locker race.  Ownership
 * passes straight to the oldest waiter.  Relies only on <sched/wait.h>,
 * <sched/preempt.h> and plat/; docs/sync.md has the proof sketch, the state
 * tables and the Promela model.
 */
#ifndef SYNC_MUTEX_H
#define SYNC_MUTEX_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct sk_thread;
struct sk_sync_waiter;

/*
 * All-zero bytes are an unlocked mutex.  Field states (docs/sync.md has the
 * full tables):
 *
 * count     0: free.  1: owned (or ownership in transfer), nobody else.
 *           n > 1: owned + (n - 1) lockers that announced themselves and
 *           have not yet been given the lock (queued, about to queue, or
 *           timed out and not yet reaped).
 * handoff   0: no token.  s != 0: an unlocker found count > 1 but an empty
 *           queue and left responsibility for the lock with token s; the
 *           first locker (or try_lock) to CAS s -> 0 owns the mutex.
 * sequence  source of tokens; incremented per hand-off, 0 skipped (ABA).
 * push_head LIFO stack of newly queued waiters (NULL: none).
 * pop_head  FIFO of older waiters; touched only by the thread responsible
 *           for the lock (the owner while it unlocks, or a token taker).
 * owner     the owning thread, NULL while free or in transfer; used for
 *           condvar wait morphing, the recursive variant, and by spinners
 *           asking whether the owner runs (release store, acquire load).
 */
struct sk_mutex {
	atomic_uint count;
	atomic_uint handoff;
	atomic_uint sequence;
	_Atomic(struct sk_sync_waiter *) push_head;
	struct sk_sync_waiter *pop_head; /* responsible thread only */
	_Atomic(struct sk_thread *) owner;
};

#define SK_MUTEX_INIT \
	{             \
		0     \
	}

/* sk_mutex_init - make @m an unlocked mutex (same as zeroing it). */
void sk_mutex_init(struct sk_mutex *m);

/*
 * sk_mutex_lock - acquire @m, sleeping while another thread owns it.
 * Waiters get the lock in arrival order once they are queued; an unlock
 * hands it straight to the oldest waiter (no barging).  Before queueing,
 * a locker spins a bounded while if the owner runs on another CPU and
 * yields a few times; meanwhile it takes @m only if nobody is queued.
 * Ordering: acquire (pairs with the release in sk_mutex_unlock).
 * Context: thread, preemption enabled; may block.  Not recursive: locking
 * a mutex the caller owns deadlocks (use struct sk_rmutex).
 */
void sk_mutex_lock(struct sk_mutex *m);

/*
 * sk_mutex_try_lock - acquire @m only if that needs no waiting.
 * Return: 0 if the caller now owns @m; -EBUSY otherwise.
 * Ordering: acquire on success.
 * Context: thread.
 */
int sk_mutex_try_lock(struct sk_mutex *m);

/*
 * sk_mutex_lock_until - like sk_mutex_lock(), but give up at @deadline_ns
 * (absolute, sk_plat_clock_ns() scale).
 * Return: 0 if the caller now owns @m; -ETIMEDOUT if the deadline passed
 *         first (a waiter that is handed the lock as its deadline passes
 *         keeps it and returns 0).
 * Context: thread, preemption enabled; may block.
 */
int sk_mutex_lock_until(struct sk_mutex *m, uint64_t deadline_ns);

/*
 * sk_mutex_unlock - release @m, handing it to the oldest waiter if any.
 * Ordering: release (pairs with the acquire of the next owner).
 * Context: thread; the caller must own @m.
 */
void sk_mutex_unlock(struct sk_mutex *m);

/*
 * sk_mutex_is_locked - whether @m is owned (or being handed over) now.
 * A snapshot: only meaningful to the owner or for assertions.
 * Context: any.
 */
bool sk_mutex_is_locked(const struct sk_mutex *m);

/*
 * sk_mutex_is_owned - whether the calling thread owns @m.
 * Context: thread.
 */
bool sk_mutex_is_owned(const struct sk_mutex *m);

/*
 * Recursive mutex: the owner may lock it again; it is released when every
 * lock has been matched by an unlock.  All-zero bytes are unlocked.
 * depth is written only by the owner.
 */
struct sk_rmutex {
	struct sk_mutex m;
	unsigned depth; /* owner only */
};

#define SK_RMUTEX_INIT           \
	{                        \
		SK_MUTEX_INIT, 0 \
	}

/* sk_rmutex_init - make @r an unlocked recursive mutex. */
void sk_rmutex_init(struct sk_rmutex *r);

/*
 * sk_rmutex_lock - acquire @r, or deepen the caller's ownership.
 * Context: thread, preemption enabled; may block.
 */
void sk_rmutex_lock(struct sk_rmutex *r);

/*
 * sk_rmutex_try_lock - like sk_rmutex_lock() without waiting.
 * Return: 0 on success; -EBUSY if another thread owns @r; -EOVERFLOW if
 *         the depth would pass UINT_MAX.
 * Context: thread.
 */
int sk_rmutex_try_lock(struct sk_rmutex *r);

/*
 * sk_rmutex_lock_until - sk_rmutex_lock() giving up at @deadline_ns.
 * Return: 0; -ETIMEDOUT; -EOVERFLOW as for sk_rmutex_try_lock().
 * Context: thread, preemption enabled; may block.
 */
int sk_rmutex_lock_until(struct sk_rmutex *r, uint64_t deadline_ns);

/*
 * sk_rmutex_unlock - undo one lock; releases @r at depth zero.
 * Context: thread; the caller must own @r.
 */
void sk_rmutex_unlock(struct sk_rmutex *r);

/* sk_rmutex_is_locked - whether any thread owns @r.  Context: any. */
bool sk_rmutex_is_locked(const struct sk_rmutex *r);

/* sk_rmutex_depth - the caller's lock depth on @r (0 if not owner). */
unsigned sk_rmutex_depth(const struct sk_rmutex *r);

#endif
