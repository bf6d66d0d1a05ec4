/* SPDX-License-Identifier: MIT */
/*
 * The x86 half of plat/irq.h that kvm and xen share: the irqs-off state is
 * the CPU's IF flag (cli/sti), and the core's timer/IPI handlers and exit
 * and exit hooks live in one table.  Each platform's interrupt entry calls
 * sk_x86_irq_enter(), then the handlers (sk_x86_irq_call() for the core's
 * sources), then sk_x86_irq_exit().
 */
#ifndef X86_IRQ_H
#define X86_IRQ_H

#include <plat/irq.h>
#include <x86/trap.h>

/*
 * sk_x86_irq_call - run the core's handler for @kind, if one is set.
 * Context: irqs off (interrupt entry, or a replay with irqs off).
 */
void sk_x86_irq_call(enum sk_plat_irq_kind kind);

/*
 * sk_x86_irq_enter - run the entry hook, if one is set, before any handler.
 * Context: irqs off (interrupt entry, or an idle CPU running handlers).
 */
void sk_x86_irq_enter(void);

/*
 * sk_x86_irq_exit - run the core's exit hook if the interrupted context
 * @f had irqs enabled (the hook may switch threads).
 * Context: interrupt entry, irqs off, on the interrupted stack.
 */
void sk_x86_irq_exit(const struct sk_x86_frame *f);

/*
 * sk_x86_cmdline_set - keep a copy of the boot command line (at most
 * @len bytes, stopping at NUL; truncated to 4095) for sk_plat_cmdline().
 * Context: boot CPU, at boot.
 */
void sk_x86_cmdline_set(const char *s, uint64_t len);

#endif
