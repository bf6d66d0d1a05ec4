// SPDX-License-Identifier: MIT
/*
 * The images' bump heap (heap.h).  The cursor is one atomic: concurrent
 * allocations get disjoint ranges without a lock.
 */
#include <stdatomic.h>

#include <plat/compiler.h>
#include <plat/mem.h>

#include "heap.h"

static _Atomic uintptr_t heap_next;
static uintptr_t heap_end;

static void *bump_alloc(size_t len, void *ctx)
{
	size_t n = SK_ALIGN_UP(len, (size_t)64);
	/* Relaxed: the cursor only hands out disjoint ranges. */
	uintptr_t p =
		atomic_fetch_add_explicit(&heap_next, n, memory_order_relaxed);

	(void)ctx;
	return p + n <= heap_end ? (void *)p : NULL;
}

static void bump_free(void *p, size_t len, void *ctx)
{
	(void)p;
	(void)len;
	(void)ctx;
}

const struct sk_sched_mem_ops *sk_kvm_heap_ops(void)
{
	static const struct sk_sched_mem_ops ops = { bump_alloc, bump_free,
						     NULL };
	static struct sk_plat_mem_region r[64];
	unsigned n = sk_plat_mem_regions(r, 64);
	uint64_t best = 0, pa = 0;

	if (heap_end)
		return &ops;
	for (unsigned i = 0; i < n && i < 64; i++)
		if (r[i].type == SK_PLAT_MEM_USABLE && r[i].len > best) {
			best = r[i].len;
			pa = r[i].pa;
		}
	if (best < (1ull << 20))
		return NULL;
	atomic_store_explicit(&heap_next, (uintptr_t)sk_plat_phys_to_virt(pa),
			      memory_order_relaxed);
	heap_end = (uintptr_t)sk_plat_phys_to_virt(pa) + best;
	return &ops;
}
