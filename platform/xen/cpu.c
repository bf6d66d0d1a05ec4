// SPDX-License-Identifier: MIT
/*
 * vCPUs under Xen: counted with VCPUOP_is_up (Xen's view, no ACPI
 * needed), started with VCPUOP_initialise (a 64-bit HVM context that
 * enters ap_main directly in long mode on our page tables) and VCPUOP_up.
 * Each vCPU registers its own vcpu_info, stops Xen's periodic timer and
 * binds its timer VIRQ and its IPI event channel.  Idle and IPIs are in
 * idle.c.
 */
#include <errno.h>

#include <x86/cpu.h>
#include <x86/cpus.h>
#include <x86/fmt.h>
#include <x86/fpu.h>

#include "xen.h"

struct sk_xen_cpu sk_xen_cpus[SK_PLAT_CPUS_MAX];
unsigned sk_xen_ncpus = 1;

void sk_xen_cpu_init_local(struct sk_xen_cpu *c)
{
	if (c == &sk_xen_cpus[0])
		sk_x86_cpus_register(sk_xen_cpus, sizeof(sk_xen_cpus[0]),
				     SK_PLAT_CPUS_MAX, &sk_xen_ncpus);
	sk_x86_cpu_init_local(&c->pc);
	c->timer_deadline_ns = UINT64_MAX;
}

struct sk_xen_cpu *sk_xen_cpu_self(void)
{
	return sk_x86_cpu_record();
}

/* Our own vcpu_info copy, else (old Xen) the shared info slot. */
static void vcpu_info_register(struct sk_xen_cpu *c)
{
	uint64_t pa = (uintptr_t)&c->vcpu_info;
	struct sk_xen_register_vcpu_info r = { pa >> 12, (uint32_t)(pa & 4095),
					       0 };

	if (SK_XEN_HC3(SK_XEN_HC_VCPU_OP, SK_XEN_VCPUOP_REGISTER_VCPU_INFO,
		       c->pc.cpu_id, &r) == 0) {
		c->vi = &c->vcpu_info;
		return;
	}
	if (c->pc.cpu_id >= SK_XEN_LEGACY_VCPUS)
		sk_xen_boot_fail("cannot register vcpu_info past vCPU 31");
	c->vi = &sk_xen_shared->vcpu_info[c->pc.cpu_id];
}

/*
 * Where Xen keeps this vCPU's runstate, for sk_plat_cpu_is_preempted.
 * Xen writes it when it switches the vCPU in or out (and at once here).
 */
static void runstate_register(struct sk_xen_cpu *c)
{
	struct sk_xen_register_runstate r = { (uintptr_t)&c->runstate };

	bool ok = SK_XEN_HC3(SK_XEN_HC_VCPU_OP,
			     SK_XEN_VCPUOP_REGISTER_RUNSTATE_MEMORY_AREA,
			     c->pc.cpu_id, &r) == 0;

	atomic_store_explicit(&c->runstate_ok, ok, memory_order_relaxed);
}

bool sk_plat_cpu_is_preempted(unsigned cpu)
{
	const struct sk_xen_cpu *c;

	if (cpu >= sk_xen_ncpus)
		return false;
	c = &sk_xen_cpus[cpu];
	if (!atomic_load_explicit(&c->runstate_ok, memory_order_relaxed))
		return false;
	/* Xen writes it from another CPU: read the word once. */
	return *(volatile const int32_t *)&c->runstate.state ==
	       SK_XEN_RUNSTATE_RUNNABLE;
}

void sk_xen_cpu_bind(struct sk_xen_cpu *c)
{
	vcpu_info_register(c);
	runstate_register(c);
	c->vi->evtchn_upcall_mask = 0;
	/* Tickless: Xen may start a vCPU with a periodic VIRQ_TIMER. */
	SK_XEN_HC3(SK_XEN_HC_VCPU_OP, SK_XEN_VCPUOP_STOP_PERIODIC_TIMER,
		   c->pc.cpu_id, 0);
	sk_xen_time_init_cpu(c);
	if (sk_xen_evtchn_bind_cpu(SK_XEN_BIND_TIMER, c) != 0 ||
	    sk_xen_evtchn_bind_cpu(SK_XEN_BIND_IPI, c) != 0)
		sk_xen_boot_fail("cannot bind the timer VIRQ or the IPI port");
	/* A state dump on Xen's debug key 'q' (plat/irq.h): not fatal. */
	if (c->pc.cpu_id == 0 &&
	    sk_xen_evtchn_bind_cpu(SK_XEN_BIND_DEBUG, c) != 0)
		sk_x86_printf("skiff xen: no VIRQ_DEBUG port\n");
}

static void cpu_stacks_alloc(struct sk_xen_cpu *c)
{
	c->stack_top = sk_kvm_stack_alloc(SK_XEN_STACK_SIZE);
	for (unsigned k = 0; k < SK_X86_IST_COUNT; k++)
		c->ist_top[k] = sk_kvm_stack_alloc(SK_X86_IST_STACK_SIZE);
}

void sk_xen_cpu_discover(void)
{
	unsigned n = 1;

	atomic_store_explicit(&sk_xen_cpus[0].state, SK_X86_CPU_RUNNING,
			      memory_order_relaxed);
	for (; n < SK_PLAT_CPUS_MAX; n++) {
		struct sk_xen_cpu *c = &sk_xen_cpus[n];
		long rc = SK_XEN_HC3(SK_XEN_HC_VCPU_OP, SK_XEN_VCPUOP_IS_UP, n,
				     0);

		if (rc < 0)
			break; /* -ENOENT: no such vCPU */
		c->pc.cpu_id = n;
		cpu_stacks_alloc(c);
		atomic_store_explicit(&c->state, SK_X86_CPU_FOUND,
				      memory_order_relaxed);
	}
	sk_xen_ncpus = n;
	sk_xen_boot.cpus_found = n;
}

/* First code of a secondary vCPU: Xen enters it in long mode. */
static _Noreturn void ap_main(struct sk_xen_cpu *c)
{
	sk_x86_fpu_init();
	sk_xen_cpu_init_local(c);
	sk_x86_desc_load(&c->desc, c->ist_top);
	sk_xen_cpu_bind(c);
	sk_x86_cpu_set_running(&c->state); /* ports bound: IPIs work */
	c->entry((unsigned)c->pc.cpu_id, c->entry_arg);
	sk_x86_printf("skiff xen: cpu %u entry returned\n",
		      (unsigned)c->pc.cpu_id);
	for (;;)
		__asm__ __volatile__("cli; hlt");
}

static int vcpu_up(struct sk_xen_cpu *c)
{
	struct sk_xen_vcpu_hvm_context ctx = { 0 };
	ctx.mode = SK_XEN_VCPU_HVM_MODE_64B;
	ctx.x86_64.rip = (uintptr_t)ap_main;
	ctx.x86_64.rdi = (uintptr_t)c;
	ctx.x86_64.rsp = c->stack_top - 8; /* as if called */
	ctx.x86_64.rflags = 0x2; /* irqs off */
	ctx.x86_64.cr0 = sk_x86_read_cr0();
	ctx.x86_64.cr3 = sk_x86_read_cr3();
	ctx.x86_64.cr4 = sk_x86_read_cr4();
	ctx.x86_64.efer = sk_x86_rdmsr(SK_X86_MSR_EFER);
	if (SK_XEN_HC3(SK_XEN_HC_VCPU_OP, SK_XEN_VCPUOP_INITIALISE,
		       c->pc.cpu_id, &ctx) != 0)
		return -EIO;
	if (SK_XEN_HC3(SK_XEN_HC_VCPU_OP, SK_XEN_VCPUOP_UP, c->pc.cpu_id, 0) !=
	    0)
		return -EIO;
	return 0;
}

int sk_plat_cpu_start(unsigned cpu, sk_plat_cpu_entry_fn entry, void *arg)
{
	struct sk_xen_cpu *c;
	int err;

	if (cpu == 0 || cpu >= sk_xen_ncpus || !entry)
		return -EINVAL;
	c = &sk_xen_cpus[cpu];
	/* The entry fields reach the AP through the hypercall (Xen's own
	 * barriers). */
	if (sk_x86_cpu_claim(&c->state) != 0)
		return -EINVAL;
	c->entry = entry;
	c->entry_arg = arg;
	err = vcpu_up(c);
	if (err == 0)
		err = sk_x86_cpu_wait_running(&c->state, sk_xen_boot.tsc_hz);
	return err;
}
