// SPDX-License-Identifier: MIT
/*
 * Changing another thread's affinity or priority (sched/thread.h:
 * sk_thread_set_affinity_of, sk_thread_set_prio_of).  Only a thread's home
 * CPU may touch its scheduling state, so a request travels there: the
 * requester claims the target's request slot, fills it, pushes the thread
 * on the home CPU's request list and sends an IPI; the home CPU applies it
 * in its IPI handler (irqs off) and wakes the requester.
 *
 * Applying a new affinity that excludes the home CPU:
 *   queued (runnable, not running)  moved now, as the balancer moves one
 *   running here                     TF_REHOME + a reschedule: the switch
 *                                    that takes it off the CPU sends it on
 *                                    instead of requeueing it (core.c)
 *   sleeping, waking, in transit     TF_REHOME: its next arrival here
 *                                    forwards it (wake.c: sk_wake_arrive)
 *   dead                             nothing to move
 *
 * sk_thread.req_busy (the request slot):
 *   0 -> 1   a requester, CAS acquire (one request per thread at a time)
 *   1 -> 0   the same requester, store release, after req_done
 * sk_thread.req_done: 0 -> 1 by the applying CPU, store release (pairs
 * with the requester's acquire load); the requester resets it.
 * sk_cpu.reqs: MPSC list, pushed by any CPU (release CAS), taken whole by
 * its CPU (acquire exchange) in the IPI handler.
 */
#include <errno.h>

#include <plat/cpu.h>
#include <plat/time.h>

#include "sched_impl.h"

enum { REQ_AFFINITY = 1 << 0, REQ_PRIO = 1 << 1 };

static void req_push(struct sk_cpu *tgt, struct sk_thread *t)
{
	struct sk_thread *old =
		atomic_load_explicit(&tgt->reqs, memory_order_relaxed);

	do {
		t->req_next = old;
		/* release: the request fields to the owner's exchange */
	} while (!atomic_compare_exchange_weak_explicit(&tgt->reqs, &old, t,
							memory_order_release,
							memory_order_relaxed));
	sk_plat_cpu_ipi(tgt->id);
}

/* New affinity on @t, whose home is @cpu; irqs off on @cpu. */
static void apply_affinity(struct sk_cpu *cpu, struct sk_thread *t)
{
	t->affinity = t->req_aff;
	if (sk_cpu_allowed(t, cpu->id) ||
	    atomic_load_explicit(&t->state, memory_order_relaxed) == TS_DEAD)
		return;
	if (t->queued) {
		sk_balance_migrate_queued(
			cpu, t, sk_balance_place(&t->affinity, cpu->id));
		return;
	}
	t->flags |= TF_REHOME;
	if (t == cpu->current)
		resched_set();
}

static void apply_prio(struct sk_cpu *cpu, struct sk_thread *t)
{
	if (t == cpu->current) /* charge the old weight up to now */
		sk_fair_charge(cpu, t, sk_plat_clock_ns());
	atomic_store_explicit(&t->prio, t->req_prio, memory_order_relaxed);
}

static void req_apply(struct sk_cpu *cpu, struct sk_thread *t)
{
	unsigned home = thread_cpu(t);
	struct sk_thread *waiter = t->req_waiter;

	if (home != cpu->id) { /* it moved on: follow it */
		req_push(&sk_sched_cpus[home], t);
		return;
	}
	if (t->req_what & REQ_PRIO)
		apply_prio(cpu, t);
	if (t->req_what & REQ_AFFINITY)
		apply_affinity(cpu, t);
	/* release: pairs with the requester's acquire load */
	atomic_store_explicit(&t->req_done, 1, memory_order_release);
	sk_thread_wake(waiter);
}

void sk_remote_drain(struct sk_cpu *cpu)
{
	struct sk_thread *t, *next;

	if (!atomic_load_explicit(&cpu->reqs, memory_order_relaxed))
		return;
	/* acquire: pairs with the pushers' release CAS */
	t = atomic_exchange_explicit(&cpu->reqs, NULL, memory_order_acquire);
	for (; t; t = next) {
		next = t->req_next;
		t->req_next = NULL;
		req_apply(cpu, t);
	}
}

/* Send the filled request of @t to its home CPU and wait until applied. */
static void req_run(struct sk_thread *t)
{
	sk_plat_irq_flags flags = sk_plat_irq_save();
	struct sk_cpu *cpu = this_cpu();

	t->req_waiter = cpu->current;
	sk_wait_prepare();
	if (thread_cpu(t) == cpu->id)
		req_apply(cpu, t); /* wakes us: no sleep below */
	else
		req_push(&sk_sched_cpus[thread_cpu(t)], t);
	sk_plat_irq_restore(flags);
	while (!atomic_load_explicit(&t->req_done, memory_order_acquire)) {
		sk_wait();
		sk_wait_prepare();
	}
	sk_wait_finish();
	t->req_done = 0;
	/* release: the slot's fields are free for the next requester */
	atomic_store_explicit(&t->req_busy, 0, memory_order_release);
	sk_sched_preempt_resched(); /* a same-CPU apply may want a switch */
}

static int req_claim(struct sk_thread *t)
{
	unsigned free = 0;

	if (t->kind == TK_IDLE)
		return -EINVAL;
	/* acquire: the previous requester's release of the slot */
	if (!atomic_compare_exchange_strong_explicit(&t->req_busy, &free, 1,
						     memory_order_acquire,
						     memory_order_relaxed))
		return -EBUSY;
	return 0;
}

int sk_thread_set_affinity_of(struct sk_thread *t, const struct sk_cpuset *set)
{
	unsigned n = 0;
	int err;

	if (!t || !set)
		return -EINVAL;
	if (t == sk_thread_current())
		return sk_thread_set_affinity(set);
	for (unsigned c = 0; c < sk_sched_ncpus; c++)
		n += (unsigned)sk_cpuset_has(set, c);
	if (!n)
		return -EINVAL;
	sk_sched_assert_may_switch();
	err = req_claim(t);
	if (err)
		return err;
	t->req_aff = *set;
	t->req_what = REQ_AFFINITY;
	req_run(t);
	return 0;
}

int sk_thread_set_prio_of(struct sk_thread *t, unsigned prio)
{
	int err;

	if (!t || prio < SK_THREAD_PRIO_MIN || prio > SK_THREAD_PRIO_MAX)
		return -EINVAL;
	if (t == sk_thread_current())
		return sk_thread_set_prio(prio);
	sk_sched_assert_may_switch();
	err = req_claim(t);
	if (err)
		return err;
	t->req_prio = prio;
	t->req_what = REQ_PRIO;
	req_run(t);
	return 0;
}
