// SPDX-License-Identifier: MIT
/*
 * Events and waiting on several at once (sched/event.h), on top of the
 * wait/wake protocol.
 *
 * sk_event.set:    0 -> 1 signal (release), 1 -> 0 clear.
 * sk_event.waiter: NULL -> thread (wait_any registers, CAS),
 *                  thread -> NULL (wait_any unregisters, store).
 * A signaller sets the flag, fences, reads the waiter and wakes it; the
 * waiter registers, prepares (fence), then tests the flags, so one of the
 * two sees the other.  A wake that lands after the waiter has unregistered
 * is a harmless spurious wake.
 */
#include <errno.h>

#include <plat/time.h>

#include <sched/event.h>
#include <sched/wait.h>

#include "sched_impl.h"

enum { EVENTS_MAX = 64 };

void sk_event_init(struct sk_event *ev)
{
	atomic_init(&ev->set, 0);
	atomic_init(&ev->waiter, NULL);
}

void sk_event_signal(struct sk_event *ev)
{
	struct sk_thread *w;

	/* release: what the signaller wrote before, to the waiter's acquire */
	atomic_store_explicit(&ev->set, 1, memory_order_release);
	/* Pairs with the fence in sk_wait_prepare(): flag vs. waiter. */
	atomic_thread_fence(memory_order_seq_cst);
	w = atomic_load_explicit(&ev->waiter, memory_order_relaxed);
	if (w)
		sk_thread_wake(w);
}

void sk_event_clear(struct sk_event *ev)
{
	atomic_store_explicit(&ev->set, 0, memory_order_relaxed);
}

bool sk_event_is_set(const struct sk_event *ev)
{
	return atomic_load_explicit(&ev->set, memory_order_acquire) != 0;
}

static void unregister(struct sk_event *const *evs, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		atomic_store_explicit(&evs[i]->waiter, NULL,
				      memory_order_relaxed);
}

static int first_set(struct sk_event *const *evs, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (sk_event_is_set(evs[i]))
			return (int)i;
	return -1;
}

int sk_event_wait_any(struct sk_event *const *evs, unsigned n,
		      uint64_t deadline_ns)
{
	struct sk_thread *self = sk_thread_current();
	int idx = -1;

	if (!evs || n == 0 || n > EVENTS_MAX)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		struct sk_thread *none = NULL;

		if (!atomic_compare_exchange_strong_explicit(
			    &evs[i]->waiter, &none, self, memory_order_relaxed,
			    memory_order_relaxed) &&
		    none != self) {
			unregister(evs, i);
			return -EBUSY;
		}
	}
	for (;;) {
		sk_wait_prepare();
		idx = first_set(evs, n);
		if (idx >= 0) {
			sk_wait_finish();
			break;
		}
		if (sk_wait_until(deadline_ns) == -ETIMEDOUT) {
			idx = first_set(evs, n);
			if (idx < 0)
				idx = -ETIMEDOUT;
			break;
		}
	}
	unregister(evs, n);
	return idx;
}
