// SPDX-License-Identifier: MIT
/*
 * Fake platform for lib/mm unit tests (see fakeplat.h).  The flush
 * record is for single-threaded users only.
 */
#define _GNU_SOURCE
#include "fakeplat.h"

#include <stdlib.h>
#include <sys/mman.h>

#include <plat/mem.h>

enum { FLUSH_MAX = 1 << 16 };

static char *ram;
static size_t ram_len;
static struct fake_flush flushes[FLUSH_MAX];
static unsigned nflush;

void fake_ram_init(size_t bytes)
{
	size_t align = (size_t)2 << 20;
	char *p = mmap(NULL, bytes + align, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		abort();
	ram = (char *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
	ram_len = bytes;
}

void *fake_ram_base(void)
{
	return ram;
}

unsigned sk_plat_mem_regions(struct sk_plat_mem_region *out, unsigned max)
{
	if (max) {
		out[0].pa = FAKE_PA_BASE;
		out[0].len = ram_len;
		out[0].type = SK_PLAT_MEM_USABLE;
	}
	return 1;
}

void *sk_plat_phys_to_virt(uint64_t pa)
{
	if (pa < FAKE_PA_BASE || pa - FAKE_PA_BASE >= ram_len)
		return NULL;
	return ram + (pa - FAKE_PA_BASE);
}

uint64_t sk_plat_virt_to_phys(const void *va)
{
	const char *p = va;

	if (p < ram || p >= ram + ram_len)
		return UINT64_MAX;
	return FAKE_PA_BASE + (uint64_t)(p - ram);
}

void sk_plat_tlb_flush(uintptr_t va, size_t len)
{
	if (nflush == FLUSH_MAX)
		abort();
	flushes[nflush].va = va;
	flushes[nflush].len = len;
	nflush++;
}

void fake_flush_reset(void)
{
	nflush = 0;
}

unsigned fake_flush_count(void)
{
	return nflush;
}

const struct fake_flush *fake_flush_get(unsigned i)
{
	return &flushes[i];
}

int fake_flush_covers(uintptr_t va, size_t len)
{
	for (unsigned i = 0; i < nflush; i++) {
		if (flushes[i].len == 0)
			return 1;
		if (va >= flushes[i].va &&
		    va + (len - 1) <= flushes[i].va + (flushes[i].len - 1))
			return 1;
	}
	return 0;
}
