// SPDX-License-Identifier: MIT
/*
 * Wait queue under the caller's mutex (sync/waitq.h).  A waiter appends
 * its record while it owns the mutex and only then unlocks, so a waker
 * (which must own the mutex) can never miss it; waking is always a morph.
 */
#include <stdint.h>

#include <plat/assert.h>
#include <sched/wait.h>
#include <sync/waitq.h>

#include "waiter.h"

void sk_waitq_init(struct sk_waitq *q)
{
	*q = (struct sk_waitq)SK_WAITQ_INIT;
}

void sk_waitq_wait(struct sk_waitq *q, struct sk_mutex *m)
{
	struct sk_sync_cwaiter cw = { .m = m };

	SK_ASSERT(sk_mutex_is_owned(m), "waitq wait without owning mutex");
	cw.w.thread = sk_thread_current();
	atomic_store_explicit(&cw.w.state, SK_SYNC_W_COND,
			      memory_order_relaxed);
	sk_sync_list_append(&q->head, &q->tail, &cw);
	sk_mutex_unlock(m);

	unsigned waiting = 1u << SK_SYNC_W_COND | 1u << SK_SYNC_W_QUEUED;
	int s = sk_sync_waiter_sleep(&cw.w, waiting, UINT64_MAX);

	SK_ASSERT(s == SK_SYNC_W_OWNED, "waitq waiter woke without mutex");
	sk_sync_mutex_claim(m);
}

static void waitq_pop_morph(struct sk_waitq *q)
{
	struct sk_sync_cwaiter *cw = q->head;

	SK_ASSERT(sk_mutex_is_owned(cw->m), "waitq wake without its mutex");
	sk_sync_list_unlink(&q->head, &q->tail, cw);
	sk_sync_mutex_morph(cw->m, &cw->w);
}

bool sk_waitq_wake_one(struct sk_waitq *q)
{
	if (!q->head)
		return false;
	waitq_pop_morph(q);
	return true;
}

unsigned sk_waitq_wake_all(struct sk_waitq *q)
{
	unsigned n = 0;

	while (q->head) {
		waitq_pop_morph(q);
		n++;
	}
	return n;
}

bool sk_waitq_is_empty(const struct sk_waitq *q)
{
	return q->head == NULL;
}
