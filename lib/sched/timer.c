// SPDX-License-Identifier: MIT
/*
 * Per-CPU timer sets (sched/timer.h): a pairing heap of deadlines per CPU,
 * touched only by that CPU with irqs off.  The platform one-shot is armed
 * for min(earliest timer, preemption deadline), and re-armed only when
 * that minimum moves earlier than what is armed.  A thread's timers travel with it: they leave the old
 * CPU's heap when it migrates and join the new one's when it arrives.
 */
#include <errno.h>

#include <plat/assert.h>
#include <plat/time.h>

#include "sched_impl.h"

static struct sk_timer *node_timer(struct sk_pheap_node *n)
{
	return SK_CONTAINER_OF(n, struct sk_timer, node);
}

/*
 * Program the platform one-shot for the earliest of the timer set and the
 * preemption deadline.  Lazily: an armed one-shot that is earlier than
 * needed is left alone (it fires, finds nothing due and re-arms), and it
 * is never cancelled; only a new earliest deadline costs a re-arm.  On
 * hosted each arm is a system call, and a same-CPU hand-off would
 * otherwise pay two.
 */
void sk_timer_hw_update(struct sk_cpu *cpu)
{
	struct sk_pheap_node *n = sk_pheap_peek(&cpu->timers);
	uint64_t want = cpu->preempt_deadline;

	if (n && n->key < want)
		want = n->key;
	if (want >= cpu->hw_deadline)
		return;
	cpu->hw_deadline = want;
	STAT_INC(cpu, timer_arms);
	sk_plat_timer_arm(want);
}

static void owner_link(struct sk_thread *o, struct sk_timer *t)
{
	t->tprev = NULL;
	t->tnext = o->timers;
	if (o->timers)
		o->timers->tprev = t;
	o->timers = t;
}

static void owner_unlink(struct sk_thread *o, struct sk_timer *t)
{
	if (t->tprev)
		t->tprev->tnext = t->tnext;
	else
		o->timers = t->tnext;
	if (t->tnext)
		t->tnext->tprev = t->tprev;
	t->tnext = t->tprev = NULL;
}

/* Take an armed @t out of @cpu's set and its owner's list. */
static void timer_detach(struct sk_cpu *cpu, struct sk_timer *t)
{
	sk_pheap_remove(&cpu->timers, &t->node);
	if (t->owner)
		owner_unlink(t->owner, t);
	t->armed = 0;
}

void sk_timer_init(struct sk_timer *t, sk_timer_fn fn, void *arg,
		   unsigned flags)
{
	t->node.key = 0;
	t->node.child = t->node.next = t->node.prev = NULL;
	t->fn = fn;
	t->arg = arg;
	t->owner = NULL;
	t->tnext = t->tprev = NULL;
	t->cpu = 0;
	t->flags = flags;
	t->armed = 0;
}

/* Whether the caller on @cpu may arm or cancel @t. */
static bool timer_is_mine(struct sk_cpu *cpu, const struct sk_timer *t)
{
	if (!t->armed)
		return true;
	if (t->flags & SK_TIMER_CPU)
		return t->cpu == cpu->id;
	return t->owner == cpu->current;
}

int sk_timer_arm(struct sk_timer *t, uint64_t deadline_ns)
{
	sk_plat_irq_flags flags = sk_plat_irq_save();
	struct sk_cpu *cpu = this_cpu();

	if (!timer_is_mine(cpu, t)) {
		sk_plat_irq_restore(flags);
		return -EINVAL;
	}
	if (t->armed)
		timer_detach(cpu, t);
	t->owner = (t->flags & SK_TIMER_CPU) ? NULL : cpu->current;
	t->cpu = cpu->id;
	t->node.key = deadline_ns;
	if (t->owner)
		owner_link(t->owner, t);
	sk_pheap_insert(&cpu->timers, &t->node);
	t->armed = 1;
	sk_timer_hw_update(cpu);
	sk_plat_irq_restore(flags);
	return 0;
}

int sk_timer_cancel(struct sk_timer *t)
{
	sk_plat_irq_flags flags = sk_plat_irq_save();
	struct sk_cpu *cpu = this_cpu();
	int ret = -ENOENT;

	if (t->armed) {
		SK_ASSERT(timer_is_mine(cpu, t),
			  "sched: timer cancelled by a non-owner");
		timer_detach(cpu, t);
		sk_timer_hw_update(cpu);
		ret = 0;
	}
	sk_plat_irq_restore(flags);
	return ret;
}

bool sk_timer_is_armed(const struct sk_timer *t)
{
	return t->armed != 0;
}

void sk_timer_irq(void *arg)
{
	struct sk_cpu *cpu = this_cpu();
	uint64_t now = sk_plat_clock_ns();
	struct sk_pheap_node *n;

	(void)arg;
	cpu->hw_deadline = NO_DEADLINE; /* the one-shot is spent */
	while ((n = sk_pheap_peek(&cpu->timers)) && n->key <= now) {
		struct sk_timer *t = node_timer(n);

		timer_detach(cpu, t);
		t->fn(t->arg);
		if (!sk_pheap_is_empty(&cpu->timers) &&
		    sk_pheap_peek(&cpu->timers)->key > now)
			now = sk_plat_clock_ns();
	}
	if (cpu->preempt_deadline <= now) {
		cpu->preempt_deadline = NO_DEADLINE;
		resched_set();
	}
	sk_timer_hw_update(cpu);
}

void sk_timers_suspend(struct sk_cpu *cpu, struct sk_thread *t)
{
	for (struct sk_timer *tm = t->timers; tm; tm = tm->tnext)
		sk_pheap_remove(&cpu->timers, &tm->node);
	t->flags |= TF_TIMERS_OFF;
	sk_timer_hw_update(cpu);
}

void sk_timers_resume(struct sk_cpu *cpu, struct sk_thread *t)
{
	for (struct sk_timer *tm = t->timers; tm; tm = tm->tnext) {
		tm->cpu = cpu->id;
		sk_pheap_insert(&cpu->timers, &tm->node);
	}
	t->flags &= ~TF_TIMERS_OFF;
	sk_timer_hw_update(cpu);
}

void sk_timers_cancel_all(struct sk_cpu *cpu, struct sk_thread *t)
{
	while (t->timers)
		timer_detach(cpu, t->timers);
	sk_timer_hw_update(cpu);
}
