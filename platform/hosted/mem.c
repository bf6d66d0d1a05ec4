/* SPDX-License-Identifier: MIT */
/*
 * RAM on hosted: one anonymous mapping, 2 MiB aligned, presented as
 * physical memory starting at HOSTED_RAM_PA (4 GiB), so a physical address
 * is never equal to its virtual one and pa 0 is invalid.  Page tables that
 * lib/mm builds in it are walked in software, never loaded: the host
 * kernel owns the real MMU, and the mapping never changes, so there is no
 * skiff-visible TLB to flush.
 */
#define _GNU_SOURCE
#include "hosted.h"

#include <errno.h>
#include <sys/mman.h>

#include <plat/mem.h>

enum {
	HOSTED_HUGE = 2u << 20,
};

static const uint64_t hosted_ram_pa = 0x100000000ull;

/*
 * Map @len bytes (a multiple of 4 KiB) of RAM.
 * Return: 0, or -ENOMEM.
 */
int sk_hosted_mem_init(size_t len)
{
	size_t span = len + HOSTED_HUGE;
	char *raw, *ram;
	uintptr_t head;

	raw = mmap(NULL, span, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED)
		return -ENOMEM;
	ram = (char *)SK_ALIGN_UP((uintptr_t)raw, (uintptr_t)HOSTED_HUGE);
	head = (uintptr_t)(ram - raw);
	if (head)
		munmap(raw, head);
	if (span - head > len)
		munmap(ram + len, span - head - len);
	madvise(ram, len, MADV_HUGEPAGE);
	sk_hosted_m.ram = ram;
	sk_hosted_m.ram_len = len;
	return 0;
}

unsigned sk_plat_mem_regions(struct sk_plat_mem_region *out, unsigned max)
{
	if (!sk_hosted_m.ram)
		return 0;
	if (max >= 1) {
		out[0].pa = hosted_ram_pa;
		out[0].len = sk_hosted_m.ram_len;
		out[0].type = SK_PLAT_MEM_USABLE;
	}
	return 1;
}

void *sk_plat_phys_to_virt(uint64_t pa)
{
	if (pa < hosted_ram_pa || pa - hosted_ram_pa >= sk_hosted_m.ram_len)
		return NULL;
	return sk_hosted_m.ram + (pa - hosted_ram_pa);
}

uint64_t sk_plat_virt_to_phys(const void *va)
{
	uintptr_t v = (uintptr_t)va, base = (uintptr_t)sk_hosted_m.ram;

	if (!base || v < base || v - base >= sk_hosted_m.ram_len)
		return UINT64_MAX;
	return hosted_ram_pa + (v - base);
}

int sk_plat_pt_load(uint64_t root_pa)
{
	(void)root_pa;
	return -ENOTSUP;
}

void sk_plat_tlb_flush(uintptr_t va, size_t len)
{
	/*
	 * Nothing to do: skiff's tables are never loaded into the MMU here,
	 * so no CPU caches a translation derived from them.
	 */
	(void)va;
	(void)len;
}
