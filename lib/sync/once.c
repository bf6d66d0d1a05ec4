// SPDX-License-Identifier: MIT
/*
 * Run-once flag (sync/once.h): an acquire load on the fast path, and a
 * skiff mutex to make later callers wait for the one that runs.
 */
#include <sync/once.h>

bool sk_once_is_done(struct sk_once *o)
{
	/* Acquire pairs with the release store below. */
	return atomic_load_explicit(&o->done, memory_order_acquire) != 0;
}

int sk_once(struct sk_once *o, sk_once_fn fn, void *arg)
{
	int ret = 0;

	if (sk_once_is_done(o))
		return 0;
	sk_mutex_lock(&o->m);
	if (!atomic_load_explicit(&o->done, memory_order_relaxed)) {
		ret = fn(arg);
		if (ret == 0)
			/* Release pairs with the acquire in sk_once_is_done. */
			atomic_store_explicit(&o->done, 1,
					      memory_order_release);
	}
	sk_mutex_unlock(&o->m);
	return ret;
}
