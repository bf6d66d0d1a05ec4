/* SPDX-License-Identifier: MIT */
/*
 * A lock-free single-producer/single-consumer ring of pointers: the queue
 * under every net channel.  Power-of-two size, free-running 32-bit indices,
 * producer and consumer fields on separate cache lines, each side keeping a
 * cached copy of the other's index so it touches the other line only when
 * its copy says "full" or "empty".  The fast path is plain loads and
 * stores with acquire/release: no read-modify-write, no fence.
 *
 * Index states (both free-running, compared modulo 2^32):
 *   head  written by the producer only: slots [tail, head) hold objects.
 *   tail  written by the consumer only: slots [head, tail + size) are free.
 *   0 <= head - tail <= size always.
 *
 * Who may run concurrently on one ring:
 *   push* || pop*           (one producer thread, one consumer thread)
 *   push* || push*          never (single producer)
 *   pop*  || pop*           never (single consumer)
 *   count/is_empty: either side, a snapshot.
 * The producer or consumer role may move to another thread only through a
 * happens-before edge (a release/acquire pair, a mutex, a join).
 */
#ifndef NETCHAN_RING_H
#define NETCHAN_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <plat/compiler.h>

enum {
	SK_RING_SIZE_MIN = 2,
	SK_RING_SIZE_MAX = 1u << 30,
};

struct sk_ring {
	/* Producer's line: written by the producer, read by the consumer
	 * only when its cached head runs out. */
	SK_CACHE_ALIGNED _Atomic uint32_t head;
	uint32_t cached_tail; /* producer only */
	uint32_t pmask; /* read-only copy of size - 1 */
	void **pslots; /* read-only copy */
	/* Consumer's line. */
	SK_CACHE_ALIGNED _Atomic uint32_t tail;
	uint32_t cached_head; /* consumer only */
	uint32_t cmask;
	void **cslots;
	/* Keep the next object off the consumer's line. */
	SK_CACHE_ALIGNED char pad_[1];
};

/*
 * sk_ring_init - make @r an empty ring over @slots[0..@size).  No
 * allocation: @slots belongs to the caller and must outlive the ring.
 * Return: 0; -EINVAL if @size is not a power of two in
 *         [SK_RING_SIZE_MIN, SK_RING_SIZE_MAX] or a pointer is NULL.
 * Context: any; before the ring is shared.
 */
int sk_ring_init(struct sk_ring *r, void **slots, uint32_t size);

/* sk_ring_size - number of slots.  Context: any. */
static inline uint32_t sk_ring_size(const struct sk_ring *r)
{
	return r->pmask + 1;
}

/*
 * Internal: copy @n pointers, four per step.  The 0-3 left over are
 * copied by tests, not a loop, which compilers would turn into a call
 * to memcpy: that call costs more than the copy for one packet.
 */
static inline void sk_ring_copy_(void **dst, void *const *src, unsigned n)
{
	unsigned i = 0;

	for (; i + 4 <= n; i += 4) {
		dst[i] = src[i];
		dst[i + 1] = src[i + 1];
		dst[i + 2] = src[i + 2];
		dst[i + 3] = src[i + 3];
	}
	if (i < n)
		dst[i] = src[i];
	if (i + 1 < n)
		dst[i + 1] = src[i + 1];
	if (i + 2 < n)
		dst[i + 2] = src[i + 2];
}

/*
 * sk_ring_push_burst - append up to @n objects from @objs, in order.
 * Return: how many were appended (0..@n); the rest did not fit.
 * Ordering: release on head (pairs with the consumer's acquire in
 *           sk_ring_pop_burst), so the objects' contents are visible to
 *           the consumer that pops them.
 * Context: the producer.
 */
static inline unsigned sk_ring_push_burst(struct sk_ring *r, void *const *objs,
					  unsigned n)
{
	uint32_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	uint32_t size = r->pmask + 1;
	uint32_t room = size - (head - r->cached_tail);
	uint32_t idx;

	if (SK_UNLIKELY(room < n)) {
		/* acquire: the consumer finished reading the slots it freed
		 * (pairs with the release store of tail in pop). */
		r->cached_tail =
			atomic_load_explicit(&r->tail, memory_order_acquire);
		room = size - (head - r->cached_tail);
		if (n > room)
			n = room;
		if (n == 0)
			return 0; /* no store: keep our line unshared */
	}
	idx = head & r->pmask;
	if (SK_LIKELY(idx + n <= size)) {
		sk_ring_copy_(r->pslots + idx, objs, n);
	} else {
		sk_ring_copy_(r->pslots + idx, objs, size - idx);
		sk_ring_copy_(r->pslots, objs + (size - idx), n - (size - idx));
	}
	/* release: slot contents before the new head (pairs with pop). */
	atomic_store_explicit(&r->head, head + n, memory_order_release);
	return n;
}

/*
 * sk_ring_pop_burst - take up to @n objects, oldest first, into @objs.
 * Return: how many were taken (0..@n).
 * Ordering: acquire on head (pairs with the release in push); release on
 *           tail (pairs with the producer's acquire of tail), so a slot is
 *           reused only after it was read.
 * Context: the consumer.
 */
static inline unsigned sk_ring_pop_burst(struct sk_ring *r, void **objs,
					 unsigned n)
{
	uint32_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	uint32_t avail = r->cached_head - tail;
	uint32_t idx, size;

	if (avail < n) {
		/* acquire: pairs with the release store of head in push. */
		r->cached_head =
			atomic_load_explicit(&r->head, memory_order_acquire);
		avail = r->cached_head - tail;
		if (n > avail)
			n = avail;
		if (n == 0)
			return 0; /* no store: keep our line unshared */
	}
	idx = tail & r->cmask;
	size = r->cmask + 1;
	if (SK_LIKELY(idx + n <= size)) {
		sk_ring_copy_(objs, r->cslots + idx, n);
	} else {
		sk_ring_copy_(objs, r->cslots + idx, size - idx);
		sk_ring_copy_(objs + (size - idx), r->cslots, n - (size - idx));
	}
	/* release: our slot reads before the producer may refill them. */
	atomic_store_explicit(&r->tail, tail + n, memory_order_release);
	return n;
}

/* sk_ring_push / sk_ring_pop - one object.  Return: true on success. */
static inline bool sk_ring_push(struct sk_ring *r, void *obj)
{
	return sk_ring_push_burst(r, &obj, 1) == 1;
}

static inline bool sk_ring_pop(struct sk_ring *r, void **obj)
{
	return sk_ring_pop_burst(r, obj, 1) == 1;
}

/*
 * sk_ring_count - objects queued, as a snapshot (acquire loads of both
 * indices: pairs with the release stores in push and pop).
 * Context: any; exact for the consumer as a lower bound, for the producer
 * as an upper bound.
 */
static inline uint32_t sk_ring_count(const struct sk_ring *r)
{
	uint32_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	uint32_t head = atomic_load_explicit(&r->head, memory_order_acquire);

	return head - tail;
}

/* sk_ring_is_empty - sk_ring_count() == 0.  Context: any. */
static inline bool sk_ring_is_empty(const struct sk_ring *r)
{
	return sk_ring_count(r) == 0;
}

#endif
