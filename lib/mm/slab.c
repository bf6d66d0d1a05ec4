// SPDX-License-Identifier: MIT
/*
 * Per-CPU size-class slabs for the heap (see slab_int.h).  A slab is a
 * 64 KiB chunk of one size class owned by one CPU; objects are laid out
 * down from the chunk's end, so a power-of-two class is naturally aligned.
 * All slab fields are owner-CPU-only, used with preemption disabled (the
 * inline per-CPU counter of <sched/preempt.h>: no migration, no switch;
 * nothing in lib/mm runs in interrupt handlers, so irqs may stay on).  The
 * one shared word is each CPU's inbox of blocks freed by other CPUs, whose
 * protocol lives in remote.c.
 */
#include "slab_int.h"

#include <mm/malloc.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include <mm/page.h>
#include <plat/assert.h>
#include <plat/compiler.h>
#include <plat/cpu.h>
#include <sched/preempt.h>

enum {
	CARVE = 32, /* fresh objects threaded onto the free list at once */
};

const uint32_t sk_mm_cls_size[NCLS] = {
	16,   32,   48,	  64,	80,   96,   112,  128,	160,  192,  224,
	256,  320,  384,  448,	512,  640,  768,  896,	1024, 1280, 1536,
	1792, 2048, 2560, 3072, 3584, 4096, 5120, 6144, 7168, 8192,
};

static uint8_t cls_of16[SMALL_MAX / 16 + 1];

static struct slab empty; /* never has a free object */
static struct mcpu *mcpus;
static unsigned ncpus;

unsigned sk_mm_cls_for(size_t size)
{
	return cls_of16[(size + 15) >> 4];
}

/* This CPU's pool.  Preemption off. */
static inline struct mcpu *mcpu_here(void)
{
	return &mcpus[SK_PLAT_PERCPU_READ(SK_PLAT_PERCPU_OFF_CPU_ID)];
}

static void count_set(struct mcpu *m, long delta)
{
	size_t v = atomic_load_explicit(&m->slabs, memory_order_relaxed);

	atomic_store_explicit(&m->slabs, v + (size_t)delta,
			      memory_order_relaxed);
}

int sk_malloc_init(void)
{
	unsigned c = 0;
	size_t bytes;

	if (mcpus)
		return -EBUSY;
	for (unsigned i = 0; i < SK_ARRAY_LEN(cls_of16); i++) {
		while (sk_mm_cls_size[c] < i * 16)
			c++;
		cls_of16[i] = (uint8_t)c;
	}
	ncpus = sk_plat_cpu_count();
	bytes = SK_ALIGN_UP(ncpus * sizeof(struct mcpu), (size_t)SK_PAGE_SIZE);
	mcpus = sk_mm_pages_alloc(bytes / SK_PAGE_SIZE, SK_PAGE_SIZE);
	if (!mcpus)
		return -ENOMEM;
	for (unsigned i = 0; i < ncpus; i++) {
		struct mcpu *m = &mcpus[i];

		memset(m, 0, sizeof(*m));
		for (unsigned k = 0; k < NCLS; k++)
			m->cur[k] = &empty;
		atomic_init(&m->slabs, 0);
		atomic_init(&m->has_spare, false);
		atomic_init(&m->out_pending, false);
		m->cpu = i;
		atomic_init(&m->inbox, 0);
	}
	return 0;
}

static void spare_set(struct mcpu *m, struct slab *s)
{
	m->spare = s;
	atomic_store_explicit(&m->has_spare, s != NULL, memory_order_relaxed);
}

static void partial_push(struct mcpu *m, struct slab *s)
{
	s->state = S_PARTIAL;
	s->prev = NULL;
	s->next = m->partial[s->cls];
	if (s->next)
		s->next->prev = s;
	m->partial[s->cls] = s;
}

static void partial_remove(struct mcpu *m, struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		m->partial[s->cls] = s->next;
	if (s->next)
		s->next->prev = s->prev;
}

static void carve(struct slab *s)
{
	for (unsigned k = 0; k < CARVE && s->fresh; k++) {
		uint32_t idx = s->nobj - s->fresh--;
		void **obj = (void **)(void *)((char *)s + CHUNK -
					       (idx + 1) * s->size);

		*obj = s->free;
		s->free = obj;
	}
}

static void *pop(struct slab *s)
{
	void *p = s->free;

	s->free = *(void **)p;
	s->used++;
	return p;
}

void sk_mm_slab_settle(struct mcpu *m, struct slab *s, struct giveback *gb)
{
	if (s->state == S_FULL)
		partial_push(m, s);
	if (s->used || s->state != S_PARTIAL)
		return;
	partial_remove(m, s);
	count_set(m, -1);
	if (!m->spare) {
		spare_set(m, s);
		return;
	}
	s->next = gb->slabs;
	gb->slabs = s;
}

static void release(struct giveback *gb)
{
	while (gb->slabs) {
		struct slab *next = gb->slabs->next;

		sk_mm_pages_free(gb->slabs, CHUNK_PAGES);
		gb->slabs = next;
	}
	while (gb->mags) {
		void *next = *(void **)gb->mags;

		sk_mm_pages_free(gb->mags, 1);
		gb->mags = next;
	}
}

/* Make @s the current slab of its class; the old one is parked. */
static void install(struct mcpu *m, struct slab *s)
{
	struct slab *old = m->cur[s->cls];

	s->state = S_CUR;
	m->cur[s->cls] = s;
	if (old == &empty)
		return;
	if (old->free || old->fresh)
		partial_push(m, old);
	else
		old->state = S_FULL;
}

static void slab_format(struct slab *s, unsigned cls, unsigned owner)
{
	s->kind = KIND_SLAB;
	s->cls = cls;
	s->owner = owner;
	s->size = sk_mm_cls_size[cls];
	s->nobj = (CHUNK - SLAB_HDR) / s->size;
	s->used = 0;
	s->fresh = s->nobj;
	s->free = NULL;
}

/* No slab of this CPU has room: bring a new one.  Preemption enabled. */
static void *alloc_new(unsigned cls)
{
	struct slab *s = sk_mm_pages_alloc(CHUNK_PAGES, CHUNK);
	struct mcpu *m;
	void *p;

	if (!s) {
		sk_mm_slab_trim();
		s = sk_mm_pages_alloc(CHUNK_PAGES, CHUNK);
		if (!s)
			return NULL;
	}
	sk_preempt_disable();
	m = mcpu_here();
	slab_format(s, cls, (unsigned)(m - mcpus));
	carve(s);
	p = pop(s);
	install(m, s);
	count_set(m, 1);
	sk_preempt_enable();
	return p;
}

/* Entered with preemption disabled (fast path missed); re-enables it. */
static SK_NOINLINE void *alloc_slow(struct mcpu *m, unsigned cls)
{
	struct giveback gb = { NULL, NULL };
	struct slab *s;
	void *p = NULL;

	sk_mm_remote_flush(m);
	sk_mm_remote_take(m, &gb);
	s = m->cur[cls];
	if (s != &empty && !s->free)
		carve(s);
	if (!s->free && m->partial[cls]) {
		s = m->partial[cls];
		partial_remove(m, s);
		install(m, s);
		carve(s);
	}
	if (!s->free && m->spare) {
		s = m->spare;
		spare_set(m, NULL);
		slab_format(s, cls, (unsigned)(m - mcpus));
		carve(s);
		install(m, s);
		count_set(m, 1);
	}
	if (s->free)
		p = pop(s);
	sk_preempt_enable();
	release(&gb);
	return p ? p : alloc_new(cls);
}

/*
 * The fast path: one %gs-relative increment to pin the CPU, the pool by
 * CPU number, a pop from the current slab's free list, the decrement.
 */
static SK_ALWAYS_INLINE void *slab_alloc(unsigned cls)
{
	struct mcpu *m;
	struct slab *s;
	void *p;

	sk_preempt_disable();
	m = mcpu_here();
	s = m->cur[cls];
	p = s->free;
	if (SK_LIKELY(p != NULL)) {
		s->free = *(void **)p;
		s->used++;
		sk_preempt_enable();
		return p;
	}
	return alloc_slow(m, cls);
}

void *sk_mm_slab_alloc(unsigned cls)
{
	return slab_alloc(cls);
}

/*
 * A local free that needs more than the push: the slab became empty, or
 * it had no free object (so it may be full and parked).  Preemption
 * disabled on entry; re-enabled.
 */
static SK_NOINLINE void free_slow(struct mcpu *m, struct slab *s)
{
	struct giveback gb = { NULL, NULL };

	sk_mm_slab_settle(m, s, &gb);
	sk_preempt_enable();
	release(&gb);
}

static SK_ALWAYS_INLINE void slab_free(struct slab *s, void *p)
{
	uint32_t cpu;
	void *old;

	sk_preempt_disable();
	cpu = (uint32_t)SK_PLAT_PERCPU_READ(SK_PLAT_PERCPU_OFF_CPU_ID);
	if (SK_UNLIKELY(s->owner != cpu)) {
		sk_mm_remote_free(&mcpus[cpu], s, p);
		return;
	}
	old = s->free;
	*(void **)p = old;
	s->free = p;
	if (SK_LIKELY(--s->used != 0 && old != NULL)) {
		sk_preempt_enable();
		return;
	}
	free_slow(&mcpus[cpu], s);
}

void *sk_malloc(size_t size)
{
	SK_ASSERT(mcpus != NULL, "sk_malloc before sk_malloc_init");
	if (SK_LIKELY(size <= SMALL_MAX))
		return slab_alloc(cls_of16[(size + 15) >> 4]);
	return sk_mm_large_alloc(size, SK_MALLOC_ALIGN);
}

void sk_free(void *p)
{
	uint32_t *chunk;

	if (!p)
		return;
	chunk = chunk_of(p);
	if (SK_LIKELY(*chunk == KIND_SLAB))
		slab_free((struct slab *)(void *)chunk, p);
	else
		sk_mm_large_free(chunk);
}

size_t sk_mm_slab_usable(const void *chunk)
{
	return ((const struct slab *)chunk)->size;
}

/* Queue every empty slab of this CPU on gb.  Preemption disabled. */
static void drop_empty(struct mcpu *m, struct giveback *gb)
{
	for (unsigned k = 0; k < NCLS; k++) {
		struct slab *s = m->cur[k], *next;

		if (s != &empty && !s->used) {
			m->cur[k] = &empty;
			s->state = S_PARTIAL;
			partial_push(m, s);
		}
		for (s = m->partial[k]; s; s = next) {
			next = s->next;
			if (s->used)
				continue;
			partial_remove(m, s);
			count_set(m, -1);
			s->next = gb->slabs;
			gb->slabs = s;
		}
	}
	if (m->spare) {
		m->spare->next = gb->slabs;
		gb->slabs = m->spare;
		spare_set(m, NULL);
	}
}

void sk_mm_slab_trim(void)
{
	struct giveback gb = { NULL, NULL };
	struct mcpu *m;

	if (!mcpus)
		return;
	sk_preempt_disable();
	m = mcpu_here();
	sk_mm_remote_flush(m);
	sk_mm_remote_take(m, &gb);
	drop_empty(m, &gb);
	sk_preempt_enable();
	release(&gb);
}

size_t sk_mm_slab_count(void)
{
	size_t n = 0;

	for (unsigned i = 0; i < ncpus; i++)
		n += atomic_load_explicit(&mcpus[i].slabs,
					  memory_order_relaxed);
	return n;
}

bool sk_mm_slab_cpu_holds(unsigned cpu)
{
	struct mcpu *m;

	if (!mcpus || cpu >= ncpus)
		return false;
	m = &mcpus[cpu];
	return atomic_load_explicit(&m->slabs, memory_order_relaxed) ||
	       atomic_load_explicit(&m->has_spare, memory_order_relaxed) ||
	       atomic_load_explicit(&m->out_pending, memory_order_relaxed) ||
	       atomic_load_explicit(&m->inbox, memory_order_relaxed) != 0;
}
