/* SPDX-License-Identifier: MIT */
/*
 * The local APIC: x2APIC (MSRs) when the CPU has it, else xAPIC (MMIO at
 * the base from IA32_APIC_BASE).  One-shot timer, TSC-deadline timer where
 * available, EOI, and IPIs (fixed, INIT, SIPI).  The mode is chosen once on
 * the boot CPU; every CPU then enables the same mode.
 */
#ifndef X86_LAPIC_H
#define X86_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

enum sk_x86_lapic_vector {
	SK_X86_VEC_LAPIC_TIMER = 0xf0,
	SK_X86_VEC_IPI = 0xf1,
	SK_X86_VEC_TLB = 0xf2,
	SK_X86_VEC_SPURIOUS = 0xff,
};

/*
 * sk_x86_lapic_init_boot - choose x2APIC or xAPIC, then enable this CPU's
 * APIC.  Context: boot CPU, irqs off, once.
 */
void sk_x86_lapic_init_boot(void);

/* sk_x86_lapic_init_ap - enable an AP's APIC in the chosen mode. */
void sk_x86_lapic_init_ap(void);

/* sk_x86_lapic_is_x2apic - whether x2APIC mode is in use. */
bool sk_x86_lapic_is_x2apic(void);

/* sk_x86_lapic_mmio_pa - the xAPIC register page; 0 in x2APIC mode. */
uint64_t sk_x86_lapic_mmio_pa(void);

/* sk_x86_lapic_has_tsc_deadline - CPUID.1:ECX.TSC_DEADLINE. */
bool sk_x86_lapic_has_tsc_deadline(void);

/* sk_x86_lapic_id - this CPU's APIC id.  Context: any. */
uint32_t sk_x86_lapic_id(void);

/* sk_x86_lapic_eoi - acknowledge the interrupt in service. */
void sk_x86_lapic_eoi(void);

/*
 * sk_x86_lapic_timer_oneshot - fire SK_X86_VEC_LAPIC_TIMER after @ticks
 * of the APIC timer (divide by 1); 0 stops it.
 * Context: irqs off.
 */
void sk_x86_lapic_timer_oneshot(uint32_t ticks);

/*
 * sk_x86_lapic_timer_deadline - TSC-deadline mode: fire at TSC @tsc (0
 * stops it).  Only if sk_x86_lapic_has_tsc_deadline().
 * Context: irqs off.
 */
void sk_x86_lapic_timer_deadline(uint64_t tsc);

/*
 * sk_x86_lapic_timer_free_run - count down from 2^32-1 with the interrupt
 * masked, for calibration.  Context: boot, irqs off.
 */
void sk_x86_lapic_timer_free_run(void);

/* sk_x86_lapic_timer_count - the one-shot timer's current count. */
uint32_t sk_x86_lapic_timer_count(void);

/* sk_x86_lapic_ipi - send fixed @vector to APIC @apic_id.  Context: any. */
void sk_x86_lapic_ipi(uint32_t apic_id, uint8_t vector);

/* sk_x86_lapic_init_ipi / _sipi - the AP start sequence's messages. */
void sk_x86_lapic_init_ipi(uint32_t apic_id);
void sk_x86_lapic_sipi(uint32_t apic_id, uint8_t page);

#endif
