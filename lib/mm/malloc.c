// SPDX-License-Identifier: MIT
/*
 * The heap's large blocks and the calls built on malloc/free (see
 * <mm/malloc.h>; sk_malloc and sk_free live in slab.c beside their fast
 * paths).  Sizes above SMALL_MAX, and alignments no size class gives, take
 * a page range whose first chunk starts with a struct large header
 * (malloc_int.h has the layout).
 */
#include "malloc_int.h"

#include <mm/malloc.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include <mm/page.h>
#include <plat/assert.h>
#include <plat/compiler.h>
#include <plat/mem.h>

static atomic_size_t large_pages; /* stats only: relaxed */

void *sk_mm_pages_alloc(size_t npages, size_t align)
{
	size_t extra = align / SK_PAGE_SIZE - 1, head;
	uint64_t pa;
	char *va;

	if (sk_page_alloc_aligned(npages, align, 0, &pa))
		return NULL;
	va = sk_plat_phys_to_virt(pa);
	if (!((uintptr_t)va & (align - 1)))
		return va;
	/*
	 * The platform's RAM mapping is not congruent to @align: take more
	 * and trim, relying on RAM being virtually contiguous.
	 */
	sk_page_free(pa, npages);
	if (sk_page_alloc(npages + extra, 0, &pa))
		return NULL;
	va = sk_plat_phys_to_virt(pa);
	head = (SK_ALIGN_UP((uintptr_t)va, align) - (uintptr_t)va) /
	       SK_PAGE_SIZE;
	if (head)
		sk_page_free(pa, head);
	if (extra - head)
		sk_page_free(pa + (head + npages) * SK_PAGE_SIZE, extra - head);
	return va + head * SK_PAGE_SIZE;
}

void sk_mm_pages_free(void *va, size_t npages)
{
	uint64_t pa = sk_plat_virt_to_phys(va);

	SK_ASSERT(pa != UINT64_MAX, "heap pages outside RAM");
	sk_page_free(pa, npages);
}

static size_t pages_for(size_t bytes)
{
	return (bytes + SK_PAGE_SIZE - 1) / SK_PAGE_SIZE;
}

/*
 * A block of @size bytes at a multiple of @align (power of two >= 16).
 * Below CHUNK alignment the header is the chunk's first bytes and the
 * block follows; from CHUNK up the block is chunk aligned and its header
 * is the whole chunk before it.
 */
void *sk_mm_large_alloc(size_t size, size_t align)
{
	size_t lead = align < CHUNK ? (align > HDR ? align : HDR) : CHUNK;
	size_t slack = align > CHUNK ? align - CHUNK : 0;
	size_t npages, total, head;
	struct large *h;
	char *c;

	if (size > ((size_t)1 << 46))
		return NULL;
	npages = pages_for(lead + size);
	total = npages + slack / SK_PAGE_SIZE;
	c = sk_mm_pages_alloc(total, CHUNK);
	if (!c)
		return NULL;
	head = (SK_ALIGN_UP((uintptr_t)c + lead, align) - lead - (uintptr_t)c) /
	       SK_PAGE_SIZE;
	if (head)
		sk_mm_pages_free(c, head);
	if (total - head - npages)
		sk_mm_pages_free(c + (head + npages) * SK_PAGE_SIZE,
				 total - head - npages);
	h = (struct large *)(void *)(c + head * SK_PAGE_SIZE);
	h->kind = KIND_LARGE;
	h->npages = npages;
	atomic_fetch_add_explicit(&large_pages, npages, memory_order_relaxed);
	return (char *)h + lead;
}

void sk_mm_large_free(void *chunk)
{
	struct large *h = chunk;
	size_t n = h->npages;

	SK_ASSERT(h->kind == KIND_LARGE, "sk_free: not a heap block");
	h->kind = 0;
	atomic_fetch_sub_explicit(&large_pages, n, memory_order_relaxed);
	sk_mm_pages_free(h, n);
}

size_t sk_malloc_usable_size(const void *p)
{
	const uint32_t *chunk;
	const struct large *h;

	if (!p)
		return 0;
	chunk = chunk_of(p);
	if (*chunk == KIND_SLAB)
		return sk_mm_slab_usable(chunk);
	SK_ASSERT(*chunk == KIND_LARGE, "sk_malloc_usable_size: bad block");
	h = (const struct large *)(const void *)chunk;
	return (size_t)((const char *)h + h->npages * SK_PAGE_SIZE -
			(const char *)p);
}

void *sk_calloc(size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		return NULL;
	p = sk_malloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

/* Give the pages of large block @p beyond @size back; @p stays. */
static void large_shrink(void *p, size_t size)
{
	struct large *h = (struct large *)(void *)chunk_of(p);
	size_t keep = pages_for((size_t)((char *)p - (char *)h) + size);

	if (keep >= h->npages)
		return;
	sk_mm_pages_free((char *)h + keep * SK_PAGE_SIZE, h->npages - keep);
	atomic_fetch_sub_explicit(&large_pages, h->npages - keep,
				  memory_order_relaxed);
	h->npages = keep;
}

void *sk_realloc(void *p, size_t size)
{
	size_t have;
	void *q;

	if (!p)
		return sk_malloc(size);
	if (!size) {
		sk_free(p);
		return NULL;
	}
	have = sk_malloc_usable_size(p);
	if (size <= have && have <= SMALL_MAX)
		return p;
	if (size <= have && size > SMALL_MAX) {
		large_shrink(p, size); /* in place: the tail pages go back */
		return p;
	}
	q = sk_malloc(size);
	if (!q)
		return NULL;
	memcpy(q, p, size < have ? size : have);
	sk_free(p);
	return q;
}

void *sk_aligned_alloc(size_t align, size_t size)
{
	unsigned cls;

	if (!SK_IS_POW2(align))
		return NULL;
	if (align <= SK_MALLOC_ALIGN)
		return sk_malloc(size);
	if (size > SMALL_MAX || align > SMALL_MAX)
		return sk_mm_large_alloc(size, align);
	/* Objects sit at CHUNK - k * size: a class that align divides. */
	cls = sk_mm_cls_for(size > align ? size : align);
	while (sk_mm_cls_size[cls] % align)
		cls++;
	return sk_mm_slab_alloc(cls);
}

void sk_malloc_trim(void)
{
	sk_mm_slab_trim();
}

void sk_malloc_stats_get(struct sk_malloc_stats *st)
{
	st->slabs = sk_mm_slab_count();
	st->large_pages =
		atomic_load_explicit(&large_pages, memory_order_relaxed);
}
