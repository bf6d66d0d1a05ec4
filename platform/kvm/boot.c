// SPDX-License-Identifier: MIT
/*
 * The boot CPU's path from entry.S to sk_kvm_main(): FPU and console first
 * (so everything after can print), then the start info (command line and
 * memory map are copied out before anything may overwrite them), the
 * descriptor tables, the APIC, calibrated clocks and CPU discovery.
 */
#include <errno.h>

#include <plat/boot.h>
#include <plat/console.h>
#include <x86/cpu.h>
#include <x86/crash.h>
#include <x86/fmt.h>
#include <x86/fpu.h>
#include <x86/lapic.h>
#include <x86/pvh.h>
#include <x86/serial.h>
#include <x86/tsc.h>

#include <x86/irq.h>

#include "kvm.h"

static const uint64_t IDENTITY_LIMIT = 0xffffffffu;

enum {
	MEMMAP_MAX = 128,
	BOOT_FAIL_STATUS = 71, /* EX_OSERR */
};

struct sk_kvm_boot_info sk_kvm_info;
static struct sk_kvm_e820 boot_memmap[MEMMAP_MAX];
static char hv_vendor[13];

const struct sk_kvm_boot_info *sk_kvm_boot_info(void)
{
	return &sk_kvm_info;
}

static _Noreturn void boot_fail(const char *why)
{
	sk_x86_printf("skiff kvm: boot failed: %s\n", why);
	sk_plat_shutdown(BOOT_FAIL_STATUS);
}

static int pa_range_ok(uint64_t pa, uint64_t len)
{
	return pa && len <= IDENTITY_LIMIT && pa <= IDENTITY_LIMIT - len;
}

static void start_info_read(const struct sk_x86_pvh_start_info *si,
			    uint64_t *rsdp_pa)
{
	unsigned n;

	if (si->magic != SK_X86_PVH_MAGIC)
		boot_fail("bad PVH start info magic");
	if (si->cmdline_paddr && pa_range_ok(si->cmdline_paddr, 1))
		sk_x86_cmdline_set((const char *)(uintptr_t)si->cmdline_paddr,
				   IDENTITY_LIMIT - si->cmdline_paddr);
	if (si->version < 1 || !si->memmap_entries)
		boot_fail("no memory map in the start info (version 0)");
	n = si->memmap_entries < MEMMAP_MAX ? si->memmap_entries : MEMMAP_MAX;
	if (!pa_range_ok(si->memmap_paddr, (uint64_t)n * 24))
		boot_fail("memory map outside the low 4 GiB");
	for (unsigned i = 0; i < n; i++) {
		const struct sk_x86_pvh_memmap_entry *e =
			(const struct sk_x86_pvh_memmap_entry
				 *)(uintptr_t)(si->memmap_paddr) +
			i;

		boot_memmap[i] =
			(struct sk_kvm_e820){ e->addr, e->size, e->type, 0 };
	}
	/* With the kernel page tables all RAM is mapped, above 4 GiB too. */
	if (sk_kvm_kpt_maps_all())
		sk_kvm_mem_set_limit(UINT64_MAX);
	sk_kvm_mem_init(boot_memmap, n);
	*rsdp_pa = si->rsdp_paddr;
}

static void hypervisor_detect(void)
{
	struct sk_x86_cpuid r = sk_x86_cpuid(1, 0);
	uint32_t words[3];

	sk_kvm_info.hypervisor = hv_vendor;
	if (!(r.ecx & (1u << 31)))
		return;
	r = sk_x86_cpuid(0x40000000, 0);
	words[0] = r.ebx;
	words[1] = r.ecx;
	words[2] = r.edx;
	__builtin_memcpy(hv_vendor, words, 12);
	hv_vendor[12] = '\0';
}

/* The CPU's line of a crash report, then the current thread's (if lib/sched
 * runs here: <x86/crash.h>). */
void sk_kvm_crash_extra(void)
{
	struct sk_kvm_cpu *c = sk_kvm_cpu_self();

	sk_x86_printf("cpu %lu (apic %u) of %u, per-CPU base %p\n",
		      (unsigned long)c->pc.cpu_id, c->apic_id, sk_kvm_ncpus,
		      c->pc.local);
	sk_x86_crash_thread(&c->pc);
}

static void banner(void)
{
	const struct sk_kvm_boot_info *b = &sk_kvm_info;

	sk_x86_printf("skiff kvm: %u cpu(s), %s%s, tsc %lu kHz, lapic %lu kHz "
		      "(%s), clock %s, %s%s%s\n",
		      sk_kvm_ncpus, b->hypervisor[0] ? "hypervisor " : "",
		      b->hypervisor[0] ? b->hypervisor : "bare metal",
		      (unsigned long)(b->tsc_hz / 1000),
		      (unsigned long)(b->lapic_hz / 1000), b->freq_source,
		      b->clock_source, b->x2apic ? "x2apic" : "xapic",
		      b->tsc_deadline ? ", tsc-deadline" : "",
		      b->steal_time ? ", steal-time" : "");
}

static void kpt_switch(void)
{
	uint64_t t0 = sk_x86_rdtsc();
	int err = sk_kvm_kpt_init();

	sk_kvm_info.kpt_tsc = sk_x86_rdtsc() - t0;
	if (err == -ENOTSUP)
		sk_x86_printf("skiff kvm: keeping the boot page tables (no NX "
			      "or no lib/mm)\n");
	else if (err)
		boot_fail("cannot build the kernel page tables");
}

void sk_x86_pvh_main(uint64_t start_info_pa, uint64_t entry_tsc)
{
	struct sk_kvm_cpu *boot = &sk_kvm_cpus[0];
	struct sk_x86_freq f;
	uint64_t rsdp_pa = 0;

	sk_x86_fpu_init();
	sk_kvm_info.entry_tsc = entry_tsc;
	sk_kvm_cpu_init_local(boot); /* GS base: cpu id works from here */
	sk_x86_serial_init();
	hypervisor_detect();
	if (!pa_range_ok(start_info_pa, sizeof(struct sk_x86_pvh_start_info)))
		boot_fail("start info outside the low 4 GiB");
	start_info_read(
		(const struct sk_x86_pvh_start_info *)(uintptr_t)start_info_pa,
		&rsdp_pa);
	sk_x86_pic_disable();
	sk_x86_idt_init();
	for (unsigned k = 0; k < SK_X86_IST_COUNT; k++)
		boot->ist_top[k] = sk_kvm_stack_alloc(SK_X86_IST_STACK_SIZE);
	sk_x86_desc_load(&boot->desc, boot->ist_top);
	sk_x86_crash_set_extra(sk_kvm_crash_extra);
	sk_kvm_irq_init();
	sk_x86_lapic_init_boot();
	boot->apic_id = sk_x86_lapic_id();
	sk_kvm_info.calib_tsc = sk_x86_rdtsc();
	if (sk_x86_calibrate(&f) != 0)
		boot_fail("cannot calibrate: no PIT and no timing leaf");
	sk_kvm_info.calib_tsc = sk_x86_rdtsc() - sk_kvm_info.calib_tsc;
	sk_kvm_info.tsc_hz = f.tsc_hz;
	sk_kvm_info.lapic_hz = f.lapic_hz;
	sk_kvm_info.freq_source = f.source;
	sk_kvm_info.x2apic = sk_x86_lapic_is_x2apic();
	sk_kvm_info.tsc_deadline = sk_x86_lapic_has_tsc_deadline();
	sk_kvm_time_init_boot();
	sk_kvm_cpu_discover(rsdp_pa);
	sk_kvm_irq_devices_init(rsdp_pa);
	kpt_switch();
	banner();
	sk_kvm_info.main_tsc = sk_x86_rdtsc();
	sk_kvm_main();
	sk_plat_shutdown(0);
}
