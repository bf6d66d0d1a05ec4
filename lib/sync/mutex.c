// SPDX-License-Identifier: MIT
/*
 * The skiff mutex (sync/mutex.h): count + MPSC waiter queue + hand-off
 * token, after Gidenstam & Papatriantafilou's responsibility hand-off.
 * "Responsible" below means holding the right to pop the queue: the owner
 * while it unlocks, or whoever took a hand-off token.  At most one thread
 * is responsible at a time; docs/sync.md argues why and the Promela model
 * in model/ checks it.  Relies on sched/wait.h for sleeping and waking.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include <plat/assert.h>
#include <plat/compiler.h>
#include <plat/cpu.h>
#include <plat/time.h>
#include <sched/preempt.h>
#include <sched/wait.h>
#include <sync/mutex.h>

#include "pool.h"
#include "waiter.h"

enum xfer {
	XFER_EMPTY, /* nobody queued yet: still responsible */
	XFER_GIVEN, /* another thread owns the mutex now, or it is free */
	XFER_SELF, /* the caller's own record came first: caller owns it */
};

void sk_mutex_init(struct sk_mutex *m)
{
	*m = (struct sk_mutex)SK_MUTEX_INIT;
}

static void mutex_own(struct sk_mutex *m)
{
	/*
	 * Release pairs with the acquire load in owner_running: a spinner
	 * that finds our thread record here may read its fields.  A plain
	 * store on x86; the uncontended lock stays one atomic RMW.
	 */
	atomic_store_explicit(&m->owner, sk_thread_current(),
			      memory_order_release);
}

/*
 * Before sleeping (docs/sync.md, "Spinning and yielding"): SPIN_FREE
 * pause rounds a locker may wait, not yet counted, for the count to drop
 * to zero; YIELDS times it may then yield and try again; SPIN_QUEUED
 * rounds a queued locker may watch its own record before it sleeps.
 * Every SPIN_CHECK rounds a spinner asks whether the owner still runs,
 * and stops when it does not.  Build-time knobs, for measurements.
 */
#ifndef SK_SYNC_SPIN_FREE
#define SK_SYNC_SPIN_FREE 32
#endif
#ifndef SK_SYNC_SPIN_QUEUED
#define SK_SYNC_SPIN_QUEUED 256
#endif
#ifndef SK_SYNC_YIELDS
#define SK_SYNC_YIELDS 1
#endif
/* The most pause rounds between two reads of the count in spin_free (the
 * gap doubles from 1 after each read that finds the mutex held), so a
 * spinner takes the owner's cache line less often and a running owner
 * keeps the mutex for longer runs.  64 x 32 rounds is about 1,700 pauses,
 * ~40 us here (docs/sync.md, session 5 figures). */
#ifndef SK_SYNC_SPIN_GAP_MAX
#define SK_SYNC_SPIN_GAP_MAX 64
#endif
enum { SPIN_CHECK = 8 };

/*
 * Whether @m's owner is on a CPU now.  NULL (free, or in transfer to a
 * waiter that has not run yet) counts as not running.  Preemption stays
 * off from the load to the call: lib/sched frees a thread record only
 * after every CPU passed a quiescent state, so the record read here stays
 * allocated (the pthread port never frees one).
 */
static bool owner_running(const struct sk_mutex *m)
{
	bool running = false;

	sk_preempt_disable();
	/* Acquire pairs with the release store in mutex_own. */
	struct sk_thread *t =
		atomic_load_explicit(&m->owner, memory_order_acquire);

	if (t)
		running = sk_thread_is_running(t);
	sk_preempt_enable();
	return running;
}

/*
 * Wait, not counted, for @m to become free while its owner runs, and take
 * it with the try_lock CAS.  Stop as soon as anyone else is counted: the
 * mutex will then go to a queued waiter, never back to zero.
 * Return: true if the caller owns @m.
 */
static bool spin_free(struct sk_mutex *m)
{
	unsigned gap = 1;

	SK_SYNC_POINT(SK_SYNC_PT_SPIN_FREE);
	for (unsigned i = 1; i <= SK_SYNC_SPIN_FREE; i++) {
		unsigned c =
			atomic_load_explicit(&m->count, memory_order_relaxed);

		/* Acquire pairs with the release fetch_sub in unlock. */
		if (c == 0 && atomic_compare_exchange_weak_explicit(
				      &m->count, &c, 1, memory_order_acquire,
				      memory_order_relaxed)) {
			SK_SYNC_EVENT(SK_SYNC_EV_SPIN_FREE);
			return true;
		}
		if (c > 1 || (i % SPIN_CHECK == 0 && !owner_running(m)))
			return false;
		for (unsigned p = 0; p < gap; p++)
			sk_plat_cpu_relax();
		if (gap < SK_SYNC_SPIN_GAP_MAX)
			gap *= 2;
	}
	return false;
}

/*
 * spin_free(), then yield and try again, SK_SYNC_YIELDS times, before
 * counting in.  The yields stop convoys: a locker that finds the
 * owner off its CPU (preempted, perhaps on this very CPU) or sleepers
 * queued in front lets them run instead of queueing behind them, so the
 * queue drains and the mutex stays with threads that run.  Queued waiters
 * keep their priority: a yielder takes @m only when the count is zero.
 * Return: true if the caller owns @m.
 */
static bool wait_free(struct sk_mutex *m)
{
	for (unsigned y = 0;; y++) {
		if (spin_free(m))
			return true;
		if (y == SK_SYNC_YIELDS)
			return false;
		SK_SYNC_EVENT(SK_SYNC_EV_YIELD);
		SK_SYNC_POINT(SK_SYNC_PT_YIELD);
		sk_thread_yield();
	}
}

/*
 * Watch the queued record @w while the owner runs: a hand-off that lands
 * meanwhile costs the unlocker no real wake.  Two owner samples in a row
 * that miss (an owner in transfer reads NULL for a moment) end the spin.
 * Return: true if @w was given the mutex.
 */
static bool spin_queued(struct sk_mutex *m, struct sk_sync_waiter *w)
{
	unsigned misses = 0;

	SK_SYNC_POINT(SK_SYNC_PT_SPIN_QUEUED);
	for (unsigned i = 1; i <= SK_SYNC_SPIN_QUEUED; i++) {
		/* Acquire pairs with the release CAS in transfer. */
		if (atomic_load_explicit(&w->state, memory_order_acquire) !=
		    SK_SYNC_W_QUEUED) {
			SK_SYNC_EVENT(SK_SYNC_EV_SPIN_QUEUED);
			return true;
		}
		if (i % SPIN_CHECK == 0) {
			misses = owner_running(m) ? 0 : misses + 1;
			if (misses == 2)
				return false;
		}
		sk_plat_cpu_relax();
	}
	return false;
}

/*
 * Push @w.  seq_cst: with the handoff load that follows in lock_queued,
 * this is one half of a store-load pair with unlock_slow (handoff store,
 * then push_head load): at least one side sees the other.  The CAS also
 * releases @w's fields to the consumer's acquire exchange in queue_pop.
 */
static void queue_push(struct sk_mutex *m, struct sk_sync_waiter *w)
{
	struct sk_sync_waiter *head =
		atomic_load_explicit(&m->push_head, memory_order_relaxed);

	do {
		atomic_store_explicit(&w->next, head, memory_order_relaxed);
	} while (!atomic_compare_exchange_weak_explicit(&m->push_head, &head, w,
							memory_order_seq_cst,
							memory_order_relaxed));
}

/* Oldest queued record, or NULL.  Responsible thread only. */
static struct sk_sync_waiter *queue_pop(struct sk_mutex *m)
{
	struct sk_sync_waiter *w = m->pop_head;

	if (!w) {
		/* Acquire pairs with the seq_cst CAS in queue_push. */
		struct sk_sync_waiter *list = atomic_exchange_explicit(
			&m->push_head, NULL, memory_order_acquire);

		while (list) {
			struct sk_sync_waiter *next = atomic_load_explicit(
				&list->next, memory_order_relaxed);

			atomic_store_explicit(&list->next, w,
					      memory_order_relaxed);
			w = list;
			list = next;
		}
		if (!w)
			return NULL;
	}
	m->pop_head = atomic_load_explicit(&w->next, memory_order_relaxed);
	return w;
}

/*
 * Give the mutex to the oldest live queued waiter.  A record whose waiter
 * timed out (CANCELLED) is reaped: returned to the pool, and its count
 * taken off as if it had locked and unlocked; if that empties the count
 * the mutex is free and nobody is responsible any more.
 * Context: the caller is responsible for @m.
 */
static enum xfer transfer(struct sk_mutex *m, struct sk_sync_waiter *self)
{
	for (;;) {
		struct sk_sync_waiter *w = queue_pop(m);

		if (!w)
			return XFER_EMPTY;
		if (w == self) {
			atomic_store_explicit(&w->state, SK_SYNC_W_OWNED,
					      memory_order_relaxed);
			return XFER_SELF;
		}
		SK_SYNC_POINT(SK_SYNC_PT_GRANT);
		struct sk_thread *t = w->thread;
		unsigned expect = SK_SYNC_W_QUEUED;

		sk_preempt_disable();
		/*
		 * Release pairs with the acquire load in sk_sync_waiter_sleep:
		 * the new owner sees the critical section.  On failure,
		 * acquire pairs with the waiter's CANCELLED CAS.
		 */
		if (atomic_compare_exchange_strong_explicit(
			    &w->state, &expect, SK_SYNC_W_OWNED,
			    memory_order_acq_rel, memory_order_acquire)) {
			sk_thread_wake(t);
			sk_preempt_enable();
			return XFER_GIVEN;
		}
		sk_preempt_enable();
		SK_ASSERT(expect == SK_SYNC_W_CANCELLED,
			  "mutex queue holds a record in a foreign state");
		sk_sync_pool_put(w);
		SK_SYNC_EVENT(SK_SYNC_EV_REAPED);
		/* acq_rel: as in sk_mutex_unlock, the reaped locker's unlock. */
		if (atomic_fetch_sub_explicit(&m->count, 1,
					      memory_order_acq_rel) == 1)
			return XFER_GIVEN;
	}
}

static unsigned next_token(struct sk_mutex *m)
{
	unsigned s;

	do {
		s = atomic_fetch_add_explicit(&m->sequence, 1,
					      memory_order_relaxed) +
		    1;
	} while (s == 0);
	return s;
}

/*
 * The count said another locker exists.  Give it the mutex; if it has not
 * queued yet (the late locker), leave a hand-off token instead of waiting
 * for it, and take the token back only if a record arrived meanwhile and
 * nobody took the token (the sequence number makes a token taken and
 * re-issued by later unlocks fail our CAS: no ABA).
 */
static SK_NOINLINE void unlock_slow(struct sk_mutex *m)
{
	SK_SYNC_EVENT(SK_SYNC_EV_SLOW_UNLOCK);
	for (;;) {
		if (transfer(m, NULL) != XFER_EMPTY)
			return;
		SK_SYNC_POINT(SK_SYNC_PT_UNLOCK_EMPTY);
		unsigned token = next_token(m);

		/* seq_cst: store-load pair with queue_push + handoff load. */
		atomic_store_explicit(&m->handoff, token, memory_order_seq_cst);
		SK_SYNC_EVENT(SK_SYNC_EV_TOKEN_LEFT);
		SK_SYNC_POINT(SK_SYNC_PT_TOKEN_LEFT);
		if (!atomic_load_explicit(&m->push_head, memory_order_seq_cst))
			return;
		SK_SYNC_POINT(SK_SYNC_PT_TOKEN_RECHECKED);
		if (!atomic_compare_exchange_strong_explicit(
			    &m->handoff, &token, 0, memory_order_seq_cst,
			    memory_order_relaxed))
			return;
		SK_SYNC_EVENT(SK_SYNC_EV_TOKEN_RECLAIMED);
	}
}

void sk_mutex_unlock(struct sk_mutex *m)
{
	atomic_store_explicit(&m->owner, NULL, memory_order_relaxed);
	/*
	 * Release pairs with the acquire of the next fast-path locker's
	 * fetch_add; acquire orders our later queue reads after lockers
	 * that counted themselves in.
	 */
	if (SK_LIKELY(atomic_fetch_sub_explicit(&m->count, 1,
						memory_order_acq_rel) == 1))
		return;
	SK_SYNC_POINT(SK_SYNC_PT_UNLOCK_SLOW);
	unlock_slow(m);
}

/* Take a hand-off token if one is out.  Return: 1 if the caller owns m. */
static int take_token(struct sk_mutex *m, struct sk_sync_waiter *self)
{
	/* seq_cst: the load half of the pair with unlock_slow. */
	unsigned h = atomic_load_explicit(&m->handoff, memory_order_seq_cst);

	while (h != 0) {
		/* Acquire pairs with the seq_cst store in unlock_slow. */
		if (atomic_compare_exchange_weak_explicit(
			    &m->handoff, &h, 0, memory_order_seq_cst,
			    memory_order_relaxed)) {
			SK_SYNC_EVENT(SK_SYNC_EV_TOKEN_TAKEN);
			return transfer(m, self) == XFER_SELF;
		}
	}
	return 0;
}

/*
 * Queue @w (count already taken) and sleep until it is given the mutex.
 * Return: 0 owning m; -ETIMEDOUT with @w left CANCELLED in the queue for
 * a consumer to reap (pooled records only).
 */
static int lock_queued(struct sk_mutex *m, struct sk_sync_waiter *w,
		       uint64_t deadline_ns)
{
	w->thread = sk_thread_current();
	atomic_store_explicit(&w->state, SK_SYNC_W_QUEUED,
			      memory_order_relaxed);
	SK_SYNC_POINT(SK_SYNC_PT_LOCK_COUNTED);
	queue_push(m, w);
	SK_SYNC_POINT(SK_SYNC_PT_LOCK_QUEUED);
	if (take_token(m, w))
		return 0;
	SK_SYNC_POINT(SK_SYNC_PT_LOCK_NO_TOKEN);
	if (spin_queued(m, w))
		return 0; /* only a consumer moves it out of QUEUED: OWNED */
	SK_SYNC_EVENT(SK_SYNC_EV_SLEPT);
	if (sk_sync_waiter_sleep(w, 1u << SK_SYNC_W_QUEUED, deadline_ns) >= 0)
		return 0;
	unsigned expect = SK_SYNC_W_QUEUED;

	/* acq_rel: pairs with the CAS in transfer, whichever wins. */
	if (atomic_compare_exchange_strong_explicit(
		    &w->state, &expect, SK_SYNC_W_CANCELLED,
		    memory_order_acq_rel, memory_order_acquire))
		return -ETIMEDOUT;
	SK_ASSERT(expect == SK_SYNC_W_OWNED, "timed-out record in bad state");
	return 0;
}

static SK_NOINLINE void lock_slow(struct sk_mutex *m)
{
	if (!wait_free(m) &&
	    /* Acquire pairs with the release fetch_sub in unlock. */
	    atomic_fetch_add_explicit(&m->count, 1, memory_order_acquire)) {
		struct sk_sync_waiter w;

		lock_queued(m, &w, UINT64_MAX);
	}
	mutex_own(m);
}

void sk_mutex_lock(struct sk_mutex *m)
{
	unsigned zero = 0;

	/* Acquire pairs with the release fetch_sub in sk_mutex_unlock. */
	if (SK_LIKELY(atomic_compare_exchange_strong_explicit(
		    &m->count, &zero, 1, memory_order_acquire,
		    memory_order_relaxed))) {
		mutex_own(m);
		return;
	}
	lock_slow(m);
}

int sk_mutex_try_lock(struct sk_mutex *m)
{
	unsigned zero = 0;

	/* Acquire pairs with the release fetch_sub in sk_mutex_unlock. */
	if (atomic_compare_exchange_strong_explicit(&m->count, &zero, 1,
						    memory_order_acquire,
						    memory_order_relaxed)) {
		mutex_own(m);
		return 0;
	}
	/* Acquire pairs with the seq_cst store in unlock_slow. */
	unsigned h = atomic_load_explicit(&m->handoff, memory_order_acquire);

	if (h != 0 && atomic_compare_exchange_strong_explicit(
			      &m->handoff, &h, 0, memory_order_acquire,
			      memory_order_relaxed)) {
		/*
		 * The token makes us owner without popping; count stays >= 1
		 * until here because the late locker it was left for is
		 * still counted (only a responsible thread reaps).
		 */
		atomic_fetch_add_explicit(&m->count, 1, memory_order_relaxed);
		SK_SYNC_EVENT(SK_SYNC_EV_TOKEN_TRY);
		mutex_own(m);
		return 0;
	}
	return -EBUSY;
}

/*
 * Every pool record is in use (many timed lockers, or many timed-out
 * records on mutexes nobody unlocks): poll with try_lock and growing naps.
 * Correct but unfair; docs/sync.md says when it can happen.
 */
static int lock_poll_until(struct sk_mutex *m, uint64_t deadline_ns)
{
	uint64_t nap_ns = 1000;

	for (;;) {
		if (sk_mutex_try_lock(m) == 0)
			return 0;
		uint64_t now = sk_plat_clock_ns();

		if (now >= deadline_ns)
			return -ETIMEDOUT;
		uint64_t until =
			deadline_ns - now > nap_ns ? now + nap_ns : deadline_ns;

		nap_ns = nap_ns < 1000000 ? nap_ns * 2 : nap_ns;
		sk_wait_prepare();
		sk_wait_until(until);
	}
}

int sk_mutex_lock_until(struct sk_mutex *m, uint64_t deadline_ns)
{
	if (sk_mutex_try_lock(m) == 0)
		return 0;
	if (sk_plat_clock_ns() >= deadline_ns)
		return -ETIMEDOUT;
	if (wait_free(m)) {
		mutex_own(m);
		return 0;
	}
	struct sk_sync_waiter *w = sk_sync_pool_get();

	if (!w)
		return lock_poll_until(m, deadline_ns);
	/* Acquire pairs with the release fetch_sub in sk_mutex_unlock. */
	if (atomic_fetch_add_explicit(&m->count, 1, memory_order_acquire) ==
	    0) {
		sk_sync_pool_put(w);
		mutex_own(m);
		return 0;
	}
	int ret = lock_queued(m, w, deadline_ns);

	if (ret == 0) {
		/* Given to us: no other thread refers to w any more. */
		sk_sync_pool_put(w);
		mutex_own(m);
	}
	return ret;
}

void sk_sync_mutex_morph(struct sk_mutex *m, struct sk_sync_waiter *w)
{
	SK_ASSERT(sk_mutex_is_owned(m), "morph onto a mutex not owned");
	/* Counted in while we own m: no hand-off can be out now. */
	atomic_fetch_add_explicit(&m->count, 1, memory_order_relaxed);
	atomic_store_explicit(&w->state, SK_SYNC_W_QUEUED,
			      memory_order_relaxed);
	queue_push(m, w);
}

void sk_sync_mutex_claim(struct sk_mutex *m)
{
	mutex_own(m);
}

bool sk_mutex_is_locked(const struct sk_mutex *m)
{
	return atomic_load_explicit(&m->count, memory_order_relaxed) != 0;
}

bool sk_mutex_is_owned(const struct sk_mutex *m)
{
	return atomic_load_explicit(&m->owner, memory_order_relaxed) ==
	       sk_thread_current();
}
