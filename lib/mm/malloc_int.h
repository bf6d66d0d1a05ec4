/* SPDX-License-Identifier: MIT */
/*
 * lib/mm heap internals shared by malloc.c (API, large blocks) and slab.c
 * (per-CPU size-class slabs).  Every block lives in a 64 KiB-aligned chunk
 * whose first 64 bytes are a header saying what the chunk is, so sk_free
 * finds it by masking: hdr = (p - 1) & ~(CHUNK - 1).  A block pointer is
 * never chunk aligned except for large blocks aligned to >= CHUNK, whose
 * header then sits in the chunk just below, which the mask also finds.
 */
#ifndef MM_MALLOC_INT_H
#define MM_MALLOC_INT_H

#include <stddef.h>
#include <stdint.h>

enum {
	CHUNK = 64 * 1024,
	CHUNK_PAGES = CHUNK / 4096,
	HDR = 64,
	SMALL_MAX = 8192,
	NCLS = 32,
	KIND_SLAB = 0x51ab51ab,
	KIND_LARGE = 0x1a46eb10,
};

/* Header of a large block's chunk. */
struct large {
	uint32_t kind; /* KIND_LARGE */
	uint32_t pad;
	size_t npages; /* pages from the header on */
};

static inline uint32_t *chunk_of(const void *p)
{
	return (uint32_t *)(((uintptr_t)p - 1) & ~(uintptr_t)(CHUNK - 1));
}

/* Pages with a virtual start aligned to @align (>= 4 KiB); NULL: none. */
void *sk_mm_pages_alloc(size_t npages, size_t align);
void sk_mm_pages_free(void *va, size_t npages);

/* Size classes.  cls_for(size) for size <= SMALL_MAX. */
extern const uint32_t sk_mm_cls_size[NCLS];
unsigned sk_mm_cls_for(size_t size);

/* Large blocks (malloc.c): @align is a power of two >= 16. */
void *sk_mm_large_alloc(size_t size, size_t align);
void sk_mm_large_free(void *chunk);

void *sk_mm_slab_alloc(unsigned cls);
size_t sk_mm_slab_usable(const void *chunk);
void sk_mm_slab_trim(void);
size_t sk_mm_slab_count(void);

#endif
