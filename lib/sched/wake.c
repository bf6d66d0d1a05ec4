// SPDX-License-Identifier: MIT
/*
 * Wait and wake (sched/wait.h), and the lock-free incoming queues that
 * carry woken or migrating threads to their home CPU.
 *
 * sk_thread.state (one atomic word per thread):
 *
 *   from      to        who                          how
 *   RUNNING   WAITING   the thread, wait_prepare     store + seq_cst fence
 *   WAITING   RUNNING   a waker / wait_finish        CAS / store
 *   WAITING   SLEEPING  the thread, irqs off         CAS acq_rel
 *   SLEEPING  WAKING    one waker (CAS winner)       CAS acquire
 *   WAKING    RUNNING   the home CPU, irqs off       store release
 *   RUNNING   DEAD      the thread, irqs off         store release
 *
 * A wake never gets lost: either the waker's CAS sees WAITING (the thread
 * has not slept yet and its own CAS to SLEEPING will fail), or it sees
 * SLEEPING and alone moves the thread to WAKING and queues it.  The seq_cst
 * fences in prepare and wake order the state against the caller's
 * condition: a waker that stores the condition, fences, and reads a state
 * older than WAITING pairs with a thread whose test comes after its fence
 * and so sees the condition.
 *
 * Incoming queues: one LIFO list head per (source CPU, target CPU).  Only
 * the source pushes (irqs off, so one pusher at a time) with a release
 * CAS; only the target takes the whole list with an acquire exchange.  A
 * bitmap per target names the sources with something queued.
 */
#include <errno.h>

#include <plat/assert.h>
#include <plat/time.h>

#include "sched_impl.h"

/* A busy target that will look at its queue within this needs no IPI. */
static const uint64_t WAKE_LOOK_NS = 500000;

/*
 * @on_cpu is stored (relaxed) by the CPU that switches @t in or out, so a
 * thread that is being switched out to sleep still reads as running for a
 * moment: the state check cuts that short.  Both reads may be stale: a
 * hint, as the contract says.
 */
bool sk_thread_is_running(const struct sk_thread *t)
{
	unsigned s = atomic_load_explicit(&t->state, memory_order_relaxed);

	if (s == TS_SLEEPING || s == TS_WAKING || s == TS_DEAD)
		return false;
	return atomic_load_explicit(&t->on_cpu, memory_order_relaxed) &&
	       !sk_plat_cpu_is_preempted(thread_cpu(t));
}

void sk_wait_prepare(void)
{
	struct sk_thread *t = sk_thread_current();

	atomic_store_explicit(&t->state, TS_WAITING, memory_order_relaxed);
	/* Pairs with the fence in sk_thread_wake(). */
	atomic_thread_fence(memory_order_seq_cst);
}

void sk_wait_finish(void)
{
	struct sk_thread *t = sk_thread_current();

	atomic_store_explicit(&t->state, TS_RUNNING, memory_order_relaxed);
}

static void wake_timeout(void *arg)
{
	struct sk_thread *t = arg;

	atomic_store_explicit(&t->timed_out, 1, memory_order_relaxed);
	sk_thread_wake(t);
}

/* Sleep with irqs off (in @flags the caller's state); 0 or -ETIMEDOUT. */
static int sleep_locked(struct sk_cpu *cpu, uint64_t deadline)
{
	struct sk_thread *t = cpu->current;
	unsigned expect = TS_WAITING;

	SK_ASSERT(preempt_count() == 0,
		  "sched: sleeping with preemption disabled");
	if (deadline != NO_DEADLINE) {
		atomic_store_explicit(&t->timed_out, 0, memory_order_relaxed);
		sk_timer_init(&t->sleep_timer, wake_timeout, t, 0);
		sk_timer_arm(&t->sleep_timer, deadline);
	}
	/* acq_rel: releases t->cpu to the waker whose CAS reads SLEEPING */
	if (atomic_compare_exchange_strong_explicit(
		    &t->state, &expect, TS_SLEEPING, memory_order_acq_rel,
		    memory_order_relaxed))
		sk_sched_switch(cpu, SW_SLEEP);
	if (deadline != NO_DEADLINE)
		sk_timer_cancel(&t->sleep_timer);
	return atomic_load_explicit(&t->timed_out, memory_order_relaxed)
		       ? -ETIMEDOUT
		       : 0;
}

void sk_wait(void)
{
	sk_plat_irq_flags flags;

	sk_sched_assert_may_switch();
	flags = sk_plat_irq_save();
	(void)sleep_locked(this_cpu(), NO_DEADLINE);
	sk_plat_irq_restore(flags);
}

int sk_wait_until(uint64_t deadline_ns)
{
	sk_plat_irq_flags flags;
	struct sk_thread *t;
	unsigned expect = TS_WAITING;
	int ret;

	sk_sched_assert_may_switch();
	if (deadline_ns == NO_DEADLINE) {
		sk_wait();
		return 0;
	}
	if (deadline_ns <= sk_plat_clock_ns()) {
		t = sk_thread_current();
		if (atomic_compare_exchange_strong_explicit(
			    &t->state, &expect, TS_RUNNING,
			    memory_order_relaxed, memory_order_relaxed))
			return -ETIMEDOUT;
		return 0; /* a waker got there first */
	}
	flags = sk_plat_irq_save();
	ret = sleep_locked(this_cpu(), deadline_ns);
	sk_plat_irq_restore(flags);
	return ret;
}

void sk_wake_push(struct sk_cpu *src, struct sk_thread *t, unsigned target)
{
	struct sk_cpu *tgt = &sk_sched_cpus[target];
	_Atomic(struct sk_thread *) *head = &tgt->inq[src->id];
	struct sk_thread *old =
		atomic_load_explicit(head, memory_order_relaxed);
	uint64_t bit = (uint64_t)1 << (src->id % 64);
	uint64_t look;

	do {
		t->qnext = old;
		/* release: t's fields to the target's acquire exchange */
	} while (!atomic_compare_exchange_weak_explicit(
		head, &old, t, memory_order_release, memory_order_relaxed));
	if (old)
		return; /* whoever made the list non-empty decided on the IPI */
	atomic_fetch_or_explicit(&tgt->inq_mask[src->id / 64], bit,
				 memory_order_release);
	/* Pairs with the fence in the target's idle entry (cpu.c): either it
	 * sees our bit, or we see its next_look_ns == 0 and send the IPI. */
	atomic_thread_fence(memory_order_seq_cst);
	look = atomic_load_explicit(&tgt->next_look_ns, memory_order_relaxed);
	if (look == 0 || look > sk_plat_clock_ns() + WAKE_LOOK_NS) {
		STAT_INC(src, ipis_sent);
		sk_plat_cpu_ipi(target);
	}
}

bool sk_wake_pending(struct sk_cpu *cpu)
{
	unsigned words = (sk_sched_ncpus + 63) / 64;

	if (SK_LIKELY(sk_sched_ncpus <= 64))
		return atomic_load_explicit(&cpu->inq_mask[0],
					    memory_order_relaxed) != 0;
	for (unsigned w = 0; w < words; w++)
		if (atomic_load_explicit(&cpu->inq_mask[w],
					 memory_order_relaxed))
			return true;
	return false;
}

static void drain_source(struct sk_cpu *cpu, unsigned src, uint64_t now)
{
	struct sk_thread *list, *rev = NULL, *t;

	/* acquire: pairs with the pushers' release CAS */
	list = atomic_exchange_explicit(&cpu->inq[src], NULL,
					memory_order_acquire);
	while (list) { /* LIFO -> FIFO */
		t = list;
		list = t->qnext;
		t->qnext = rev;
		rev = t;
	}
	while (rev) {
		t = rev;
		rev = t->qnext;
		t->qnext = NULL;
		sk_wake_arrive(cpu, t, now);
	}
}

/* Drain every non-empty source; out of line so that the common empty
 * check costs no register saves. */
static SK_NOINLINE void wake_drain_slow(struct sk_cpu *cpu)
{
	unsigned words = (sk_sched_ncpus + 63) / 64;
	uint64_t now = 0;

	for (unsigned w = 0; w < words; w++) {
		uint64_t bits;

		if (!atomic_load_explicit(&cpu->inq_mask[w],
					  memory_order_relaxed))
			continue;
		/* acquire: pairs with the pushers' release fetch_or */
		bits = atomic_exchange_explicit(&cpu->inq_mask[w], 0,
						memory_order_acquire);
		if (!now && bits)
			now = sk_plat_clock_ns();
		while (bits) {
			unsigned b = (unsigned)__builtin_ctzll(bits);

			bits &= bits - 1;
			drain_source(cpu, w * 64 + b, now);
		}
	}
}

void sk_wake_drain(struct sk_cpu *cpu)
{
	if (sk_wake_pending(cpu))
		wake_drain_slow(cpu);
}

/* @t's affinity excludes @cpu (changed while it was away, remote.c):
 * send it on to an allowed CPU instead of queueing it here. */
static SK_NOINLINE void rehome_forward(struct sk_cpu *cpu, struct sk_thread *t)
{
	unsigned target = sk_balance_place(&t->affinity, cpu->id);

	if (!(t->flags & TF_TIMERS_OFF))
		sk_timers_suspend(cpu, t);
	thread_cpu_set(t, target);
	STAT_INC(cpu, migrations);
	sk_wake_push(cpu, t, target);
}

/* @t becomes runnable on @cpu, its home, with irqs off. */
void sk_wake_arrive(struct sk_cpu *cpu, struct sk_thread *t, uint64_t now)
{
	struct sk_thread *cur = cpu->current;

	thread_cpu_set(t, cpu->id);
	if (atomic_load_explicit(&t->state, memory_order_relaxed) == TS_WAKING)
		atomic_store_explicit(&t->state, TS_RUNNING,
				      memory_order_release);
	if (SK_UNLIKELY(t->flags & TF_REHOME) && t != cur) {
		t->flags &= ~(unsigned)TF_REHOME;
		if (!sk_cpu_allowed(t, cpu->id)) {
			rehome_forward(cpu, t);
			return;
		}
	}
	if (t->flags & TF_TIMERS_OFF)
		sk_timers_resume(cpu, t);
	if (t->kind == TK_FAIR)
		sk_fair_arrive(cpu, t, now);
	sk_sched_rq_insert(cpu, t);
	if (t == cur || cpu->in_sched)
		return; /* the switch in progress decides */
	if (cur == cpu->idle || sk_fair_should_switch(cpu, cur, t, now))
		resched_set();
	else if (t->kind == TK_FAIR && cur->kind == TK_FAIR &&
		 sk_pheap_peek(&cpu->fair_rq) == &t->rq_node)
		sk_sched_rearm(cpu, now); /* a new first rival: new deadline */
}

/* @t (claimed: WAKING) goes to its home CPU's runqueue.  Irqs off. */
static void wake_claimed(struct sk_cpu *cpu, struct sk_thread *t)
{
	/*
	 * Same CPU: no clock read.  The fair math's latest reading is old by
	 * however long the waker has run since its CPU last passed through
	 * the scheduler; arrival does not need the time, and a deadline
	 * re-armed from an older "now" can only come earlier than the exact
	 * one (the waker is charged the difference later), which costs at
	 * most an early timer interrupt.  The common waker goes to sleep
	 * right after, and its switch reads the clock anyway.
	 */
	unsigned home = thread_cpu(t);

	if (home == cpu->id)
		sk_wake_arrive(cpu, t, cpu->now_ns);
	else
		sk_wake_push(cpu, t, home);
}

/* A thread-context caller with irqs on (in @flags) switches now if a
 * wake made that due; then restores @flags. */
static void resched_and_restore(struct sk_cpu *cpu, sk_plat_irq_flags flags,
				bool on)
{
	if (on && resched_is_due() && !preempt_count() &&
	    cpu->current != cpu->idle)
		sk_sched_switch(cpu, SW_CHECK);
	sk_plat_irq_restore(flags);
}

static void wake_sleeper(struct sk_thread *t)
{
	bool on = sk_plat_irq_is_enabled();
	sk_plat_irq_flags flags = sk_plat_irq_save();
	struct sk_cpu *cpu = this_cpu();

	wake_claimed(cpu, t);
	resched_and_restore(cpu, flags, on);
}

/*
 * The wake half of sk_thread_wake: true if the caller claimed @t from
 * SLEEPING (it must then queue it); a WAITING @t is just set RUNNING.
 */
static bool wake_claim(struct sk_thread *t)
{
	unsigned s;

	/* Pairs with the fence in sk_wait_prepare(). */
	atomic_thread_fence(memory_order_seq_cst);
	s = atomic_load_explicit(&t->state, memory_order_relaxed);
	for (;;) {
		if (s == TS_WAITING) {
			if (atomic_compare_exchange_weak_explicit(
				    &t->state, &s, TS_RUNNING,
				    memory_order_relaxed, memory_order_relaxed))
				return false;
		} else if (s == TS_SLEEPING) {
			/* acquire: pairs with the sleeper's acq_rel CAS */
			if (atomic_compare_exchange_weak_explicit(
				    &t->state, &s, TS_WAKING,
				    memory_order_acquire, memory_order_relaxed))
				return true;
		} else {
			return false;
		}
	}
}

void sk_thread_wake(struct sk_thread *t)
{
	if (wake_claim(t))
		wake_sleeper(t);
}

/*
 * Whether the caller may switch straight to @w, just claimed on this CPU:
 * nothing else runnable or on its way here (so @w is what the pick would
 * choose), both fair, @w's timers are in this CPU's set and it may still
 * run here (no affinity change pending, remote.c).
 */
static bool handoff_is_direct(struct sk_cpu *cpu, struct sk_thread *self,
			      struct sk_thread *w)
{
	return thread_cpu(w) == cpu->id && !cpu->nr_queued && !cpu->in_sched &&
	       w->kind == TK_FAIR && self->kind == TK_FAIR &&
	       !(w->flags & (TF_TIMERS_OFF | TF_REHOME)) &&
	       !sk_wake_pending(cpu);
}

void sk_wake_and_wait(struct sk_thread *w)
{
	bool on = sk_plat_irq_is_enabled();
	sk_plat_irq_flags flags;
	struct sk_cpu *cpu;
	struct sk_thread *self;
	unsigned expect = TS_WAITING;

	SK_ASSERT(preempt_count() == 1,
		  "sched: sk_wake_and_wait with preemption disabled other "
		  "than once by the caller: sleeping in a preempt-off or RCU "
		  "read-side section");
	flags = sk_plat_irq_save();
	/* Irqs off: dropping the caller's count cannot switch here; a
	 * reschedule that is due is served by the switch or the check
	 * below. */
	SK_PLAT_PERCPU_DEC(SK_SCHED_PCPU_PREEMPT);
	cpu = this_cpu();
	self = cpu->current;
	if (!wake_claim(w)) {
		(void)sleep_locked(cpu, NO_DEADLINE);
	} else if (!handoff_is_direct(cpu, self, w)) {
		wake_claimed(cpu, w);
		(void)sleep_locked(cpu, NO_DEADLINE);
	} else if (atomic_compare_exchange_strong_explicit(
			   &self->state, &expect, TS_SLEEPING,
			   /* acq_rel: as in sleep_locked */
			   memory_order_acq_rel, memory_order_relaxed)) {
		sk_sched_switch_to(cpu, w);
	} else { /* woken since sk_wait_prepare: @w queues, we stay */
		wake_claimed(cpu, w);
	}
	resched_and_restore(this_cpu(), flags, on);
}
