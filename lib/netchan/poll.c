// SPDX-License-Identifier: MIT
/*
 * Poll sets (netchan/poll.h): the ready stack, the owner's pending list,
 * level-triggered re-arming, and the two kinds of source (channels and
 * timers).
 *
 * ready (the set's MPSC stack): sources push with a release CAS after
 * winning their entry's armed 1 -> 0; the owner takes the whole stack with
 * an acquire exchange to NULL.  An entry is on at most one of: the stack,
 * the pending list, neither (armed or being examined by the owner).
 */
#include <errno.h>

#include <plat/compiler.h>
#include <sched/wait.h>

#include <netchan/channel.h>
#include <netchan/poll.h>

void sk_poll_entry_arm_(struct sk_poll_entry *pe)
{
	/* release: publishes poll/waiter/user to the source whose
	 * exchange takes this arming (pairs with disarm_'s acquire). */
	atomic_store_explicit(&pe->armed, 1, memory_order_release);
	/* Pairs with the source's fence between making itself ready and
	 * reading armed (sk_channel_notify, poll_timer_fire). */
	atomic_thread_fence(memory_order_seq_cst);
}

bool sk_poll_entry_disarm_(struct sk_poll_entry *pe)
{
	/* acq_rel: acquire pairs with arm_'s release; only one of the
	 * owner and the sources can take a given arming. */
	return atomic_exchange_explicit(&pe->armed, 0, memory_order_acq_rel) ==
	       1;
}

void sk_poll_entry_signal_(struct sk_poll_entry *pe)
{
	struct sk_poll *poll = pe->poll;
	struct sk_poll_entry *old =
		atomic_load_explicit(&poll->ready, memory_order_relaxed);

	do {
		atomic_store_explicit(&pe->ready_next, old,
				      memory_order_relaxed);
		/* release: ready_next and the source's event before the
		 * owner's acquire exchange in collect(). */
	} while (!atomic_compare_exchange_weak_explicit(&poll->ready, &old, pe,
							memory_order_release,
							memory_order_relaxed));
	sk_thread_wake(poll->owner);
}

int sk_poll_init(struct sk_poll *poll, struct sk_poll_entry **reported,
		 unsigned max)
{
	if (!poll || !reported || max == 0)
		return -EINVAL;
	atomic_init(&poll->ready, NULL);
	poll->owner = sk_thread_current();
	poll->pend_head = NULL;
	poll->pend_tail = NULL;
	poll->reported = reported;
	poll->nreported = 0;
	poll->max_reported = max;
	poll->nentries = 0;
	return 0;
}

static bool source_ready(struct sk_poll_entry *pe)
{
	struct sk_poll_timer *pt;

	if (pe->kind == SK_POLL_CHANNEL)
		return sk_channel_is_ready(
			SK_CONTAINER_OF(pe, struct sk_channel, pe));
	pt = SK_CONTAINER_OF(pe, struct sk_poll_timer, pe);
	/* acquire: pairs with the release in poll_timer_fire. */
	return atomic_load_explicit(&pt->fired, memory_order_acquire) != 0;
}

static void *source_of(struct sk_poll_entry *pe)
{
	if (pe->kind == SK_POLL_CHANNEL)
		return SK_CONTAINER_OF(pe, struct sk_channel, pe);
	return SK_CONTAINER_OF(pe, struct sk_poll_timer, pe);
}

static void pend_append(struct sk_poll *poll, struct sk_poll_entry *pe)
{
	pe->pend_next = NULL;
	pe->pending = true;
	if (poll->pend_tail)
		poll->pend_tail->pend_next = pe;
	else
		poll->pend_head = pe;
	poll->pend_tail = pe;
}

static struct sk_poll_entry *pend_pop(struct sk_poll *poll)
{
	struct sk_poll_entry *pe = poll->pend_head;

	if (!pe)
		return NULL;
	poll->pend_head = pe->pend_next;
	if (!poll->pend_head)
		poll->pend_tail = NULL;
	pe->pending = false;
	return pe;
}

/* Move the ready stack, oldest first, to the end of the pending list. */
static void collect(struct sk_poll *poll)
{
	/* acquire: pairs with the release CAS in sk_poll_entry_signal_. */
	struct sk_poll_entry *pe = atomic_exchange_explicit(
		&poll->ready, NULL, memory_order_acquire);
	struct sk_poll_entry *fifo = NULL;

	while (pe) {
		struct sk_poll_entry *next = atomic_load_explicit(
			&pe->ready_next, memory_order_relaxed);

		atomic_store_explicit(&pe->ready_next, fifo,
				      memory_order_relaxed);
		fifo = pe;
		pe = next;
	}
	while (fifo) {
		struct sk_poll_entry *next = atomic_load_explicit(
			&fifo->ready_next, memory_order_relaxed);

		pend_append(poll, fifo);
		fifo = next;
	}
}

/* Arm @pe; if its source is ready already, take the arming back and
 * queue it ourselves (unless a source took it first and queued it). */
static void rearm(struct sk_poll *poll, struct sk_poll_entry *pe)
{
	sk_poll_entry_arm_(pe);
	if (source_ready(pe) && sk_poll_entry_disarm_(pe))
		pend_append(poll, pe);
}

static void entry_add(struct sk_poll *poll, struct sk_poll_entry *pe,
		      enum sk_poll_kind kind, uint64_t user)
{
	pe->poll = poll;
	pe->kind = kind;
	pe->user = user;
	pe->pending = false;
	poll->nentries++;
	rearm(poll, pe);
}

/* The caller guarantees no source can signal @pe any more. */
static void entry_del(struct sk_poll_entry *pe)
{
	struct sk_poll *poll = pe->poll;
	struct sk_poll_entry **pp;

	sk_poll_entry_disarm_(pe);
	collect(poll);
	for (pp = &poll->pend_head; *pp; pp = &(*pp)->pend_next) {
		if (*pp == pe) {
			*pp = pe->pend_next;
			break;
		}
	}
	poll->pend_tail = NULL;
	for (struct sk_poll_entry *e = poll->pend_head; e; e = e->pend_next)
		poll->pend_tail = e;
	for (unsigned i = 0; i < poll->nreported; i++)
		if (poll->reported[i] == pe)
			poll->reported[i] = NULL;
	pe->pending = false;
	pe->poll = NULL;
	poll->nentries--;
}

int sk_channel_poll_add(struct sk_poll *poll, struct sk_channel *ch,
			uint64_t user)
{
	if (!poll || !ch)
		return -EINVAL;
	if (poll->owner != sk_thread_current())
		return -EPERM;
	if (ch->pe.poll)
		return -EBUSY;
	atomic_store_explicit(&ch->consumer, poll->owner, memory_order_relaxed);
	entry_add(poll, &ch->pe, SK_POLL_CHANNEL, user);
	return 0;
}

int sk_channel_poll_del(struct sk_channel *ch)
{
	if (!ch->pe.poll)
		return -ENOENT;
	if (ch->pe.poll->owner != sk_thread_current())
		return -EPERM;
	entry_del(&ch->pe);
	return 0;
}

static void poll_timer_fire(void *arg)
{
	struct sk_poll_timer *pt = arg;

	/* release: pairs with the acquire in source_ready. */
	atomic_store_explicit(&pt->fired, 1, memory_order_release);
	/* Pairs with the fence in sk_poll_entry_arm_. */
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&pt->pe.armed, memory_order_relaxed) &&
	    sk_poll_entry_disarm_(&pt->pe))
		sk_poll_entry_signal_(&pt->pe);
}

void sk_poll_timer_init(struct sk_poll_timer *pt)
{
	atomic_init(&pt->pe.armed, 0);
	atomic_init(&pt->pe.ready_next, NULL);
	atomic_init(&pt->pe.waiter, NULL);
	pt->pe.poll = NULL;
	pt->pe.kind = SK_POLL_TIMER;
	atomic_init(&pt->fired, 0);
	sk_timer_init(&pt->timer, poll_timer_fire, pt, 0);
}

int sk_poll_timer_add(struct sk_poll *poll, struct sk_poll_timer *pt,
		      uint64_t user)
{
	if (!poll || !pt)
		return -EINVAL;
	if (poll->owner != sk_thread_current())
		return -EPERM;
	if (pt->pe.poll)
		return -EBUSY;
	entry_add(poll, &pt->pe, SK_POLL_TIMER, user);
	return 0;
}

int sk_poll_timer_arm(struct sk_poll_timer *pt, uint64_t deadline_ns)
{
	if (!pt->pe.poll)
		return -EINVAL;
	atomic_store_explicit(&pt->fired, 0, memory_order_relaxed);
	return sk_timer_arm(&pt->timer, deadline_ns);
}

int sk_poll_timer_del(struct sk_poll_timer *pt)
{
	if (!pt->pe.poll)
		return -ENOENT;
	sk_timer_cancel(&pt->timer);
	entry_del(&pt->pe);
	return 0;
}

static unsigned report(struct sk_poll *poll, struct sk_poll_event *out,
		       unsigned max)
{
	unsigned n = 0;
	struct sk_poll_entry *pe;

	while (n < max && (pe = pend_pop(poll))) {
		if (!source_ready(pe)) {
			rearm(poll, pe);
			continue;
		}
		if (pe->kind == SK_POLL_TIMER)
			atomic_store_explicit(
				&SK_CONTAINER_OF(pe, struct sk_poll_timer, pe)
					 ->fired,
				0, memory_order_relaxed);
		out[n].kind = pe->kind;
		out[n].source = source_of(pe);
		out[n].user = pe->user;
		poll->reported[poll->nreported++] = pe;
		n++;
	}
	return n;
}

static void rearm_reported(struct sk_poll *poll)
{
	for (unsigned i = 0; i < poll->nreported; i++)
		if (poll->reported[i])
			rearm(poll, poll->reported[i]);
	poll->nreported = 0;
}

int sk_poll_wait(struct sk_poll *poll, struct sk_poll_event *out, unsigned max,
		 uint64_t deadline_ns)
{
	if (!poll || !out || max == 0)
		return -EINVAL;
	if (poll->owner != sk_thread_current())
		return -EPERM;
	if (max > poll->max_reported)
		max = poll->max_reported;
	rearm_reported(poll);
	for (;;) {
		unsigned n;

		collect(poll);
		n = report(poll, out, max);
		if (n)
			return (int)n;
		sk_wait_prepare();
		if (atomic_load_explicit(&poll->ready, memory_order_relaxed)) {
			sk_wait_finish();
			continue;
		}
		if (sk_wait_until(deadline_ns) == -ETIMEDOUT) {
			collect(poll);
			n = report(poll, out, max);
			return n ? (int)n : -ETIMEDOUT;
		}
	}
}
