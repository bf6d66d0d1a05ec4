// SPDX-License-Identifier: MIT
/*
 * Interrupts under Xen: the irqs-off state is the CPU's IF flag, as on
 * kvm.  Xen injects the event-channel upcall vector only while IF is set
 * and re-checks at the first instruction after sti, so an event that
 * arrived while irqs were off is delivered before sk_plat_irq_enable
 * returns (Xen keeps the vCPU's upcall-pending flag until we clear it).
 * Timer and IPI are event channels; device interrupts are event channels
 * too (<xen/xen.h>), so sk_plat_irq_register has no lines to offer.
 */
#include <errno.h>

#include <plat/irq.h>
#include <x86/cpu.h>
#include <x86/trap.h>

#include "xen.h"

struct irq_handler {
	sk_plat_irq_fn fn;
	void *arg;
};

/* Written at init by one thread before the sources fire; read in irqs. */
static struct irq_handler handlers[SK_PLAT_IRQ_KINDS];
static struct irq_handler exit_hook;

void sk_plat_irq_disable(void)
{
	__asm__ __volatile__("cli" ::: "memory");
}

void sk_plat_irq_enable(void)
{
	/* The nop lets an upcall pending since the cli be taken before this
	 * function returns (sti delays delivery by one instruction). */
	__asm__ __volatile__("sti; nop" ::: "memory");
}

sk_plat_irq_flags sk_plat_irq_save(void)
{
	sk_plat_irq_flags f;

	__asm__ __volatile__("pushfq; popq %0; cli" : "=r"(f)::"memory");
	return f & SK_X86_RFLAGS_IF;
}

void sk_plat_irq_restore(sk_plat_irq_flags flags)
{
	if (flags & SK_X86_RFLAGS_IF)
		sk_plat_irq_enable();
	else
		sk_plat_irq_disable();
}

bool sk_plat_irq_is_enabled(void)
{
	return (sk_x86_read_rflags() & SK_X86_RFLAGS_IF) != 0;
}

void sk_plat_irq_set_handler(enum sk_plat_irq_kind kind, sk_plat_irq_fn fn,
			     void *arg)
{
	if ((unsigned)kind >= SK_PLAT_IRQ_KINDS)
		return;
	handlers[kind] = (struct irq_handler){ fn, arg };
}

void sk_plat_irq_set_exit_hook(sk_plat_irq_fn fn, void *arg)
{
	exit_hook = (struct irq_handler){ fn, arg };
}

void sk_xen_irq_call(enum sk_plat_irq_kind kind)
{
	struct irq_handler h = handlers[kind];

	if (h.fn)
		h.fn(h.arg);
}

void sk_xen_irq_exit(const struct sk_x86_frame *f)
{
	struct irq_handler h = exit_hook;

	if (h.fn && (f->rflags & SK_X86_RFLAGS_IF))
		h.fn(h.arg);
}

int sk_plat_irq_register(unsigned line, sk_plat_irq_fn fn, void *arg)
{
	(void)line;
	(void)fn;
	(void)arg;
	return -ENOTSUP; /* PV devices signal through event channels */
}

/* No vector but the upcall should arrive; ignore strays (no APIC EOI). */
static void vector_spurious(struct sk_x86_frame *f)
{
	(void)f;
}

void sk_xen_irq_init(void)
{
	sk_x86_vector_set(0xff, vector_spurious);
}
