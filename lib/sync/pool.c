// SPDX-License-Identifier: MIT
/*
 * The timed-lock record pool: a fixed array handed out first by a bump
 * index, then through a Treiber free list whose head carries a 32-bit tag
 * against ABA.  Lock-free; no allocator below lib/sync is needed.
 *
 * pool_free   low 32 bits: index + 1 of the first free record (0: empty);
 *             high 32 bits: tag, incremented by every successful CAS.
 * pool_bump   records [pool_bump, SIZE) were never handed out.
 */
#include <stdint.h>

#include "pool.h"

static struct sk_sync_waiter pool[SK_SYNC_POOL_SIZE];
static _Atomic uint64_t pool_free;
static atomic_uint pool_bump;

#ifdef SK_SYNC_TEST_HOOKS
unsigned sk_sync_test_pool_limit = SK_SYNC_POOL_SIZE;
#define POOL_LIMIT sk_sync_test_pool_limit
#else
#define POOL_LIMIT SK_SYNC_POOL_SIZE
#endif

static uint64_t pool_head(uint64_t old, uint32_t idx1)
{
	return ((old >> 32) + 1) << 32 | idx1;
}

struct sk_sync_waiter *sk_sync_pool_get(void)
{
	/* Acquire pairs with the release CAS in sk_sync_pool_put. */
	uint64_t h = atomic_load_explicit(&pool_free, memory_order_acquire);

	while ((uint32_t)h != 0) {
		struct sk_sync_waiter *w = &pool[(uint32_t)h - 1];
		/* May be stale if w was taken meanwhile: the tag fails the CAS. */
		uint32_t next = atomic_load_explicit(&w->pool_next,
						     memory_order_relaxed);

		if (atomic_compare_exchange_weak_explicit(
			    &pool_free, &h, pool_head(h, next),
			    memory_order_acquire, memory_order_acquire))
			return w;
	}

	unsigned i = atomic_load_explicit(&pool_bump, memory_order_relaxed);

	while (i < POOL_LIMIT) {
		if (atomic_compare_exchange_weak_explicit(&pool_bump, &i, i + 1,
							  memory_order_relaxed,
							  memory_order_relaxed))
			return &pool[i];
	}
	return NULL;
}

void sk_sync_pool_put(struct sk_sync_waiter *w)
{
	uint32_t idx1 = (uint32_t)(w - pool) + 1;
	uint64_t h = atomic_load_explicit(&pool_free, memory_order_relaxed);

	do {
		atomic_store_explicit(&w->pool_next, (uint32_t)h,
				      memory_order_relaxed);
		/* Release pairs with the acquire CAS in sk_sync_pool_get. */
	} while (!atomic_compare_exchange_weak_explicit(
		&pool_free, &h, pool_head(h, idx1), memory_order_release,
		memory_order_relaxed));
}
