// SPDX-License-Identifier: MIT
/*
 * The images' heap (heap.h): lib/sched's (and lib/vfs's) memory comes from
 * sk_malloc.  lib/mm's calls may take its mutex, which lib/sched's hook
 * contract allows (thread context, preemption enabled, may block); the
 * first ones run on the boot CPU before any other thread exists,
 * uncontended.  lib/vfs may free from RCU callbacks with preemption
 * disabled, where sk_free must not be called (it may block): such blocks
 * go onto a lock-free stack that the next call from a context that may
 * sleep empties.
 */
#include <stdatomic.h>

#include <mm/malloc.h>
#include <mm/page.h>
#include <plat/compiler.h>
#include <sched/preempt.h>

#include "heap.h"

enum { ALIGN = 64 }; /* what lib/sched asks of its hook */

struct deferred {
	struct deferred *next;
};

/* Blocks freed where sleeping is not allowed: push-only, taken whole. */
static _Atomic(struct deferred *) deferred;

static void deferred_drain(void)
{
	/* Acquire: pairs with the release push, so ->next is visible. */
	struct deferred *d =
		atomic_exchange_explicit(&deferred, NULL, memory_order_acquire);

	while (d) {
		struct deferred *next = d->next;

		sk_free(d);
		d = next;
	}
}

static void *heap_alloc(size_t len, void *ctx)
{
	(void)ctx;
	if (atomic_load_explicit(&deferred, memory_order_relaxed) &&
	    sk_preempt_is_enabled())
		deferred_drain();
	return sk_aligned_alloc(ALIGN, len);
}

static void heap_free(void *p, size_t len, void *ctx)
{
	struct deferred *d = p, *old;

	(void)len;
	(void)ctx;
	if (!p)
		return;
	if (sk_preempt_is_enabled()) {
		sk_free(p);
		return;
	}
	old = atomic_load_explicit(&deferred, memory_order_relaxed);
	do {
		d->next = old;
		/* Release: d->next before the drainer's acquire exchange. */
	} while (!atomic_compare_exchange_weak_explicit(&deferred, &old, d,
							memory_order_release,
							memory_order_relaxed));
}

const struct sk_sched_mem_ops *sk_kvm_heap_ops(void)
{
	static const struct sk_sched_mem_ops ops = { heap_alloc, heap_free,
						     NULL };
	static int started;

	if (!started) {
		if (sk_page_init() != 0 || sk_malloc_init() != 0)
			return NULL;
		started = 1;
	}
	return &ops;
}
