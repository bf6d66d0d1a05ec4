/* SPDX-License-Identifier: MIT */
/*
 * Platform contract: interrupts.  Each CPU has an "interrupts enabled" state
 * the core turns on and off cheaply (no system call on hosted, cli/sti on
 * x86).  The core registers upcalls: the timer, the wake-up IPI, device
 * interrupts, and an exit hook that runs as an interrupt returns to the
 * interrupted code and may switch threads (preemption).
 */
#ifndef PLAT_IRQ_H
#define PLAT_IRQ_H

#include <stdbool.h>

/* Interrupt sources with a fixed meaning on every platform. */
enum sk_plat_irq_kind {
	SK_PLAT_IRQ_TIMER = 0, /* this CPU's one-shot timer expired */
	SK_PLAT_IRQ_IPI = 1, /* another CPU called sk_plat_cpu_ipi() */
	/* An operator asked for a state dump (xen: Xen's debug key 'q',
	 * VIRQ_DEBUG, on CPU 0; kvm and hosted have no source yet). */
	SK_PLAT_IRQ_DEBUG = 2,
	SK_PLAT_IRQ_KINDS = 3,
};

typedef void (*sk_plat_irq_fn)(void *arg);

/* Opaque saved interrupt state, from sk_plat_irq_save(). */
typedef unsigned long sk_plat_irq_flags;

/*
 * sk_plat_irq_disable / sk_plat_irq_enable - turn this CPU's interrupts
 * off / on.  Enabling delivers, before it returns, every interrupt that
 * arrived while they were off (each source at least once, coalesced like
 * a hardware pending bit).
 * Context: any.  No nesting count: use save/restore to nest.
 */
void sk_plat_irq_disable(void);
void sk_plat_irq_enable(void);

/*
 * sk_plat_irq_save - disable interrupts, returning the previous state.
 * sk_plat_irq_restore - return to a state from sk_plat_irq_save().
 * Context: any.
 */
sk_plat_irq_flags sk_plat_irq_save(void);
void sk_plat_irq_restore(sk_plat_irq_flags flags);

/* sk_plat_irq_is_enabled - whether this CPU takes interrupts now. */
bool sk_plat_irq_is_enabled(void);

/*
 * sk_plat_irq_set_handler - register the handler for @kind on all CPUs.
 * The handler runs on the interrupted CPU with irqs disabled, on the
 * interrupted thread's stack, and must not block.  Passing NULL removes it
 * (the interrupt is then acknowledged and dropped).
 * Context: thread, before the source can fire (normally at init).
 */
void sk_plat_irq_set_handler(enum sk_plat_irq_kind kind, sk_plat_irq_fn fn,
			     void *arg);

/*
 * sk_plat_irq_set_entry_hook - register the interrupt entry hook.
 * Before the handlers of every interrupt (timer, IPI, device line, event
 * channel), the platform calls @fn on the interrupted CPU, with irqs
 * disabled, on the interrupted stack; also when an idle CPU finds work
 * without taking an interrupt and runs the handlers itself.  @fn must not
 * block or switch threads.  lib/sched uses it to end an idle CPU's
 * extended quiescent state before any handler can enter an RCU read-side
 * section.
 * Context: thread, at init.
 */
void sk_plat_irq_set_entry_hook(sk_plat_irq_fn fn, void *arg);

/*
 * sk_plat_irq_set_exit_hook - register the interrupt exit hook.
 * After the handlers of an interrupt that arrived while irqs were enabled,
 * the platform calls @fn with irqs disabled, on the interrupted thread's
 * stack.  @fn may switch to another thread (an involuntary switch, which must
 * save the full FPU state); the interrupted context resumes when something
 * switches back to it, and the platform then restores the interrupted
 * state, irqs enabled.
 * Context: thread, at init.
 */
void sk_plat_irq_set_exit_hook(sk_plat_irq_fn fn, void *arg);

/*
 * sk_plat_irq_register - route device interrupt line @line to @fn(arg).
 * Return: 0; -EINVAL for a line the platform does not have; -EBUSY if taken;
 *         -ENOTSUP where the platform has no device interrupts (hosted).
 * Context: thread.
 */
int sk_plat_irq_register(unsigned line, sk_plat_irq_fn fn, void *arg);

#endif
