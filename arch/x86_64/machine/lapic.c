// SPDX-License-Identifier: MIT
/*
 * Local APIC access in both modes.  x2APIC register n is MSR 0x800 + n/16
 * (n the xAPIC MMIO offset); the ICR is one 64-bit MSR there, two 32-bit
 * registers in xAPIC mode, written high half first (the low write sends).
 */
#include <x86/cpu.h>
#include <x86/lapic.h>

enum {
	REG_ID = 0x20,
	REG_EOI = 0xb0,
	REG_SVR = 0xf0,
	REG_ICR_LO = 0x300,
	REG_ICR_HI = 0x310,
	REG_LVT_TIMER = 0x320,
	REG_LVT_LINT0 = 0x350,
	REG_LVT_LINT1 = 0x360,
	REG_LVT_ERROR = 0x370,
	REG_TIMER_INIT = 0x380,
	REG_TIMER_COUNT = 0x390,
	REG_TIMER_DIV = 0x3e0,
	APIC_BASE_ENABLE = 1u << 11,
	APIC_BASE_X2APIC = 1u << 10,
	SVR_ENABLE = 1u << 8,
	LVT_MASKED = 1u << 16,
	LVT_TSC_DEADLINE = 2u << 17,
	ICR_PENDING = 1u << 12,
	ICR_LEVEL_ASSERT = 1u << 14,
	ICR_INIT = 5u << 8,
	ICR_SIPI = 6u << 8,
	TIMER_DIV_1 = 0xb,
	CPUID1_ECX_X2APIC = 1u << 21,
	CPUID1_ECX_TSC_DEADLINE = 1u << 24,
};

static bool x2apic;
static bool tsc_deadline;
static volatile uint32_t *xapic_mmio;

static uint32_t lapic_read(uint32_t reg)
{
	if (x2apic)
		return (uint32_t)sk_x86_rdmsr(0x800 + reg / 16);
	return xapic_mmio[reg / 4];
}

static void lapic_write(uint32_t reg, uint32_t v)
{
	if (x2apic)
		sk_x86_wrmsr(0x800 + reg / 16, v);
	else
		xapic_mmio[reg / 4] = v;
}

static void lapic_enable(void)
{
	uint64_t base = sk_x86_rdmsr(SK_X86_MSR_APIC_BASE);

	base |= APIC_BASE_ENABLE;
	if (x2apic)
		base |= APIC_BASE_X2APIC;
	sk_x86_wrmsr(SK_X86_MSR_APIC_BASE, base);
	if (!x2apic)
		xapic_mmio = (volatile uint32_t *)(uintptr_t)(base & ~0xfffull);
	lapic_write(REG_LVT_LINT0, LVT_MASKED);
	lapic_write(REG_LVT_LINT1, LVT_MASKED);
	lapic_write(REG_LVT_ERROR, LVT_MASKED);
	lapic_write(REG_LVT_TIMER, LVT_MASKED | SK_X86_VEC_LAPIC_TIMER);
	lapic_write(REG_TIMER_DIV, TIMER_DIV_1);
	lapic_write(REG_SVR, SVR_ENABLE | SK_X86_VEC_SPURIOUS);
}

void sk_x86_lapic_init_boot(void)
{
	struct sk_x86_cpuid r = sk_x86_cpuid(1, 0);

	x2apic = (r.ecx & CPUID1_ECX_X2APIC) != 0;
	tsc_deadline = (r.ecx & CPUID1_ECX_TSC_DEADLINE) != 0;
	lapic_enable();
}

void sk_x86_lapic_init_ap(void)
{
	lapic_enable();
}

uint64_t sk_x86_lapic_mmio_pa(void)
{
	return x2apic ? 0 : (uintptr_t)xapic_mmio;
}

bool sk_x86_lapic_is_x2apic(void)
{
	return x2apic;
}

bool sk_x86_lapic_has_tsc_deadline(void)
{
	return tsc_deadline;
}

uint32_t sk_x86_lapic_id(void)
{
	uint32_t id = lapic_read(REG_ID);

	return x2apic ? id : id >> 24;
}

void sk_x86_lapic_eoi(void)
{
	lapic_write(REG_EOI, 0);
}

void sk_x86_lapic_timer_oneshot(uint32_t ticks)
{
	lapic_write(REG_LVT_TIMER, SK_X86_VEC_LAPIC_TIMER);
	lapic_write(REG_TIMER_INIT, ticks);
}

void sk_x86_lapic_timer_deadline(uint64_t tsc)
{
	lapic_write(REG_LVT_TIMER, LVT_TSC_DEADLINE | SK_X86_VEC_LAPIC_TIMER);
	/* The LVT write must land before the deadline MSR write (SDM 10.5.4.1). */
	__asm__ __volatile__("mfence" ::: "memory");
	sk_x86_wrmsr(SK_X86_MSR_TSC_DEADLINE, tsc);
}

void sk_x86_lapic_timer_free_run(void)
{
	lapic_write(REG_LVT_TIMER, LVT_MASKED | SK_X86_VEC_LAPIC_TIMER);
	lapic_write(REG_TIMER_INIT, 0xffffffffu);
}

uint32_t sk_x86_lapic_timer_count(void)
{
	return lapic_read(REG_TIMER_COUNT);
}

static void icr_send(uint32_t apic_id, uint32_t lo)
{
	uint64_t flags;

	if (x2apic) {
		sk_x86_wrmsr(0x800 + REG_ICR_LO / 16,
			     ((uint64_t)apic_id << 32) | lo);
		return;
	}
	/* Two register writes: an interrupt between them that sends an IPI
	 * of its own would change the destination under us. */
	flags = sk_x86_read_rflags();
	__asm__ __volatile__("cli" ::: "memory");
	while (lapic_read(REG_ICR_LO) & ICR_PENDING)
		sk_x86_pause();
	lapic_write(REG_ICR_HI, apic_id << 24);
	lapic_write(REG_ICR_LO, lo);
	if (flags & SK_X86_RFLAGS_IF)
		__asm__ __volatile__("sti" ::: "memory");
}

void sk_x86_lapic_ipi(uint32_t apic_id, uint8_t vector)
{
	icr_send(apic_id, vector);
}

void sk_x86_lapic_init_ipi(uint32_t apic_id)
{
	icr_send(apic_id, ICR_INIT | ICR_LEVEL_ASSERT);
}

void sk_x86_lapic_sipi(uint32_t apic_id, uint8_t page)
{
	icr_send(apic_id, ICR_SIPI | ICR_LEVEL_ASSERT | page);
}
