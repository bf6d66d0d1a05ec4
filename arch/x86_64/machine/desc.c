// SPDX-License-Identifier: MIT
/*
 * GDT, TSS and IDT.  Long mode ignores most descriptor fields; what is left
 * is the code/data bits, DPL and the 16-byte TSS descriptor.  The IDT is
 * built once and shared; each CPU has its own GDT because the TSS
 * descriptor's busy bit is per TSS.
 */
#include <stddef.h>

#include <x86/desc.h>

struct sk_x86_idt_entry {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type; /* P | DPL | gate type */
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t reserved;
} SK_PACKED;

struct sk_x86_table_ptr {
	uint16_t limit;
	uint64_t base;
} SK_PACKED;

enum {
	SK_IDT_INTERRUPT_GATE = 0x8e, /* P, DPL 0, 64-bit interrupt gate */
	SK_TSS_AVAILABLE = 0x89, /* P, 64-bit TSS (available) */
};

static struct sk_x86_idt_entry sk_x86_idt[SK_X86_VEC_COUNT] SK_ALIGNED(16);

static unsigned idt_ist_for(unsigned vec)
{
	switch (vec) {
	case SK_X86_VEC_DF:
		return SK_X86_IST_DF;
	case SK_X86_VEC_NMI:
		return SK_X86_IST_NMI;
	case SK_X86_VEC_MC:
		return SK_X86_IST_MC;
	default:
		return 0;
	}
}

void sk_x86_idt_init(void)
{
	for (unsigned vec = 0; vec < SK_X86_VEC_COUNT; vec++) {
		uintptr_t a =
			(uintptr_t)&sk_x86_vector_stubs[vec * SK_X86_STUB_SIZE];
		struct sk_x86_idt_entry *e = &sk_x86_idt[vec];

		e->off_lo = (uint16_t)a;
		e->sel = SK_X86_SEL_CODE64;
		e->ist = (uint8_t)idt_ist_for(vec);
		e->type = SK_IDT_INTERRUPT_GATE;
		e->off_mid = (uint16_t)(a >> 16);
		e->off_hi = (uint32_t)(a >> 32);
		e->reserved = 0;
	}
}

static void gdt_fill(struct sk_x86_desc_cpu *d)
{
	uintptr_t t = (uintptr_t)&d->tss;
	uint64_t limit = sizeof(d->tss) - 1;

	d->gdt[0] = 0;
	d->gdt[1] = 0x00af9a000000ffffull; /* code64, DPL 0 */
	d->gdt[2] = 0x00cf92000000ffffull; /* data, DPL 0 */
	d->gdt[3] = 0x00cf9a000000ffffull; /* code32, DPL 0 */
	d->gdt[4] = 0x00cff2000000ffffull; /* data, DPL 3 */
	d->gdt[5] = 0x00affa000000ffffull; /* code64, DPL 3 */
	d->gdt[6] = (limit & 0xffff) | ((uint64_t)(t & 0xffffff) << 16) |
		    ((uint64_t)SK_TSS_AVAILABLE << 40) |
		    ((uint64_t)((t >> 24) & 0xff) << 56);
	d->gdt[7] = t >> 32;
}

static void tables_load(struct sk_x86_desc_cpu *d)
{
	struct sk_x86_table_ptr g = { sizeof(d->gdt) - 1, (uintptr_t)d->gdt };
	struct sk_x86_table_ptr i = { sizeof(sk_x86_idt) - 1,
				      (uintptr_t)sk_x86_idt };

	/* Reload cs with a far return, then the data segments. */
	__asm__ __volatile__("lgdt %0\n\t"
			     "pushq %1\n\t"
			     "leaq 1f(%%rip), %%rax\n\t"
			     "pushq %%rax\n\t"
			     "lretq\n"
			     "1:\n\t"
			     "movl %2, %%eax\n\t"
			     "movl %%eax, %%ds\n\t"
			     "movl %%eax, %%es\n\t"
			     "movl %%eax, %%ss\n\t"
			     "ltr %w3\n\t"
			     "lidt %4"
			     :
			     : "m"(g), "i"(SK_X86_SEL_CODE64),
			       "i"(SK_X86_SEL_DATA), "r"(SK_X86_SEL_TSS), "m"(i)
			     : "rax", "memory");
}

void sk_x86_desc_load(struct sk_x86_desc_cpu *d,
		      const uintptr_t ist_top[SK_X86_IST_COUNT])
{
	for (size_t k = 0; k < sizeof(d->tss); k++)
		((volatile char *)&d->tss)[k] = 0;
	for (unsigned k = 0; k < SK_X86_IST_COUNT; k++)
		d->tss.ist[k] = ist_top[k];
	d->tss.iomap_base = sizeof(d->tss);
	gdt_fill(d);
	tables_load(d);
}
