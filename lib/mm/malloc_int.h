/* SPDX-License-Identifier: MIT */
/*
 * lib/mm internals shared by malloc.c (API, large blocks), slab.c (per-CPU
 * size-class slabs), page.c and reclaim.c.  Every heap block lives in a
 * 64 KiB-aligned chunk whose first bytes are a header saying what the
 * chunk is, so sk_free finds it by masking: hdr = (p - 1) & ~(CHUNK - 1).  A block pointer is
 * never chunk aligned except for large blocks aligned to >= CHUNK, whose
 * header then sits in the chunk just below, which the mask also finds.
 */
#ifndef MM_MALLOC_INT_H
#define MM_MALLOC_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <plat/percpu.h>

enum {
	CHUNK = 64 * 1024,
	CHUNK_PAGES = CHUNK / 4096,
	HDR = 64, /* a large block's header */
	SLAB_HDR = 128, /* a slab's header: two cache lines */
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

/*
 * The running CPU's number: one %gs-relative load (plat/percpu.h), the
 * inline form of sk_plat_cpu_id().
 * Context: preemption disabled (or irqs off).
 */
static inline unsigned sk_mm_cpu_id(void)
{
	return (unsigned)SK_PLAT_PERCPU_READ(SK_PLAT_PERCPU_OFF_CPU_ID);
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
/*
 * Cross-CPU reclaim (reclaim.c, through a hook so that only programs that
 * start the workers link lib/sched's thread API).  The hook asks every CPU
 * to trim its heap and drain its page cache and waits (bounded) for them.
 * Return: true if it did anything worth a retry.  Context: thread.
 */
typedef bool (*sk_mm_reclaim_fn)(void);
void sk_mm_page_reclaim_hook_set(sk_mm_reclaim_fn fn);
/*
 * This CPU's page cache, for the heap's remote-free batches: pop one page
 * (NULL if the cache is empty; preemption disabled), or fill an empty cache
 * from the buddy without ever running a reclaim round (preemption enabled;
 * may block on the page allocator's mutex).
 */
void *sk_mm_page_cache_pop(void);
void sk_mm_page_cache_fill(void);
/* Whether CPU @cpu's page cache holds pages (relaxed snapshot). */
bool sk_mm_page_cpu_holds(unsigned cpu);
/* Whether CPU @cpu's heap may hold pages a trim on it would free. */
bool sk_mm_slab_cpu_holds(unsigned cpu);

#endif
