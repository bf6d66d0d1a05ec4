// SPDX-License-Identifier: MIT
/*
 * The kernel page tables (kpt.c, built with lib/mm): each part of the image
 * has its protection, RAM is never executable, NULL and the boot stack's
 * guard page are unmapped, and the tables are the ones loaded in CR3; a
 * remapped page reaches the other CPUs' TLBs.
 */
#include <errno.h>

#include <mm/pt.h>
#include <plat/cpu.h>
#include <plat/irq.h>
#include <plat/mem.h>
#include <x86/cpu.h>
#include <kvm/boot.h>

#include "boottest.h"

extern char sk_x86_boot_stack_guard[];
static int bss_word;
static const char rodata_str[] = "read-only";

static unsigned prot_at(const struct sk_pt *pt, const void *p)
{
	struct sk_pt_info info;

	if (sk_pt_query(pt, (uintptr_t)p, &info) != 0)
		return 0xdead;
	return info.prot & SK_PT_ACCESS;
}

int bt_case_kernel_map_protections(void)
{
	const struct sk_pt *pt = sk_kvm_kernel_pt();
	struct sk_plat_mem_region r[64];
	unsigned n = sk_plat_mem_regions(r, 64);
	struct sk_pt_info info;
	int local = 0;

	BT_CHECK(pt != NULL);
	BT_CHECK((sk_x86_read_cr3() & ~0xfffull) == pt->root_pa);
	BT_CHECK(prot_at(pt, (const void *)(uintptr_t)sk_kvm_main) ==
		 (SK_PT_READ | SK_PT_EXEC));
	BT_CHECK(prot_at(pt, rodata_str) == SK_PT_READ);
	BT_CHECK(prot_at(pt, &bss_word) == (SK_PT_READ | SK_PT_WRITE));
	BT_CHECK(prot_at(pt, &local) == (SK_PT_READ | SK_PT_WRITE));
	BT_CHECK(sk_pt_query(pt, 0, &info) == -ENOENT);
	BT_CHECK(sk_pt_query(pt, (uintptr_t)sk_x86_boot_stack_guard, &info) ==
		 -ENOENT);
	for (unsigned i = 0; i < n && i < 64; i++)
		if (r[i].type == SK_PLAT_MEM_USABLE)
			BT_CHECK(prot_at(pt, (void *)(uintptr_t)r[i].pa) ==
				 (SK_PT_READ | SK_PT_WRITE));
	return 0;
}

/* Remapping a page must reach another CPU's TLB (the shootdown): CPU 1
 * reads through a fresh mapping, CPU 0 remaps it to another frame, CPU 1
 * must then read the new frame, not a stale translation. */
static uint8_t frame_a[4096] SK_ALIGNED(4096), frame_b[4096] SK_ALIGNED(4096);
static const uintptr_t REMAP_VA = 0x40000000000ull; /* 4 TiB: unused */

static void remote_peek(unsigned cpu, void *arg)
{
	(void)cpu;
	*(uint8_t *)arg = *(volatile const uint8_t *)REMAP_VA;
}

int bt_case_tlb_shootdown_remap(void)
{
	uint8_t seen = 0;

	if (sk_plat_cpu_count() < 2)
		return 0;
	frame_a[0] = 0xaa;
	frame_b[0] = 0xbb;
	sk_plat_irq_enable(); /* the shootdown waits for the other CPUs */
	BT_CHECK(sk_kvm_kpt_map(REMAP_VA, (uintptr_t)frame_a, 4096,
				SK_PT_READ) == 0);
	BT_CHECK(bt_remote_run(1, remote_peek, &seen) == 0 && seen == 0xaa);
	BT_CHECK(sk_kvm_kpt_unmap(REMAP_VA, 4096) == 0);
	BT_CHECK(sk_kvm_kpt_map(REMAP_VA, (uintptr_t)frame_b, 4096,
				SK_PT_READ) == 0);
	BT_CHECK(bt_remote_run(1, remote_peek, &seen) == 0 && seen == 0xbb);
	BT_CHECK(sk_kvm_kpt_unmap(REMAP_VA, 4096) == 0);
	sk_plat_irq_disable();
	return 0;
}
