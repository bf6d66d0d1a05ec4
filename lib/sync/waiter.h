/* SPDX-License-Identifier: MIT */
/*
 * Private to lib/sync: the waiter record every blocking primitive queues,
 * the mutex-queue entry points the condvar and wait queue use for wait
 * morphing, and the test-only yield hook.
 */
#ifndef SYNC_WAITER_H
#define SYNC_WAITER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <sync/mutex.h>

/*
 * Waiter state (struct sk_sync_waiter.state):
 *
 * state        set by                         next
 * QUEUED       the waiter, or a morphing      OWNED (consumer CAS),
 *              signaller under the mutex      CANCELLED (timed-out waiter
 *                                             CAS, pooled records only)
 * OWNED        the mutex consumer (CAS)       - (the waiter owns the mutex)
 * CANCELLED    the timed-out waiter (CAS)     - (a consumer reaps it)
 * COND         the waiter, before queueing    QUEUED (morph), SIGNALLED,
 *              on a condvar / wait queue      TIMEDOUT.  Condvar: all under
 *                                             its lock.  Wait queue: CAS
 *                                             (waker under the caller's
 *                                             mutex, timed-out waiter
 *                                             without it); one wins
 * SIGNALLED    a signaller (no morph)         - (waiter relocks itself)
 * TIMEDOUT     the timed-out waiter (condvar: -
 *              under its lock; wait queue:
 *              CAS from COND)
 */
enum sk_sync_wstate {
	SK_SYNC_W_QUEUED = 0,
	SK_SYNC_W_OWNED = 1,
	SK_SYNC_W_CANCELLED = 2,
	SK_SYNC_W_COND = 3,
	SK_SYNC_W_SIGNALLED = 4,
	SK_SYNC_W_TIMEDOUT = 5,
};

struct sk_sync_waiter {
	_Atomic(struct sk_sync_waiter *) next; /* mutex queue link */
	struct sk_thread *thread; /* written before queueing */
	atomic_uint state; /* enum sk_sync_wstate */
	atomic_uint pool_next; /* pool free list (index + 1), pooled only */
};

/*
 * A waiter on a condvar or wait queue: a mutex waiter (for morphing) plus
 * the links of the list it sleeps on, guarded by that list's lock.
 */
struct sk_sync_cwaiter {
	struct sk_sync_waiter w;
	struct sk_sync_cwaiter *prev, *next;
	struct sk_mutex *m; /* wait queue: NULL once a waker reaped it */
};

/* Append @cw to the FIFO (@head, @tail).  Caller holds the list's lock. */
static inline void sk_sync_list_append(struct sk_sync_cwaiter **head,
				       struct sk_sync_cwaiter **tail,
				       struct sk_sync_cwaiter *cw)
{
	cw->next = NULL;
	cw->prev = *tail;
	if (*tail)
		(*tail)->next = cw;
	else
		*head = cw;
	*tail = cw;
}

/* Unlink @cw from the FIFO (@head, @tail).  Caller holds the list's lock. */
static inline void sk_sync_list_unlink(struct sk_sync_cwaiter **head,
				       struct sk_sync_cwaiter **tail,
				       struct sk_sync_cwaiter *cw)
{
	if (cw->prev)
		cw->prev->next = cw->next;
	else
		*head = cw->next;
	if (cw->next)
		cw->next->prev = cw->prev;
	else
		*tail = cw->prev;
}

/*
 * sk_sync_mutex_morph - queue @w on @m on behalf of its thread, which will
 * wake owning @m.  @w->thread must be set.
 * Context: thread; the caller owns @m.
 */
void sk_sync_mutex_morph(struct sk_mutex *m, struct sk_sync_waiter *w);

/*
 * sk_sync_mutex_claim - record the caller as owner of @m after its record
 * was given @m (state OWNED) by wait morphing.
 * Context: thread; the caller owns @m.
 */
void sk_sync_mutex_claim(struct sk_mutex *m);

/*
 * sk_sync_waiter_sleep - sleep until @w->state leaves every state in the
 * @mask bitmap (1u << state), or @deadline_ns passes (UINT64_MAX: never).
 * Return: the state seen (acquire, pairs with the store/CAS that set it);
 *         -ETIMEDOUT (as a negative int) if the deadline passed first.
 * Context: thread, preemption enabled.
 */
int sk_sync_waiter_sleep(struct sk_sync_waiter *w, unsigned mask,
			 uint64_t deadline_ns);

/*
 * sk_sync_waiter_set - store @state into @w (release) and wake its thread.
 * @w may vanish as soon as the store lands, so its thread is read first
 * and preemption stays disabled until the wake returns (sched/wait.h).
 * Context: thread.
 */
void sk_sync_waiter_set(struct sk_sync_waiter *w, enum sk_sync_wstate state);

/*
 * Yield injection and event counts for the stress tests (SK_SYNC_TEST_HOOKS
 * builds only), so a test can show that the rare paths really ran.
 */
enum sk_sync_test_event {
	SK_SYNC_EV_SLOW_UNLOCK, /* unlock found another locker */
	SK_SYNC_EV_TOKEN_LEFT, /* unlock left a hand-off token */
	SK_SYNC_EV_TOKEN_RECLAIMED, /* ... and took it back */
	SK_SYNC_EV_TOKEN_TAKEN, /* a queued locker took a token */
	SK_SYNC_EV_TOKEN_TRY, /* try_lock took a token */
	SK_SYNC_EV_REAPED, /* a consumer reaped a timed-out record */
	SK_SYNC_EV_SPIN_FREE, /* a locker spun, not counted, and took it */
	SK_SYNC_EV_SPIN_QUEUED, /* a queued locker was given it spinning */
	SK_SYNC_EV_SLEPT, /* a queued locker went to sleep */
	SK_SYNC_EV_YIELD, /* a locker yielded to a preempted owner */
	SK_SYNC_EV_COUNT,
};

/* Where the test hook is called: the race windows of the protocols. */
enum sk_sync_test_point {
	SK_SYNC_PT_LOCK_COUNTED, /* locker took count, not queued yet */
	SK_SYNC_PT_LOCK_QUEUED, /* locker queued, token not checked */
	SK_SYNC_PT_LOCK_NO_TOKEN, /* no token: about to sleep */
	SK_SYNC_PT_UNLOCK_SLOW, /* unlock found another locker */
	SK_SYNC_PT_UNLOCK_EMPTY, /* ... but nobody queued yet */
	SK_SYNC_PT_TOKEN_LEFT, /* token stored, queue not re-checked */
	SK_SYNC_PT_TOKEN_RECHECKED, /* queue non-empty, before taking back */
	SK_SYNC_PT_GRANT, /* a consumer is about to give a record the lock */
	SK_SYNC_PT_COND_QUEUED, /* condvar waiter listed, mutex still held */
	SK_SYNC_PT_COND_TIMED_OUT, /* condvar waiter timed out, not cancelled */
	SK_SYNC_PT_SPIN_FREE, /* locker about to spin, not counted */
	SK_SYNC_PT_SPIN_QUEUED, /* queued locker about to spin on its record */
	SK_SYNC_PT_YIELD, /* locker, not counted, about to yield */
	SK_SYNC_PT_WAITQ_TIMED_OUT, /* waitq waiter timed out, before its CAS */
	SK_SYNC_PT_WAITQ_CANCELLED, /* ... its CAS won, mutex not relocked */
	SK_SYNC_PT_WAITQ_WOKEN_LATE, /* ... its CAS lost to a wake */
	SK_SYNC_PT_WAITQ_REAPED, /* a waker unlinked a timed-out record */
};

#ifdef SK_SYNC_TEST_HOOKS
extern void (*sk_sync_test_yield)(enum sk_sync_test_point pt);
extern unsigned sk_sync_test_pool_limit;
extern atomic_ulong sk_sync_test_events[SK_SYNC_EV_COUNT];
#define SK_SYNC_EVENT(ev)                                      \
	atomic_fetch_add_explicit(&sk_sync_test_events[ev], 1, \
				  memory_order_relaxed)
#define SK_SYNC_POINT(pt)                       \
	do {                                    \
		if (sk_sync_test_yield)         \
			sk_sync_test_yield(pt); \
	} while (0)
#else
#define SK_SYNC_EVENT(ev) \
	do {              \
	} while (0)
#define SK_SYNC_POINT(pt) \
	do {              \
	} while (0)
#endif

#endif
