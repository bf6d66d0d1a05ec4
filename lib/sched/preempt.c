// SPDX-License-Identifier: MIT
/*
 * Preemption control (sched/preempt.h) as exported functions, for code
 * built without SK_SCHED_INLINE, plus the slow path every inline
 * sk_preempt_enable() falls into, and sk_thread_current().  The count, the
 * need-resched flag and the current thread are core words of the per-CPU
 * block: one %gs instruction each, no irq-off section (a thread cannot
 * migrate in the middle of one instruction).
 */
#define SK_SCHED_OUTLINE 1 /* the exported definitions live here */

#include <plat/assert.h>
#include <plat/compiler.h>

#include <sched/preempt.h>
#include <sched/wait.h>

#include "sched_impl.h"

/* Above this the count has wrapped: an enable without a disable. */
static const uint64_t PREEMPT_COUNT_SANE = 1u << 30;

void sk_preempt_disable(void)
{
	sk_preempt_disable_fast();
}

void sk_preempt_enable(void)
{
	sk_preempt_enable_fast();
}

bool sk_preempt_is_enabled(void)
{
	return sk_preempt_is_enabled_fast();
}

struct sk_thread *sk_thread_current(void)
{
	return sk_thread_current_fast();
}

void sk_sched_preempt_resched(void)
{
	struct sk_cpu *cpu = this_cpu();

	/* No scheduler on this CPU yet: its zero word asks for nothing. */
	if (!cpu || !sk_plat_irq_is_enabled())
		return;
	sk_plat_irq_disable();
	cpu = this_cpu();
	if (cpu && resched_is_due() && !preempt_count() &&
	    cpu->current != cpu->idle && !cpu->in_sched)
		sk_sched_switch(cpu, SW_CHECK);
	sk_plat_irq_enable();
}

void sk_sched_assert_may_switch(void)
{
	uint64_t count = preempt_count();
	struct sk_cpu *cpu = this_cpu();

	SK_ASSERT(count < PREEMPT_COUNT_SANE,
		  "sched: preempt_enable without disable");
	/* A count that is not zero cannot change under us (no migration);
	 * the idle thread may only be asked while it is current. */
	SK_ASSERT(!count || !cpu || cpu->current == cpu->idle,
		  "sched: voluntary switch (yield, sleep, wait, join, "
		  "affinity) with preemption disabled: sleeping in a "
		  "preempt-off or RCU read-side section");
}
