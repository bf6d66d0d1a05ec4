/* SPDX-License-Identifier: MIT */
/*
 * The kernel heap: malloc and friends with C semantics, prefixed sk_.
 * Small sizes (<= 8 KiB) come from per-CPU size-class slabs of 64 KiB
 * whose fast paths are preemption-disabled per-CPU data with no atomic
 * read-modify-write; a block freed on another CPU returns to its owner in
 * batches (a page of pointers per batch) through a lock-free MPSC stack.
 * Larger sizes take page ranges.
 * Built on <mm/page.h>; docs/mm.md has the layout and state tables.
 */
#ifndef MM_MALLOC_H
#define MM_MALLOC_H

#include <stddef.h>

/* Every block is aligned to at least this. */
enum { SK_MALLOC_ALIGN = 16 };

/*
 * sk_malloc_init - set up per-CPU pools (after sk_page_init()).
 * Return: 0; -EBUSY if already done; -ENOMEM.
 * Context: thread, once.
 */
int sk_malloc_init(void);

/*
 * sk_malloc - @size bytes, aligned to SK_MALLOC_ALIGN; size 0 gives a
 * unique pointer.
 * Return: the block, or NULL when memory is exhausted.
 * Context: thread (not interrupt handlers), preemption enabled.
 */
void *sk_malloc(size_t size);

/*
 * sk_free - give back a block from any sk_ allocation call, on any CPU.
 * NULL is ignored.
 * Context: thread, preemption enabled.
 */
void sk_free(void *p);

/*
 * sk_calloc - zeroed array of @n elements of @size bytes.
 * Return: the block; NULL on overflow of n * size or exhaustion.
 * Context: thread, preemption enabled.
 */
void *sk_calloc(size_t n, size_t size);

/*
 * sk_realloc - resize @p (NULL: sk_malloc) keeping its contents.  Size 0
 * frees @p and returns NULL.
 * Return: the block (maybe moved); NULL on exhaustion, @p then untouched.
 * Context: thread, preemption enabled.
 */
void *sk_realloc(void *p, size_t size);

/*
 * sk_aligned_alloc - @size bytes at a multiple of @align.
 * Return: the block; NULL if @align is not a power of two or memory is
 *         exhausted.
 * Context: thread, preemption enabled.
 */
void *sk_aligned_alloc(size_t align, size_t size);

/*
 * sk_malloc_usable_size - bytes usable at @p (>= what was asked); 0 for
 * NULL.
 * Context: any thread.
 */
size_t sk_malloc_usable_size(const void *p);

/*
 * sk_malloc_trim - on this CPU: send batched remote frees to their owners,
 * take back blocks other CPUs freed, and return empty slabs to the page
 * allocator.  Callers that want every byte back call it on every CPU.
 * Context: thread, preemption enabled.
 */
void sk_malloc_trim(void);

struct sk_malloc_stats {
	size_t slabs; /* 64 KiB slabs held by all CPUs (snapshot) */
	size_t large_pages; /* pages held by large blocks */
};

/* sk_malloc_stats_get - counters, a snapshot.  Context: thread. */
void sk_malloc_stats_get(struct sk_malloc_stats *st);

#endif
