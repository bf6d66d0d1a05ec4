/* SPDX-License-Identifier: MIT */
/*
 * Platform contract: memory.  The platform reports the usable RAM as
 * "physical" ranges and translates physical <-> virtual for RAM it maps.
 * On hosted the RAM is one anonymous mapping given physical addresses that
 * start at a non-zero base, so lib/mm builds real x86-64 page tables in it.
 */
#ifndef PLAT_MEM_H
#define PLAT_MEM_H

#include <stddef.h>
#include <stdint.h>

enum sk_plat_mem_type {
	SK_PLAT_MEM_USABLE = 1, /* free RAM, the core may allocate it */
	SK_PLAT_MEM_RESERVED = 2, /* RAM or MMIO the core must not touch */
	SK_PLAT_MEM_KERNEL = 3, /* RAM holding the loaded image */
};

struct sk_plat_mem_region {
	uint64_t pa; /* first byte, page aligned */
	uint64_t len; /* bytes, a multiple of 4 KiB */
	enum sk_plat_mem_type type;
};

/*
 * sk_plat_mem_regions - copy up to @max regions into @out.
 * Regions are sorted by address and do not overlap.
 * Return: the total number of regions (may exceed @max).
 * Context: any.
 */
unsigned sk_plat_mem_regions(struct sk_plat_mem_region *out, unsigned max);

/*
 * sk_plat_phys_to_virt - the virtual address of physical address @pa of RAM.
 * sk_plat_virt_to_phys - the inverse, for addresses inside RAM.
 * Return: NULL / UINT64_MAX for an address outside the platform's RAM.
 * Context: any.
 */
void *sk_plat_phys_to_virt(uint64_t pa);
uint64_t sk_plat_virt_to_phys(const void *va);

/*
 * sk_plat_pt_load - make the x86-64 page table rooted at @root_pa current
 * on this CPU.
 * Return: 0; -ENOTSUP where the platform has no page tables of its own
 *         (hosted: tables are built and walked, never loaded).
 * Context: irqs off.
 */
int sk_plat_pt_load(uint64_t root_pa);

/*
 * sk_plat_tlb_flush - drop cached translations of [va, va + len) on every
 * CPU that may hold them (a shootdown); len == 0 means everything.  Returns
 * once no CPU can use a stale entry.
 * Context: thread (may wait for other CPUs).
 */
void sk_plat_tlb_flush(uintptr_t va, size_t len);

#endif
