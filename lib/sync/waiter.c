// SPDX-License-Identifier: MIT
/*
 * Sleeping on and waking a waiter record through the sched/wait.h
 * protocol.  Shared by the mutex, the condvar and the wait queue.
 */
#include <errno.h>
#include <stdint.h>

#include <sched/preempt.h>
#include <sched/wait.h>

#include "waiter.h"

#ifdef SK_SYNC_TEST_HOOKS
void (*sk_sync_test_yield)(enum sk_sync_test_point pt);
atomic_ulong sk_sync_test_events[SK_SYNC_EV_COUNT];
#endif

static int waiter_state(struct sk_sync_waiter *w)
{
	/* Acquire pairs with the release store/CAS that set the state. */
	return (int)atomic_load_explicit(&w->state, memory_order_acquire);
}

int sk_sync_waiter_sleep(struct sk_sync_waiter *w, unsigned mask,
			 uint64_t deadline_ns)
{
	for (;;) {
		int s = waiter_state(w);

		if (!(mask & (1u << s)))
			return s;
		sk_wait_prepare();
		s = waiter_state(w);
		if (!(mask & (1u << s))) {
			sk_wait_finish();
			return s;
		}
		if (deadline_ns == UINT64_MAX) {
			sk_wait();
			continue;
		}
		if (sk_wait_until(deadline_ns) == -ETIMEDOUT) {
			s = waiter_state(w);
			return (mask & (1u << s)) ? -ETIMEDOUT : s;
		}
	}
}

void sk_sync_waiter_set(struct sk_sync_waiter *w, enum sk_sync_wstate state)
{
	struct sk_thread *t = w->thread;

	sk_preempt_disable();
	/* Release pairs with the acquire in waiter_state. */
	atomic_store_explicit(&w->state, (unsigned)state, memory_order_release);
	sk_thread_wake(t);
	sk_preempt_enable();
}
