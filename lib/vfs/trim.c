// SPDX-License-Identifier: MIT
/*
 * Dentry cache trimming.  The cache has a bound (sk_vfs_dcache_set_limit,
 * 65536 entries unless the config says otherwise).  An add that takes the
 * count over it trims back to 7/8 of the bound, if the mount table lock
 * is free (try-lock: the adder may hold a dlock, which comes after the
 * mount table in the lock order); sk_vfs_dcache_trim does the same on
 * demand and waits for the lock.
 *
 * A trim sweeps each mount's list oldest first, under that mount's
 * dcache_lock, in passes that stop as soon as the count is low enough:
 *
 * | pass     | evicts                                                 |
 * |----------|--------------------------------------------------------|
 * | negative | every negative entry                                   |
 * | unused   | positive entries not looked up since the last sweep    |
 * |          | (the "used" bit is cleared as the sweep passes: clock) |
 * | any      | every positive entry, repeated while it makes progress |
 *
 * A positive entry is pinned, and never evicted, while its child has
 * cached entries of its own (leaves go first; their parents follow in a
 * later round) or is a mount point.  Eviction unhashes the entry (the
 * table's writers' mutex) and frees it a grace period later, so lock-free
 * walkers standing on it are unaffected; a walker that then misses asks
 * the filesystem again, which returns the same vnode (every filesystem
 * keeps one vnode per object).
 *
 * "used" bit: 0 --lookup (relaxed store)--> 1 --sweep (exchange)--> 0.
 */
#include <errno.h>

#include "dcache.h"

static atomic_size_t dc_limit = VFS_DCACHE_LIMIT_DEFAULT;
static atomic_ullong dc_trimmed;

enum trim_pass { TRIM_NEGATIVE, TRIM_UNUSED, TRIM_ANY };

/* Caller holds d->dir->mnt->dcache_lock; @d is positive. */
static bool dentry_pinned(const struct vfs_dentry *d)
{
	return d->child->dchildren != 0 ||
	       atomic_load_explicit(&d->child->mounted, memory_order_relaxed);
}

/* One sweep of @m's list, oldest first.  Return: entries evicted. */
static size_t trim_sweep(struct vfs_mount *m, size_t want, enum trim_pass pass)
{
	struct vfs_dentry *d, *prev;
	size_t n = 0;

	sk_mutex_lock(&m->dcache_lock);
	for (d = m->dentries_tail; d && n < want; d = prev) {
		prev = d->mprev;
		if (d->child) {
			if (pass == TRIM_NEGATIVE || dentry_pinned(d))
				continue;
			if (pass == TRIM_UNUSED &&
			    atomic_exchange_explicit(&d->used, 0,
						     memory_order_relaxed))
				continue;
		}
		sk_vfs_dentry_evict_locked(m, d);
		n++;
	}
	sk_mutex_unlock(&m->dcache_lock);
	return n;
}

/* Caller holds sk_vfs_mount_lock.  Return: entries evicted. */
static size_t trim_to(size_t target)
{
	size_t done = 0, cnt, n;
	bool progress;

	for (int pass = TRIM_NEGATIVE; pass <= TRIM_ANY; pass++) {
		do {
			progress = false;
			for (struct vfs_mount *m = sk_vfs_mounts; m;
			     m = m->next) {
				cnt = atomic_load_explicit(
					&sk_vfs_dcache_count,
					memory_order_relaxed);
				if (cnt <= target)
					goto out;
				n = trim_sweep(m, cnt - target,
					       (enum trim_pass)pass);
				done += n;
				progress |= n != 0;
			}
		} while (pass == TRIM_ANY && progress);
	}
out:
	atomic_fetch_add_explicit(&dc_trimmed, done, memory_order_relaxed);
	return done;
}

void sk_vfs_dcache_check_bound(void)
{
	size_t limit = atomic_load_explicit(&dc_limit, memory_order_relaxed);

	if (atomic_load_explicit(&sk_vfs_dcache_count, memory_order_relaxed) <=
	    limit)
		return;
	if (sk_mutex_try_lock(&sk_vfs_mount_lock))
		return;
	trim_to(limit - limit / 8);
	sk_mutex_unlock(&sk_vfs_mount_lock);
}

void sk_vfs_dcache_limit_init(size_t limit)
{
	if (limit)
		atomic_store_explicit(&dc_limit, limit, memory_order_relaxed);
}

size_t sk_vfs_dcache_trim(size_t target)
{
	size_t n;

	sk_mutex_lock(&sk_vfs_mount_lock);
	n = trim_to(target);
	sk_mutex_unlock(&sk_vfs_mount_lock);
	return n;
}

int sk_vfs_dcache_set_limit(size_t limit)
{
	if (limit < VFS_DCACHE_LIMIT_MIN)
		return -EINVAL;
	atomic_store_explicit(&dc_limit, limit, memory_order_relaxed);
	if (atomic_load_explicit(&sk_vfs_dcache_count, memory_order_relaxed) >
	    limit)
		(void)sk_vfs_dcache_trim(limit - limit / 8);
	return 0;
}

void sk_vfs_dcache_stats(struct sk_vfs_dcache_stats *st)
{
	if (!st)
		return;
	st->entries = atomic_load_explicit(&sk_vfs_dcache_count,
					   memory_order_relaxed);
	st->negative = atomic_load_explicit(&sk_vfs_dcache_negative,
					    memory_order_relaxed);
	st->limit = atomic_load_explicit(&dc_limit, memory_order_relaxed);
	st->trimmed = atomic_load_explicit(&dc_trimmed, memory_order_relaxed);
}
