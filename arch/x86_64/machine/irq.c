// SPDX-License-Identifier: MIT
/*
 * Interrupt state and upcall table shared by kvm and xen (<x86/irq.h>).
 * "Disabled" is the CPU's IF flag: an interrupt (kvm: the APIC's IRR) or
 * event upcall (xen: the vCPU's upcall-pending flag) that arrives meanwhile
 * stays pending and is taken right after sti, which gives plat/irq.h's
 * replay for free.
 */
#include <plat/irq.h>
#include <x86/cpu.h>
#include <x86/irq.h>

struct irq_handler {
	sk_plat_irq_fn fn;
	void *arg;
};

/* Written at init by one thread before the sources fire; read in irqs. */
static struct irq_handler handlers[SK_PLAT_IRQ_KINDS];
static struct irq_handler entry_hook, exit_hook;

void sk_plat_irq_disable(void)
{
	__asm__ __volatile__("cli" ::: "memory");
}

void sk_plat_irq_enable(void)
{
	/* The nop lets an interrupt pending since the cli be taken before
	 * this function returns (sti delays delivery by one instruction). */
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

void sk_plat_irq_set_entry_hook(sk_plat_irq_fn fn, void *arg)
{
	entry_hook = (struct irq_handler){ fn, arg };
}

void sk_plat_irq_set_exit_hook(sk_plat_irq_fn fn, void *arg)
{
	exit_hook = (struct irq_handler){ fn, arg };
}

void sk_x86_irq_call(enum sk_plat_irq_kind kind)
{
	struct irq_handler h = handlers[kind];

	if (h.fn)
		h.fn(h.arg);
}

void sk_x86_irq_enter(void)
{
	struct irq_handler h = entry_hook;

	if (h.fn)
		h.fn(h.arg);
}

void sk_x86_irq_exit(const struct sk_x86_frame *f)
{
	struct irq_handler h = exit_hook;

	if (h.fn && (f->rflags & SK_X86_RFLAGS_IF))
		h.fn(h.arg);
}
