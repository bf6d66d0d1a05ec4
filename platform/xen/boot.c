// SPDX-License-Identifier: MIT
/*
 * The boot CPU's path from entry.S (arch/x86_64/machine, shared with kvm)
 * to sk_kvm_main() under Xen: find Xen through CPUID and install the
 * hypercall page first (the console is a hypercall), then the start info,
 * Xen's memory map, the descriptor tables, shared info, event channels,
 * Xen's clock, the vCPUs and the grant table.  Nothing here touches
 * emulated hardware: no PIT, no RTC, no serial port, no APIC.
 */
#include <errno.h>

#include <plat/boot.h>
#include <x86/cpu.h>
#include <x86/crash.h>
#include <x86/fmt.h>
#include <x86/fpu.h>
#include <x86/pvclock.h>
#include <x86/pvh.h>

#include <x86/irq.h>

#include "xen.h"

static const uint64_t IDENTITY_LIMIT = 0xffffffffu;

enum {
	MEMMAP_MAX = 128,
	BOOT_FAIL_STATUS = 71, /* EX_OSERR */
	CPUID_BASE_FIRST = 0x40000000,
	CPUID_BASE_LAST = 0x40010000,
	DEBUG_PORT_E9 = 0xe9,
	DEBUG_EXIT_PORT = 0xf4,
	IDLE_POLL_US_DEFAULT = 2000,
	IDLE_RESCUE_US_DEFAULT = 10000,
	IDLE_US_MAX = 1000000,
};

struct sk_kvm_boot_info sk_xen_boot;
uint32_t sk_xen_start_flags;
static char hv_vendor[13] = "XenVMMXenVMM";
static uint32_t xen_version;
static struct sk_x86_cpuid time_leaf; /* base+3: vtsc, tsc_mode, kHz */
extern char sk_xen_hypercall_page[];

const struct sk_kvm_boot_info *sk_kvm_boot_info(void)
{
	return &sk_xen_boot;
}

uint32_t sk_xen_version(void)
{
	return xen_version;
}

int sk_xen_is_dom0(void)
{
	return (sk_xen_start_flags & SK_XEN_SIF_INITDOMAIN) != 0;
}

/* Without Xen there is no console: say why on port 0xe9 and leave. */
static _Noreturn void no_xen(const char *why)
{
	for (const char *s = "skiff xen: not running on Xen: "; *s; s++)
		sk_x86_outb(DEBUG_PORT_E9, (uint8_t)*s);
	for (; *why; why++)
		sk_x86_outb(DEBUG_PORT_E9, (uint8_t)*why);
	sk_x86_outb(DEBUG_PORT_E9, '\n');
	sk_x86_outb(DEBUG_EXIT_PORT, BOOT_FAIL_STATUS + 1);
	for (;;)
		__asm__ __volatile__("cli; hlt");
}

_Noreturn void sk_xen_boot_fail(const char *why)
{
	sk_x86_printf("skiff xen: boot failed: %s\n", why);
	sk_plat_shutdown(BOOT_FAIL_STATUS);
}

static int vendor_is_xen(uint32_t base)
{
	struct sk_x86_cpuid r = sk_x86_cpuid(base, 0);

	return r.ebx == 0x566e6558 && r.ecx == 0x65584d4d &&
	       r.edx == 0x4d4d566e && r.eax - base >= 2;
}

/* CPUID leaf base+2: the number of hypercall pages and their MSR. */
static void hypercall_init(void)
{
	struct sk_x86_cpuid r;
	uint32_t base;

	if (!(sk_x86_cpuid(1, 0).ecx & (1u << 31)))
		no_xen("no hypervisor bit in CPUID");
	for (base = CPUID_BASE_FIRST; base <= CPUID_BASE_LAST; base += 0x100)
		if (vendor_is_xen(base))
			break;
	if (base > CPUID_BASE_LAST)
		no_xen("no XenVMMXenVMM leaf at 0x40000000..0x40010000");
	xen_version = sk_x86_cpuid(base + 1, 0).eax;
	time_leaf = sk_x86_cpuid(base + 3, 0);
	r = sk_x86_cpuid(base + 2, 0);
	if (r.eax < 1)
		no_xen("no hypercall page offered");
	sk_x86_wrmsr(r.ebx, (uintptr_t)sk_xen_hypercall_page);
	sk_xen_boot.hypervisor = hv_vendor;
}

static int pa_range_ok(uint64_t pa, uint64_t len)
{
	return pa && len <= IDENTITY_LIMIT && pa <= IDENTITY_LIMIT - len;
}

static void start_info_read(uint64_t pa)
{
	const struct sk_x86_pvh_start_info *si;

	if (!pa_range_ok(pa, sizeof(*si)))
		no_xen("start info outside the low 4 GiB");
	si = (const struct sk_x86_pvh_start_info *)(uintptr_t)pa;
	if (si->magic != SK_X86_PVH_MAGIC)
		no_xen("bad PVH start info magic");
	sk_xen_start_flags = si->flags;
	if (si->cmdline_paddr && pa_range_ok(si->cmdline_paddr, 1))
		sk_x86_cmdline_set((const char *)(uintptr_t)si->cmdline_paddr,
				   IDENTITY_LIMIT - si->cmdline_paddr);
}

/* XENMEM_memory_map: this domain's e820 (the start info has none, v0). */
static void memory_map_read(void)
{
	static struct sk_xen_e820 raw[MEMMAP_MAX];
	static struct sk_kvm_e820 map[MEMMAP_MAX];
	struct sk_xen_memory_map mm = { MEMMAP_MAX, 0, (uintptr_t)raw };
	long rc =
		SK_XEN_HC2(SK_XEN_HC_MEMORY_OP, SK_XEN_XENMEM_MEMORY_MAP, &mm);
	unsigned n;

	if (rc < 0 || mm.nr_entries == 0)
		sk_xen_boot_fail("XENMEM_memory_map failed");
	n = mm.nr_entries < MEMMAP_MAX ? mm.nr_entries : MEMMAP_MAX;
	for (unsigned i = 0; i < n; i++)
		map[i] = (struct sk_kvm_e820){ raw[i].addr, raw[i].size,
					       raw[i].type, 0 };
	sk_kvm_mem_init(map, n);
}

static void banner(void)
{
	sk_x86_printf("skiff xen: Xen %u.%u, %s, %u vcpu(s), tsc %lu kHz, "
		      "clock %s, %u grant refs, vtsc %u tsc_mode %u\n",
		      xen_version >> 16, xen_version & 0xffff,
		      sk_xen_is_dom0() ? "dom0 (PVH)" : "domU (PVH)",
		      sk_xen_ncpus, (unsigned long)(sk_xen_boot.tsc_hz / 1000),
		      sk_xen_boot.clock_source, sk_xen_grant_capacity(),
		      time_leaf.eax, time_leaf.ebx);
}

/* @s past @prefix, or NULL if @s does not start with it. */
static const char *skip_prefix(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++)
		if (*s != *prefix)
			return NULL;
	return s;
}

/* The value of "@key<digits>" on the command line, else @dflt. */
static uint64_t cmdline_u64(const char *key, uint64_t dflt, uint64_t max)
{
	const char *s = sk_plat_cmdline();

	for (; *s; s++) {
		uint64_t v = 0;
		const char *d;

		if (s != sk_plat_cmdline() && s[-1] != ' ')
			continue;
		d = skip_prefix(s, key);
		if (!d || *d < '0' || *d > '9')
			continue;
		for (; *d >= '0' && *d <= '9' && v <= max; d++)
			v = v * 10 + (uint64_t)(*d - '0');
		return v <= max ? v : max;
	}
	return dflt;
}

static void tables_init(struct sk_xen_cpu *boot)
{
	sk_x86_idt_init();
	for (unsigned k = 0; k < SK_X86_IST_COUNT; k++)
		boot->ist_top[k] = sk_kvm_stack_alloc(SK_X86_IST_STACK_SIZE);
	sk_x86_desc_load(&boot->desc, boot->ist_top);
	sk_x86_crash_set_extra(sk_xen_crash_extra);
}

void sk_x86_pvh_main(uint64_t start_info_pa, uint64_t entry_tsc)
{
	struct sk_xen_cpu *boot = &sk_xen_cpus[0];

	sk_x86_fpu_init();
	sk_xen_boot.entry_tsc = entry_tsc;
	sk_xen_cpu_init_local(boot); /* GS base: cpu id works from here */
	hypercall_init();
	start_info_read(start_info_pa);
	sk_xen_console_init();
	memory_map_read();
	tables_init(boot);
	sk_xen_evtchn_init();
	sk_xen_irq_init();
	sk_xen_cpu_bind(boot);
	sk_xen_time_init_boot();
	sk_xen_boot.tsc_hz = sk_x86_pvclock_tsc_hz(&boot->vi->time);
	sk_xen_boot.freq_source = "xen-pvclock";
	sk_xen_cpu_discover();
	sk_xen_idle_set(cmdline_u64("xen.idle_poll_us=", IDLE_POLL_US_DEFAULT,
				    IDLE_US_MAX),
			cmdline_u64("xen.idle_rescue_us=",
				    IDLE_RESCUE_US_DEFAULT, IDLE_US_MAX),
			cmdline_u64("xen.stats=", 0, 1) != 0);
	if (sk_xen_grant_init() != 0)
		sk_x86_printf("skiff xen: no grant table\n");
	banner();
	sk_xen_boot.main_tsc = sk_x86_rdtsc();
	sk_kvm_main();
	sk_plat_shutdown(0);
}
