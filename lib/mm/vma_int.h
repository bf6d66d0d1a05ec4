/* SPDX-License-Identifier: MIT */
/*
 * lib/mm address-space internals shared by vma.c (areas and the mmap
 * family) and fault.c (demand faults, copy on write, teardown of pages).
 * Everything here runs with mm->lock held.
 */
#ifndef MM_VMA_INT_H
#define MM_VMA_INT_H

#include <mm/vma.h>

#include <stdbool.h>

enum {
	VMA_NOHUGE = 1u << 30, /* madvise(NOHUGEPAGE) */
	VMA_HUGE = 1u << 29, /* madvise(HUGEPAGE) */
	VMA_KEEP = SK_MAP_SHARED | SK_MAP_PRIVATE | SK_MAP_ANONYMOUS,
};

#define PAGE ((uintptr_t)4096)
#define HUGE ((uintptr_t)2 << 20)

/* One area [start, end).  Guarded by the owning mm's lock. */
struct sk_vma {
	uintptr_t start, end;
	unsigned prot; /* enum sk_mm_prot */
	unsigned flags; /* VMA_KEEP bits of the mmap flags, VMA_* */
	const struct sk_mm_file_ops *fops; /* NULL: anonymous */
	void *file;
	uint64_t off; /* file offset of start */
};

static inline bool vma_is_file(const struct sk_vma *v)
{
	return v->fops != NULL;
}

static inline bool vma_is_cow(const struct sk_vma *v)
{
	return v->fops && (v->flags & SK_MAP_PRIVATE);
}

/* Table protection for pages of @v not owned by the mapping. */
unsigned sk_mm_vma_pt_prot(const struct sk_vma *v);

/* Fault in one page of @v for @access.  Locking: mm->lock. */
int sk_mm_fault_locked(struct sk_mm *mm, struct sk_vma *v, uintptr_t page,
		       unsigned access);

/* Take down the pages of [s, e) inside @v; splits must be done. */
void sk_mm_unmap_pages(struct sk_mm *mm, struct sk_vma *v, uintptr_t s,
		       uintptr_t e);

#endif
