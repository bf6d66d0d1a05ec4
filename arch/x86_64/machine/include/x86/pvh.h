/* SPDX-License-Identifier: MIT */
/*
 * The PVH boot ABI as seen by the kernel: the start info record whose
 * physical address arrives in %ebx (layout in HYPERVISORS.md, from Xen's
 * public arch-x86/hvm/start_info.h), and the C entry that entry.S calls.
 */
#ifndef X86_PVH_H
#define X86_PVH_H

#include <stdint.h>

enum { SK_X86_PVH_MAGIC = 0x336ec578 };

struct sk_x86_pvh_start_info {
	uint32_t magic;
	uint32_t version; /* memmap fields only if >= 1 */
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct sk_x86_pvh_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type; /* 1 RAM, 2 reserved, 3 ACPI, 4 NVS, 5 unusable */
	uint32_t reserved;
};

/*
 * sk_x86_pvh_main - the platform's C entry, called by entry.S in long
 * mode on the boot stack with the 4 GiB identity map, irqs off, SSE still
 * disabled.
 * @start_info_pa: physical address of struct sk_x86_pvh_start_info.
 * @entry_tsc: the TSC at the image's first instruction.
 */
void sk_x86_pvh_main(uint64_t start_info_pa, uint64_t entry_tsc);

#endif
