// SPDX-License-Identifier: MIT
/*
 * Preemption control (sched/preempt.h): a per-CPU counter.  The counter is
 * reached through the per-CPU pointer, which is only stable while the
 * caller cannot migrate, so each access runs with irqs off for the few
 * instructions it takes.  On hosted that is a flag in thread-local memory,
 * not a system call.
 */
#include <plat/assert.h>
#include <plat/compiler.h>

#include <sched/preempt.h>

#include "sched_impl.h"

void sk_preempt_disable(void)
{
	sk_plat_irq_flags flags = sk_plat_irq_save();
	struct sk_cpu *cpu = this_cpu();

	if (cpu)
		cpu->preempt_count++;
	sk_plat_irq_restore(flags);
	SK_BARRIER();
}

void sk_preempt_enable(void)
{
	bool on = sk_plat_irq_is_enabled();
	struct sk_cpu *cpu;

	SK_BARRIER();
	sk_plat_irq_disable();
	cpu = this_cpu();
	if (cpu) {
		SK_ASSERT(cpu->preempt_count > 0,
			  "sched: preempt_enable without disable");
		if (--cpu->preempt_count == 0 && on && cpu->need_resched &&
		    cpu->current != cpu->idle && !cpu->in_sched)
			sk_sched_switch(cpu, SW_CHECK);
	}
	if (on)
		sk_plat_irq_enable();
}

bool sk_preempt_is_enabled(void)
{
	sk_plat_irq_flags flags;
	struct sk_cpu *cpu;
	bool ok;

	if (!sk_plat_irq_is_enabled())
		return false;
	flags = sk_plat_irq_save();
	cpu = this_cpu();
	ok = !cpu || cpu->preempt_count == 0;
	sk_plat_irq_restore(flags);
	return ok;
}

void sk_sched_assert_may_switch(void)
{
	sk_plat_irq_flags flags = sk_plat_irq_save();
	struct sk_cpu *cpu = this_cpu();

	SK_ASSERT(!cpu || cpu->current == cpu->idle || cpu->preempt_count == 0,
		  "sched: voluntary switch (yield, sleep, wait, join, "
		  "affinity) with preemption disabled: sleeping in a "
		  "preempt-off or RCU read-side section");
	sk_plat_irq_restore(flags);
}
