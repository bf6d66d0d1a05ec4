/* SPDX-License-Identifier: MIT */
/*
 * Private to lib/sync: the pool of waiter records for timed mutex locks.
 * A timed-out waiter leaves its record in the mutex queue for the next
 * consumer to reap, so that record cannot live on the waiter's stack.
 */
#ifndef SYNC_POOL_H
#define SYNC_POOL_H

#include "waiter.h"

enum { SK_SYNC_POOL_SIZE = 1024 };

/*
 * sk_sync_pool_get - take a free record.
 * Return: the record; NULL when all SK_SYNC_POOL_SIZE are in use.
 * Ordering: acquire (pairs with the release in sk_sync_pool_put).
 * Context: any; lock-free.
 */
struct sk_sync_waiter *sk_sync_pool_get(void);

/*
 * sk_sync_pool_put - return a record taken by sk_sync_pool_get().
 * Context: any; lock-free.
 */
void sk_sync_pool_put(struct sk_sync_waiter *w);

#endif
