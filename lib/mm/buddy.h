/* SPDX-License-Identifier: MIT */
/*
 * The global range allocator under lib/mm's page allocator: a binary buddy
 * system over one zone of physical pages.  Free blocks are linked through
 * their own first page (reached with sk_plat_phys_to_virt); one state byte
 * per page says whether a free block of which order starts there.  Blocks
 * are aligned in absolute physical addresses, so an order-9 block is a
 * 2 MiB-aligned 2 MiB range.  No locking: the caller serialises.
 */
#ifndef MM_BUDDY_H
#define MM_BUDDY_H

#include <stddef.h>
#include <stdint.h>

enum {
	BUDDY_ORDERS = 19, /* order 18 = 1 GiB */
	BUDDY_BUSY = 0xff, /* state byte: no free block starts here */
};

struct buddy {
	uint64_t lo_pfn, hi_pfn; /* pages [lo_pfn, hi_pfn) */
	uint8_t *state; /* hi_pfn - lo_pfn bytes */
	uint64_t head[BUDDY_ORDERS]; /* first free block's pfn or UINT64_MAX */
	size_t nfree; /* free pages */
};

/* Bytes of state sk_buddy_init() needs for @npages pages. */
static inline size_t buddy_state_bytes(size_t npages)
{
	return npages;
}

/* Set up an empty zone (every page allocated); free pages to fill it. */
void sk_buddy_init(struct buddy *b, uint64_t lo_pfn, uint64_t hi_pfn,
		   uint8_t *state);

/* Free @npages pages from @pfn; any range inside the zone. */
void sk_buddy_free(struct buddy *b, uint64_t pfn, size_t npages);

/*
 * Allocate exactly @npages pages whose first pfn is a multiple of
 * 2^@align_order.  Return: 0 and *pfn; -ENOMEM; -EINVAL for a size or
 * alignment beyond the largest order.
 */
int sk_buddy_alloc(struct buddy *b, size_t npages, unsigned align_order,
		   uint64_t *pfn);

/* Whether [pfn, pfn + npages) is inside the zone. */
static inline int buddy_owns(const struct buddy *b, uint64_t pfn, size_t npages)
{
	return pfn >= b->lo_pfn && pfn < b->hi_pfn && npages <= b->hi_pfn - pfn;
}

#endif
