// SPDX-License-Identifier: MIT
/*
 * Demand faults for lib/mm address spaces (see <mm/vma.h>).  Anonymous
 * pages are zero-filled on first touch, as one 2 MiB page when the aligned
 * block lies inside an area that allows it; file pages come from the file
 * system's get_page, and a write to a private file mapping copies the page
 * (copy on write).  Pages the mapping owns carry SK_PT_OWNED in the tables,
 * so teardown knows to free them rather than hand them back to the file.
 * Lock order: mm->lock, then the page allocator's mutex.
 */
#include "vma_int.h"

#include <errno.h>
#include <string.h>

#include <mm/page.h>
#include <plat/assert.h>
#include <plat/mem.h>

struct unmap_ctx {
	struct sk_mm *mm;
	struct sk_vma *v;
};

/* Called by sk_pt_unmap after the TLB flush, per removed leaf. */
static void leaf_gone(void *arg, uintptr_t va, uint64_t pa, size_t size,
		      unsigned prot)
{
	struct unmap_ctx *c = arg;

	c->mm->resident_pages -= size / PAGE;
	if (prot & SK_PT_OWNED) {
		sk_page_free(pa, size / PAGE);
		return;
	}
	SK_ASSERT(vma_is_file(c->v), "unowned page in an anonymous area");
	c->v->fops->put_page(c->v->file, c->v->off + (va - c->v->start), pa);
}

void sk_mm_unmap_pages(struct sk_mm *mm, struct sk_vma *v, uintptr_t s,
		       uintptr_t e)
{
	struct unmap_ctx c = { mm, v };
	int err = sk_pt_unmap(&mm->pt, s, e - s, leaf_gone, &c);

	SK_ASSERT(err == 0, "unmap failed after its ends were split");
}

unsigned sk_mm_vma_pt_prot(const struct sk_vma *v)
{
	if (!vma_is_cow(v) || !(v->prot & SK_PROT_WRITE))
		return v->prot;
	/* Read-only until the write fault copies; x86 writable = readable. */
	return (v->prot & ~(unsigned)SK_PROT_WRITE) | SK_PROT_READ;
}

static bool prot_allows(unsigned prot, unsigned access)
{
	if (prot & (SK_PROT_WRITE | SK_PROT_EXEC))
		prot |= SK_PROT_READ; /* x86: no write- or exec-only pages */
	return (access & ~prot) == 0;
}

static bool huge_ok(const struct sk_vma *v, uintptr_t block)
{
	if (vma_is_file(v) || (v->flags & VMA_NOHUGE))
		return false;
	if (!(v->flags & VMA_HUGE) && v->end - v->start < HUGE)
		return false;
	return block >= v->start && block + HUGE <= v->end;
}

static int map_owned(struct sk_mm *mm, const struct sk_vma *v, uintptr_t va,
		     uint64_t pa, size_t len)
{
	unsigned flags = len == HUGE ? SK_PT_MAP_NO_1G : SK_PT_MAP_NO_2M;
	int err = sk_pt_map(&mm->pt, va, pa, len, v->prot | SK_PT_OWNED, flags);

	if (!err)
		mm->resident_pages += len / PAGE;
	return err;
}

static int fault_anon(struct sk_mm *mm, struct sk_vma *v, uintptr_t page)
{
	uintptr_t block = page & ~(HUGE - 1);
	uint64_t pa;
	int err;

	if (huge_ok(v, block) &&
	    !sk_page_alloc(HUGE / PAGE, SK_PAGE_ALIGN_2M | SK_PAGE_ZERO, &pa)) {
		/* -EEXIST: part of the block is mapped already; go small. */
		if (!map_owned(mm, v, block, pa, HUGE))
			return 0;
		sk_page_free(pa, HUGE / PAGE);
	}
	err = sk_page_alloc(1, SK_PAGE_ZERO, &pa);
	if (err)
		return err;
	err = map_owned(mm, v, page, pa, PAGE);
	if (err)
		sk_page_free(pa, 1);
	return err;
}

/* A private copy of the file page @src for writing. */
static int copy_in(struct sk_mm *mm, struct sk_vma *v, uintptr_t page,
		   uint64_t src)
{
	uint64_t pa;
	int err = sk_page_alloc(1, 0, &pa);

	if (err)
		return err;
	memcpy(sk_plat_phys_to_virt(pa), sk_plat_phys_to_virt(src), PAGE);
	err = map_owned(mm, v, page, pa, PAGE);
	if (err)
		sk_page_free(pa, 1);
	return err;
}

static int fault_file(struct sk_mm *mm, struct sk_vma *v, uintptr_t page,
		      unsigned access)
{
	uint64_t off = v->off + (page - v->start), pa;
	int err = v->fops->get_page(v->file, off, &pa);

	if (err)
		return err;
	if (vma_is_cow(v) && (access & SK_PROT_WRITE)) {
		err = copy_in(mm, v, page, pa);
		v->fops->put_page(v->file, off, pa);
		return err;
	}
	err = sk_pt_map(&mm->pt, page, pa, PAGE, sk_mm_vma_pt_prot(v),
			SK_PT_MAP_NO_2M);
	if (err) {
		v->fops->put_page(v->file, off, pa);
		return err;
	}
	mm->resident_pages++;
	return 0;
}

/* Write to a present read-only page of a writable private file area. */
static int fault_cow(struct sk_mm *mm, struct sk_vma *v, uintptr_t page,
		     const struct sk_pt_info *info)
{
	uint64_t pa;
	int err = sk_page_alloc(1, 0, &pa);

	if (err)
		return err;
	memcpy(sk_plat_phys_to_virt(pa), sk_plat_phys_to_virt(info->pa), PAGE);
	sk_mm_unmap_pages(mm, v, page, page + PAGE);
	err = map_owned(mm, v, page, pa, PAGE);
	/* Tables for this page existed a moment ago; keep it safe anyway. */
	if (err)
		sk_page_free(pa, 1);
	return err;
}

int sk_mm_fault_locked(struct sk_mm *mm, struct sk_vma *v, uintptr_t page,
		       unsigned access)
{
	struct sk_pt_info info;

	if (!prot_allows(v->prot, access))
		return -EACCES;
	if (sk_pt_query(&mm->pt, page, &info))
		return vma_is_file(v) ? fault_file(mm, v, page, access)
				      : fault_anon(mm, v, page);
	if (prot_allows(info.prot & SK_PT_ACCESS, access))
		return 0; /* another CPU got here first */
	if ((access & SK_PROT_WRITE) && vma_is_cow(v) &&
	    !(info.prot & SK_PT_OWNED)) {
		info.pa &= ~(uint64_t)(PAGE - 1);
		return fault_cow(mm, v, page, &info);
	}
	/* An owned page left read-only by mprotect of a COW area. */
	return sk_pt_protect(
		&mm->pt, page & ~(uintptr_t)(info.size - 1), info.size,
		(info.prot & SK_PT_OWNED) ? v->prot : sk_mm_vma_pt_prot(v));
}
