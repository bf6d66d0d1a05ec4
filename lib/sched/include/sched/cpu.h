/* SPDX-License-Identifier: MIT */
/*
 * Scheduler bring-up and per-CPU information: sk_sched_init() turns the
 * boot context into the first thread and starts every CPU; the quiescent-
 * state counters are what lib/rcu builds grace periods on.
 */
#ifndef SCHED_CPU_H
#define SCHED_CPU_H

#include <stddef.h>
#include <stdint.h>

/*
 * Memory for threads: control blocks, save areas and stacks.  @alloc returns
 * @len bytes aligned to 64 (or NULL); @free gives back a block from @alloc
 * with the same @len.  Both are called from thread context with preemption
 * enabled (never from interrupt handlers or the idle loop), and may block.
 */
struct sk_sched_mem_ops {
	void *(*alloc)(size_t len, void *ctx);
	void (*free)(void *p, size_t len, void *ctx);
	void *ctx;
};

/*
 * sk_sched_init - start the scheduler.  The calling context becomes a
 * thread named "main", each CPU gets an idle thread, the timer and IPI
 * handlers and the interrupt exit hook are registered, and CPUs 1..n-1 are
 * started.  Returns as "main" with irqs enabled.
 * Return: 0; -EINVAL if @ops lacks a function; -EBUSY on a second call;
 *         -ENOMEM if memory for the CPUs cannot be had; a platform error
 *         from sk_plat_cpu_start.
 * Context: CPU 0, irqs off, once.
 */
int sk_sched_init(const struct sk_sched_mem_ops *ops);

/*
 * sk_sched_cpu_qs_count - the quiescent-state counter of @cpu.  It grows
 * (release) at every idle-loop turn and every interrupt exit into
 * preemptible code, and at every pass through the scheduler while a
 * request (sk_sched_qs_want) is held: when it has changed since a reading,
 * @cpu has left every preempt-disabled section it was in then.
 * Return: the counter; 0 for a CPU out of range.
 * Context: any.
 */
uint64_t sk_sched_cpu_qs_count(unsigned cpu);

/*
 * sk_sched_qs_want / sk_sched_qs_unwant - hold / drop a request for
 * quiescent-state counts, around a grace period that watches the counters.
 * Noting a quiescent state costs a store and a full fence; with no request
 * held, context switches skip it (the idle loop, interrupt exits and
 * sk_sched_cpu_qs_kick still move the counter, so a watcher that forgot to
 * ask is only slower).  Take the request before the fence that precedes
 * the snapshot of the counters; a switch that has not seen it yet only
 * delays the grace period, it cannot end one early.  Calls must pair.
 * Context: any.
 */
void sk_sched_qs_want(void);
void sk_sched_qs_unwant(void);

/*
 * sk_sched_cpu_eqs_count - @cpu's extended-quiescent-state counter: odd
 * while @cpu is halted in its idle loop with no interrupt handler running,
 * even otherwise.  The idle loop makes it odd right before the halt
 * (seq_cst); the first thing to run on @cpu after that (the interrupt
 * entry hook, before any handler, or the idle loop when the halt returns)
 * makes it even, then fences.  lib/sched's own reaper counts a
 * CPU found odd at its snapshot as quiescent.  An odd value means @cpu is in no preempt-disabled section now
 * and will pass a full fence before it enters one.
 * Return: the counter (acquire); 0 for a CPU out of range.
 * Context: any.
 */
uint64_t sk_sched_cpu_eqs_count(unsigned cpu);

/*
 * sk_sched_cpu_qs_kick - ask @cpu to pass a quiescent state soon (an IPI;
 * the counter moves as soon as @cpu is preemptible or idle).  For
 * expedited grace periods.
 * Context: any.
 */
void sk_sched_cpu_qs_kick(unsigned cpu);

/*
 * sk_sched_cpu_load - runnable threads on @cpu (running + queued, not the
 * idle thread).  A snapshot for balancing and tests.
 * Context: any.
 */
unsigned sk_sched_cpu_load(unsigned cpu);

/* Counters for tests and benchmarks, per CPU, relaxed snapshots. */
struct sk_sched_stats {
	uint64_t switches; /* context switches */
	uint64_t preemptions; /* involuntary ones */
	uint64_t ipis_sent; /* wake-up IPIs this CPU sent */
	uint64_t migrations; /* threads it handed to other CPUs */
	uint64_t timer_arms; /* platform timer (re)armings */
};

/* sk_sched_stats_get - copy @cpu's counters.  Return: 0; -EINVAL. */
int sk_sched_stats_get(unsigned cpu, struct sk_sched_stats *out);

/*
 * sk_sched_debug_dump - print every CPU's scheduler words (current thread,
 * queued count, incoming-wake mask, the look promise, the armed one-shot,
 * the preemption deadline, the earliest timer) and every thread (state,
 * CPU, earliest timer, and where a suspended one stopped: return
 * addresses) on the platform console.  For a machine that hangs: it reads
 * without locks, so a running machine gives a torn picture.  lib/sched
 * registers it as the SK_PLAT_IRQ_DEBUG handler (under Xen: debug key 'q').
 * Context: any, including an interrupt handler.
 */
void sk_sched_debug_dump(void);

#endif
