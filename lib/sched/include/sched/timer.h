/* SPDX-License-Identifier: MIT */
/*
 * Timers: per-CPU timer sets, tickless.  A timer belongs to the thread that
 * arms it (its timers move with it when it migrates) or, with SK_TIMER_CPU,
 * to the CPU it is armed on.  Arm and cancel run on the owner with irqs
 * off inside, so they never race with the callback: once cancel returns
 * the callback is not running and will not run.
 *
 * The callback runs in interrupt context on the owner's CPU, irqs off, and
 * must not block; sk_thread_wake() is the usual thing to call.
 */
#ifndef SCHED_TIMER_H
#define SCHED_TIMER_H

#include <stdint.h>

#include <stdbool.h>

#include <sched/pheap.h>

struct sk_thread;

typedef void (*sk_timer_fn)(void *arg);

enum sk_timer_flags {
	SK_TIMER_CPU = 1 << 0, /* owned by the arming CPU, not a thread */
};

/* Opaque to users; fields are lib/sched's. */
struct sk_timer {
	struct sk_pheap_node node; /* key = deadline_ns */
	sk_timer_fn fn;
	void *arg;
	struct sk_thread *owner; /* NULL for SK_TIMER_CPU */
	struct sk_timer *tnext, *tprev; /* owner's armed timers */
	unsigned cpu; /* CPU whose set holds it while armed */
	unsigned flags;
	unsigned armed;
};

/*
 * sk_timer_init - set up @t to call @fn(@arg).  No allocation.
 * Context: any.
 */
void sk_timer_init(struct sk_timer *t, sk_timer_fn fn, void *arg,
		   unsigned flags);

/*
 * sk_timer_arm - fire @t at @deadline_ns (sk_plat_clock_ns scale), replacing
 * an earlier arming.  A deadline already past fires at the next irqs-on
 * point.  The caller becomes the owner.
 * Return: 0; -EINVAL if @t is armed by another owner.
 * Context: thread timers: the owning thread.  SK_TIMER_CPU: the CPU, with
 * irqs off or preemption disabled, including its interrupt handlers.
 */
int sk_timer_arm(struct sk_timer *t, uint64_t deadline_ns);

/*
 * sk_timer_cancel - disarm @t.
 * Return: 0 if it was armed and now will not fire; -ENOENT if it was not
 *         armed (never armed, already fired, or already cancelled).
 * Context: as for sk_timer_arm.
 */
int sk_timer_cancel(struct sk_timer *t);

/* sk_timer_is_armed - whether @t is pending.  Context: as for arm. */
bool sk_timer_is_armed(const struct sk_timer *t);

#endif
