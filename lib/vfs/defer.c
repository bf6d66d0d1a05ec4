// SPDX-License-Identifier: MIT
/*
 * Batched RCU frees.  Closing a file or dropping a dentry or vnode must
 * free memory only after a grace period, but one sk_call_rcu() per object
 * wakes lib/rcu's callback thread each time, which costs more than the
 * whole VFS operation.  Objects are instead pushed on a lock-free list
 * (callable from RCU callbacks: no lock, no blocking); every BATCH pushes
 * the whole list goes to sk_call_rcu() as one callback, riding on the
 * rcu head of its newest member.  Every object in a batch was unlinked
 * before the batch's sk_call_rcu(), so one grace period covers them all.
 *
 * pending: NULL --push (CAS, release)--> list --flush (xchg, acquire)--> NULL
 */
#include "vfs_impl.h"

enum { BATCH = 128 };

static _Atomic(struct vfs_defer *) pending;
static atomic_uint npending;

static void batch_cb(struct sk_rcu_head *head)
{
	struct vfs_defer *d = SK_CONTAINER_OF(head, struct vfs_defer, rcu);

	while (d) {
		struct vfs_defer *next = d->next;

		d->fn(d);
		d = next;
	}
}

void sk_vfs_defer_flush(void)
{
	/* acquire: pairs with the release CAS in sk_vfs_defer. */
	struct vfs_defer *list =
		atomic_exchange_explicit(&pending, NULL, memory_order_acquire);

	atomic_store_explicit(&npending, 0, memory_order_relaxed);
	if (list)
		sk_call_rcu(&list->rcu, batch_cb);
}

void sk_vfs_defer(struct vfs_defer *d, void (*fn)(struct vfs_defer *d))
{
	struct vfs_defer *old =
		atomic_load_explicit(&pending, memory_order_relaxed);

	d->fn = fn;
	do {
		d->next = old;
		/* release: publishes d's fields to the flusher. */
	} while (!atomic_compare_exchange_weak_explicit(
		&pending, &old, d, memory_order_release, memory_order_relaxed));
	if (atomic_fetch_add_explicit(&npending, 1, memory_order_relaxed) + 1 >=
	    BATCH)
		sk_vfs_defer_flush();
}
