/* SPDX-License-Identifier: MIT */
/*
 * Frequencies measured, never assumed: the TSC and the local APIC timer
 * are timed against the 8254 PIT (1.193182 MHz), or read from a
 * hypervisor's timing leaf when it offers one.
 */
#ifndef X86_TSC_H
#define X86_TSC_H

#include <stdint.h>

struct sk_x86_freq {
	uint64_t tsc_hz;
	uint64_t lapic_hz; /* APIC timer at divide-by-1 */
	const char *source; /* "pit" or "cpuid 0x40000010" */
};

/*
 * sk_x86_calibrate - measure the TSC and APIC timer frequencies.  The PIT
 * path takes three 2 ms windows and keeps the medians.  The local APIC must
 * be enabled.
 * Return: 0; -ENODEV if neither a hypervisor leaf nor a counting PIT exists.
 * Context: boot CPU, irqs off.
 */
int sk_x86_calibrate(struct sk_x86_freq *out);

/* sk_x86_pic_disable - mask both legacy 8259 PICs.  Context: boot. */
void sk_x86_pic_disable(void);

#endif
