// SPDX-License-Identifier: MIT
/*
 * The kernel's page tables, built with lib/mm's x86-64 page-table code
 * before sk_kvm_main() and replacing entry.S's 4 GiB boot map.  Still an
 * identity map, but only of RAM (usable and kernel; all of it, above 4 GiB
 * too, with 2 MiB or 1 GiB pages where alignment allows), with the image mapped
 * by section: text read+exec, rodata read-only, data and bss read+write,
 * never writable and executable; NULL and every stack's guard page are
 * unmapped.  Table pages come from a pool carved at boot (the image's page
 * allocator owns the rest of RAM once sk_kvm_main runs).
 */
#include <errno.h>

#include <mm/pt.h>
#include <plat/mem.h>
#include <x86/cpu.h>
#include <x86/fmt.h>
#include <x86/ioapic.h>
#include <x86/pci.h>
#include <x86/lapic.h>
#include <x86/smp.h>

#include "kvm.h"

enum {
	PAGE = 4096,
	POOL_PAGES = 64, /* plus one per GiB of RAM, see pool_pages() */
	EFER_NXE = 1u << 11,
	CR0_WP = 1u << 16, /* read-only pages bind ring 0 too */
	CPUID_EXT_NX = 1u << 20,
	CPUID_EXT_1G = 1u << 26, /* 1 GiB pages */
	REGIONS_MAX = 128,
};

static const uint64_t VIRTIO_MMIO_PA = 0xfeb00000u;

extern const char __kernel_start[], __text_end[], __rodata_end[],
	__data_start[], __kernel_end[];

static uint64_t pool_next, pool_end;
static uint64_t free_list; /* pa of a freed table page; first word: next */
static struct sk_pt kernel_pt;
static unsigned map_flags; /* SK_PT_MAP_NO_1G without 1 GiB pages */

static int table_alloc(void *ctx, uint64_t *pa)
{
	(void)ctx;
	if (free_list) {
		*pa = free_list;
		free_list = *(uint64_t *)(uintptr_t)free_list;
		return 0;
	}
	if (pool_next >= pool_end)
		return -ENOMEM;
	*pa = pool_next;
	pool_next += PAGE;
	return 0;
}

static void table_free(void *ctx, uint64_t pa)
{
	(void)ctx;
	*(uint64_t *)(uintptr_t)pa = free_list;
	free_list = pa;
}

static void *table_virt(void *ctx, uint64_t pa)
{
	(void)ctx;
	return (void *)(uintptr_t)pa; /* identity, boot map or ours */
}

static const struct sk_pt_ops kpt_ops = { table_alloc, table_free, table_virt };

static int map(uintptr_t start, uintptr_t end, unsigned prot)
{
	start = SK_ALIGN_DOWN(start, (uintptr_t)PAGE);
	end = SK_ALIGN_UP(end, (uintptr_t)PAGE);
	if (start >= end)
		return 0;
	return sk_pt_map(&kernel_pt, start, start, end - start, prot,
			 map_flags);
}

/* RAM outside the image: read+write, never executable. */
static int map_ram(void)
{
	static struct sk_plat_mem_region r[REGIONS_MAX];
	unsigned n = sk_plat_mem_regions(r, REGIONS_MAX);
	uintptr_t ks = (uintptr_t)__kernel_start, ke = (uintptr_t)__kernel_end;
	int err = 0;

	for (unsigned i = 0; i < n && i < REGIONS_MAX && !err; i++) {
		uintptr_t s = r[i].pa, e = r[i].pa + r[i].len;

		if (r[i].type == SK_PLAT_MEM_RESERVED)
			continue;
		if (s < ks && e > ks)
			err = map(s, ks, SK_PT_READ | SK_PT_WRITE);
		else if (e <= ks || s >= ke)
			err = map(s, e, SK_PT_READ | SK_PT_WRITE);
		if (!err && s < ke && e > ke)
			err = map(ke, e, SK_PT_READ | SK_PT_WRITE);
	}
	return err;
}

static int map_image(void)
{
	int err = map((uintptr_t)__kernel_start, (uintptr_t)__text_end,
		      SK_PT_READ | SK_PT_EXEC);

	if (!err)
		err = map((uintptr_t)__text_end, (uintptr_t)__rodata_end,
			  SK_PT_READ);
	if (!err)
		err = map((uintptr_t)__data_start, (uintptr_t)__kernel_end,
			  SK_PT_READ | SK_PT_WRITE);
	/* The AP trampoline runs from this page and its mailbox is written
	 * for every start: the one page both writable and executable. */
	if (!err)
		err = map(SK_X86_TRAMPOLINE_PA, SK_X86_TRAMPOLINE_PA + PAGE,
			  SK_PT_READ | SK_PT_WRITE | SK_PT_EXEC);
	return err;
}

static int map_devices_and_guards(void)
{
	uint64_t apic = sk_x86_lapic_mmio_pa();
	int err = 0;

	if (apic)
		err = map(apic, apic + PAGE,
			  SK_PT_READ | SK_PT_WRITE | SK_PT_NOCACHE);
	/* microvm's virtio-mmio window: 32 slots of 512 bytes. */
	if (!err)
		err = map(VIRTIO_MMIO_PA, VIRTIO_MMIO_PA + 32 * 512,
			  SK_PT_READ | SK_PT_WRITE | SK_PT_NOCACHE);
	for (unsigned i = 0; !err && sk_x86_ioapic_pa(i); i++)
		err = map(sk_x86_ioapic_pa(i), sk_x86_ioapic_pa(i) + PAGE,
			  SK_PT_READ | SK_PT_WRITE | SK_PT_NOCACHE);
	for (unsigned i = 0; !err && sk_kvm_stack_guard(i); i++)
		err = sk_pt_unmap(&kernel_pt, sk_kvm_stack_guard(i), PAGE, NULL,
				  NULL);
	return err;
}

/* Every memory BAR on PCI bus 0, uncached, so drivers need not map. */
static int map_pci_bars(void)
{
	static struct sk_x86_pci_dev devs[64];
	unsigned n = sk_x86_pci_scan(devs, 64);

	for (unsigned i = 0; i < n && i < 64; i++) {
		for (unsigned bar = 0; bar < 6; bar++) {
			uint32_t raw = sk_x86_pci_read32(
				&devs[i], (uint8_t)(0x10 + 4 * bar));
			uint64_t pa, len;
			int err;

			if (sk_x86_pci_bar(&devs[i], bar, &pa, &len) == 0 &&
			    pa + len > pa && pa + len <= (1ull << 46)) {
				err = map(pa, pa + len,
					  SK_PT_READ | SK_PT_WRITE |
						  SK_PT_NOCACHE);
				if (err && err != -EEXIST)
					return err; /* -EEXIST: shared page */
			}
			if (!(raw & 1) && ((raw >> 1) & 3) == 2)
				bar++; /* the upper half of a 64-bit BAR */
		}
	}
	return 0;
}

int sk_kvm_kpt_maps_all(void)
{
	return !!(sk_x86_cpuid(0x80000001, 0).edx & CPUID_EXT_NX);
}

/*
 * Table pages for the whole map: with 2 MiB pages one page directory per
 * GiB of address space up to the top of RAM, a pointer table per 512 GiB,
 * and the fixed pool for the 4 KiB tables of the image, region edges,
 * devices and guard pages.
 */
static uint64_t pool_pages(void)
{
	static struct sk_plat_mem_region r[REGIONS_MAX];
	unsigned n = sk_plat_mem_regions(r, REGIONS_MAX);
	uint64_t top = 0;

	for (unsigned i = 0; i < n && i < REGIONS_MAX; i++)
		if (r[i].type != SK_PLAT_MEM_RESERVED)
			top = r[i].pa + r[i].len;
	return POOL_PAGES + (top >> 30) + (top >> 39) + 1;
}

int sk_kvm_kpt_init(void)
{
	uint64_t npages;
	int err;

	if (!sk_kvm_kpt_maps_all())
		return -ENOTSUP;
	if (!(sk_x86_cpuid(0x80000001, 0).edx & CPUID_EXT_1G))
		map_flags = SK_PT_MAP_NO_1G;
	npages = pool_pages();
	pool_next = sk_kvm_boot_alloc(npages * PAGE);
	pool_end = pool_next + npages * PAGE;
	err = sk_pt_create(&kernel_pt, &kpt_ops, NULL);
	if (!err)
		err = map_ram();
	if (!err)
		err = map_image();
	if (!err)
		err = map_devices_and_guards();
	if (!err)
		err = map_pci_bars();
	if (err)
		return err;
	sk_x86_wrmsr(SK_X86_MSR_EFER, sk_x86_rdmsr(SK_X86_MSR_EFER) | EFER_NXE);
	sk_x86_write_cr0(sk_x86_read_cr0() | CR0_WP);
	return sk_plat_pt_load(kernel_pt.root_pa);
}

const struct sk_pt *sk_kvm_kernel_pt(void)
{
	return kernel_pt.root_pa ? &kernel_pt : NULL;
}

int sk_kvm_kpt_map(uintptr_t va, uint64_t pa, size_t len, unsigned prot)
{
	if (!kernel_pt.root_pa)
		return -ENOTSUP;
	return sk_pt_map(&kernel_pt, va, pa, len, prot, 0);
}

int sk_kvm_kpt_unmap(uintptr_t va, size_t len)
{
	if (!kernel_pt.root_pa)
		return -ENOTSUP;
	return sk_pt_unmap(&kernel_pt, va, len, NULL, NULL);
}

int sk_kvm_kpt_protect(uintptr_t va, size_t len, unsigned prot)
{
	if (!kernel_pt.root_pa)
		return -ENOTSUP;
	return sk_pt_protect(&kernel_pt, va, len, prot);
}
