/* SPDX-License-Identifier: MIT */
/*
 * Starting application processors: the INIT-SIPI-SIPI sequence with a
 * real-mode trampoline copied to a fixed low page.  One AP at a time (one
 * mailbox).  What the AP does once in long mode is the caller's business.
 */
#ifndef X86_SMP_H
#define X86_SMP_H

#include <stdint.h>

/* The trampoline page: must be usable RAM below 1 MiB, kept free. */
enum { SK_X86_TRAMPOLINE_PA = 0x8000 };

typedef void (*sk_x86_ap_entry_fn)(void *arg);

struct sk_x86_ap_boot {
	uint32_t apic_id;
	uint64_t cr3; /* below 4 GiB: the AP loads it in 32-bit mode */
	uintptr_t stack_top; /* 16-byte aligned */
	sk_x86_ap_entry_fn entry; /* runs in long mode, irqs off, boot GDT */
	void *arg;
	uint64_t tsc_hz; /* for the delays of the sequence */
};

/*
 * sk_x86_ap_start - start the AP @b->apic_id at @b->entry(@b->arg).
 * Returns once the AP has left the trampoline.
 * Return: 0; -EINVAL for a bad @b; -EIO if the AP did not respond within
 * 2 s.
 * Context: boot or thread, one caller at a time; local APIC enabled.
 */
int sk_x86_ap_start(const struct sk_x86_ap_boot *b);

/* sk_x86_delay_us - busy-wait @us microseconds on the TSC. */
void sk_x86_delay_us(uint64_t us, uint64_t tsc_hz);

#endif
