/* SPDX-License-Identifier: MIT */
/*
 * Preemption control: a per-CPU counter.  While it is non-zero the current
 * thread is not switched out involuntarily and does not migrate, so per-CPU
 * data may be used without locks.  This is also the whole RCU read side.
 *
 * The core words of the per-CPU block (plat/percpu.h), owned by lib/sched:
 *
 *   word     name                   meaning; who writes it
 *   core[0]  SK_SCHED_PCPU_PREEMPT  the preemption word (below): the
 *                                   running thread with one incq/decq %gs
 *                                   (no irq-off section: one instruction
 *                                   cannot be split by an interrupt or a
 *                                   migration); bit 63 only by the CPU
 *                                   itself, irqs off or in its handlers
 *   core[1]  SK_SCHED_PCPU_CURRENT  the running struct sk_thread *: the
 *                                   CPU's switch path, irqs off
 *   core[2]  SK_SCHED_PCPU_RESCHED  reserved: was the need-resched flag,
 *                                   now bit 63 of core[0]; stays 0
 *   core[3], core[4]                unassigned
 *
 * The preemption word (Linux x86's inverted PREEMPT_NEED_RESCHED):
 *
 *   bits 0..62  SK_SCHED_PREEMPT_COUNT_MASK  the preemption count
 *   bit 63      SK_SCHED_PREEMPT_NO_RESCHED  1: no reschedule is due;
 *                                            0: a switch is due at the next
 *                                            preemption point
 *
 * So the whole word is 0 exactly when the count is zero and a switch is
 * due, and sk_preempt_enable() is "decq %gs:24; je slow": one decrement
 * both drops the count and tests both conditions.  Setting and clearing
 * bit 63 (btr/bts %gs, single instructions) is done only by the CPU that
 * owns the word, with irqs off or from its own interrupt handlers; other
 * CPUs never write it: a remote CPU that wants this one to reschedule
 * queues its request (a woken thread, a quiescent-state kick) and sends an
 * IPI, whose handler sets the bit.  Other CPUs may read the word (lib/rcu
 * does, through sk_plat_percpu_of()); the count is the word masked with
 * SK_SCHED_PREEMPT_COUNT_MASK (sk_sched_preempt_word_count()).
 *
 * No other CPU writes the core words.  Before sk_sched_init() takes a CPU
 * they hold the platform's zeroes: count 0, no current thread, and bit 63
 * clear, so an enable there takes the slow path, which finds no scheduler
 * on the CPU and returns (nothing is ever due before sk_sched_init).
 *
 * Inline or not: with SK_SCHED_INLINE defined (skiff_sched_dep and the
 * skiff-sched pkg-config file define it for everything built on lib/sched)
 * sk_preempt_disable/enable and sk_preempt_is_enabled are the static inline
 * %gs sequences below; without it they are ordinary calls into lib/sched,
 * which exports the same functions, or into another kernel's port that
 * supplies them (lib/sync's pthread port).
 */
#ifndef SCHED_PREEMPT_H
#define SCHED_PREEMPT_H

#include <stdbool.h>
#include <stdint.h>

#include <plat/compiler.h>
#include <plat/irq.h>
#include <plat/percpu.h>

enum {
	SK_SCHED_PCPU_PREEMPT = SK_PLAT_PERCPU_CORE(0),
	SK_SCHED_PCPU_CURRENT = SK_PLAT_PERCPU_CORE(1),
	SK_SCHED_PCPU_RESCHED = SK_PLAT_PERCPU_CORE(2),
};

/* Bit 63 of the preemption word: set while no reschedule is due. */
#define SK_SCHED_PREEMPT_NO_RESCHED ((uint64_t)1 << 63)
/* The preemption count's bits of the word. */
#define SK_SCHED_PREEMPT_COUNT_MASK (SK_SCHED_PREEMPT_NO_RESCHED - 1)

/* sk_sched_preempt_word_count - the count held in preemption word @w. */
static inline uint64_t sk_sched_preempt_word_count(uint64_t w)
{
	return w & SK_SCHED_PREEMPT_COUNT_MASK;
}

/*
 * sk_sched_preempt_resched - switch if a reschedule is due and allowed
 * (count zero, irqs on, not the idle thread, not inside the scheduler).
 * The slow path of sk_preempt_enable (taken when the preemption word
 * reaches 0); callable anywhere (does nothing where a switch is not
 * allowed, nor on a CPU the scheduler has not taken).
 * Context: any.
 */
void sk_sched_preempt_resched(void);

/* The bodies: single %gs-relative instructions (see the table above). */
static inline void sk_preempt_disable_fast(void)
{
	SK_PLAT_PERCPU_INC(SK_SCHED_PCPU_PREEMPT);
}

/* decq; je slow: the word is 0 only with count 0 and a switch due. */
static inline void sk_preempt_enable_fast(void)
{
	if (SK_UNLIKELY(SK_PLAT_PERCPU_DEC_IS_ZERO(SK_SCHED_PCPU_PREEMPT)))
		sk_sched_preempt_resched();
}

/*
 * A migration between the two reads is harmless: a zero count means the
 * caller was preemptible, and the irq state read is then its new CPU's.
 */
static inline bool sk_preempt_is_enabled_fast(void)
{
	return sk_sched_preempt_word_count(
		       SK_PLAT_PERCPU_READ(SK_SCHED_PCPU_PREEMPT)) == 0 &&
	       sk_plat_irq_is_enabled();
}

/*
 * sk_preempt_disable - stop involuntary switches on this CPU.  Nests.
 * Ordering: a compiler barrier; no CPU fence.
 * Context: any.
 *
 * sk_preempt_enable - undo one sk_preempt_disable().  When the count drops
 * to zero with irqs enabled and a reschedule pending, switches before
 * returning.
 * Ordering: a compiler barrier; no CPU fence.
 * Context: any; must pair with sk_preempt_disable() on the same thread.
 *
 * sk_preempt_is_enabled - whether the current context may be switched out
 * (count zero and irqs enabled).  Sleeping is only legal when this is true.
 * Context: any.
 */
#if defined(SK_SCHED_INLINE) && !defined(SK_SCHED_OUTLINE)

static inline void sk_preempt_disable(void)
{
	sk_preempt_disable_fast();
}

static inline void sk_preempt_enable(void)
{
	sk_preempt_enable_fast();
}

static inline bool sk_preempt_is_enabled(void)
{
	return sk_preempt_is_enabled_fast();
}

#else

void sk_preempt_disable(void);
void sk_preempt_enable(void);
bool sk_preempt_is_enabled(void);

#endif

#endif
