/* SPDX-License-Identifier: MIT */
/*
 * lib/mm heap internals shared by slab.c (per-CPU size-class slabs, the
 * malloc/free fast paths) and remote.c (blocks freed on a CPU that does
 * not own them: magazines and inboxes).  Every field of a slab and of a
 * CPU's pool belongs to that CPU and is used with preemption disabled,
 * except where a field says otherwise.
 */
#ifndef MM_SLAB_INT_H
#define MM_SLAB_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <plat/compiler.h>

#include "malloc_int.h"

enum {
	MCPU_SIZE = 1024,
	OUT_SLOTS = 4, /* outgoing magazines per CPU: owner % OUT_SLOTS */
};

enum slab_state { S_CUR, S_PARTIAL, S_FULL };

/*
 * The header of a slab chunk.  Line 0 is written only when the chunk is
 * formatted and is read by sk_free on every CPU; line 1 holds the owner's
 * working fields (owner CPU only, preemption off), so that allocations on
 * the owner do not invalidate the line other CPUs read when they free.
 */
struct slab {
	uint32_t kind; /* KIND_SLAB */
	uint32_t owner; /* CPU number: compared whole on the free path */
	uint32_t cls, size, nobj;
	SK_CACHE_ALIGNED void *free; /* free list through word 0 */
	uint32_t used; /* handed out and not yet back on this slab */
	uint32_t fresh; /* never handed out, not yet carved */
	uint32_t state; /* enum slab_state */
	struct slab *next, *prev; /* partial list */
};

/* What a preemption-disabled section hands to the page allocator after. */
struct giveback {
	struct slab *slabs; /* empty slabs, linked through next */
	void *mags; /* emptied magazine pages, linked through word 0 */
};

struct magazine;

/* An outgoing magazine and the CPU its blocks belong to. */
struct outslot {
	struct magazine *g; /* NULL: none */
	uint32_t cpu; /* owner of g's blocks */
	uint32_t bytes; /* their sizes added up */
};

/* A CPU's pool; the pools of all CPUs form one array, CPU n at [n]. */
struct mcpu {
	struct slab *cur[NCLS]; /* slab allocated from; &empty: none */
	struct slab *partial[NCLS]; /* slabs with free objects, not cur */
	struct slab *spare; /* one empty chunk kept against thrashing */
	struct outslot out[OUT_SLOTS]; /* remote frees, by owner */
	uint32_t cpu; /* this pool's CPU: set at init */
	atomic_size_t slabs; /* owner stores, stats load; never RMW'd */
	atomic_bool has_spare; /* spare != NULL, for reclaim's peek */
	atomic_bool out_pending; /* a magazine is open, for reclaim's peek */
	SK_CACHE_ALIGNED _Atomic(uintptr_t) inbox; /* see remote.c */
} SK_ALIGNED(MCPU_SIZE);

_Static_assert(sizeof(struct slab) <= SLAB_HDR, "slab header too large");
/* A power of two, so that the pool of CPU n is one shift away. */
_Static_assert(sizeof(struct mcpu) == MCPU_SIZE, "struct mcpu size");

/* The pool of CPU @cpu, from any pool @m of the same array. */
static inline struct mcpu *sk_mm_mcpu_of(struct mcpu *m, unsigned cpu)
{
	return m - m->cpu + cpu;
}

/*
 * A block came back to slab @s of @m's CPU: a full slab becomes partial,
 * an empty non-current slab leaves (kept as the spare or queued on @gb).
 * Context: @m's CPU, preemption disabled.
 */
void sk_mm_slab_settle(struct mcpu *m, struct slab *s, struct giveback *gb);

/*
 * Free @p, a block of slab @s, which another CPU owns, on @m's CPU.
 * Context: preemption disabled on entry (by sk_free); re-enabled.
 */
void sk_mm_remote_free(struct mcpu *m, struct slab *s, void *p);
/* Send @m's magazines to their owners.  Preemption disabled. */
void sk_mm_remote_flush(struct mcpu *m);
/* Take back every block other CPUs sent to @m.  Preemption disabled. */
void sk_mm_remote_take(struct mcpu *m, struct giveback *gb);

#endif
