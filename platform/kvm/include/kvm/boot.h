/* SPDX-License-Identifier: MIT */
/*
 * The kvm platform's entry into an image: the platform boots the machine
 * (long mode, descriptor tables, console, APIC, calibrated clocks, CPU
 * discovery) and then calls the image's sk_kvm_main() on CPU 0.  Only
 * images for this platform include this header; lib/ never does.
 */
#ifndef KVM_BOOT_H
#define KVM_BOOT_H

#include <stddef.h>
#include <stdint.h>

/*
 * sk_kvm_main - the image's main, supplied by the application.
 * Runs on CPU 0 with irqs disabled, on the boot stack; the other CPUs are
 * discovered but not started (sk_plat_cpu_start starts them).  Returning
 * shuts the machine down with status 0.
 */
void sk_kvm_main(void);

/* What the platform measured while booting, for reports and figures. */
struct sk_kvm_boot_info {
	uint64_t entry_tsc; /* TSC at the first instruction of the image */
	uint64_t main_tsc; /* TSC just before sk_kvm_main() */
	uint64_t calib_tsc; /* TSC cycles spent calibrating */
	uint64_t kpt_tsc; /* TSC cycles spent building the page tables */
	uint64_t tsc_hz;
	uint64_t lapic_hz;
	const char *freq_source; /* "pit" or a CPUID leaf */
	const char *clock_source; /* "kvmclock" or "tsc" */
	const char *hypervisor; /* CPUID 0x40000000 vendor, "" if none */
	unsigned cpus_found; /* enabled CPUs in the MADT (or 1) */
	int x2apic;
	int tsc_deadline;
	int steal_time; /* kvm: KVM steal time registered (preempted flag) */
};

/* sk_kvm_boot_info - the boot record.  Context: any, after boot. */
const struct sk_kvm_boot_info *sk_kvm_boot_info(void);

/*
 * sk_kvm_clock_ns_to_tsc - the TSC value at which sk_plat_clock_ns()
 * reaches @ns (rounded up), for tests that check timer precision.
 * Context: any.
 */
uint64_t sk_kvm_clock_ns_to_tsc(uint64_t ns);

/*
 * sk_kvm_mem_reserve - take @len bytes (rounded up to pages) of usable RAM
 * for the caller's own use: they are reported as SK_PLAT_MEM_KERNEL from
 * then on, so a page allocator started later never hands them out.
 * Return: the (identity-mapped) address; 0 if no usable region has room.
 * Context: before any page allocator has taken the usable regions; one
 * caller at a time.
 */
uintptr_t sk_kvm_mem_reserve(uint64_t len);

/*
 * sk_kvm_mem_keep_only - make [pa, pa + len) the only usable RAM: every
 * other usable byte is reported as SK_PLAT_MEM_KERNEL from then on (for
 * tests that need a machine with a given amount of RAM at a given place).
 * Return: 0; -EINVAL for an empty, wrapping or unaligned range; -ENOENT if
 * no usable region holds the whole range; -ENOSPC if the region table is
 * full.
 * Context: as sk_kvm_mem_reserve.
 */
int sk_kvm_mem_keep_only(uint64_t pa, uint64_t len);

/*
 * sk_kvm_mem_largest_usable - bytes of the largest usable region.
 * Context: any.
 */
uint64_t sk_kvm_mem_largest_usable(void);

struct sk_pt;

/*
 * sk_kvm_kernel_pt - the kernel's page tables (lib/mm), for inspection.
 * Return: NULL if the image runs on the boot map (no lib/mm, or no NX).
 * Context: any; callers must not change the tables.
 */
const struct sk_pt *sk_kvm_kernel_pt(void);

/*
 * sk_kvm_kpt_map - map [va, va + len) to [pa, pa + len) in the kernel
 * page tables with @prot (enum sk_pt_prot of <mm/pt.h>); for device memory
 * outside what the platform maps at boot, or a driver's own window.
 * sk_kvm_kpt_unmap - remove such a mapping; every CPU's TLB is shot down
 * before it returns.
 * Return: 0; -ENOTSUP without kernel page tables; the errors of sk_pt_map
 * (-EINVAL, -EEXIST, -ENOMEM: the boot pool of table pages is empty) and
 * sk_pt_unmap.
 * Context: thread; callers serialise their calls (one mapper at a time).
 */
int sk_kvm_kpt_map(uintptr_t va, uint64_t pa, size_t len, unsigned prot);
int sk_kvm_kpt_unmap(uintptr_t va, size_t len);

/*
 * sk_kvm_kpt_protect - set the access bits (SK_PT_READ/WRITE/EXEC) of
 * every page mapped in [va, va + len) of the kernel page tables (huge
 * pages straddling an end are split); every CPU's TLB is shot down before
 * it returns.  Identity-mapped RAM taken from the page allocator may be
 * made executable this way (a loader's text) and back.
 * Return: 0; -ENOTSUP without kernel page tables; sk_pt_protect's errors.
 * Context: thread; callers serialise their calls with sk_kvm_kpt_map.
 */
int sk_kvm_kpt_protect(uintptr_t va, size_t len, unsigned prot);

#endif
