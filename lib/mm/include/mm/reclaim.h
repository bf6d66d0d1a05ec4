/* SPDX-License-Identifier: MIT */
/*
 * Cross-CPU reclaim for the page allocator and the heap.  Each CPU keeps
 * free memory that only it may touch: its page cache and its empty slabs
 * (and remote frees it has not sent yet).  When the page allocator runs
 * dry, the memory another CPU keeps is reclaimed by a worker thread pinned
 * to that CPU, which trims the heap and drains the page cache there; the
 * failing call waits for the workers (bounded) and retries once.
 * Needs lib/sched (threads, wait/wake); without sk_mm_reclaim_start() a
 * failing CPU only gives back its own cached memory.
 */
#ifndef MM_RECLAIM_H
#define MM_RECLAIM_H

#include <stdint.h>

/* How long a failing allocation waits for the workers, at most. */
#define SK_MM_RECLAIM_WAIT_NS (250 * 1000 * 1000ull)

/*
 * sk_mm_reclaim_start - create one reclaim worker per CPU and hook them
 * into the page allocator's out-of-memory path.
 * Return: 0; -EBUSY if already started; -ENOMEM (nothing is left
 *         started); an error of sk_thread_create.
 * Context: thread, preemption enabled, after sk_sched_init(),
 *          sk_page_init() and sk_malloc_init(); may block.
 */
int sk_mm_reclaim_start(void);

/*
 * sk_mm_reclaim_stop - unhook and join the workers.  A round in progress
 * finishes first.
 * Return: 0; -EINVAL if not started.
 * Context: thread, preemption enabled; may block.
 */
int sk_mm_reclaim_stop(void);

/* Counters, a relaxed snapshot. */
struct sk_mm_reclaim_stats {
	uint64_t rounds; /* rounds run (failing allocations that asked) */
	uint64_t timeouts; /* rounds that gave up waiting for a worker */
	uint64_t worker_runs; /* trims + drains done by all workers */
};

/* sk_mm_reclaim_stats_get - copy the counters.  Context: any. */
void sk_mm_reclaim_stats_get(struct sk_mm_reclaim_stats *st);

#endif
