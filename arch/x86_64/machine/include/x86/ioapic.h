/* SPDX-License-Identifier: MIT */
/*
 * I/O APICs: device interrupt lines (GSIs) routed to a vector on one CPU.
 * Every pin starts masked; a pin is unmasked when something is routed to
 * it.  The MMIO registers must be mapped (identity) before use.
 */
#ifndef X86_IOAPIC_H
#define X86_IOAPIC_H

#include <stdint.h>

enum sk_x86_ioapic_flags {
	SK_X86_IOAPIC_LEVEL = 1 << 0, /* level-triggered (else edge) */
	SK_X86_IOAPIC_LOW = 1 << 1, /* active low (else high) */
};

/*
 * sk_x86_ioapic_add - take the I/O APIC at @pa serving GSIs from
 * @gsi_base, and mask all its pins.
 * Return: 0; -ENOSPC beyond SK_X86_IOAPICS_MAX; -EINVAL for a bad @pa.
 * Context: boot.
 */
int sk_x86_ioapic_add(uint64_t pa, uint32_t gsi_base);

/*
 * sk_x86_ioapic_route - deliver @gsi as @vector to APIC @apic_id with
 * @flags (enum sk_x86_ioapic_flags), unmasked.
 * Return: 0; -EINVAL if no I/O APIC has that pin.
 * Context: thread or boot; one caller per pin.
 */
int sk_x86_ioapic_route(uint32_t gsi, uint8_t vector, uint32_t apic_id,
			unsigned flags);

/* sk_x86_ioapic_pa - the register page of I/O APIC @i, 0 past the last. */
uint64_t sk_x86_ioapic_pa(unsigned i);

#endif
