// SPDX-License-Identifier: MIT
/*
 * Address spaces: a sorted array of areas over one set of page tables (see
 * <mm/vma.h>); lookups are binary searches, inserts and removals a memmove
 * of pointers.  Every call validates, then does everything that can fail
 * (area records allocated up front, huge pages split at the range ends),
 * and only then changes areas and translations, so an error leaves the
 * address space as it was.  Lock order: mm->lock, then the page
 * allocator's mutex (taken inside sk_page_alloc/free).
 */
#include "vma_int.h"

#include <errno.h>
#include <string.h>

#include <mm/malloc.h>
#include <mm/page.h>
#include <plat/assert.h>
#include <plat/compiler.h>

enum {
	PROT_ALL = SK_PROT_READ | SK_PROT_WRITE | SK_PROT_EXEC,
	FLAGS_ALL = SK_MAP_SHARED | SK_MAP_PRIVATE | SK_MAP_FIXED |
		    SK_MAP_ANONYMOUS | SK_MAP_NORESERVE | SK_MAP_POPULATE |
		    SK_MAP_FIXED_NOREPLACE,
};

static int table_alloc(void *ctx, uint64_t *pa)
{
	(void)ctx;
	return sk_page_alloc(1, 0, pa);
}

static void table_free(void *ctx, uint64_t pa)
{
	(void)ctx;
	sk_page_free(pa, 1);
}

static const struct sk_pt_ops mm_pt_ops = { table_alloc, table_free, NULL };

static int check_range(const struct sk_mm *mm, uintptr_t addr, size_t len,
		       uintptr_t *end)
{
	if ((addr & (PAGE - 1)) || len == 0)
		return -EINVAL;
	if (len > mm->end - mm->base)
		return -EINVAL;
	*end = addr + SK_ALIGN_UP(len, PAGE);
	if (addr < mm->base || *end > mm->end || *end < addr)
		return -EINVAL;
	return 0;
}

/* As check_range, for calls that need the range mapped: a range outside
 * the window is a range with holes (-ENOMEM), as in Linux. */
static int range_check_mapped(const struct sk_mm *mm, uintptr_t addr,
			      size_t len, uintptr_t *end)
{
	if ((addr & (PAGE - 1)) || len == 0)
		return -EINVAL;
	return check_range(mm, addr, len, end) ? -ENOMEM : 0;
}

/* Index of the first area with end > @va (mm->nvmas if none). */
static size_t vma_index(const struct sk_mm *mm, uintptr_t va)
{
	size_t lo = 0, hi = mm->nvmas;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (mm->vmas[mid]->end <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct sk_vma *vma_get(const struct sk_mm *mm, size_t i)
{
	return i < mm->nvmas ? mm->vmas[i] : NULL;
}

static struct sk_vma *vma_at(const struct sk_mm *mm, uintptr_t va)
{
	struct sk_vma *v = vma_get(mm, vma_index(mm, va));

	return v && v->start <= va ? v : NULL;
}

/* Room for @extra more areas.  The only step that grows the array. */
static int vma_reserve(struct sk_mm *mm, size_t extra)
{
	size_t cap = mm->cap ? mm->cap : 16;
	struct sk_vma **a;

	if (mm->nvmas + extra <= mm->cap)
		return 0;
	while (cap < mm->nvmas + extra)
		cap *= 2;
	a = sk_realloc(mm->vmas, cap * sizeof(*a));
	if (!a)
		return -ENOMEM;
	mm->vmas = a;
	mm->cap = cap;
	return 0;
}

/* Put @v at index @i; room was reserved. */
static void vma_insert(struct sk_mm *mm, size_t i, struct sk_vma *v)
{
	SK_ASSERT(mm->nvmas < mm->cap, "area array not reserved");
	memmove(&mm->vmas[i + 1], &mm->vmas[i],
		(mm->nvmas - i) * sizeof(mm->vmas[0]));
	mm->vmas[i] = v;
	mm->nvmas++;
}

/* Drop indexes [i, j) from the array (the records are the caller's). */
static void vma_cut(struct sk_mm *mm, size_t i, size_t j)
{
	if (i == j)
		return; /* mm->vmas may still be NULL */
	memmove(&mm->vmas[i], &mm->vmas[j],
		(mm->nvmas - j) * sizeof(mm->vmas[0]));
	mm->nvmas -= j - i;
}

/* Whether [s, e) is covered by areas with no gap. */
static bool covered(const struct sk_mm *mm, uintptr_t s, uintptr_t e)
{
	size_t i = vma_index(mm, s);

	for (uintptr_t at = s; at < e; i++) {
		struct sk_vma *v = vma_get(mm, i);

		if (!v || v->start > at)
			return false;
		at = v->end;
	}
	return true;
}

/*
 * Area records (and array room) the change of [s, e) will need: one per
 * area straddling an end, two for one area straddling both.  Taken before
 * anything changes.
 */
static int spares_get(struct sk_mm *mm, uintptr_t s, uintptr_t e,
		      struct sk_vma **spare)
{
	struct sk_vma *a = vma_at(mm, s), *b = vma_at(mm, e - 1);
	int need = (a && a->start < s) + (b && b->end > e);

	spare[0] = spare[1] = NULL;
	if (vma_reserve(mm, (size_t)need))
		return -ENOMEM;
	for (int i = 0; i < need; i++) {
		spare[i] = sk_malloc(sizeof(struct sk_vma));
		if (!spare[i]) {
			sk_free(spare[0]);
			spare[0] = NULL;
			return -ENOMEM;
		}
	}
	return 0;
}

static void spares_put(struct sk_vma **spare)
{
	sk_free(spare[0]);
	sk_free(spare[1]);
}

static struct sk_vma *spare_take(struct sk_vma **spare)
{
	struct sk_vma *v = spare[0] ? spare[0] : spare[1];

	SK_ASSERT(v != NULL, "area split without a spare record");
	if (spare[0])
		spare[0] = NULL;
	else
		spare[1] = NULL;
	return v;
}

/* Cut area @i at @at: it keeps [start, at), a new record the rest. */
static void vma_split(struct sk_mm *mm, size_t i, uintptr_t at,
		      struct sk_vma **spare)
{
	struct sk_vma *v = mm->vmas[i], *n = spare_take(spare);

	*n = *v;
	n->start = at;
	n->off = v->off + (at - v->start);
	v->end = at;
	vma_insert(mm, i + 1, n);
	if (n->fops && n->fops->get)
		n->fops->get(n->file);
}

/* Split areas so that none straddles @s or @e.  Cannot fail. */
static void split_ends(struct sk_mm *mm, uintptr_t s, uintptr_t e,
		       struct sk_vma **spare)
{
	size_t i = vma_index(mm, s);
	struct sk_vma *v = vma_get(mm, i);

	if (v && v->start < s)
		vma_split(mm, i, s, spare);
	i = vma_index(mm, e - 1);
	v = vma_get(mm, i);
	if (v && v->start < e && v->end > e)
		vma_split(mm, i, e, spare);
}

static int pt_split_ends(struct sk_mm *mm, uintptr_t s, uintptr_t e)
{
	int err = sk_pt_split(&mm->pt, s);

	return err ? err : sk_pt_split(&mm->pt, e);
}

static void vma_free(struct sk_vma *v)
{
	if (v->fops && v->fops->put)
		v->fops->put(v->file);
	sk_free(v);
}

static bool vma_mergeable(const struct sk_vma *a, const struct sk_vma *b)
{
	return a->end == b->start && a->prot == b->prot &&
	       a->flags == b->flags && a->fops == b->fops &&
	       a->file == b->file &&
	       (!a->fops || a->off + (a->end - a->start) == b->off);
}

/* Merge area @i with equal neighbours, as Linux does.  Cannot fail. */
static void vma_merge(struct sk_mm *mm, size_t i)
{
	if (i + 1 < mm->nvmas && vma_mergeable(mm->vmas[i], mm->vmas[i + 1])) {
		mm->vmas[i]->end = mm->vmas[i + 1]->end;
		vma_free(mm->vmas[i + 1]);
		vma_cut(mm, i + 1, i + 2);
	}
	if (i > 0 && vma_mergeable(mm->vmas[i - 1], mm->vmas[i])) {
		mm->vmas[i - 1]->end = mm->vmas[i]->end;
		vma_free(mm->vmas[i]);
		vma_cut(mm, i, i + 1);
	}
}

/*
 * Split areas and huge pages at the ends of [s, e) and return in *first
 * the index of the first area inside it.  Everything that can fail
 * happens here, before anything changes.
 */
static int carve(struct sk_mm *mm, uintptr_t s, uintptr_t e, size_t *first)
{
	struct sk_vma *spare[2];
	int err = spares_get(mm, s, e, spare);

	if (!err)
		err = pt_split_ends(mm, s, e);
	if (err) {
		spares_put(spare);
		return err;
	}
	split_ends(mm, s, e, spare);
	spares_put(spare);
	*first = vma_index(mm, s);
	return 0;
}

/* Remove every mapping in [s, e).  Locking: mm->lock. */
static int unmap_locked(struct sk_mm *mm, uintptr_t s, uintptr_t e)
{
	size_t i, j;
	int err = carve(mm, s, e, &i);

	if (err)
		return err;
	for (j = i; j < mm->nvmas && mm->vmas[j]->start < e; j++) {
		struct sk_vma *v = mm->vmas[j];

		sk_mm_unmap_pages(mm, v, v->start, v->end);
		vma_free(v);
	}
	vma_cut(mm, i, j);
	return 0;
}

int sk_munmap(struct sk_mm *mm, uintptr_t addr, size_t len)
{
	uintptr_t end;
	int err = check_range(mm, addr, len, &end);

	if (err)
		return err;
	sk_mutex_lock(&mm->lock);
	err = unmap_locked(mm, addr, end);
	sk_mutex_unlock(&mm->lock);
	return err;
}

static bool range_free(const struct sk_mm *mm, uintptr_t s, uintptr_t e)
{
	struct sk_vma *v = vma_get(mm, vma_index(mm, s));

	return !v || v->start >= e;
}

/* The highest free [x, x + len) with x aligned to @align; 0: none. */
static uintptr_t gap_find(const struct sk_mm *mm, size_t len, uintptr_t align)
{
	for (size_t i = mm->nvmas + 1; i-- > 0;) {
		uintptr_t hi = i < mm->nvmas ? mm->vmas[i]->start : mm->end;
		uintptr_t lo = i ? mm->vmas[i - 1]->end : mm->base;

		if (hi - lo >= len && SK_ALIGN_DOWN(hi - len, align) >= lo)
			return SK_ALIGN_DOWN(hi - len, align);
	}
	return 0;
}

static int place(struct sk_mm *mm, const struct sk_mmap_req *r, size_t len,
		 uintptr_t *start)
{
	uintptr_t hint = SK_ALIGN_DOWN(r->addr, PAGE), align = PAGE;

	if (r->flags & (SK_MAP_FIXED | SK_MAP_FIXED_NOREPLACE)) {
		*start = r->addr;
		if ((r->flags & SK_MAP_FIXED_NOREPLACE) &&
		    !range_free(mm, r->addr, r->addr + len))
			return -EEXIST;
		return (r->flags & SK_MAP_FIXED)
			       ? unmap_locked(mm, r->addr, r->addr + len)
			       : 0;
	}
	if (hint >= mm->base && hint < mm->end && len <= mm->end - hint &&
	    range_free(mm, hint, hint + len)) {
		*start = hint;
		return 0;
	}
	if (!r->fops && len >= HUGE)
		align = HUGE;
	*start = gap_find(mm, len, align);
	if (!*start && align != PAGE)
		*start = gap_find(mm, len, PAGE);
	return *start ? 0 : -ENOMEM;
}

static int mmap_check(const struct sk_mm *mm, const struct sk_mmap_req *r,
		      size_t *len)
{
	unsigned type = r->flags & (SK_MAP_SHARED | SK_MAP_PRIVATE);
	uintptr_t end;

	if (r->len == 0 || (r->prot & ~(unsigned)PROT_ALL) ||
	    (r->flags & ~(unsigned)FLAGS_ALL) ||
	    (type != SK_MAP_SHARED && type != SK_MAP_PRIVATE))
		return -EINVAL;
	if (r->len > mm->end - mm->base)
		return -ENOMEM;
	*len = SK_ALIGN_UP(r->len, PAGE);
	if (!(r->flags & SK_MAP_ANONYMOUS)) {
		if (!r->fops || !r->fops->get_page || !r->fops->put_page)
			return -EBADF;
		if ((r->off & (PAGE - 1)) || r->off + *len < r->off)
			return -EINVAL;
	}
	if (r->flags & (SK_MAP_FIXED | SK_MAP_FIXED_NOREPLACE)) {
		if (r->addr & (PAGE - 1))
			return -EINVAL;
		if (check_range(mm, r->addr, *len, &end))
			return -ENOMEM;
	}
	return 0;
}

static void populate(struct sk_mm *mm, struct sk_vma *v, uintptr_t s,
		     uintptr_t e)
{
	for (uintptr_t va = s; va < e;) {
		struct sk_pt_info info;

		if (sk_mm_fault_locked(mm, v, va, SK_PROT_READ) ||
		    sk_pt_query(&mm->pt, va, &info))
			return; /* like Linux: populate is best effort */
		va = (va & ~(uintptr_t)(info.size - 1)) + info.size;
	}
}

static void vma_fill(struct sk_vma *v, const struct sk_mmap_req *r,
		     uintptr_t start, size_t len)
{
	v->start = start;
	v->end = start + len;
	v->prot = r->prot;
	v->flags = r->flags & VMA_KEEP;
	v->fops = (r->flags & SK_MAP_ANONYMOUS) ? NULL : r->fops;
	v->file = v->fops ? r->file : NULL;
	v->off = v->fops ? r->off : 0;
	if (v->fops && v->fops->get)
		v->fops->get(v->file);
}

int sk_mmap(struct sk_mm *mm, const struct sk_mmap_req *r, uintptr_t *out)
{
	struct sk_vma *v;
	uintptr_t start;
	size_t len;
	int err = mmap_check(mm, r, &len);

	if (err)
		return err;
	v = sk_malloc(sizeof(*v));
	if (!v)
		return -ENOMEM;
	sk_mutex_lock(&mm->lock);
	/* One slot for the new area, two for MAP_FIXED's splits. */
	err = vma_reserve(mm, 3);
	if (!err)
		err = place(mm, r, len, &start);
	if (err) {
		sk_mutex_unlock(&mm->lock);
		sk_free(v);
		return err;
	}
	vma_fill(v, r, start, len);
	vma_insert(mm, vma_index(mm, start), v);
	if ((r->flags & SK_MAP_POPULATE) && v->prot)
		populate(mm, v, start, start + len);
	vma_merge(mm, vma_index(mm, start));
	*out = start;
	sk_mutex_unlock(&mm->lock);
	return 0;
}

int sk_mprotect(struct sk_mm *mm, uintptr_t addr, size_t len, unsigned prot)
{
	uintptr_t end;
	size_t i;
	int err = range_check_mapped(mm, addr, len, &end);

	if (err)
		return err;
	if (prot & ~(unsigned)PROT_ALL)
		return -EINVAL;
	sk_mutex_lock(&mm->lock);
	err = covered(mm, addr, end) ? carve(mm, addr, end, &i) : -ENOMEM;
	for (; !err && i < mm->nvmas && mm->vmas[i]->start < end; i++) {
		struct sk_vma *v = mm->vmas[i];

		v->prot = prot;
		err = sk_pt_protect(&mm->pt, v->start, v->end - v->start,
				    sk_mm_vma_pt_prot(v));
		SK_ASSERT(err == 0, "protect failed after its ends were split");
	}
	if (!err) {
		vma_merge(mm, vma_index(mm, end - 1));
		vma_merge(mm, vma_index(mm, addr));
	}
	sk_mutex_unlock(&mm->lock);
	return err;
}

static void advise_area(struct sk_mm *mm, struct sk_vma *v, int advice)
{
	switch (advice) {
	case SK_MADV_DONTNEED:
	case SK_MADV_FREE:
		sk_mm_unmap_pages(mm, v, v->start, v->end);
		break;
	case SK_MADV_WILLNEED:
		if (v->prot)
			populate(mm, v, v->start, v->end);
		break;
	case SK_MADV_HUGEPAGE:
		v->flags = (v->flags & ~(unsigned)VMA_NOHUGE) | VMA_HUGE;
		break;
	case SK_MADV_NOHUGEPAGE:
		v->flags = (v->flags & ~(unsigned)VMA_HUGE) | VMA_NOHUGE;
		break;
	default:
		break;
	}
}

int sk_madvise(struct sk_mm *mm, uintptr_t addr, size_t len, int advice)
{
	uintptr_t end;
	size_t i;
	int err = range_check_mapped(mm, addr, len, &end);

	if (err)
		return err;
	switch (advice) {
	case SK_MADV_NORMAL:
	case SK_MADV_RANDOM:
	case SK_MADV_SEQUENTIAL:
	case SK_MADV_WILLNEED:
	case SK_MADV_DONTNEED:
	case SK_MADV_FREE:
	case SK_MADV_HUGEPAGE:
	case SK_MADV_NOHUGEPAGE:
		break;
	default:
		return -EINVAL;
	}
	sk_mutex_lock(&mm->lock);
	err = covered(mm, addr, end) ? carve(mm, addr, end, &i) : -ENOMEM;
	for (; !err && i < mm->nvmas && mm->vmas[i]->start < end; i++)
		advise_area(mm, mm->vmas[i], advice);
	sk_mutex_unlock(&mm->lock);
	return err;
}

int sk_mm_fault(struct sk_mm *mm, uintptr_t va, unsigned access)
{
	struct sk_vma *v;
	int err = -EFAULT;

	if (access & ~(unsigned)PROT_ALL)
		return -EINVAL;
	sk_mutex_lock(&mm->lock);
	v = vma_at(mm, va);
	if (v)
		err = sk_mm_fault_locked(mm, v, va & ~(PAGE - 1), access);
	sk_mutex_unlock(&mm->lock);
	return err;
}

int sk_mm_query(struct sk_mm *mm, uintptr_t va, struct sk_mm_area *out)
{
	struct sk_pt_info info;
	struct sk_vma *v;
	int err = -ENOENT;

	sk_mutex_lock(&mm->lock);
	v = vma_at(mm, va);
	if (v) {
		out->start = v->start;
		out->end = v->end;
		out->prot = v->prot;
		out->flags = v->flags & VMA_KEEP;
		out->resident = !sk_pt_query(&mm->pt, va, &info);
		out->pa = out->resident ? info.pa : 0;
		err = 0;
	}
	sk_mutex_unlock(&mm->lock);
	return err;
}

int sk_mm_create(uintptr_t base, size_t len, struct sk_mm **out)
{
	struct sk_mm *mm;
	int err;

	if ((base | len) & (PAGE - 1) || !len || base + len < base ||
	    (base >> 47) != ((base + len - 1) >> 47) || (base >> 47) > 0)
		return -EINVAL;
	mm = sk_calloc(1, sizeof(*mm));
	if (!mm)
		return -ENOMEM;
	err = sk_pt_create(&mm->pt, &mm_pt_ops, NULL);
	if (err) {
		sk_free(mm);
		return err;
	}
	mm->base = base ? base : PAGE; /* address 0 stays unmapped */
	mm->end = base + len;
	*out = mm;
	return 0;
}

void sk_mm_destroy(struct sk_mm *mm)
{
	for (size_t i = 0; i < mm->nvmas; i++) {
		struct sk_vma *v = mm->vmas[i];

		sk_mm_unmap_pages(mm, v, v->start, v->end);
		vma_free(v);
	}
	sk_free(mm->vmas);
	sk_pt_destroy(&mm->pt, NULL, NULL);
	sk_free(mm);
}
