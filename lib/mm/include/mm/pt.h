/* SPDX-License-Identifier: MIT */
/*
 * x86-64 four-level page tables: map, unmap, protect and query ranges with
 * 4 KiB, 2 MiB and 1 GiB pages.  The code never touches a CR3: it builds
 * tables in whatever memory the caller calls "physical" (table pages come
 * from a callback, reached through a phys->virt callback), so the same code
 * runs on a real machine and on hosted, where tests walk the result.
 */
#ifndef MM_PT_H
#define MM_PT_H

#include <stddef.h>
#include <stdint.h>

enum {
	SK_PT_PAGE = 4096,
	SK_PT_ENTRIES = 512,
};

#define SK_PT_SIZE_4K ((size_t)1 << 12)
#define SK_PT_SIZE_2M ((size_t)1 << 21)
#define SK_PT_SIZE_1G ((size_t)1 << 30)

/*
 * Protection and attributes of a mapping.  x86-64 cannot express
 * write-only, so SK_PT_WRITE implies read.  A mapping with none of READ,
 * WRITE, EXEC is an inaccessible ("PROT_NONE") mapping: its entry is not
 * present to the CPU but keeps its frame, like Linux's PROT_NONE ptes.
 * SK_PT_OWNED is a software bit for the mapper's own bookkeeping.
 */
enum sk_pt_prot {
	SK_PT_READ = 1 << 0,
	SK_PT_WRITE = 1 << 1,
	SK_PT_EXEC = 1 << 2,
	SK_PT_USER = 1 << 3,
	SK_PT_GLOBAL = 1 << 4,
	SK_PT_NOCACHE = 1 << 5,
	SK_PT_OWNED = 1 << 6,
	SK_PT_ACCESS = SK_PT_READ | SK_PT_WRITE | SK_PT_EXEC,
};

/* sk_pt_map() flags: the largest page size the mapping may use. */
enum sk_pt_map_flags {
	SK_PT_MAP_NO_1G = 1 << 0,
	SK_PT_MAP_NO_2M = 1 << 1, /* implies NO_1G: 4 KiB pages only */
};

/* Architectural bits of an entry, for walkers (tests, debuggers). */
enum sk_pt_bits {
	SK_PTE_P = 1 << 0,
	SK_PTE_RW = 1 << 1,
	SK_PTE_US = 1 << 2,
	SK_PTE_PWT = 1 << 3,
	SK_PTE_PCD = 1 << 4,
	SK_PTE_A = 1 << 5,
	SK_PTE_D = 1 << 6,
	SK_PTE_PS = 1 << 7,
	SK_PTE_G = 1 << 8,
	SK_PTE_SW_NONE = 1 << 9, /* software: PROT_NONE leaf, P clear */
	SK_PTE_SW_OWNED = 1 << 10, /* software: SK_PT_OWNED */
};
#define SK_PTE_NX ((uint64_t)1 << 63)
#define SK_PTE_ADDR ((uint64_t)0x000ffffffffff000)

/*
 * How a table page is obtained, released and reached.
 * @table_alloc: store the physical address of a fresh 4 KiB page in *pa;
 *               0 or -ENOMEM.  The page need not be zeroed.
 * @table_free: give back a page from @table_alloc.
 * @phys_to_virt: where the caller can read/write physical @pa; NULL means
 *                sk_plat_phys_to_virt().
 */
struct sk_pt_ops {
	int (*table_alloc)(void *ctx, uint64_t *pa);
	void (*table_free)(void *ctx, uint64_t pa);
	void *(*phys_to_virt)(void *ctx, uint64_t pa);
};

/*
 * One address space's tables.  Fields are read-only to users.
 * Locking: the caller serialises every call on one sk_pt (lib/mm's VMA
 * layer holds its mutex); queries may run concurrently with each other.
 */
struct sk_pt {
	uint64_t root_pa;
	const struct sk_pt_ops *ops;
	void *ctx;
	unsigned long ntables; /* table pages in use, root included */
};

/* What sk_pt_query() found at an address. */
struct sk_pt_info {
	uint64_t pa; /* physical address of the queried byte */
	size_t size; /* 4 KiB, 2 MiB or 1 GiB */
	unsigned prot; /* enum sk_pt_prot */
	int accessed, dirty; /* the CPU's A and D bits */
};

/*
 * Called once for every leaf a call removes, after the TLB flush that made
 * it unreachable: the frame [pa, pa + size) may be reused from here on.
 */
typedef void (*sk_pt_leaf_fn)(void *arg, uintptr_t va, uint64_t pa, size_t size,
			      unsigned prot);

/*
 * sk_pt_create - allocate an empty root table.
 * Return: 0; -EINVAL if @ops lacks table_alloc/table_free; -ENOMEM.
 * Context: thread.
 */
int sk_pt_create(struct sk_pt *pt, const struct sk_pt_ops *ops, void *ctx);

/*
 * sk_pt_destroy - unmap everything (calling @fn per leaf, may be NULL) and
 * free every table page, the root included.
 * Context: thread; the tables must not be loaded on any CPU.
 */
void sk_pt_destroy(struct sk_pt *pt, sk_pt_leaf_fn fn, void *arg);

/*
 * sk_pt_map - map [va, va + len) to [pa, pa + len) with @prot, using the
 * largest pages that alignment, length and @flags allow.
 * Return: 0; -EINVAL for unaligned or non-canonical input, a wrapping
 *         range or bits outside enum sk_pt_prot; -EEXIST if any page of the
 *         range is already mapped (nothing changes); -ENOMEM if a table page
 *         could not be allocated (nothing changes: the part already mapped
 *         is taken down again).
 * Context: thread.
 */
int sk_pt_map(struct sk_pt *pt, uintptr_t va, uint64_t pa, size_t len,
	      unsigned prot, unsigned flags);

/*
 * sk_pt_unmap - remove every mapping in [va, va + len); holes are fine.
 * A huge page that straddles an end is split first; a table page left empty
 * is freed.  One TLB flush (sk_plat_tlb_flush) per batch of leaves, then
 * @fn (may be NULL) for each removed leaf.
 * Return: 0; -EINVAL for bad input; -ENOMEM if a huge page straddling an
 *         end could not be split (nothing is unmapped; a split that did
 *         happen keeps the same translations).
 * Context: thread.
 */
int sk_pt_unmap(struct sk_pt *pt, uintptr_t va, size_t len, sk_pt_leaf_fn fn,
		void *arg);

/*
 * sk_pt_protect - set the access bits (READ/WRITE/EXEC) of every mapped
 * page in [va, va + len) to those of @prot; other attributes stay.
 * Holes are skipped.  Huge pages straddling an end are split.
 * Return: 0; -EINVAL; -ENOMEM as sk_pt_unmap (no protection changed).
 * Context: thread.
 */
int sk_pt_protect(struct sk_pt *pt, uintptr_t va, size_t len, unsigned prot);

/*
 * sk_pt_split - make sure no huge page straddles @va (one that starts at
 * @va is fine), splitting as needed; translations stay the same.  Lets a
 * caller that will change several sub-ranges do every allocation first.
 * Return: 0; -EINVAL for an unaligned or non-canonical @va (the first
 *         address past the lower half is accepted and needs nothing);
 *         -ENOMEM.
 * Context: thread.
 */
int sk_pt_split(struct sk_pt *pt, uintptr_t va);

/*
 * sk_pt_query - look up the mapping of @va.
 * Return: 0 and *info filled; -ENOENT if nothing is mapped there; -EINVAL
 *         for a non-canonical @va.
 * Context: any.
 */
int sk_pt_query(const struct sk_pt *pt, uintptr_t va, struct sk_pt_info *info);

#endif
