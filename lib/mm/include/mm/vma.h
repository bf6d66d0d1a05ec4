/* SPDX-License-Identifier: MIT */
/*
 * Address spaces: virtual memory areas over x86-64 page tables, with
 * mmap/munmap/mprotect/madvise in Linux semantics and demand faults.  A
 * page-fault handler calls sk_mm_fault(); anonymous memory is zero-filled
 * on first touch (2 MiB pages for large areas), file mappings ask the file
 * system's sk_mm_file_ops for pages, private ones copy on write.
 * Constants use Linux's values so a POSIX layer passes them through.
 */
#ifndef MM_VMA_H
#define MM_VMA_H

#include <stddef.h>
#include <stdint.h>

#include <mm/pt.h>
#include <sync/mutex.h>

enum sk_mm_prot {
	SK_PROT_NONE = 0,
	SK_PROT_READ = 1,
	SK_PROT_WRITE = 2,
	SK_PROT_EXEC = 4,
};

enum sk_mm_map_flags {
	SK_MAP_SHARED = 0x01,
	SK_MAP_PRIVATE = 0x02,
	SK_MAP_FIXED = 0x10,
	SK_MAP_ANONYMOUS = 0x20,
	SK_MAP_NORESERVE = 0x4000,
	SK_MAP_POPULATE = 0x8000,
	SK_MAP_FIXED_NOREPLACE = 0x100000,
};

enum sk_mm_advice {
	SK_MADV_NORMAL = 0,
	SK_MADV_RANDOM = 1,
	SK_MADV_SEQUENTIAL = 2,
	SK_MADV_WILLNEED = 3,
	SK_MADV_DONTNEED = 4,
	SK_MADV_FREE = 8,
	SK_MADV_HUGEPAGE = 14,
	SK_MADV_NOHUGEPAGE = 15,
};

/*
 * How a file system backs a mapping.  Offsets are page aligned.
 * @get_page: a page holding the file's bytes at @off (zero past EOF), with
 *            a reference the mapping keeps until @put_page.  0, -ENOMEM,
 *            -EIO; -EFAULT for @off beyond what may be mapped.
 * @put_page: the mapping dropped its reference to @pa.
 * @get/@put: references on @file, one per area that uses it.
 * Context: thread, called with the address space's lock held; must not
 *          call back into the same address space.
 */
struct sk_mm_file_ops {
	int (*get_page)(void *file, uint64_t off, uint64_t *pa);
	void (*put_page)(void *file, uint64_t off, uint64_t pa);
	void (*get)(void *file);
	void (*put)(void *file);
};

/* Arguments of sk_mmap(), as in mmap(2). */
struct sk_mmap_req {
	uintptr_t addr; /* hint, or the place with SK_MAP_FIXED */
	size_t len;
	unsigned prot; /* enum sk_mm_prot */
	unsigned flags; /* enum sk_mm_map_flags */
	const struct sk_mm_file_ops *fops; /* NULL with SK_MAP_ANONYMOUS */
	void *file;
	uint64_t off;
};

struct sk_vma;

/* An address space.  Users only read stats; lock guards everything. */
struct sk_mm {
	struct sk_mutex lock;
	struct sk_pt pt; /* lock */
	uintptr_t base, end; /* the window areas live in; fixed */
	struct sk_vma **vmas; /* lock: sorted by address, disjoint */
	size_t nvmas, cap; /* lock: areas in use, room in vmas */
	size_t resident_pages; /* lock: pages mapped by faults */
};

/* What sk_mm_query() reports about an address. */
struct sk_mm_area {
	uintptr_t start, end; /* the area containing the address */
	unsigned prot, flags;
	int resident; /* the page is mapped in the tables now */
	uint64_t pa; /* its physical address if resident */
};

/*
 * sk_mm_create - an empty address space for [base, base + len).
 * Return: 0 and *out; -EINVAL for an unaligned, empty or non-canonical
 *         window; -ENOMEM.
 * Context: thread.
 */
int sk_mm_create(uintptr_t base, size_t len, struct sk_mm **out);

/*
 * sk_mm_destroy - unmap everything and free the address space.
 * Context: thread; nothing may use @mm any more.
 */
void sk_mm_destroy(struct sk_mm *mm);

/*
 * sk_mmap - create a mapping (mmap(2)).  Without SK_MAP_FIXED the hint is
 * used if the range is free, else the highest free gap is taken (2 MiB
 * aligned for anonymous areas of 2 MiB or more).
 * Return: 0 and the start in *out; -EINVAL (zero length, bad flags or
 *         prot, unaligned fixed address or offset, not exactly one of
 *         SHARED/PRIVATE); -EBADF (file mapping without file ops);
 *         -EEXIST (SK_MAP_FIXED_NOREPLACE over a mapping); -ENOMEM (no
 *         room in the window, or out of memory: nothing changed).
 * Context: thread; may block.
 */
int sk_mmap(struct sk_mm *mm, const struct sk_mmap_req *req, uintptr_t *out);

/*
 * sk_munmap - remove mappings in [addr, addr + len) (munmap(2)); areas
 * that straddle an end are split.  Holes are fine.
 * Return: 0; -EINVAL (unaligned addr, zero length, outside the window);
 *         -ENOMEM (out of memory for a split: nothing changed).
 * Context: thread; may block.
 */
int sk_munmap(struct sk_mm *mm, uintptr_t addr, size_t len);

/*
 * sk_mprotect - change the protection of [addr, addr + len) (mprotect(2)).
 * Return: 0; -EINVAL (unaligned, bad prot); -ENOMEM (a page of the range
 *         is not mapped, or out of memory: nothing changed).
 * Context: thread; may block.
 */
int sk_mprotect(struct sk_mm *mm, uintptr_t addr, size_t len, unsigned prot);

/*
 * sk_madvise - madvise(2): DONTNEED/FREE drop the pages (anonymous memory
 * reads back as zeroes, private file memory as the file), WILLNEED faults
 * them in, HUGEPAGE/NOHUGEPAGE allow or forbid 2 MiB pages, the rest are
 * accepted hints.
 * Return: 0; -EINVAL (unaligned, unknown advice); -ENOMEM (a page of the
 *         range is not mapped, or out of memory).
 * Context: thread; may block.
 */
int sk_madvise(struct sk_mm *mm, uintptr_t addr, size_t len, int advice);

/*
 * sk_mm_fault - resolve a fault at @va for @access (SK_PROT_READ, WRITE or
 * EXEC), as the page-fault handler of the CPU using @mm's tables would.
 * Return: 0 (retry the access); -EFAULT if no area holds @va (SIGSEGV,
 *         SEGV_MAPERR); -EACCES if the area forbids @access (SEGV_ACCERR);
 *         -ENOMEM; an error from the file system's get_page.
 * Context: thread; may block.
 */
int sk_mm_fault(struct sk_mm *mm, uintptr_t va, unsigned access);

/*
 * sk_mm_query - describe the area holding @va and its page.
 * Return: 0; -ENOENT if no area holds @va.
 * Context: thread; may block.
 */
int sk_mm_query(struct sk_mm *mm, uintptr_t va, struct sk_mm_area *out);

#endif
