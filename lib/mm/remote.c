// SPDX-License-Identifier: MIT
/*
 * Heap blocks freed on a CPU that does not own their slab (slab_int.h).
 * The freeing CPU writes the block's pointer into a magazine, a page from
 * its own page cache, and pushes the page onto the owner's inbox when it
 * is full (MAGN pointers or MAG_BYTES of blocks), when a block of another
 * owner needs its slot (OUT_SLOTS magazines per CPU, by owner number), and
 * on its own slow paths and trims.  The freeing CPU never
 * writes into the blocks; the owner puts each one back on its slab with
 * one store into the block, and those stores do not depend on each other,
 * so their cache misses overlap (a chain linked through the blocks costs
 * one miss after another).  A block freed when the cache has no page for a
 * magazine is pushed alone.
 *
 * inbox (per CPU, _Atomic uintptr_t): states
 *   0             empty
 *   entry         a stack of entries linked through their word 0; an entry
 *                 is a magazine (address | MAG_TAG) or one block
 * push (any other CPU): CAS old -> entry whose word 0 is old (release)
 * take (owner only): exchange -> 0 (acquire), then owns every entry
 * A taker never pops single entries, so a CAS cannot succeed on a recycled
 * head (no ABA).
 */
#include "slab_int.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <mm/page.h>
#include <plat/assert.h>
#include <plat/compiler.h>
#include <sched/preempt.h>

enum {
	MAG_TAG = 1, /* low bit of an inbox link: the entry is a magazine */
	MAGN = (SK_PAGE_SIZE - 16) / sizeof(void *), /* pointers per page */
	MAG_BYTES = CHUNK, /* send a magazine once its blocks total this */
	MAG_AHEAD = 8, /* blocks prefetched ahead while emptying one */
};

/* A page of pointers to blocks owed to one CPU: an inbox entry. */
struct magazine {
	uintptr_t next; /* inbox link, word 0 as in a lone block */
	uint32_t n;
	uint32_t pad;
	void *blk[MAGN];
};

_Static_assert(sizeof(struct magazine) == SK_PAGE_SIZE, "a magazine is a page");

/* Push @entry (a block, or a magazine | MAG_TAG) onto @owner's inbox. */
static void inbox_push(struct mcpu *owner, uintptr_t entry)
{
	uintptr_t *link = (uintptr_t *)(entry & ~(uintptr_t)MAG_TAG);
	uintptr_t old =
		atomic_load_explicit(&owner->inbox, memory_order_relaxed);

	do {
		*link = old;
		/* Release: the entry (pointers, link); pairs with the
		 * acquire exchange in sk_mm_remote_take. */
	} while (!atomic_compare_exchange_weak_explicit(
		&owner->inbox, &old, entry, memory_order_release,
		memory_order_relaxed));
}

/* Send the magazine of slot @o to its owner. */
static void slot_flush(struct mcpu *m, struct outslot *o)
{
	struct magazine *g = o->g;
	bool open = false;

	if (!g)
		return;
	o->g = NULL;
	for (unsigned i = 0; i < OUT_SLOTS; i++)
		open |= m->out[i].g != NULL;
	atomic_store_explicit(&m->out_pending, open, memory_order_relaxed);
	inbox_push(sk_mm_mcpu_of(m, o->cpu), (uintptr_t)g | MAG_TAG);
}

void sk_mm_remote_flush(struct mcpu *m)
{
	for (unsigned i = 0; i < OUT_SLOTS; i++)
		slot_flush(m, &m->out[i]);
}

/* Start a magazine in slot @o for @owner's blocks.  Return: false if no
 * page. */
static bool slot_open(struct mcpu *m, struct outslot *o, unsigned owner)
{
	struct magazine *g = sk_mm_page_cache_pop();

	if (!g)
		return false;
	g->n = 0;
	o->g = g;
	o->cpu = owner;
	o->bytes = 0;
	atomic_store_explicit(&m->out_pending, true, memory_order_relaxed);
	return true;
}

/* Block @p of a slab of @m's CPU comes back from another CPU. */
static SK_ALWAYS_INLINE void block_back(struct mcpu *m, void *p,
					struct giveback *gb)
{
	struct slab *s = (struct slab *)(void *)chunk_of(p);

	SK_ASSERT(s->owner == m->cpu, "remote free to a wrong CPU");
	*(void **)p = s->free;
	s->free = p;
	if (SK_UNLIKELY(--s->used == 0 || s->state == S_FULL))
		sk_mm_slab_settle(m, s, gb);
}

/* Every block of magazine @g comes back; the page goes on gb->mags. */
static void mag_empty(struct mcpu *m, struct magazine *g, struct giveback *gb)
{
	uint32_t n = g->n;

	SK_ASSERT(n <= MAGN, "remote-free magazine overflow");
	for (uint32_t i = 0; i < n; i++) {
		if (i + MAG_AHEAD < n)
			__builtin_prefetch(g->blk[i + MAG_AHEAD], 1);
		block_back(m, g->blk[i], gb);
	}
	g->next = (uintptr_t)gb->mags;
	gb->mags = g;
}

void sk_mm_remote_take(struct mcpu *m, struct giveback *gb)
{
	/* Acquire: pairs with the release CAS in inbox_push. */
	uintptr_t e =
		atomic_exchange_explicit(&m->inbox, 0, memory_order_acquire);

	while (e) {
		void *x = (void *)(e & ~(uintptr_t)MAG_TAG);
		uintptr_t next = *(uintptr_t *)x;

		if (e & MAG_TAG)
			mag_empty(m, x, gb);
		else
			block_back(m, x, gb);
		e = next;
	}
}

/*
 * Remote free that needs a new magazine: slot @o has none, or one for
 * another owner.  Without a page at hand @p goes to its owner alone and the
 * cache is filled for the next ones, without reclaim.
 * Preemption disabled on entry; re-enabled.
 */
static SK_NOINLINE void free_open(struct mcpu *m, struct outslot *o,
				  struct slab *s, void *p)
{
	slot_flush(m, o);
	if (!slot_open(m, o, s->owner)) {
		inbox_push(sk_mm_mcpu_of(m, s->owner), (uintptr_t)p);
		sk_preempt_enable();
		/* The fill may wait for the page allocator's mutex. */
		if (sk_preempt_is_enabled())
			sk_mm_page_cache_fill();
		return;
	}
	o->g->blk[0] = p;
	o->g->n = 1;
	o->bytes = s->size;
	sk_preempt_enable();
}

void sk_mm_remote_free(struct mcpu *m, struct slab *s, void *p)
{
	struct outslot *o = &m->out[s->owner % OUT_SLOTS];
	struct magazine *g = o->g;
	uint32_t n;

	if (SK_UNLIKELY(!g || o->cpu != s->owner)) {
		free_open(m, o, s, p);
		return;
	}
	n = g->n;
	g->blk[n++] = p;
	g->n = n;
	o->bytes += s->size;
	if (SK_UNLIKELY(n == MAGN || o->bytes >= MAG_BYTES))
		slot_flush(m, o);
	sk_preempt_enable();
}
