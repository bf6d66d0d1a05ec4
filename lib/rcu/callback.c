// SPDX-License-Identifier: MIT
/*
 * sk_call_rcu, sk_rcu_barrier and the callback thread, shared by both
 * backends.  Each shard (a CPU on native) has a lock-free LIFO of new
 * callbacks: callers push with one CAS on a CPU-local cache line; the
 * callback thread takes each whole list with one exchange, waits for one
 * grace period (sk_synchronize_rcu) and runs the batch oldest first.
 * Relies on sched/wait.h, sched/preempt.h and sync/mutex.h only.
 *
 * shard.head      NULL: empty.  Pushers CAS head -> h (seq_cst); the
 *                 thread exchanges it to NULL (seq_cst) at a round start.
 * shard.queued    pushes ever (fetch_add); shard.invoked: callbacks run
 *                 (the thread only).  Their difference drives back-pressure.
 * W.sleeping      1: the thread is about to sleep or asleep (it stores 1,
 *                 seq_cst, then re-reads every head and W.nwaiters); a
 *                 pusher or waiter that reads 1 after its own seq_cst
 *                 write exchanges it to 0 and wakes the thread.
 * W.lazy          1: the thread holds a round back for up to BATCH_NS so
 *                 more callbacks join it (stores 1, seq_cst, then re-reads
 *                 W.nwaiters); only a waiter (barrier, back-pressure) that
 *                 reads 1 after its seq_cst registration exchanges it to 0
 *                 and wakes the thread: pushers never do.
 *
 * Rounds: the thread wakes on the first callback and, unless somebody
 * waits, lets callbacks gather for BATCH_NS: grace periods are eager (they
 * interrupt busy CPUs within microseconds), so a round per callback would
 * cost every busy CPU an interrupt per callback.  Then it marks a round
 * active (W.lock), harvests, waits a grace period if it took anything,
 * runs it, then (W.lock) ends the round with epoch++ and wakes waiters
 * whose target epoch is reached.  A waiter
 * registered while no round is active needs the next round (it harvests
 * after the waiter's unlock); during a round, the one after.
 */
#include <errno.h>

#include <plat/assert.h>
#include <plat/compiler.h>
#include <plat/time.h>
#include <sched/preempt.h>
#include <sched/wait.h>
#include <sync/mutex.h>

#include "internal.h"

enum { CHUNK = 32 }; /* callbacks run per preempt-disabled stretch */

/* How long callbacks gather before a round nobody waits for. */
static const uint64_t BATCH_NS = 100000;

struct shard {
	_Atomic(struct sk_rcu_head *) head;
	atomic_uint_least64_t queued;
	atomic_uint_least64_t invoked;
} SK_CACHE_ALIGNED;

struct cb_waiter {
	uint64_t target; /* W.lock */
	struct sk_thread *thread;
	struct cb_waiter *next; /* W.lock */
	atomic_uint done;
};

static struct shard shards[SK_RCU_SHARDS_MAX];

static struct {
	struct sk_mutex lock;
	uint64_t epoch; /* lock: rounds ended */
	bool active; /* lock: a round is between harvest and its end */
	struct cb_waiter *waiters; /* lock */
	atomic_uint nwaiters; /* lock to change; read by the thread */
	atomic_uint sleeping;
	atomic_uint lazy;
	atomic_uint started;
	_Atomic(struct sk_thread *) thread;
	atomic_uint_least64_t batches, throttled;
} W;

/* Thread-only: the batch of the current round, per shard, oldest first. */
static struct sk_rcu_head *batch[SK_RCU_SHARDS_MAX];
static uint64_t batch_len[SK_RCU_SHARDS_MAX];

/*
 * Wake the callback thread if @flag (W.sleeping or W.lazy) says it waits
 * for this: the load and exchange are seq_cst, after the caller's seq_cst
 * push or registration, pairing with the thread's seq_cst store of 1 and
 * its re-reads (cb_thread, thread_gather).
 */
static void thread_wake_if(atomic_uint *flag)
{
	struct sk_thread *t;

	if (!atomic_load_explicit(flag, memory_order_seq_cst))
		return;
	if (!atomic_exchange_explicit(flag, 0, memory_order_seq_cst))
		return;
	/* acquire: pairs with the release in cb_thread */
	t = atomic_load_explicit(&W.thread, memory_order_acquire);
	if (t) {
		sk_preempt_disable();
		sk_thread_wake(t);
		sk_preempt_enable();
	}
}

/* After a push: wake the thread if it sleeps. */
static void thread_kick(void)
{
	thread_wake_if(&W.sleeping);
}

/* After a waiter's registration: end the thread's batching wait. */
static void thread_hurry(void)
{
	thread_wake_if(&W.lazy);
}

static bool work_pending(void)
{
	unsigned n = sk_rcu_be_shards();

	if (atomic_load_explicit(&W.nwaiters, memory_order_seq_cst))
		return true;
	for (unsigned i = 0; i < n; i++)
		if (atomic_load_explicit(&shards[i].head, memory_order_seq_cst))
			return true;
	return false;
}

static void thread_idle(void)
{
	for (;;) {
		sk_wait_prepare();
		atomic_store_explicit(&W.sleeping, 1, memory_order_seq_cst);
		if (work_pending()) {
			sk_wait_finish();
			break;
		}
		sk_wait();
	}
	atomic_store_explicit(&W.sleeping, 0, memory_order_relaxed);
}

/* Let callbacks gather for BATCH_NS, unless somebody waits for a round. */
static void thread_gather(void)
{
	uint64_t deadline = sk_plat_clock_ns() + BATCH_NS;

	sk_wait_prepare();
	atomic_store_explicit(&W.lazy, 1, memory_order_seq_cst);
	/* seq_cst: pairs with the waiter's registration (thread_hurry) */
	if (atomic_load_explicit(&W.nwaiters, memory_order_seq_cst))
		sk_wait_finish();
	else
		(void)sk_wait_until(deadline); /* early on a wake: fine */
	atomic_store_explicit(&W.lazy, 0, memory_order_relaxed);
}

/* Take every shard's list, reversed to oldest first. */
static uint64_t harvest(unsigned n)
{
	uint64_t total = 0;

	for (unsigned i = 0; i < n; i++) {
		/* seq_cst: acquire pairs with the pushers' CAS */
		struct sk_rcu_head *h = atomic_exchange_explicit(
			&shards[i].head, NULL, memory_order_seq_cst);
		struct sk_rcu_head *rev = NULL;
		uint64_t len = 0;

		while (h) {
			struct sk_rcu_head *next = h->next;

			h->next = rev;
			rev = h;
			h = next;
			len++;
		}
		batch[i] = rev;
		batch_len[i] = len;
		total += len;
	}
	return total;
}

static void invoke(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct sk_rcu_head *h = batch[i];
		uint64_t done;

		while (h) {
			sk_preempt_disable();
			for (unsigned k = 0; h && k < CHUNK; k++) {
				struct sk_rcu_head *next = h->next;

				h->fn(h);
				h = next;
			}
			sk_preempt_enable();
		}
		batch[i] = NULL;
		done = atomic_load_explicit(&shards[i].invoked,
					    memory_order_relaxed);
		atomic_store_explicit(&shards[i].invoked, done + batch_len[i],
				      memory_order_relaxed);
	}
}

static void round_end(void)
{
	struct cb_waiter **pp, *w;
	struct sk_thread *t;

	sk_mutex_lock(&W.lock);
	W.active = false;
	W.epoch++;
	pp = &W.waiters;
	while ((w = *pp)) {
		if (w->target > W.epoch) {
			pp = &w->next;
			continue;
		}
		*pp = w->next;
		atomic_fetch_sub_explicit(&W.nwaiters, 1, memory_order_relaxed);
		t = w->thread; /* @w lives on the waiter's stack: not after done */
		/* preempt off from before done until the wake returns, so
		 * the waiter's thread cannot be freed in between */
		sk_preempt_disable();
		/* release: pairs with the waiter's acquire of done */
		atomic_store_explicit(&w->done, 1, memory_order_release);
		sk_thread_wake(t);
		sk_preempt_enable();
	}
	sk_mutex_unlock(&W.lock);
}

static void cb_thread(void *arg)
{
	unsigned n = sk_rcu_be_shards();

	(void)arg;
	/* release: pairs with the acquire in thread_kick */
	atomic_store_explicit(&W.thread, sk_thread_current(),
			      memory_order_release);
	for (;;) {
		thread_idle();
		thread_gather();
		sk_mutex_lock(&W.lock);
		W.active = true;
		sk_mutex_unlock(&W.lock);
		if (harvest(n)) {
			sk_synchronize_rcu();
			invoke(n);
			atomic_fetch_add_explicit(&W.batches, 1,
						  memory_order_relaxed);
		}
		round_end();
	}
}

int sk_rcu_cb_start(void)
{
	unsigned expect = 0;
	int err;

	if (!atomic_compare_exchange_strong_explicit(&W.started, &expect, 1,
						     memory_order_acq_rel,
						     memory_order_acquire))
		return 0;
	err = sk_rcu_be_thread_start(cb_thread, NULL);
	if (err)
		atomic_store_explicit(&W.started, 0, memory_order_release);
	return err;
}

/* Wait until every callback queued before the call has run. */
static void wait_rounds(void)
{
	struct cb_waiter w = { .thread = sk_thread_current() };

	atomic_init(&w.done, 0);
	sk_mutex_lock(&W.lock);
	w.target = W.epoch + (W.active ? 2 : 1);
	w.next = W.waiters;
	W.waiters = &w;
	/* seq_cst: pairs with the thread's store of sleeping (thread_kick) */
	atomic_fetch_add_explicit(&W.nwaiters, 1, memory_order_seq_cst);
	sk_mutex_unlock(&W.lock);
	thread_kick();
	thread_hurry();
	sk_wait_prepare();
	/* acquire: pairs with the release in round_end */
	while (!atomic_load_explicit(&w.done, memory_order_acquire)) {
		sk_wait();
		sk_wait_prepare();
	}
	sk_wait_finish();
}

void sk_call_rcu(struct sk_rcu_head *head, sk_rcu_cb_fn fn)
{
	struct shard *s;
	struct sk_rcu_head *old;
	uint64_t queued, invoked;

	SK_ASSERT(head && fn, "rcu: sk_call_rcu with a NULL head or fn");
	s = &shards[sk_rcu_be_shard_id()];
	head->fn = fn;
	old = atomic_load_explicit(&s->head, memory_order_relaxed);
	do {
		head->next = old;
		/* seq_cst: releases @head and the caller's stores to the
		 * thread's exchange; ordered before the read in thread_kick */
	} while (!atomic_compare_exchange_weak_explicit(&s->head, &old, head,
							memory_order_seq_cst,
							memory_order_relaxed));
	queued =
		atomic_fetch_add_explicit(&s->queued, 1, memory_order_relaxed) +
		1;
	thread_kick();
	invoked = atomic_load_explicit(&s->invoked, memory_order_relaxed);
	if (queued - invoked > SK_RCU_CB_HIGH && sk_rcu_be_may_block() &&
	    atomic_load_explicit(&W.started, memory_order_relaxed)) {
		atomic_fetch_add_explicit(&W.throttled, 1,
					  memory_order_relaxed);
		wait_rounds();
	}
}

void sk_rcu_barrier(void)
{
	SK_ASSERT(atomic_load_explicit(&W.started, memory_order_relaxed),
		  "rcu: sk_rcu_barrier before sk_rcu_init");
	SK_ASSERT(sk_rcu_be_may_block(),
		  "rcu: sk_rcu_barrier in a reader or atomic context");
	wait_rounds();
}

void sk_rcu_cb_stats(struct sk_rcu_stats *out)
{
	unsigned n = sk_rcu_be_shards();

	out->cbs_queued = 0;
	out->cbs_invoked = 0;
	for (unsigned i = 0; i < n; i++) {
		out->cbs_queued += atomic_load_explicit(&shards[i].queued,
							memory_order_relaxed);
		out->cbs_invoked += atomic_load_explicit(&shards[i].invoked,
							 memory_order_relaxed);
	}
	out->cb_batches =
		atomic_load_explicit(&W.batches, memory_order_relaxed);
	out->throttled =
		atomic_load_explicit(&W.throttled, memory_order_relaxed);
	out->shards = n;
}

int sk_rcu_stats_get(struct sk_rcu_stats *out)
{
	if (!out)
		return -EINVAL;
	sk_rcu_be_stats(out);
	sk_rcu_cb_stats(out);
	return 0;
}
