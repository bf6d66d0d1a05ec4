// SPDX-License-Identifier: MIT
/*
 * Interrupts: cli/sti for the irqs-off state, the timer and IPI vectors of
 * the local APIC, and the exit hook.  "Disabled" is the CPU's own IF flag:
 * an interrupt that arrives meanwhile stays pending in the APIC (IRR) and
 * is taken right after sti, which gives the contract's replay for free.
 * Device lines go through the I/O APIC (MADT) to CPU 0; their handlers,
 * like the timer's, are followed by the exit hook, so a driver thread the
 * handler woke can run at once.
 */
#include <errno.h>

#include <kvm/msi.h>
#include <plat/irq.h>
#include <x86/acpi.h>
#include <x86/cpu.h>
#include <x86/ioapic.h>
#include <x86/lapic.h>
#include <x86/trap.h>

#include <x86/irq.h>

#include "kvm.h"

static void vector_timer(struct sk_x86_frame *f)
{
	sk_x86_irq_enter();
	sk_x86_lapic_eoi();
	sk_kvm_timer_interrupt();
	sk_x86_irq_exit(f);
}

/* Called by time.c when this CPU's deadline has passed. */
void sk_kvm_irq_timer_fire(void)
{
	sk_x86_irq_call(SK_PLAT_IRQ_TIMER);
}

static void vector_ipi(struct sk_x86_frame *f)
{
	sk_x86_irq_enter();
	sk_x86_lapic_eoi();
	sk_x86_irq_call(SK_PLAT_IRQ_IPI);
	sk_x86_irq_exit(f);
}

static void vector_spurious(struct sk_x86_frame *f)
{
	(void)f; /* no EOI for a spurious interrupt */
}

/*
 * Device lines: line n is ISA IRQ n (MADT overrides applied) for n < 16,
 * else GSI n; it arrives as vector SK_KVM_VEC_DEVICE + n on CPU 0.
 */
enum { DEVICE_LINES = 64, VEC_DEVICE = 0x30 };

/* A device line or MSI vector: claimed once (CAS), then arg, then fn. */
struct device_line {
	_Atomic int claimed; /* 0 -> 1, once */
	_Atomic(sk_plat_irq_fn) fn; /* NULL until arg is set */
	void *arg;
};

/* Claim @l for (@fn, @arg).  Return: 0; -EBUSY if taken. */
static int line_claim(struct device_line *l, sk_plat_irq_fn fn, void *arg)
{
	int expected = 0;

	/* Relaxed: the claim only picks the single writer of arg and fn. */
	if (!atomic_compare_exchange_strong_explicit(&l->claimed, &expected, 1,
						     memory_order_relaxed,
						     memory_order_relaxed))
		return -EBUSY;
	l->arg = arg;
	/* Release: arg before fn; pairs with the acquire in the vector. */
	atomic_store_explicit(&l->fn, fn, memory_order_release);
	return 0;
}
static struct device_line lines[DEVICE_LINES];
static struct sk_x86_acpi_irqs madt_irqs;
static int have_ioapic;

static void vector_device(struct sk_x86_frame *f)
{
	struct device_line *l = &lines[f->vector - VEC_DEVICE];
	/* Acquire: pairs with the release in sk_plat_irq_register, so arg
	 * is visible with fn. */
	sk_plat_irq_fn fn = atomic_load_explicit(&l->fn, memory_order_acquire);

	sk_x86_irq_enter();
	if (fn)
		fn(l->arg);
	sk_x86_lapic_eoi();
	sk_x86_irq_exit(f);
}

void sk_kvm_irq_devices_init(uint64_t rsdp_pa)
{
	if (sk_x86_acpi_irqs(rsdp_pa, &madt_irqs) != 0)
		return;
	for (unsigned i = 0; i < madt_irqs.nioapics; i++)
		if (sk_x86_ioapic_add(madt_irqs.ioapic[i].pa,
				      madt_irqs.ioapic[i].gsi_base) == 0)
			have_ioapic = 1;
}

static unsigned line_flags(unsigned line, uint32_t *gsi)
{
	unsigned flags = 0, mps;

	if (line >= 16) {
		*gsi = line; /* microvm's virtio-mmio lines: level, high */
		return SK_X86_IOAPIC_LEVEL;
	}
	*gsi = madt_irqs.isa_gsi[line];
	mps = madt_irqs.isa_flags[line];
	if ((mps & 3) == 3)
		flags |= SK_X86_IOAPIC_LOW;
	if (((mps >> 2) & 3) == 3)
		flags |= SK_X86_IOAPIC_LEVEL;
	return flags; /* ISA default: edge, active high */
}

int sk_plat_irq_register(unsigned line, sk_plat_irq_fn fn, void *arg)
{
	struct device_line *l;
	unsigned flags;
	uint32_t gsi;

	if (!have_ioapic)
		return -ENOTSUP;
	if (line >= DEVICE_LINES || !fn)
		return -EINVAL;
	l = &lines[line];
	flags = line_flags(line, &gsi);
	if (line_claim(l, fn, arg) != 0)
		return -EBUSY;
	sk_x86_vector_set(VEC_DEVICE + line, vector_device);
	if (sk_x86_ioapic_route(gsi, (uint8_t)(VEC_DEVICE + line),
				sk_kvm_cpus[0].apic_id, flags) != 0)
		return -EINVAL; /* the line stays claimed: no such pin */
	return 0;
}

/* MSI vectors: VEC_MSI + i, handed out once each. */
enum { MSI_VECTORS = 64, VEC_MSI = 0x70 };
static const uint64_t MSI_ADDR = 0xfee00000u;
static struct device_line msis[MSI_VECTORS];

static void vector_msi(struct sk_x86_frame *f)
{
	struct device_line *l = &msis[f->vector - VEC_MSI];
	/* Acquire: pairs with the release in sk_kvm_msi_alloc. */
	sk_plat_irq_fn fn = atomic_load_explicit(&l->fn, memory_order_acquire);

	sk_x86_irq_enter();
	if (fn)
		fn(l->arg);
	sk_x86_lapic_eoi();
	sk_x86_irq_exit(f);
}

int sk_kvm_msi_alloc(sk_plat_irq_fn fn, void *arg, struct sk_kvm_msi *out)
{
	if (!fn)
		return -EINVAL;
	for (unsigned i = 0; i < MSI_VECTORS; i++) {
		if (line_claim(&msis[i], fn, arg) != 0)
			continue;
		sk_x86_vector_set(VEC_MSI + i, vector_msi);
		out->addr = MSI_ADDR | (uint64_t)sk_kvm_cpus[0].apic_id << 12;
		out->data = VEC_MSI + i; /* fixed delivery, edge */
		return 0;
	}
	return -ENOSPC;
}

void sk_kvm_irq_init(void)
{
	sk_x86_vector_set(SK_X86_VEC_LAPIC_TIMER, vector_timer);
	sk_x86_vector_set(SK_X86_VEC_IPI, vector_ipi);
	sk_x86_vector_set(SK_X86_VEC_SPURIOUS, vector_spurious);
	sk_kvm_tlb_init();
}
