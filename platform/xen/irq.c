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

#include <x86/irq.h>

#include "xen.h"

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
