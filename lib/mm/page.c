// SPDX-License-Identifier: MIT
/*
 * Physical page allocator (see <mm/page.h>).  Global part: one buddy zone
 * per usable memory region (buddy.c), all under g.lock, each zone's state
 * bytes carved from the start of its own region.  Per-CPU part: a LIFO of
 * free single pages linked through the pages themselves, touched only by
 * its CPU with preemption disabled (the inline per-CPU counter), refilled
 * and drained in batches.  When the buddy runs dry, the reclaim hook (set
 * by reclaim.c) asks every CPU to give its cached pages and empty slabs
 * back, and the request is retried once.
 */
#include <mm/page.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include <plat/assert.h>
#include <plat/compiler.h>
#include <plat/cpu.h>
#include <plat/mem.h>
#include <sched/preempt.h>
#include <sync/mutex.h>

#include "buddy.h"
#include "malloc_int.h"

enum {
	ZONES_MAX = 32,
	CACHE_HIGH_MAX = 1024, /* 4 MiB per CPU at most */
	CACHE_RAM_SHARE = 64, /* all caches together <= RAM / 64 */
	CACHE_HIGH_MIN = 8,
	CACHE_BATCH_MAX = 64, /* bounds the time a refill holds g.lock */
};

/* Per-CPU cache.  Owner CPU only, preemption off; count is also read
 * (relaxed) by sk_page_stats_get and reclaim, hence atomic, never RMW'd. */
struct pcache {
	uint64_t head; /* first free page, linked through word 0; 0: none */
	atomic_size_t count;
} SK_CACHE_ALIGNED;

static struct {
	struct sk_mutex lock;
	unsigned nzones; /* set at init */
	struct buddy zone[ZONES_MAX]; /* g.lock */
	size_t total, meta; /* set at init */
	size_t high, batch; /* set at init */
	bool ready;
} g;

static struct pcache pcpu[SK_PLAT_CPUS_MAX];

/*
 * Reclaim hook: NULL, or reclaim.c's round (set by sk_mm_reclaim_start,
 * cleared by _stop).  Relaxed: the round checks under its own mutex
 * whether the workers exist, so a caller that read the hook just before
 * a stop finds them gone and returns false.
 */
static _Atomic(sk_mm_reclaim_fn) reclaim_hook;

void sk_mm_page_reclaim_hook_set(sk_mm_reclaim_fn fn)
{
	atomic_store_explicit(&reclaim_hook, fn, memory_order_relaxed);
}

/* Ask every CPU to give back what it caches.  Return: true: retry. */
static bool reclaim(void)
{
	sk_mm_reclaim_fn fn =
		atomic_load_explicit(&reclaim_hook, memory_order_relaxed);

	return fn && fn();
}

static uint64_t *word0(uint64_t pa)
{
	uint64_t *p = sk_plat_phys_to_virt(pa);

	SK_ASSERT(p != NULL, "page allocator: page not in RAM");
	return p;
}

static struct buddy *zone_of(uint64_t pfn, size_t npages)
{
	for (unsigned i = 0; i < g.nzones; i++)
		if (buddy_owns(&g.zone[i], pfn, npages))
			return &g.zone[i];
	return NULL;
}

static void zone_add(const struct sk_plat_mem_region *r)
{
	uint64_t lo = r->pa >> SK_PAGE_SHIFT, n = r->len >> SK_PAGE_SHIFT;
	uint64_t meta =
		(buddy_state_bytes(n) + SK_PAGE_SIZE - 1) >> SK_PAGE_SHIFT;
	struct buddy *b = &g.zone[g.nzones];

	if (n <= meta + 1 || g.nzones == ZONES_MAX)
		return;
	sk_buddy_init(b, lo + meta, lo + n, sk_plat_phys_to_virt(r->pa));
	sk_buddy_free(b, lo + meta, n - meta);
	g.nzones++;
	g.total += n - meta;
	g.meta += meta;
}

static void cache_size(void)
{
	size_t high = g.total / (CACHE_RAM_SHARE * (size_t)sk_plat_cpu_count());

	if (high > CACHE_HIGH_MAX)
		high = CACHE_HIGH_MAX;
	if (high < CACHE_HIGH_MIN)
		high = 0; /* tiny machine: every page through the buddy */
	g.high = high;
	g.batch = high / 2 < CACHE_BATCH_MAX ? high / 2 : CACHE_BATCH_MAX;
}

int sk_page_init(void)
{
	struct sk_plat_mem_region r[ZONES_MAX];
	unsigned n;

	if (g.ready)
		return -EBUSY;
	n = sk_plat_mem_regions(r, ZONES_MAX);
	if (n > ZONES_MAX)
		n = ZONES_MAX;
	for (unsigned i = 0; i < n; i++)
		if (r[i].type == SK_PLAT_MEM_USABLE)
			zone_add(&r[i]);
	if (!g.nzones)
		return -ENOMEM;
	cache_size();
	g.ready = true;
	return 0;
}

/* One allocation from any zone.  Locking: g.lock held. */
static int global_alloc_locked(size_t npages, unsigned align, uint64_t *pa)
{
	for (unsigned i = 0; i < g.nzones; i++) {
		uint64_t pfn;

		if (!sk_buddy_alloc(&g.zone[i], npages, align, &pfn)) {
			*pa = pfn << SK_PAGE_SHIFT;
			return 0;
		}
	}
	return -ENOMEM;
}

static void global_free_locked(uint64_t pa, size_t npages)
{
	uint64_t pfn = pa >> SK_PAGE_SHIFT;
	struct buddy *b = zone_of(pfn, npages);

	SK_ASSERT(b != NULL, "sk_page_free: pages not from this allocator");
	sk_buddy_free(b, pfn, npages);
}

static void free_chain(uint64_t head)
{
	sk_mutex_lock(&g.lock);
	while (head) {
		uint64_t next = *word0(head);

		global_free_locked(head, 1);
		head = next;
	}
	sk_mutex_unlock(&g.lock);
}

static void count_add(struct pcache *c, size_t delta, int sign)
{
	size_t v = atomic_load_explicit(&c->count, memory_order_relaxed);

	atomic_store_explicit(&c->count, sign > 0 ? v + delta : v - delta,
			      memory_order_relaxed);
}

/* Detach up to @n pages from this CPU's cache.  Irqs disabled. */
static uint64_t cache_take(struct pcache *c, size_t n)
{
	uint64_t head = c->head, *link = &head;
	size_t got = 0;

	while (*link && got < n) {
		link = word0(*link);
		got++;
	}
	c->head = *link;
	*link = 0;
	count_add(c, got, -1);
	return head;
}

/* Take up to batch + 1 pages from the buddy, linked; *tail: the last. */
static size_t global_take(uint64_t *headp, uint64_t *tailp)
{
	uint64_t head = 0, tail = 0;
	size_t got = 0;

	sk_mutex_lock(&g.lock);
	while (got <= g.batch) {
		uint64_t p;

		if (global_alloc_locked(1, 0, &p))
			break;
		*word0(p) = head;
		tail = tail ? tail : p;
		head = p;
		got++;
	}
	sk_mutex_unlock(&g.lock);
	*headp = head;
	*tailp = tail;
	return got;
}

/* Put @n pages linked from @head to @tail on this CPU's cache. */
static void cache_push_chain(uint64_t head, uint64_t tail, size_t n)
{
	struct pcache *c;

	sk_preempt_disable();
	c = &pcpu[sk_mm_cpu_id()];
	*word0(tail) = c->head;
	c->head = head;
	count_add(c, n, 1);
	sk_preempt_enable();
}

/* Slow path: fill this CPU's cache from the buddy, keep one page. */
static int cache_refill(uint64_t *pa)
{
	uint64_t head, tail;
	size_t got = global_take(&head, &tail);

	if (!got && reclaim())
		got = global_take(&head, &tail);
	if (!got)
		return -ENOMEM;
	*pa = head;
	head = *word0(head);
	if (head)
		cache_push_chain(head, tail, got - 1);
	return 0;
}

void sk_mm_page_cache_fill(void)
{
	uint64_t head, tail;
	size_t got;

	if (!g.high)
		return;
	got = global_take(&head, &tail);
	if (got)
		cache_push_chain(head, tail, got);
}

void *sk_mm_page_cache_pop(void)
{
	struct pcache *c = &pcpu[sk_mm_cpu_id()];
	uint64_t pa = c->head;

	if (!pa)
		return NULL;
	c->head = *word0(pa);
	count_add(c, 1, -1);
	return sk_plat_phys_to_virt(pa);
}

static int cache_alloc(uint64_t *pa)
{
	struct pcache *c;

	sk_preempt_disable();
	c = &pcpu[sk_mm_cpu_id()];
	if (SK_LIKELY(c->head)) {
		*pa = c->head;
		c->head = *word0(*pa);
		count_add(c, 1, -1);
		sk_preempt_enable();
		return 0;
	}
	sk_preempt_enable();
	return cache_refill(pa);
}

static void cache_free(uint64_t pa)
{
	uint64_t chain = 0;
	struct pcache *c;

	sk_preempt_disable();
	c = &pcpu[sk_mm_cpu_id()];

	*word0(pa) = c->head;
	c->head = pa;
	count_add(c, 1, 1);
	if (SK_UNLIKELY(atomic_load_explicit(&c->count, memory_order_relaxed) >
			g.high))
		chain = cache_take(c, g.batch ? g.batch : 1);
	sk_preempt_enable();
	if (chain)
		free_chain(chain);
}

void sk_page_cache_drain(void)
{
	uint64_t chain;

	sk_preempt_disable();
	chain = cache_take(&pcpu[sk_mm_cpu_id()], SIZE_MAX);
	sk_preempt_enable();
	if (chain)
		free_chain(chain);
}

bool sk_mm_page_cpu_holds(unsigned cpu)
{
	return cpu < SK_PLAT_CPUS_MAX &&
	       atomic_load_explicit(&pcpu[cpu].count, memory_order_relaxed);
}

static int global_try(size_t npages, unsigned align, uint64_t *pa)
{
	int err;

	sk_mutex_lock(&g.lock);
	err = global_alloc_locked(npages, align, pa);
	sk_mutex_unlock(&g.lock);
	return err;
}

static int global_alloc(size_t npages, unsigned align, uint64_t *pa)
{
	int err = global_try(npages, align, pa);

	if (err == -ENOMEM) {
		/* Cached single pages may be what fragments a larger block. */
		sk_page_cache_drain();
		err = global_try(npages, align, pa);
	}
	if (err == -ENOMEM && reclaim())
		err = global_try(npages, align, pa);
	return err;
}

static unsigned order_of(size_t align)
{
	unsigned order = 0;

	while (((size_t)SK_PAGE_SIZE << order) < align)
		order++;
	return order;
}

int sk_page_alloc_aligned(size_t npages, size_t align, unsigned flags,
			  uint64_t *pa)
{
	int err;

	SK_ASSERT(g.ready, "sk_page_alloc before sk_page_init");
	if (npages == 0 || !SK_IS_POW2(align) || align < SK_PAGE_SIZE ||
	    align > ((size_t)SK_PAGE_SIZE << (BUDDY_ORDERS - 1)) ||
	    (flags & ~(unsigned)(SK_PAGE_ZERO | SK_PAGE_ALIGN_2M)))
		return -EINVAL;
	if ((flags & SK_PAGE_ALIGN_2M) && align < ((size_t)2 << 20))
		align = (size_t)2 << 20;
	if (npages > g.total)
		return -ENOMEM;
	if (npages == 1 && align == SK_PAGE_SIZE && g.high)
		err = cache_alloc(pa);
	else
		err = global_alloc(npages, order_of(align), pa);
	if (!err && (flags & SK_PAGE_ZERO))
		memset(sk_plat_phys_to_virt(*pa), 0, npages * SK_PAGE_SIZE);
	return err;
}

int sk_page_alloc(size_t npages, unsigned flags, uint64_t *pa)
{
	return sk_page_alloc_aligned(npages, SK_PAGE_SIZE, flags, pa);
}

void sk_page_free(uint64_t pa, size_t npages)
{
	SK_ASSERT(!(pa & (SK_PAGE_SIZE - 1)) && npages,
		  "sk_page_free: unaligned or empty range");
	if (npages == 1 && g.high) {
		SK_ASSERT(zone_of(pa >> SK_PAGE_SHIFT, 1) != NULL,
			  "sk_page_free: page not from this allocator");
		cache_free(pa);
		return;
	}
	sk_mutex_lock(&g.lock);
	global_free_locked(pa, npages);
	sk_mutex_unlock(&g.lock);
}

void sk_page_stats_get(struct sk_page_stats *st)
{
	size_t cached = 0, nfree = 0;

	for (unsigned i = 0; i < sk_plat_cpu_count(); i++)
		cached += atomic_load_explicit(&pcpu[i].count,
					       memory_order_relaxed);
	sk_mutex_lock(&g.lock);
	for (unsigned i = 0; i < g.nzones; i++)
		nfree += g.zone[i].nfree;
	sk_mutex_unlock(&g.lock);
	st->total_pages = g.total;
	st->free_pages = nfree;
	st->cached_pages = cached;
	st->meta_pages = g.meta;
	st->cache_high = g.high;
	st->cache_batch = g.batch;
}
