// SPDX-License-Identifier: MIT
/*
 * Cross-CPU reclaim (see <mm/reclaim.h>).  A worker thread pinned to each
 * CPU sleeps until a round asks for it, then trims the heap and drains the
 * page cache of its CPU: memory that only code on that CPU may touch.  A
 * round runs in the thread whose allocation failed, one round at a time
 * (rc.lock): it gives back its own CPU's memory directly, posts the round
 * number to every CPU that may hold something, waits for them, at most
 * SK_MM_RECLAIM_WAIT_NS, and then takes back the remote frees the workers
 * flushed to its CPU.  Sleeping uses the sched/wait.h protocol.
 *
 * worker.req  round the worker must reach; stored (release) by the round
 *             owner before it wakes the worker.
 * worker.done last round the worker finished; stored (release) by the
 *             worker before it wakes the round owner.
 *   done == req: idle.  done < req: a round waits for this worker.
 * rc.waiter   the round owner, or NULL; stored under rc.lock, loaded by
 *             workers with preemption off (a stale one gets a spurious
 *             wake, which the protocol allows; it cannot be freed under
 *             the waker, see sk_thread_wake).
 * rc.stopping set (release) by stop before it wakes the workers.
 */
#include <mm/reclaim.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include <mm/malloc.h>
#include <mm/page.h>
#include <plat/compiler.h>
#include <plat/cpu.h>
#include <plat/time.h>
#include <sched/preempt.h>
#include <sched/thread.h>
#include <sched/wait.h>
#include <sync/mutex.h>

#include "malloc_int.h"

struct worker {
	_Atomic uint64_t req;
	_Atomic uint64_t done;
	struct sk_thread *t; /* set before the hook is installed */
	unsigned cpu;
} SK_CACHE_ALIGNED;

static struct {
	struct sk_mutex lock; /* rounds, start, stop */
	struct worker *w; /* [n]; NULL: not started.  rc.lock */
	unsigned n;
	uint64_t gen; /* last round number.  rc.lock */
	_Atomic(struct sk_thread *) waiter;
	atomic_bool stopping;
	_Atomic uint64_t rounds, timeouts, worker_runs; /* stats, relaxed */
} rc;

static void stat_inc(_Atomic uint64_t *v)
{
	atomic_fetch_add_explicit(v, 1, memory_order_relaxed);
}

static void give_back_here(void)
{
	sk_mm_slab_trim();
	sk_page_cache_drain();
}

/* Tell the round owner that @w reached round @g. */
static void report(struct worker *w, uint64_t g)
{
	struct sk_thread *t;

	sk_preempt_disable(); /* keeps a waiter that leaves allocated */
	/* Release: the pages given back; pairs with all_done's acquire. */
	atomic_store_explicit(&w->done, g, memory_order_release);
	t = atomic_load_explicit(&rc.waiter, memory_order_relaxed);
	if (t)
		sk_thread_wake(t);
	sk_preempt_enable();
}

static void worker_main(void *arg)
{
	struct worker *w = arg;
	uint64_t done = 0, g;

	for (;;) {
		sk_wait_prepare();
		/* Acquire: pairs with the release store in ask(). */
		g = atomic_load_explicit(&w->req, memory_order_acquire);
		if (g == done) {
			/* Acquire: pairs with the release store in stop. */
			if (atomic_load_explicit(&rc.stopping,
						 memory_order_acquire)) {
				sk_wait_finish();
				return;
			}
			sk_wait();
			continue;
		}
		sk_wait_finish();
		give_back_here();
		stat_inc(&rc.worker_runs);
		done = g;
		report(w, g);
	}
}

static bool cpu_holds(unsigned cpu)
{
	return sk_mm_page_cpu_holds(cpu) || sk_mm_slab_cpu_holds(cpu);
}

/* Post round @g to every CPU that may hold memory.  rc.lock held. */
static void ask(uint64_t g)
{
	for (unsigned c = 0; c < rc.n; c++) {
		if (!cpu_holds(c))
			continue;
		/* Release: orders nothing of ours the worker needs, but
		 * pairs with worker_main's acquire for the round number. */
		atomic_store_explicit(&rc.w[c].req, g, memory_order_release);
		sk_thread_wake(rc.w[c].t);
	}
}

static bool all_done(uint64_t g)
{
	for (unsigned c = 0; c < rc.n; c++) {
		struct worker *w = &rc.w[c];

		if (atomic_load_explicit(&w->req, memory_order_relaxed) != g)
			continue;
		/* Acquire: pairs with report()'s release. */
		if (atomic_load_explicit(&w->done, memory_order_acquire) != g)
			return false;
	}
	return true;
}

/* Wait for round @g, bounded.  rc.lock held; rc.waiter is the caller. */
static void wait_round(uint64_t g)
{
	uint64_t deadline = sk_plat_clock_ns() + SK_MM_RECLAIM_WAIT_NS;

	for (;;) {
		sk_wait_prepare();
		if (all_done(g)) {
			sk_wait_finish();
			return;
		}
		if (sk_wait_until(deadline) == -ETIMEDOUT) {
			if (!all_done(g))
				stat_inc(&rc.timeouts);
			return;
		}
	}
}

/* The page allocator's hook (sk_mm_reclaim_fn). */
static bool reclaim_round(void)
{
	uint64_t g;

	if (!sk_preempt_is_enabled())
		return false; /* may not sleep: nothing to wait with */
	sk_mutex_lock(&rc.lock);
	if (!rc.w) {
		sk_mutex_unlock(&rc.lock);
		return false;
	}
	g = ++rc.gen;
	give_back_here();
	atomic_store_explicit(&rc.waiter, sk_thread_current(),
			      memory_order_relaxed);
	ask(g);
	wait_round(g);
	atomic_store_explicit(&rc.waiter, NULL, memory_order_relaxed);
	give_back_here(); /* blocks the workers' outboxes just sent here */
	stat_inc(&rc.rounds);
	sk_mutex_unlock(&rc.lock);
	return true;
}

/* Stop and join workers w[0..n).  rc.lock held. */
static void workers_join(struct worker *w, unsigned n)
{
	/* Release: pairs with worker_main's acquire of the flag. */
	atomic_store_explicit(&rc.stopping, true, memory_order_release);
	for (unsigned c = 0; c < n; c++)
		sk_thread_wake(w[c].t);
	for (unsigned c = 0; c < n; c++)
		sk_thread_join(w[c].t);
}

static int workers_create(struct worker *w, unsigned n)
{
	static const char name[] = "mm-reclaim";
	struct sk_cpuset set;
	int err;

	for (unsigned c = 0; c < n; c++) {
		struct sk_thread_attr a = {
			.stack_len = SK_THREAD_STACK_MIN,
			.name = name,
			.sched_class = SK_THREAD_FIFO,
			.rt_prio = SK_THREAD_RT_PRIO_MIN,
			.affinity = &set,
		};

		sk_cpuset_zero(&set);
		sk_cpuset_add(&set, c);
		w[c].cpu = c;
		err = sk_thread_create(&w[c].t, &a, worker_main, &w[c]);
		if (err) {
			workers_join(w, c);
			return err;
		}
	}
	return 0;
}

int sk_mm_reclaim_start(void)
{
	unsigned n = sk_plat_cpu_count();
	struct worker *w;
	int err;

	sk_mutex_lock(&rc.lock);
	err = rc.w ? -EBUSY : 0;
	if (err)
		goto out_unlock;
	w = sk_aligned_alloc(SK_CACHELINE, n * sizeof(*w));
	err = w ? 0 : -ENOMEM;
	if (err)
		goto out_unlock;
	memset(w, 0, n * sizeof(*w));
	atomic_store_explicit(&rc.stopping, false, memory_order_relaxed);
	err = workers_create(w, n);
	if (err) {
		sk_free(w);
		goto out_unlock;
	}
	rc.w = w;
	rc.n = n;
	sk_mm_page_reclaim_hook_set(reclaim_round);
out_unlock:
	sk_mutex_unlock(&rc.lock);
	return err;
}

int sk_mm_reclaim_stop(void)
{
	struct worker *w;

	sk_mutex_lock(&rc.lock);
	w = rc.w;
	if (!w) {
		sk_mutex_unlock(&rc.lock);
		return -EINVAL;
	}
	/* New failures stop calling in; none is inside (rc.lock). */
	sk_mm_page_reclaim_hook_set(NULL);
	rc.w = NULL;
	workers_join(w, rc.n);
	rc.n = 0;
	sk_mutex_unlock(&rc.lock);
	sk_free(w);
	return 0;
}

void sk_mm_reclaim_stats_get(struct sk_mm_reclaim_stats *st)
{
	st->rounds = atomic_load_explicit(&rc.rounds, memory_order_relaxed);
	st->timeouts = atomic_load_explicit(&rc.timeouts, memory_order_relaxed);
	st->worker_runs =
		atomic_load_explicit(&rc.worker_runs, memory_order_relaxed);
}
