/* SPDX-License-Identifier: MIT */
/*
 * Preemption control: a per-CPU counter.  While it is non-zero the current
 * thread is not switched out involuntarily and does not migrate, so per-CPU
 * data may be used without locks.  This is also the whole RCU read side.
 */
#ifndef SCHED_PREEMPT_H
#define SCHED_PREEMPT_H

#include <stdbool.h>

/*
 * sk_preempt_disable - stop involuntary switches on this CPU.  Nests.
 * Ordering: a compiler barrier; no CPU fence.
 * Context: any.
 */
void sk_preempt_disable(void);

/*
 * sk_preempt_enable - undo one sk_preempt_disable().  When the count drops
 * to zero with irqs enabled and a reschedule pending, switches before
 * returning.
 * Context: any; must pair with sk_preempt_disable() on the same thread.
 */
void sk_preempt_enable(void);

/*
 * sk_preempt_is_enabled - whether the current context may be switched out
 * (count zero and irqs enabled).  Sleeping is only legal when this is true.
 * Context: any.
 */
bool sk_preempt_is_enabled(void);

#endif
