// SPDX-License-Identifier: MIT
/*
 * x86-64 page tables (see <mm/pt.h>).  Four levels of 512 entries; level 3
 * is the PML4, level 0 holds 4 KiB leaves, levels 1 and 2 may hold 2 MiB and
 * 1 GiB leaves (PS bit).  Entries are 64-bit atomics so the hardware walker
 * (and sk_pt_query) never sees a torn entry and the CPU's A/D bits survive a
 * protection change.  Every operation that can fail does so before it
 * changes a translation.
 */
#include <mm/pt.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include <plat/assert.h>
#include <plat/compiler.h>
#include <plat/mem.h>

typedef _Atomic uint64_t pte_t;

enum { TOP = 3, BATCH = 32 };

#define PROT_ALL \
	(SK_PT_ACCESS | SK_PT_USER | SK_PT_GLOBAL | SK_PT_NOCACHE | SK_PT_OWNED)
#define TABLE_BITS ((uint64_t)(SK_PTE_P | SK_PTE_RW | SK_PTE_US))
#define ACCESS_BITS \
	((uint64_t)(SK_PTE_P | SK_PTE_RW | SK_PTE_SW_NONE) | SK_PTE_NX)
#define PA_LIMIT ((uint64_t)1 << 52)

/* The leaves and table pages one call removed, waiting for a TLB flush. */
struct batch {
	struct sk_pt *pt;
	sk_pt_leaf_fn fn;
	void *arg;
	unsigned n;
	bool dirty; /* a translation changed since the last flush */
	uintptr_t lo, last; /* inclusive range to flush */
	uint64_t tables; /* freed table pages, linked through word 0 */
	struct {
		uintptr_t va;
		uint64_t pa;
		size_t size;
		unsigned prot;
	} leaf[BATCH];
};

enum walk_op { OP_PROBE, OP_UNMAP, OP_PROTECT };

struct walk {
	enum walk_op op;
	unsigned prot;
	bool found;
	struct batch *b;
};

static unsigned shift_of(int level)
{
	return 12 + 9 * (unsigned)level;
}

static uintptr_t span_of(int level)
{
	return (uintptr_t)1 << shift_of(level);
}

static unsigned index_of(uintptr_t va, int level)
{
	return (unsigned)(va >> shift_of(level)) & (SK_PT_ENTRIES - 1);
}

static bool is_used(uint64_t e)
{
	return (e & (SK_PTE_P | SK_PTE_SW_NONE)) != 0;
}

static bool is_leaf(uint64_t e, int level)
{
	return level == 0 || (e & SK_PTE_PS);
}

static uint64_t leaf_pa(uint64_t e, int level)
{
	return e & SK_PTE_ADDR & ~(uint64_t)(span_of(level) - 1);
}

static pte_t *table_at(const struct sk_pt *pt, uint64_t pa)
{
	void *p = pt->ops->phys_to_virt ? pt->ops->phys_to_virt(pt->ctx, pa)
					: sk_plat_phys_to_virt(pa);

	SK_ASSERT(p != NULL, "page-table page is not in RAM");
	return p;
}

static uint64_t access_bits(unsigned prot)
{
	uint64_t e = (prot & SK_PT_ACCESS) ? SK_PTE_P : SK_PTE_SW_NONE;

	if (prot & SK_PT_WRITE)
		e |= SK_PTE_RW;
	if (!(prot & SK_PT_EXEC))
		e |= SK_PTE_NX;
	return e;
}

static uint64_t leaf_bits(unsigned prot, int level)
{
	uint64_t e = access_bits(prot);

	if (prot & SK_PT_USER)
		e |= SK_PTE_US;
	if (prot & SK_PT_GLOBAL)
		e |= SK_PTE_G;
	if (prot & SK_PT_NOCACHE)
		e |= SK_PTE_PCD | SK_PTE_PWT;
	if (prot & SK_PT_OWNED)
		e |= SK_PTE_SW_OWNED;
	if (level > 0)
		e |= SK_PTE_PS;
	return e;
}

static unsigned prot_of(uint64_t e)
{
	unsigned prot = 0;

	if (e & SK_PTE_P) {
		prot |= SK_PT_READ;
		if (e & SK_PTE_RW)
			prot |= SK_PT_WRITE;
		if (!(e & SK_PTE_NX))
			prot |= SK_PT_EXEC;
	}
	if (e & SK_PTE_US)
		prot |= SK_PT_USER;
	if (e & SK_PTE_G)
		prot |= SK_PT_GLOBAL;
	if (e & SK_PTE_PCD)
		prot |= SK_PT_NOCACHE;
	if (e & SK_PTE_SW_OWNED)
		prot |= SK_PT_OWNED;
	return prot;
}

/* [va, va + len) must be page aligned, non-empty, in one canonical half. */
static int check_range(uintptr_t va, size_t len, uintptr_t *last)
{
	uintptr_t half;

	if (len == 0 || ((va | len) & (SK_PT_PAGE - 1)))
		return -EINVAL;
	*last = va + (len - 1);
	if (*last < va)
		return -EINVAL;
	half = va >> 47;
	if ((half != 0 && half != 0x1ffff) || (*last >> 47) != half)
		return -EINVAL;
	return 0;
}

/* A fresh zeroed table page, or 0 with -ENOMEM in *err. */
static uint64_t table_new(struct sk_pt *pt, int *err)
{
	uint64_t pa = 0;

	*err = pt->ops->table_alloc(pt->ctx, &pa);
	if (*err)
		return 0;
	SK_ASSERT(pa != 0 && !(pa & (SK_PT_PAGE - 1)),
		  "table_alloc returned an unaligned page");
	memset((void *)table_at(pt, pa), 0, SK_PT_PAGE);
	pt->ntables++;
	return pa;
}

/*
 * Publish a new table under entry @e.  Release: the zeroed (or filled)
 * table is visible before the link; pairs with the acquire loads of
 * sk_pt_query() and with the hardware walker (x86 stores stay ordered).
 */
static void table_link(pte_t *e, uint64_t pa)
{
	atomic_store_explicit(e, pa | TABLE_BITS, memory_order_release);
}

static void batch_range(struct batch *b, uintptr_t lo, uintptr_t last)
{
	if (!b->dirty || lo < b->lo)
		b->lo = lo;
	if (!b->dirty || last > b->last)
		b->last = last;
	b->dirty = true;
}

static void batch_flush(struct batch *b)
{
	struct sk_pt *pt = b->pt;

	if (b->dirty)
		sk_plat_tlb_flush(b->lo, (size_t)(b->last - b->lo) + 1);
	b->dirty = false;
	for (unsigned i = 0; i < b->n && b->fn; i++)
		b->fn(b->arg, b->leaf[i].va, b->leaf[i].pa, b->leaf[i].size,
		      b->leaf[i].prot);
	b->n = 0;
	while (b->tables) {
		uint64_t pa = b->tables;
		pte_t *t = table_at(pt, pa);

		b->tables = atomic_load_explicit(&t[0], memory_order_relaxed);
		atomic_store_explicit(&t[0], 0, memory_order_relaxed);
		pt->ops->table_free(pt->ctx, pa);
		pt->ntables--;
	}
}

static void batch_leaf(struct batch *b, uintptr_t va, uint64_t e, int level)
{
	if (b->n == BATCH)
		batch_flush(b);
	b->leaf[b->n].va = va;
	b->leaf[b->n].pa = leaf_pa(e, level);
	b->leaf[b->n].size = span_of(level);
	b->leaf[b->n].prot = prot_of(e);
	b->n++;
	batch_range(b, va, va + (span_of(level) - 1));
}

static void batch_table(struct batch *b, pte_t *e, uintptr_t base, int level)
{
	uint64_t pa = atomic_exchange_explicit(e, 0, memory_order_relaxed) &
		      SK_PTE_ADDR;

	atomic_store_explicit(&table_at(b->pt, pa)[0], b->tables,
			      memory_order_relaxed);
	b->tables = pa;
	batch_range(b, base, base + (span_of(level) - 1));
}

static bool table_is_empty(const pte_t *t)
{
	for (unsigned i = 0; i < SK_PT_ENTRIES; i++)
		if (atomic_load_explicit(&t[i], memory_order_relaxed))
			return false;
	return true;
}

/* Replace huge leaf *e (at @level, covering @base) by a table of 512. */
static int split_entry(struct sk_pt *pt, pte_t *e, int level, uintptr_t base,
		       struct batch *b)
{
	uint64_t old = atomic_load_explicit(e, memory_order_relaxed);
	uint64_t cspan = span_of(level - 1), pa0 = leaf_pa(old, level);
	uint64_t attr = old & ~SK_PTE_ADDR & ~(uint64_t)SK_PTE_PS;
	uint64_t tpa;
	pte_t *t;
	int err;

	tpa = table_new(pt, &err);
	if (!tpa)
		return err;
	if (level - 1 > 0)
		attr |= SK_PTE_PS;
	t = table_at(pt, tpa);
	for (unsigned i = 0; i < SK_PT_ENTRIES; i++)
		atomic_store_explicit(&t[i], (pa0 + i * cspan) | attr,
				      memory_order_relaxed);
	table_link(e, tpa);
	/* The page size changed: drop the old huge translation. */
	batch_range(b, base, base + (span_of(level) - 1));
	return 0;
}

/* Make sure no huge leaf straddles @va (its start is fine). */
static int split_at(struct sk_pt *pt, uintptr_t va, struct batch *b)
{
	pte_t *t = table_at(pt, pt->root_pa);

	for (int level = TOP; level > 0; level--) {
		pte_t *e = &t[index_of(va, level)];
		uint64_t v = atomic_load_explicit(e, memory_order_relaxed);
		uintptr_t base = va & ~(span_of(level) - 1);

		if (!is_used(v))
			return 0;
		if (is_leaf(v, level)) {
			int err;

			if (va == base)
				return 0;
			err = split_entry(pt, e, level, base, b);
			if (err)
				return err;
			v = atomic_load_explicit(e, memory_order_relaxed);
		}
		t = table_at(pt, v & SK_PTE_ADDR);
	}
	return 0;
}

static void protect_leaf(struct walk *w, pte_t *e, uintptr_t base, int level)
{
	uint64_t old = atomic_load_explicit(e, memory_order_relaxed), new;

	/* Retry so an A/D bit the CPU sets meanwhile is not lost. */
	do {
		new = (old & ~ACCESS_BITS) | access_bits(w->prot);
		if (new == old)
			return;
	} while (!atomic_compare_exchange_weak_explicit(
		e, &old, new, memory_order_relaxed, memory_order_relaxed));
	batch_range(w->b, base, base + (span_of(level) - 1));
}

static void walk_table(struct walk *w, pte_t *t, int level, uintptr_t va,
		       uintptr_t last);

static void walk_entry(struct walk *w, pte_t *e, int level, uintptr_t va,
		       uintptr_t last)
{
	uint64_t v = atomic_load_explicit(e, memory_order_relaxed);
	uintptr_t base = va & ~(span_of(level) - 1);
	bool whole = va == base && last == base + (span_of(level) - 1);

	if (!is_used(v))
		return;
	if (is_leaf(v, level)) {
		if (w->op == OP_PROBE) {
			w->found = true;
			return;
		}
		SK_ASSERT(whole, "huge page straddles a range after split");
		if (w->op == OP_PROTECT) {
			protect_leaf(w, e, base, level);
			return;
		}
		v = atomic_exchange_explicit(e, 0, memory_order_relaxed);
		batch_leaf(w->b, base, v, level);
		return;
	}
	walk_table(w, table_at(w->b->pt, v & SK_PTE_ADDR), level - 1, va, last);
	if (w->op == OP_UNMAP &&
	    (whole || table_is_empty(table_at(w->b->pt, v & SK_PTE_ADDR))))
		batch_table(w->b, e, base, level);
}

static void walk_table(struct walk *w, pte_t *t, int level, uintptr_t va,
		       uintptr_t last)
{
	for (;;) {
		uintptr_t elast = (va | (span_of(level) - 1));
		uintptr_t l = elast < last ? elast : last;

		walk_entry(w, &t[index_of(va, level)], level, va, l);
		if (w->found || l == last)
			return;
		va = l + 1;
	}
}

static void walk_root(struct walk *w, uintptr_t va, uintptr_t last)
{
	walk_table(w, table_at(w->b->pt, w->b->pt->root_pa), TOP, va, last);
}

static int pick_level(uintptr_t va, uint64_t pa, size_t left, unsigned flags)
{
	uint64_t both = va | pa;

	if (!(flags & (SK_PT_MAP_NO_1G | SK_PT_MAP_NO_2M)) &&
	    !(both & (SK_PT_SIZE_1G - 1)) && left >= SK_PT_SIZE_1G)
		return 2;
	if (!(flags & SK_PT_MAP_NO_2M) && !(both & (SK_PT_SIZE_2M - 1)) &&
	    left >= SK_PT_SIZE_2M)
		return 1;
	return 0;
}

/* Install one leaf, creating the tables above it. */
static int set_leaf(struct sk_pt *pt, uintptr_t va, int level, uint64_t e)
{
	pte_t *t = table_at(pt, pt->root_pa);

	for (int l = TOP; l > level; l--) {
		pte_t *pe = &t[index_of(va, l)];
		uint64_t v = atomic_load_explicit(pe, memory_order_relaxed);

		if (!is_used(v)) {
			int err;

			v = table_new(pt, &err);
			if (!v)
				return err;
			table_link(pe, v);
		}
		SK_ASSERT(!is_leaf(v, l), "mapping over a huge page");
		t = table_at(pt, v & SK_PTE_ADDR);
	}
	atomic_store_explicit(&t[index_of(va, level)], e, memory_order_release);
	return 0;
}

static void unmap_checked(uintptr_t va, uintptr_t last, struct batch *b)
{
	struct walk w = { .op = OP_UNMAP, .b = b };

	walk_root(&w, va, last);
	batch_flush(b);
}

int sk_pt_map(struct sk_pt *pt, uintptr_t va, uint64_t pa, size_t len,
	      unsigned prot, unsigned flags)
{
	struct batch b = { .pt = pt };
	struct walk w = { .op = OP_PROBE, .b = &b };
	uintptr_t last;
	size_t done;
	int err;

	err = check_range(va, len, &last);
	if (err)
		return err;
	if ((pa & (SK_PT_PAGE - 1)) || pa >= PA_LIMIT || len > PA_LIMIT - pa ||
	    (prot & ~PROT_ALL) ||
	    (flags & ~(unsigned)(SK_PT_MAP_NO_1G | SK_PT_MAP_NO_2M)))
		return -EINVAL;
	walk_root(&w, va, last);
	if (w.found)
		return -EEXIST;
	for (done = 0; done < len;) {
		int level = pick_level(va + done, pa + done, len - done, flags);

		err = set_leaf(pt, va + done, level,
			       (pa + done) | leaf_bits(prot, level));
		if (err) {
			/* The range was empty: take down all of it, tables too. */
			unmap_checked(va, last, &b);
			return err;
		}
		done += span_of(level);
	}
	return 0;
}

/* Split huge pages straddling either end of [va, last]. */
static int split_ends(struct sk_pt *pt, uintptr_t va, uintptr_t last,
		      struct batch *b)
{
	int err = split_at(pt, va, b);

	if (!err && last + 1 != 0 && last + 1 != ((uintptr_t)1 << 47))
		err = split_at(pt, last + 1, b);
	return err;
}

int sk_pt_unmap(struct sk_pt *pt, uintptr_t va, size_t len, sk_pt_leaf_fn fn,
		void *arg)
{
	struct batch b = { .pt = pt, .fn = fn, .arg = arg };
	uintptr_t last;
	int err;

	err = check_range(va, len, &last);
	if (err)
		return err;
	err = split_ends(pt, va, last, &b);
	if (err) {
		batch_flush(&b);
		return err;
	}
	unmap_checked(va, last, &b);
	return 0;
}

int sk_pt_protect(struct sk_pt *pt, uintptr_t va, size_t len, unsigned prot)
{
	struct batch b = { .pt = pt };
	struct walk w = { .op = OP_PROTECT, .prot = prot, .b = &b };
	uintptr_t last;
	int err;

	err = check_range(va, len, &last);
	if (err)
		return err;
	if (prot & ~PROT_ALL)
		return -EINVAL;
	err = split_ends(pt, va, last, &b);
	if (!err)
		walk_root(&w, va, last);
	batch_flush(&b);
	return err;
}

int sk_pt_split(struct sk_pt *pt, uintptr_t va)
{
	struct batch b = { .pt = pt };
	uintptr_t last;
	int err;

	if (va == ((uintptr_t)1 << 47) || va == 0)
		return 0;
	err = check_range(va, SK_PT_PAGE, &last);
	if (err)
		return err;
	err = split_at(pt, va, &b);
	batch_flush(&b);
	return err;
}

int sk_pt_query(const struct sk_pt *pt, uintptr_t va, struct sk_pt_info *info)
{
	pte_t *t = table_at(pt, pt->root_pa);
	uintptr_t half = va >> 47;

	if (half != 0 && half != 0x1ffff)
		return -EINVAL;
	for (int level = TOP; level >= 0; level--) {
		/* Acquire: pairs with the release in table_link/set_leaf. */
		uint64_t v = atomic_load_explicit(&t[index_of(va, level)],
						  memory_order_acquire);

		if (!is_used(v))
			return -ENOENT;
		if (is_leaf(v, level)) {
			info->size = span_of(level);
			info->pa = leaf_pa(v, level) + (va & (info->size - 1));
			info->prot = prot_of(v);
			info->accessed = !!(v & SK_PTE_A);
			info->dirty = !!(v & SK_PTE_D);
			return 0;
		}
		t = table_at(pt, v & SK_PTE_ADDR);
	}
	SK_PANIC("page walk ran past level 0");
}

int sk_pt_create(struct sk_pt *pt, const struct sk_pt_ops *ops, void *ctx)
{
	int err;

	if (!ops || !ops->table_alloc || !ops->table_free)
		return -EINVAL;
	pt->ops = ops;
	pt->ctx = ctx;
	pt->ntables = 0;
	pt->root_pa = table_new(pt, &err);
	return pt->root_pa ? 0 : err;
}

void sk_pt_destroy(struct sk_pt *pt, sk_pt_leaf_fn fn, void *arg)
{
	struct batch b = { .pt = pt, .fn = fn, .arg = arg };
	struct walk w = { .op = OP_UNMAP, .b = &b };

	walk_root(&w, 0, ((uintptr_t)1 << 47) - 1);
	walk_root(&w, ~(((uintptr_t)1 << 47) - 1), UINTPTR_MAX);
	batch_flush(&b);
	pt->ops->table_free(pt->ctx, pt->root_pa);
	pt->ntables--;
	pt->root_pa = 0;
}
