// SPDX-License-Identifier: MIT
/*
 * Condvar with wait morphing (sync/cond.h).  The waiter list is guarded by
 * an inner skiff mutex held only for list surgery; every waiter record
 * state change from COND happens under it, which is what settles the
 * signal-versus-timeout race.  Lock order: the user's mutex, then c->lock.
 */
#include <errno.h>
#include <stdint.h>

#include <plat/assert.h>
#include <sched/wait.h>
#include <sync/cond.h>

#include "waiter.h"

void sk_cond_init(struct sk_cond *c)
{
	*c = (struct sk_cond)SK_COND_INIT;
}

/* Timed out: leave the list unless a signal already took us. */
static int cond_cancel(struct sk_cond *c, struct sk_sync_cwaiter *cw)
{
	int ret = 0;

	sk_mutex_lock(&c->lock);
	if (atomic_load_explicit(&cw->w.state, memory_order_relaxed) ==
	    SK_SYNC_W_COND) {
		sk_sync_list_unlink(&c->head, &c->tail, cw);
		atomic_store_explicit(&cw->w.state, SK_SYNC_W_TIMEDOUT,
				      memory_order_relaxed);
		ret = -ETIMEDOUT;
	}
	sk_mutex_unlock(&c->lock);
	return ret;
}

int sk_cond_wait_until(struct sk_cond *c, struct sk_mutex *m,
		       uint64_t deadline_ns)
{
	struct sk_sync_cwaiter cw = { .m = m };
	int ret = 0;

	SK_ASSERT(sk_mutex_is_owned(m), "condvar wait without owning mutex");
	cw.w.thread = sk_thread_current();
	atomic_store_explicit(&cw.w.state, SK_SYNC_W_COND,
			      memory_order_relaxed);
	sk_mutex_lock(&c->lock);
	sk_sync_list_append(&c->head, &c->tail, &cw);
	sk_mutex_unlock(&c->lock);
	SK_SYNC_POINT(SK_SYNC_PT_COND_QUEUED);
	sk_mutex_unlock(m);

	/* COND: on the list; QUEUED: morphed, waiting for m. */
	unsigned waiting = 1u << SK_SYNC_W_COND | 1u << SK_SYNC_W_QUEUED;
	int s = sk_sync_waiter_sleep(&cw.w, waiting, deadline_ns);

	if (s == -ETIMEDOUT) {
		SK_SYNC_POINT(SK_SYNC_PT_COND_TIMED_OUT);
		ret = cond_cancel(c, &cw);
		/* Lost the race to a signal: let it land (QUEUED -> OWNED). */
		s = ret ? SK_SYNC_W_TIMEDOUT
			: sk_sync_waiter_sleep(&cw.w, waiting, UINT64_MAX);
	}
	if (s == SK_SYNC_W_OWNED)
		sk_sync_mutex_claim(m);
	else
		sk_mutex_lock(m);
	return ret;
}

void sk_cond_wait(struct sk_cond *c, struct sk_mutex *m)
{
	sk_cond_wait_until(c, m, UINT64_MAX);
}

/* Hand one popped waiter on: morph if we own its mutex, else wake it. */
static void cond_release(struct sk_sync_cwaiter *cw)
{
	if (sk_mutex_is_owned(cw->m))
		sk_sync_mutex_morph(cw->m, &cw->w);
	else
		sk_sync_waiter_set(&cw->w, SK_SYNC_W_SIGNALLED);
}

void sk_cond_signal(struct sk_cond *c)
{
	sk_mutex_lock(&c->lock);
	struct sk_sync_cwaiter *cw = c->head;

	if (cw) {
		sk_sync_list_unlink(&c->head, &c->tail, cw);
		cond_release(cw);
	}
	sk_mutex_unlock(&c->lock);
}

void sk_cond_broadcast(struct sk_cond *c)
{
	sk_mutex_lock(&c->lock);
	struct sk_sync_cwaiter *cw = c->head;

	c->head = c->tail = NULL;
	while (cw) {
		/* Read next first: the record may vanish once released. */
		struct sk_sync_cwaiter *next = cw->next;

		cond_release(cw);
		cw = next;
	}
	sk_mutex_unlock(&c->lock);
}
