/* SPDX-License-Identifier: MIT */
/*
 * Just enough ACPI to find the CPUs: RSDP -> XSDT (or RSDT) -> MADT, whose
 * local APIC and x2APIC entries list the processors.  Firmware tables are
 * input from outside: every length and checksum is checked.
 */
#ifndef X86_ACPI_H
#define X86_ACPI_H

#include <stdint.h>

/*
 * sk_x86_acpi_cpus - the APIC ids of the enabled processors in the MADT
 * reachable from the RSDP at physical @rsdp_pa (identity mapped), in
 * table order.
 * @ids: receives up to @max ids; *@count gets the number found (which
 * may exceed @max).
 * Return: 0; -EINVAL for a bad RSDP, table or checksum; -ENOENT if there
 * is no MADT.
 * Context: boot.
 */
int sk_x86_acpi_cpus(uint64_t rsdp_pa, uint32_t *ids, unsigned max,
		     unsigned *count);

enum { SK_X86_IOAPICS_MAX = 8 };

/* Interrupt routing from the MADT. */
struct sk_x86_acpi_irqs {
	struct {
		uint32_t pa;
		uint32_t gsi_base;
	} ioapic[SK_X86_IOAPICS_MAX];
	unsigned nioapics;
	uint32_t isa_gsi[16]; /* ISA IRQ -> GSI (overrides applied) */
	uint16_t isa_flags[16]; /* MPS INTI flags: polarity bits 0-1,
				   trigger bits 2-3; 0 = bus default */
	uint16_t isa_overridden; /* bit n: the MADT overrides IRQ n */
};

/*
 * sk_x86_acpi_irqs - the I/O APICs and ISA overrides in the MADT.  IRQ 0
 * without an override is taken to be GSI 2, the PC wiring of the PIT:
 * QEMU's microvm wires it so but lists no override.
 * Return: 0; -EINVAL / -ENOENT as sk_x86_acpi_cpus.
 * Context: boot.
 */
int sk_x86_acpi_irqs(uint64_t rsdp_pa, struct sk_x86_acpi_irqs *out);

#endif
