/* SPDX-License-Identifier: MIT */
/*
 * Events: level-triggered flags a thread can wait on several at a time,
 * with a deadline.  Anyone (another CPU, an interrupt handler, a timer)
 * signals an event; the one thread registered on it is woken.  Built only
 * on the wait/wake protocol of sched/wait.h.
 *
 * Who may run concurrently on one event:
 *   signal  || signal, clear, wait_any (any CPU, irq handlers)
 *   wait_any: one thread at a time per event
 *   clear: the waiting thread (or anyone when no one waits)
 */
#ifndef SCHED_EVENT_H
#define SCHED_EVENT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct sk_thread;

struct sk_event {
	atomic_uint set; /* 0 clear, 1 signalled */
	_Atomic(struct sk_thread *) waiter; /* thread in wait_any, or NULL */
};

/* sk_event_init - a clear event with no waiter.  Context: any. */
void sk_event_init(struct sk_event *ev);

/*
 * sk_event_signal - set @ev and wake its waiter.  Safe against the waiter
 * exiting when called with preemption disabled (or from an irq handler).
 * Ordering: release on the flag; full fence before reading the waiter.
 * Context: any.
 */
void sk_event_signal(struct sk_event *ev);

/* sk_event_clear - clear @ev.  Context: any. */
void sk_event_clear(struct sk_event *ev);

/* sk_event_is_set - whether @ev is signalled (acquire).  Context: any. */
bool sk_event_is_set(const struct sk_event *ev);

/*
 * sk_event_wait_any - wait until one of @evs[0..@n) is signalled or the
 * clock reaches @deadline_ns (UINT64_MAX: no deadline).  Does not clear.
 * Return: the lowest index of a signalled event; -ETIMEDOUT; -EINVAL if
 *         @n is 0 or above 64; -EBUSY if another thread waits on one of
 *         them.
 * Context: thread, preemption enabled; blocks.
 */
int sk_event_wait_any(struct sk_event *const *evs, unsigned n,
		      uint64_t deadline_ns);

#endif
