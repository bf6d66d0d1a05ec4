// SPDX-License-Identifier: MIT
/*
 * CPUs: discovery from the ACPI MADT, per-CPU records through GS base,
 * start-up of secondary CPUs, idle and IPIs.  CPU 0 is the boot CPU; the
 * others are numbered in MADT order.  Every CPU's stacks are allocated at
 * boot, before the image's allocator owns the memory.
 */
#include <errno.h>

#include <plat/cpu.h>
#include <x86/acpi.h>
#include <x86/cpu.h>
#include <x86/fmt.h>
#include <x86/fpu.h>
#include <x86/lapic.h>
#include <x86/smp.h>

#include "kvm.h"

struct sk_kvm_cpu sk_kvm_cpus[SK_PLAT_CPUS_MAX];
unsigned sk_kvm_ncpus = 1;

enum { AP_RUNNING_TIMEOUT_US = 2000000 };

void sk_kvm_cpu_init_local(struct sk_kvm_cpu *c)
{
	c->pc.self = &c->pc;
	c->pc.cpu_id = (uint64_t)(c - sk_kvm_cpus);
	c->timer_deadline_ns = UINT64_MAX;
	sk_x86_wrmsr(SK_X86_MSR_GS_BASE, (uintptr_t)c);
}

struct sk_kvm_cpu *sk_kvm_cpu_self(void)
{
	struct sk_kvm_cpu *c;

	__asm__ __volatile__("movq %%gs:0, %0" : "=r"(c));
	return c;
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

	atomic_store_explicit(&sk_kvm_cpus[0].state, SK_KVM_CPU_RUNNING,
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
		atomic_store_explicit(&c->state, SK_KVM_CPU_FOUND,
				      memory_order_relaxed);
		n++;
	}
	sk_kvm_ncpus = n;
}

unsigned sk_plat_cpu_count(void)
{
	return sk_kvm_ncpus;
}

unsigned sk_plat_cpu_id(void)
{
	return (unsigned)SK_PLAT_PERCPU_READ(SK_PLAT_PERCPU_OFF_CPU_ID);
}

void sk_plat_cpu_local_set(void *base)
{
	SK_PLAT_PERCPU_WRITE(SK_PLAT_PERCPU_OFF_LOCAL, (uintptr_t)base);
}

void *sk_plat_cpu_local(void)
{
	return (void *)(uintptr_t)SK_PLAT_PERCPU_READ(SK_PLAT_PERCPU_OFF_LOCAL);
}

struct sk_plat_percpu *sk_plat_percpu_of(unsigned cpu)
{
	if (cpu >= sk_kvm_ncpus || !sk_kvm_cpus[cpu].pc.self)
		return NULL;
	return &sk_kvm_cpus[cpu].pc;
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
	/* Release: this CPU's init before RUNNING; pairs with the acquire in
	 * sk_plat_cpu_start, after which IPIs to this CPU are safe. */
	atomic_store_explicit(&c->state, SK_KVM_CPU_RUNNING,
			      memory_order_release);
	c->entry((unsigned)c->pc.cpu_id, c->entry_arg);
	sk_x86_printf("skiff kvm: cpu %u entry returned\n",
		      (unsigned)c->pc.cpu_id);
	for (;;)
		__asm__ __volatile__("cli; hlt");
}

static int running_wait(struct sk_kvm_cpu *c)
{
	uint64_t start = sk_x86_rdtsc();
	uint64_t limit = AP_RUNNING_TIMEOUT_US * (sk_kvm_info.tsc_hz / 1000000);

	/* Acquire: pairs with the release in ap_main. */
	while (atomic_load_explicit(&c->state, memory_order_acquire) !=
	       SK_KVM_CPU_RUNNING) {
		if (sk_x86_rdtsc() - start > limit)
			return -EIO;
		sk_x86_pause();
	}
	return 0;
}

int sk_plat_cpu_start(unsigned cpu, sk_plat_cpu_entry_fn entry, void *arg)
{
	struct sk_kvm_cpu *c;
	struct sk_x86_ap_boot b;
	int expected = SK_KVM_CPU_FOUND;
	int err;

	if (cpu == 0 || cpu >= sk_kvm_ncpus || !entry)
		return -EINVAL;
	c = &sk_kvm_cpus[cpu];
	/* Relaxed: the claim only excludes a second starter; the entry fields
	 * reach the AP through the trampoline's release/acquire. */
	if (!atomic_compare_exchange_strong_explicit(
		    &c->state, &expected, SK_KVM_CPU_STARTING,
		    memory_order_relaxed, memory_order_relaxed))
		return -EINVAL;
	c->entry = entry;
	c->entry_arg = arg;
	b = (struct sk_x86_ap_boot){
		c->apic_id, sk_x86_read_cr3(), c->stack_top, ap_main,
		c,	    sk_kvm_info.tsc_hz
	};
	err = sk_x86_ap_start(&b);
	if (err == 0)
		err = running_wait(c);
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

void sk_plat_cpu_relax(void)
{
	sk_x86_pause();
}
