/* SPDX-License-Identifier: MIT */
/*
 * Condition variable with wait morphing: a signaller that owns the waiter's
 * mutex moves the waiter onto that mutex's queue instead of waking it, so
 * the waiter wakes once, already owning the mutex.  A signaller that does
 * not own it wakes the waiter, which then locks the mutex itself.
 * All-zero bytes are a condvar with no waiters.
 */
#ifndef SYNC_COND_H
#define SYNC_COND_H

#include <stdint.h>

#include <sync/mutex.h>

struct sk_sync_cwaiter;

/*
 * lock guards head and tail: a FIFO of records on the waiters' stacks.
 * It is held only for list surgery, never while anyone sleeps on @c.
 */
struct sk_cond {
	struct sk_mutex lock;
	struct sk_sync_cwaiter *head; /* lock */
	struct sk_sync_cwaiter *tail; /* lock */
};

#define SK_COND_INIT                \
	{                           \
		SK_MUTEX_INIT, 0, 0 \
	}

/* sk_cond_init - make @c a condvar with no waiters. */
void sk_cond_init(struct sk_cond *c);

/*
 * sk_cond_wait - release @m, sleep until signalled, own @m again.
 * Spurious returns are possible; re-test the condition in a loop.
 * Ordering: as unlocking then locking @m.
 * Context: thread, preemption enabled, caller owns @m; may block.
 */
void sk_cond_wait(struct sk_cond *c, struct sk_mutex *m);

/*
 * sk_cond_wait_until - sk_cond_wait() that stops waiting at @deadline_ns
 * (absolute, sk_plat_clock_ns() scale).  Owns @m again on every return.
 * A signal and a timeout that race are resolved under the condvar's lock:
 * either the waiter left the list (timed out, and no signal was spent on
 * it) or the signal took it (returns 0).
 * Return: 0 when signalled; -ETIMEDOUT.
 * Context: thread, preemption enabled, caller owns @m; may block.
 */
int sk_cond_wait_until(struct sk_cond *c, struct sk_mutex *m,
		       uint64_t deadline_ns);

/*
 * sk_cond_signal - wake the oldest waiter, if any.
 * Context: thread.  Holding the waiters' mutex is allowed and makes the
 * wake a morph (no extra switch).
 */
void sk_cond_signal(struct sk_cond *c);

/*
 * sk_cond_broadcast - wake every current waiter.
 * Context: thread; as sk_cond_signal().
 */
void sk_cond_broadcast(struct sk_cond *c);

#endif
