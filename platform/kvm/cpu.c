// SPDX-License-Identifier: MIT
/*
 * CPUs: discovery from the ACPI MADT, start-up of secondary CPUs by
 * INIT-SIPI, idle and IPIs.  The per-CPU records (GS base) and the start-up
 * handshake are arch/x86_64/machine's <x86/cpus.h>, shared with xen.  CPU 0 is the boot CPU; the
 * others are numbered in MADT order.  Every CPU's stacks are allocated at
 * boot, before the image's allocator owns the memory.
 */
#include <errno.h>

#include <plat/cpu.h>
#include <x86/acpi.h>
#include <x86/cpu.h>
#include <x86/cpus.h>
#include <x86/fmt.h>
#include <x86/fpu.h>
#include <x86/lapic.h>
#include <x86/smp.h>

#include "kvm.h"

struct sk_kvm_cpu sk_kvm_cpus[SK_PLAT_CPUS_MAX];
unsigned sk_kvm_ncpus = 1;

void sk_kvm_cpu_init_local(struct sk_kvm_cpu *c)
{
	if (c == &sk_kvm_cpus[0])
		sk_x86_cpus_register(sk_kvm_cpus, sizeof(sk_kvm_cpus[0]),
				     SK_PLAT_CPUS_MAX, &sk_kvm_ncpus);
	sk_x86_cpu_init_local(&c->pc);
	c->timer_deadline_ns = UINT64_MAX;
}

struct sk_kvm_cpu *sk_kvm_cpu_self(void)
{
	return sk_x86_cpu_record();
}

static void cpu_stacks_alloc(struct sk_kvm_cpu *c)
{
	c->stack_top = sk_kvm_stack_alloc(SK_KVM_STACK_SIZE);
	for (unsigned k = 0; k < SK_X86_IST_COUNT; k++)
		c->ist_top[k] = sk_kvm_stack_alloc(SK_X86_IST_STACK_SIZE);
}

void sk_kvm_cpu_discover(uint64_t rsdp_pa)
{
	static uint32_t ids[SK_PLAT_CPUS_MAX];
	uint32_t self = sk_kvm_cpus[0].apic_id;
	unsigned found = 0, n = 1;
	int err = sk_x86_acpi_cpus(rsdp_pa, ids, SK_PLAT_CPUS_MAX, &found);

	atomic_store_explicit(&sk_kvm_cpus[0].state, SK_X86_CPU_RUNNING,
			      memory_order_relaxed);
	if (err) {
		sk_x86_printf("skiff kvm: no usable ACPI MADT (%d): one CPU\n",
			      err);
		found = 0;
	}
	sk_kvm_info.cpus_found = found ? found : 1;
	for (unsigned i = 0; i < found && i < SK_PLAT_CPUS_MAX; i++) {
		struct sk_kvm_cpu *c = &sk_kvm_cpus[n];

		if (ids[i] == self)
			continue;
		if (n == SK_PLAT_CPUS_MAX)
			break;
		c->apic_id = ids[i];
		c->pc.cpu_id = n;
		cpu_stacks_alloc(c);
		atomic_store_explicit(&c->state, SK_X86_CPU_FOUND,
				      memory_order_relaxed);
		n++;
	}
	sk_kvm_ncpus = n;
}

/* First C code of an AP: the trampoline jumps here with its stack. */
static void ap_main(void *arg)
{
	struct sk_kvm_cpu *c = arg;

	sk_x86_fpu_init();
	sk_kvm_cpu_init_local(c);
	sk_x86_desc_load(&c->desc, c->ist_top);
	sk_x86_lapic_init_ap();
	sk_kvm_time_init_cpu(c);
	sk_x86_cpu_set_running(&c->state); /* IPIs to this CPU work now */
	c->entry((unsigned)c->pc.cpu_id, c->entry_arg);
	sk_x86_printf("skiff kvm: cpu %u entry returned\n",
		      (unsigned)c->pc.cpu_id);
	for (;;)
		__asm__ __volatile__("cli; hlt");
}

int sk_plat_cpu_start(unsigned cpu, sk_plat_cpu_entry_fn entry, void *arg)
{
	struct sk_kvm_cpu *c;
	struct sk_x86_ap_boot b;
	int err;

	if (cpu == 0 || cpu >= sk_kvm_ncpus || !entry)
		return -EINVAL;
	c = &sk_kvm_cpus[cpu];
	/* The entry fields reach the AP through the trampoline's
	 * release/acquire. */
	if (sk_x86_cpu_claim(&c->state) != 0)
		return -EINVAL;
	c->entry = entry;
	c->entry_arg = arg;
	b = (struct sk_x86_ap_boot){
		c->apic_id, sk_x86_read_cr3(), c->stack_top, ap_main,
		c,	    sk_kvm_info.tsc_hz
	};
	err = sk_x86_ap_start(&b);
	if (err == 0)
		err = sk_x86_cpu_wait_running(&c->state, sk_kvm_info.tsc_hz);
	return err;
}

void sk_plat_cpu_idle(void)
{
	/* sti's one-instruction shadow makes "enable and halt" atomic: an
	 * interrupt pending now wakes the hlt instead of slipping before it. */
	__asm__ __volatile__("sti; hlt; cli" ::: "memory");
}

void sk_plat_cpu_ipi(unsigned cpu)
{
	if (cpu >= sk_kvm_ncpus)
		return;
	sk_x86_lapic_ipi(sk_kvm_cpus[cpu].apic_id, SK_X86_VEC_IPI);
}
