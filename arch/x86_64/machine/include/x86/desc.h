/* SPDX-License-Identifier: MIT */
/*
 * Descriptor tables: one IDT shared by every CPU, and a GDT + TSS per CPU
 * (the TSS holds that CPU's interrupt stack table).  Selectors are fixed so
 * the boot code, the trampoline and the exception report agree on them.
 */
#ifndef X86_DESC_H
#define X86_DESC_H

#include <stdint.h>

#include <plat/compiler.h>
#include <x86/trap.h>

enum sk_x86_selector {
	SK_X86_SEL_CODE64 = 0x08,
	SK_X86_SEL_DATA = 0x10,
	SK_X86_SEL_CODE32 = 0x18,
	SK_X86_SEL_UDATA = 0x23, /* RPL 3 */
	SK_X86_SEL_UCODE64 = 0x2b, /* RPL 3 */
	SK_X86_SEL_TSS = 0x30,
	SK_X86_GDT_ENTRIES = 8,
};

struct sk_x86_tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} SK_PACKED;

/* One CPU's tables.  Must stay at a fixed address once loaded. */
struct sk_x86_desc_cpu {
	uint64_t gdt[SK_X86_GDT_ENTRIES] SK_ALIGNED(16);
	struct sk_x86_tss tss SK_ALIGNED(16);
};

/*
 * sk_x86_idt_init - fill the shared IDT with the entry stubs.  Exceptions
 * that must work on a broken stack (#DF, NMI, #MC) use IST stacks.
 * Context: boot CPU, once, before sk_x86_desc_load().
 */
void sk_x86_idt_init(void);

/*
 * sk_x86_desc_load - build @d's GDT and TSS with the IST stack tops
 * @ist_top[0..SK_X86_IST_COUNT-1], then load GDT, segments, TSS and IDT
 * on the calling CPU.  GS base is left alone.
 * Context: boot of the calling CPU, irqs off.
 */
void sk_x86_desc_load(struct sk_x86_desc_cpu *d,
		      const uintptr_t ist_top[SK_X86_IST_COUNT]);

#endif
