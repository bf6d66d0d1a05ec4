/* SPDX-License-Identifier: MIT */
/*
 * The wait/wake interface: the only part of lib/sched that lib/sync uses.
 * Another kernel that supplies these functions (with sched/preempt.h) can
 * use skiff's mutex and friends alone; docs/sync.md says how.
 *
 * Protocol (no lost wake-ups; spurious wake-ups are allowed):
 *
 *     sk_wait_prepare();                   // state := waiting
 *     while (!condition) {                 // test after announcing
 *             sk_wait();                   // sleep unless woken since
 *             sk_wait_prepare();
 *     }
 *     sk_wait_finish();                    // state := running
 *
 * A waker makes the condition true, then calls sk_thread_wake(t).  If the
 * wake lands between sk_wait_prepare() and sk_wait(), sk_wait() returns at
 * once.  A wake sent to a thread that is not between prepare and finish is
 * a no-op, so callers must always re-test their condition.
 */
#ifndef SCHED_WAIT_H
#define SCHED_WAIT_H

#include <stdbool.h>
#include <stdint.h>

#include <sched/preempt.h>

struct sk_thread;

/* One %gs-relative load of the CPU's current thread (sched/preempt.h):
 * whatever the caller migrates to afterwards, at that instruction the
 * running thread of its CPU was the caller. */
static inline struct sk_thread *sk_thread_current_fast(void)
{
	return (struct sk_thread *)(uintptr_t)SK_PLAT_PERCPU_READ(
		SK_SCHED_PCPU_CURRENT);
}

/*
 * sk_thread_current - the calling thread (NULL before sk_sched_init() on
 * that CPU).  Inline with SK_SCHED_INLINE, as in sched/preempt.h.
 * Context: thread.
 */
#if defined(SK_SCHED_INLINE) && !defined(SK_SCHED_OUTLINE)
static inline struct sk_thread *sk_thread_current(void)
{
	return sk_thread_current_fast();
}
#else
struct sk_thread *sk_thread_current(void);
#endif

/*
 * sk_thread_is_running - whether @t is on a CPU right now (not waiting,
 * not queued, not preempted), and that CPU is not itself preempted by the
 * hypervisor (sk_plat_cpu_is_preempted: Xen runstate, KVM steal time).  A
 * hint for bounded spinning: a lock waiter may spin while the owner runs
 * and should sleep once it does not.  The answer may be stale by the time
 * the caller looks at it.
 * Return: true if @t was running when sampled.
 * Context: any; @t must stay allocated for the call (the caller knows it
 * has not been joined or released).
 */
bool sk_thread_is_running(const struct sk_thread *t);

/*
 * sk_wait_prepare - mark the calling thread as waiting.
 * Ordering: full fence after the state store (pairs with the fence in
 * sk_thread_wake), so the caller's following condition test cannot be
 * satisfied by a store the waker made before its wake was lost.
 * Context: thread, preemption enabled.
 */
void sk_wait_prepare(void);

/*
 * sk_wait - sleep until woken, unless woken since sk_wait_prepare().
 * Returns with the thread running again (state no longer waiting).
 * Context: thread, after sk_wait_prepare(); may block.
 */
void sk_wait(void);

/*
 * sk_wait_until - like sk_wait(), but give up at @deadline_ns
 * (sk_plat_clock_ns scale).
 * Return: 0 if woken (or spuriously), -ETIMEDOUT if the deadline passed
 *         first.  A deadline already past returns -ETIMEDOUT at once unless
 *         a wake already arrived.
 * Context: thread, after sk_wait_prepare(); may block.
 */
int sk_wait_until(uint64_t deadline_ns);

/*
 * sk_wait_finish - leave the waiting state without sleeping.
 * Context: thread, after sk_wait_prepare().
 */
void sk_wait_finish(void);

/*
 * sk_thread_wake - wake @t if it is waiting; otherwise do nothing.
 * Safe against @t exiting concurrently provided the caller had preemption
 * disabled from before it made @t's condition true until this returns:
 * lib/sched frees a thread only after every CPU has passed a quiescent state.
 * Ordering: full fence before reading @t's state (pairs with
 *           sk_wait_prepare).
 * Context: any, including interrupt handlers and other CPUs.
 */
void sk_thread_wake(struct sk_thread *t);

/*
 * sk_wake_and_wait - sk_thread_wake(@w) then sk_wait(), in one call, for
 * the hand-off "make @w's condition true, wake it, wait for my own":
 *
 *     sk_wait_prepare();                 // as for sk_wait()
 *     sk_preempt_disable();              // keeps @w allocated (see
 *     make @w's condition true;          //   sk_thread_wake)
 *     sk_wake_and_wait(w);               // enables preemption again
 *     then re-test the caller's own condition, as after sk_wait()
 *
 * When @w sleeps on the caller's CPU and nothing else is runnable there,
 * the caller switches straight to @w: no runqueue round trip, no
 * preemption test, no deadline for a thread that is leaving.  Otherwise
 * it is exactly the pair.  Wakes are never lost: @w is woken if it was
 * waiting; the caller sleeps unless woken since sk_wait_prepare().
 * Ordering: as sk_thread_wake, then as sk_wait.
 * Context: thread, after sk_wait_prepare(), with preemption disabled by
 * exactly one sk_preempt_disable(), which this call undoes (irqs on);
 * may block.
 */
void sk_wake_and_wait(struct sk_thread *w);

/*
 * sk_thread_yield - let other runnable threads of the same class run.
 * (Also declared here so that code using only the wait/wake interface,
 * lib/sync, need not include sched/thread.h.)
 * Context: thread, preemption enabled.
 */
void sk_thread_yield(void);

#endif
