// SPDX-License-Identifier: MIT
/*
 * Binary buddy allocator over one zone (see buddy.h).  Allocation of n
 * pages takes a block of the next power of two (or the alignment), then
 * gives the unused tail back, so callers get exactly n pages.  Free breaks
 * any range into naturally aligned blocks and merges each with its buddy.
 */
#include "buddy.h"

#include <errno.h>
#include <string.h>

#include <plat/assert.h>
#include <plat/mem.h>

#define NIL UINT64_MAX

struct link {
	uint64_t next, prev;
};

static struct link *link_of(uint64_t pfn)
{
	struct link *l = sk_plat_phys_to_virt(pfn << 12);

	SK_ASSERT(l != NULL, "buddy page is not in RAM");
	return l;
}

static uint8_t *state_of(struct buddy *b, uint64_t pfn)
{
	return &b->state[pfn - b->lo_pfn];
}

static void list_push(struct buddy *b, uint64_t pfn, unsigned order)
{
	struct link *l = link_of(pfn);

	l->prev = NIL;
	l->next = b->head[order];
	if (l->next != NIL)
		link_of(l->next)->prev = pfn;
	b->head[order] = pfn;
	*state_of(b, pfn) = (uint8_t)order;
}

static void list_remove(struct buddy *b, uint64_t pfn, unsigned order)
{
	struct link *l = link_of(pfn);

	if (l->prev != NIL)
		link_of(l->prev)->next = l->next;
	else
		b->head[order] = l->next;
	if (l->next != NIL)
		link_of(l->next)->prev = l->prev;
	*state_of(b, pfn) = BUDDY_BUSY;
}

void sk_buddy_init(struct buddy *b, uint64_t lo_pfn, uint64_t hi_pfn,
		   uint8_t *state)
{
	b->lo_pfn = lo_pfn;
	b->hi_pfn = hi_pfn;
	b->state = state;
	b->nfree = 0;
	for (unsigned o = 0; o < BUDDY_ORDERS; o++)
		b->head[o] = NIL;
	memset(state, BUDDY_BUSY, (size_t)(hi_pfn - lo_pfn));
}

static void free_block(struct buddy *b, uint64_t pfn, unsigned order)
{
	SK_ASSERT(*state_of(b, pfn) == BUDDY_BUSY, "buddy: double free");
	b->nfree += (size_t)1 << order;
	while (order + 1 < BUDDY_ORDERS) {
		uint64_t mate = pfn ^ ((uint64_t)1 << order);

		if (mate < b->lo_pfn || mate >= b->hi_pfn ||
		    *state_of(b, mate) != order)
			break;
		list_remove(b, mate, order);
		pfn &= ~((uint64_t)1 << order);
		order++;
	}
	list_push(b, pfn, order);
}

void sk_buddy_free(struct buddy *b, uint64_t pfn, size_t npages)
{
	SK_ASSERT(buddy_owns(b, pfn, npages), "buddy: free outside the zone");
	while (npages) {
		unsigned order = 0;

		while (order + 1 < BUDDY_ORDERS &&
		       !(pfn & (((uint64_t)2 << order) - 1)) &&
		       ((size_t)2 << order) <= npages)
			order++;
		free_block(b, pfn, order);
		pfn += (uint64_t)1 << order;
		npages -= (size_t)1 << order;
	}
}

static unsigned order_for(size_t npages)
{
	unsigned order = 0;

	while (((size_t)1 << order) < npages)
		order++;
	return order;
}

int sk_buddy_alloc(struct buddy *b, size_t npages, unsigned align_order,
		   uint64_t *pfn)
{
	unsigned want, o;
	uint64_t p;

	if (npages == 0 || npages > ((size_t)1 << (BUDDY_ORDERS - 1)) ||
	    align_order >= BUDDY_ORDERS)
		return -EINVAL;
	want = order_for(npages);
	if (align_order > want)
		want = align_order;
	for (o = want; o < BUDDY_ORDERS && b->head[o] == NIL; o++)
		;
	if (o == BUDDY_ORDERS)
		return -ENOMEM;
	p = b->head[o];
	list_remove(b, p, o);
	b->nfree -= (size_t)1 << o;
	/* Split: the upper half of each step goes back on its list. */
	while (o > want) {
		o--;
		list_push(b, p + ((uint64_t)1 << o), o);
		b->nfree += (size_t)1 << o;
	}
	if (((size_t)1 << want) > npages)
		sk_buddy_free(b, p + npages, ((size_t)1 << want) - npages);
	*pfn = p;
	return 0;
}
