/* SPDX-License-Identifier: MIT */
/*
 * The physical page allocator: 4 KiB pages of the RAM the platform reports
 * (sk_plat_mem_regions).  A buddy allocator per memory region under one
 * mutex, with a per-CPU cache of single pages on top whose fast path is
 * preemption-disabled per-CPU data and no atomic read-modify-write.  Cache
 * sizes scale with RAM and CPU count (docs/mm.md has the arithmetic).
 */
#ifndef MM_PAGE_H
#define MM_PAGE_H

#include <stddef.h>
#include <stdint.h>

enum {
	SK_PAGE_SIZE = 4096,
	SK_PAGE_SHIFT = 12,
};

enum sk_page_flags {
	SK_PAGE_ZERO = 1 << 0, /* fill the pages with zeroes */
	SK_PAGE_ALIGN_2M = 1 << 1, /* first page 2 MiB aligned (physically) */
};

struct sk_page_stats {
	size_t total_pages; /* pages the allocator manages */
	size_t free_pages; /* free in the global allocator */
	size_t cached_pages; /* free in per-CPU caches (a racy snapshot) */
	size_t meta_pages; /* RAM spent on the allocator's own state */
	size_t cache_high; /* per-CPU cache limit in pages */
	size_t cache_batch; /* pages moved per refill or drain */
};

/*
 * sk_page_init - take over every SK_PLAT_MEM_USABLE region.
 * Return: 0; -EBUSY if already done; -ENOMEM if there is no usable RAM.
 * Context: thread, once, before any other sk_page_ call.
 */
int sk_page_init(void);

/*
 * sk_page_alloc - allocate @npages physically contiguous pages.  Several
 * pages start at a multiple of the smallest power of two >= @npages pages
 * (16 pages are 64 KiB aligned).
 * Return: 0 and the first page's physical address in *pa; -EINVAL for
 *         npages == 0 or unknown @flags; -ENOMEM.
 * Context: thread, preemption enabled (the slow path takes a mutex).
 */
int sk_page_alloc(size_t npages, unsigned flags, uint64_t *pa);

/*
 * sk_page_alloc_aligned - like sk_page_alloc(), and the first page is at a
 * multiple of @align bytes (a power of two >= SK_PAGE_SIZE, <= 1 GiB).
 * Return: as sk_page_alloc(); -EINVAL for a bad @align.
 * Context: thread, preemption enabled.
 */
int sk_page_alloc_aligned(size_t npages, size_t align, unsigned flags,
			  uint64_t *pa);

/*
 * sk_page_free - give back pages.  Any sub-range of earlier allocations may
 * be freed separately (allocate 8, free 3 then 5).
 * Context: thread, preemption enabled.
 */
void sk_page_free(uint64_t pa, size_t npages);

/*
 * sk_page_cache_drain - return this CPU's cached pages to the global
 * allocator (before measuring, or when memory is short).
 * Context: thread, preemption enabled.
 */
void sk_page_cache_drain(void);

/* sk_page_stats_get - counters; a snapshot.  Context: thread. */
void sk_page_stats_get(struct sk_page_stats *st);

#endif
