// SPDX-License-Identifier: MIT
/*
 * The switch path: pick the next thread of this CPU, account the one
 * leaving, arm the preemption deadline and switch stacks.  Everything here
 * runs on one CPU with irqs off; the only cross-CPU input is the incoming
 * queue, drained first (wake.c).
 *
 * Runqueues: an RT FIFO heap (key: inverted priority, then arrival order)
 * ahead of a fair heap (key: normalised run time, fair.c).  The running
 * thread is in neither.
 */
#include <arch/fpu.h>
#include <plat/assert.h>
#include <plat/time.h>

#include "sched_impl.h"

enum { RT_SEQ_BITS = 56 };

static struct sk_thread *rq_best(struct sk_cpu *cpu)
{
	struct sk_pheap_node *n = sk_pheap_peek(&cpu->rt_rq);

	if (!n)
		n = sk_pheap_peek(&cpu->fair_rq);
	return n ? SK_CONTAINER_OF(n, struct sk_thread, rq_node) : NULL;
}

static void publish_load(struct sk_cpu *cpu)
{
	unsigned load = cpu->nr_queued + (cpu->current != cpu->idle);

	atomic_store_explicit(&cpu->load, load, memory_order_relaxed);
}

void sk_sched_rq_insert(struct sk_cpu *cpu, struct sk_thread *t)
{
	if (t->kind == TK_FIFO) {
		uint64_t inv = SK_THREAD_RT_PRIO_MAX - t->rt_prio;

		t->rq_node.key = (inv << RT_SEQ_BITS) |
				 (cpu->rt_seq++ & ((1ull << RT_SEQ_BITS) - 1));
		sk_pheap_insert(&cpu->rt_rq, &t->rq_node);
	} else {
		sk_pheap_insert(&cpu->fair_rq, &t->rq_node);
	}
	t->queued = true;
	cpu->nr_queued++;
	publish_load(cpu);
}

void sk_sched_rq_remove(struct sk_cpu *cpu, struct sk_thread *t)
{
	if (t->kind == TK_FIFO)
		sk_pheap_remove(&cpu->rt_rq, &t->rq_node);
	else
		sk_pheap_remove(&cpu->fair_rq, &t->rq_node);
	t->queued = false;
	cpu->nr_queued--;
	publish_load(cpu);
}

/* Arm the preemption deadline for @next, which is about to run. */
static void arm_deadline(struct sk_cpu *cpu, struct sk_thread *next,
			 uint64_t now)
{
	struct sk_thread *best = rq_best(cpu);
	uint64_t dl = sk_fair_deadline(cpu, next, best, now);
	uint64_t look = next == cpu->idle ? 0 : dl;

	cpu->preempt_deadline = dl;
	atomic_store_explicit(&cpu->next_look_ns, look, memory_order_relaxed);
	/* NO_DEADLINE leaves the want at the earliest timer, which the
	 * one-shot never lags (timer.c): nothing to re-arm. */
	if (dl != NO_DEADLINE)
		sk_timer_hw_update(cpu);
}

void sk_sched_rearm(struct sk_cpu *cpu, uint64_t now)
{
	sk_fair_charge(cpu, cpu->current, now);
	arm_deadline(cpu, cpu->current, now);
}

/* The thread to run after @cur, which stays runnable if @runnable. */
static struct sk_thread *pick(struct sk_cpu *cpu, struct sk_thread *cur,
			      enum switch_reason why, uint64_t now)
{
	bool runnable =
		cur != cpu->idle &&
		(why == SW_YIELD || why == SW_PREEMPT || why == SW_CHECK);
	struct sk_thread *best;

	if (why == SW_YIELD)
		sk_fair_yield(cpu, cur);
	best = rq_best(cpu);
	if (!runnable)
		return best ? best : cpu->idle;
	if (why == SW_YIELD) {
		if (!best || (best->kind != TK_FIFO && cur->kind == TK_FIFO))
			return cur;
		if (best->kind == TK_FIFO && cur->kind == TK_FIFO &&
		    best->rt_prio < cur->rt_prio)
			return cur;
		return best;
	}
	return sk_fair_should_switch(cpu, cur, best, now) ? best : cur;
}

static void do_switch(struct sk_cpu *cpu, struct sk_thread *cur,
		      struct sk_thread *next, enum switch_reason why)
{
	if (why == SW_PREEMPT) {
		sk_arch_fpu_save(cur->fpu_area);
		cur->flags |= TF_FPU_SAVED;
		STAT_INC(cpu, preemptions);
	}
	STAT_INC(cpu, switches);
	cpu->prev = cur;
	set_current(cpu, next);
	publish_load(cpu);
	sk_arch_switch(&cur->ctx, &next->ctx);
	/* Back on @cur, maybe on another CPU: @cpu is stale from here. */
	sk_sched_thread_finish();
	if (cur->flags & TF_FPU_SAVED) {
		cur->flags &= ~TF_FPU_SAVED;
		sk_arch_fpu_restore(cur->fpu_area); /* last: nothing may touch
						       the FPU after this */
	}
}

/*
 * The common sleep: exactly one other thread is runnable here, a fair one,
 * and nothing is on its way in.  It is what the pick would choose, taking
 * it leaves the runqueues empty (so no switch penalty, no deadline), and
 * the accounting is one fused update.  False if the case does not apply.
 */
static bool sleep_to_only_rival(struct sk_cpu *cpu, struct sk_thread *cur,
				uint64_t now)
{
	struct sk_pheap_node *n = cpu->fair_rq.root;
	struct sk_thread *next;

	if (cpu->nr_queued != 1 || !n || cur->kind != TK_FAIR ||
	    sk_wake_pending(cpu))
		return false;
	next = SK_CONTAINER_OF(n, struct sk_thread, rq_node);
	cpu->fair_rq.root = NULL; /* the only node: an O(1) pop */
	next->queued = false;
	cpu->nr_queued = 0;
	sk_fair_switch_sleep(cpu, cur, next, now);
	cpu->preempt_deadline = NO_DEADLINE; /* alone: see switch_to */
	atomic_store_explicit(&cpu->next_look_ns, NO_DEADLINE,
			      memory_order_relaxed);
	cpu->in_sched = false;
	do_switch(cpu, cur, next, SW_SLEEP);
	return true;
}

/*
 * @cur's affinity was changed from elsewhere (remote.c): if it may no
 * longer run here, this switch sends it on instead of requeueing it.
 * Return: how to account the switch (SW_MIGRATE, or @why unchanged).
 */
static enum switch_reason rehome(struct sk_cpu *cpu, struct sk_thread *cur,
				 enum switch_reason why)
{
	cur->flags &= ~(unsigned)TF_REHOME;
	if (why == SW_MIGRATE || sk_cpu_allowed(cur, cpu->id))
		return why;
	cur->migrate_to = sk_balance_place(&cur->affinity, cpu->id);
	cur->flags |= TF_MIGRATE;
	return SW_MIGRATE;
}

static void switch_once(struct sk_cpu *cpu, enum switch_reason fpu_why)
{
	struct sk_thread *cur = cpu->current, *next;
	uint64_t now = sched_clock(cpu);
	enum switch_reason why = fpu_why; /* how to account it */

	SK_ASSERT(!cpu->in_sched, "sched: switch re-entered");
	cpu->in_sched = true;
	resched_clear();
	sk_qs_note_if_wanted(cpu);
	if (why == SW_SLEEP && sleep_to_only_rival(cpu, cur, now))
		return;
	if (SK_UNLIKELY(cur->flags & TF_REHOME) && why != SW_SLEEP &&
	    why != SW_EXIT)
		why = rehome(cpu, cur, why);
	sk_fair_charge(cpu, cur, now);
	if (why == SW_SLEEP || why == SW_EXIT || why == SW_MIGRATE)
		sk_fair_depart(cpu, cur, now);
	sk_wake_drain(cpu);
	sk_registry_drain(cpu);
	if (why == SW_PREEMPT && cpu->nr_queued)
		sk_balance_push(cpu);
	next = pick(cpu, cur, why, now);
	if (next != cur && cur != cpu->idle &&
	    (why == SW_YIELD || why == SW_PREEMPT || why == SW_CHECK))
		sk_sched_rq_insert(cpu, cur);
	if (next->queued) /* @cur too, if the drain above woke it */
		sk_sched_rq_remove(cpu, next);
	if (next != cur)
		sk_fair_start(cpu, next, now);
	arm_deadline(cpu, next, now);
	cpu->in_sched = false;
	if (next != cur)
		do_switch(cpu, cur, next, fpu_why);
}

/*
 * The current thread, already TS_SLEEPING, hands the CPU straight to @w,
 * claimed (TS_WAKING) by the caller, whose home is this CPU, with nothing
 * else runnable here (wake.c: handoff_is_direct).  What switch_once and
 * the arrival would do, minus the runqueue round trip, the preemption
 * test and the caller's deadline: @w is what the pick would choose.
 * Irqs off.
 */
void sk_sched_switch_to(struct sk_cpu *cpu, struct sk_thread *w)
{
	struct sk_thread *cur = cpu->current;
	uint64_t now = sched_clock(cpu);

	SK_ASSERT(!cpu->in_sched, "sched: switch re-entered");
	cpu->in_sched = true;
	resched_clear();
	sk_qs_note_if_wanted(cpu);
	/* release: as in sk_wake_arrive */
	atomic_store_explicit(&w->state, TS_RUNNING, memory_order_release);
	sk_fair_handoff(cpu, cur, w, now);
	/* Alone on the CPU: no deadline.  No re-arm either: the platform
	 * one-shot is never later than the earliest timer (timer.c). */
	cpu->preempt_deadline = NO_DEADLINE;
	atomic_store_explicit(&cpu->next_look_ns, NO_DEADLINE,
			      memory_order_relaxed);
	cpu->in_sched = false;
	do_switch(cpu, cur, w, SW_SLEEP);
	sk_sched_switch_resumed(SW_SLEEP);
}

/* Back from a switch: a wake may have landed where nobody could act on
 * it (in the finish of a switch, or in a queue drained on the way). */
void sk_sched_switch_resumed(enum switch_reason why)
{
	for (;;) {
		struct sk_cpu *cpu = this_cpu();

		if (!resched_is_due() || preempt_count() ||
		    cpu->current == cpu->idle)
			return;
		switch_once(cpu, why == SW_PREEMPT ? SW_PREEMPT : SW_CHECK);
	}
}

/* Switch away from the current thread for @why; irqs off. */
void sk_sched_switch(struct sk_cpu *cpu, enum switch_reason why)
{
	/* A voluntary switch with preemption disabled would break every
	 * preempt-off section (and RCU reader) on this CPU. */
	SK_ASSERT(why == SW_PREEMPT || why == SW_CHECK || why == SW_EXIT ||
			  preempt_count() == 0,
		  "sched: voluntary switch with preemption disabled");
	switch_once(cpu, why);
	sk_sched_switch_resumed(why);
}

/* Runs on the new thread right after every switch, irqs off. */
void sk_sched_thread_finish(void)
{
	struct sk_cpu *cpu = this_cpu();
	struct sk_thread *prev = cpu->prev;

	cpu->prev = NULL;
	if (!prev)
		return;
	if (atomic_load_explicit(&prev->state, memory_order_relaxed) ==
	    TS_DEAD) {
		sk_thread_exited(cpu, prev);
		return;
	}
	if (prev->flags & TF_MIGRATE) {
		/* Only now is its context saved, so only now may it move. */
		prev->flags &= ~TF_MIGRATE;
		sk_timers_suspend(cpu, prev);
		thread_cpu_set(prev, prev->migrate_to);
		sk_wake_push(cpu, prev, prev->migrate_to);
	}
}

void sk_sched_exit_hook(void *arg)
{
	struct sk_cpu *cpu = this_cpu();

	(void)arg;
	if (!cpu)
		return;
	if (preempt_count() || cpu->in_sched)
		return;
	sk_qs_note(cpu); /* the interrupted code was preemptible */
	if (resched_is_due() && cpu->current != cpu->idle)
		sk_sched_switch(cpu, SW_PREEMPT);
}
