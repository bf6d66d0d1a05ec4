// SPDX-License-Identifier: MIT
/*
 * The dentry cache: (directory vnode, name) -> child vnode, or "no such
 * name" (a negative entry, child NULL), in a fixed-size RCU hash table
 * (dcache.h).  Lookups are lock-free and inline in the walker.  Callers
 * add and drop a directory's entries under that directory's dlock
 * (immutable filesystems add without it); the mount's dcache_lock guards
 * the per-mount list (newest first), used to trim the cache and to empty
 * it at unmount, and refuses additions once the mount is dying.  The
 * table's own lock, innermost, serialises chain changes.  A dentry holds
 * a reference on its directory and on its child, so neither can be freed
 * (and its address reused under a stale key) while it is cached, and a
 * vnode reached through the cache stays allocated until a grace period
 * after the dentry is dropped.  Every filesystem keeps one vnode per
 * object, so a dropped dentry is only a cache miss: trimming (trim.c) is
 * safe at any time.
 *
 * Chain link state (each hnext and bucket head), changed under the table
 * lock:  e1 --insert at head (release)--> d->e1;  p->d->e --remove
 * (release)--> p->e, and d keeps its link for readers standing on it
 * until its grace period ends;  p->old->e --replace (release)--> p->d->e.
 */
#include <errno.h>
#include <string.h>

#include <plat/entropy.h>

#include "dcache.h"

struct vfs_dtable *sk_vfs_dtable;
static struct sk_mutex dt_lock; /* chain changes; innermost */
uint64_t sk_vfs_dcache_seed;
atomic_size_t sk_vfs_dcache_count;
atomic_size_t sk_vfs_dcache_negative;

enum { DT_MIN_BUCKETS = 256 };

/* One bucket per two entries of the bound, as a power of two. */
int sk_vfs_dcache_init(size_t limit)
{
	size_t n = DT_MIN_BUCKETS;

	sk_vfs_dcache_limit_init(limit);
	if (!limit)
		limit = VFS_DCACHE_LIMIT_DEFAULT;
	while (n < limit / 2 && n < ((size_t)1 << 24))
		n *= 2;
	sk_vfs_dtable = sk_vfs_zalloc(sizeof(*sk_vfs_dtable) +
				      n * sizeof(sk_vfs_dtable->bucket[0]));
	if (!sk_vfs_dtable)
		return -ENOMEM;
	sk_vfs_dtable->mask = n - 1;
	sk_mutex_init(&dt_lock);
	if (sk_plat_entropy(&sk_vfs_dcache_seed, sizeof(sk_vfs_dcache_seed)) <
	    0)
		sk_vfs_dcache_seed = 0x243f6a8885a308d3ull;
	return 0;
}

/* Caller holds dt_lock.  The link that points at @d. */
static _Atomic(struct vfs_dentry *) *dt_link_to(struct vfs_dentry *d)
{
	_Atomic(struct vfs_dentry *) *pp =
		&sk_vfs_dtable->bucket[d->hash & sk_vfs_dtable->mask];
	struct vfs_dentry *e;

	while ((e = atomic_load_explicit(pp, memory_order_relaxed)) != d)
		pp = &e->hnext;
	return pp;
}

enum dt_mode { DT_REPLACE_NEGATIVE, DT_REPLACE_POSITIVE };

/*
 * Put @d in the table; an entry with its key is replaced if it is of the
 * kind @mode names.  Return: 0 added; 1 replaced *@old (unhashed now);
 * -EEXIST not added.  Caller holds the mount's dcache_lock.
 */
static int dt_add(struct vfs_dentry *d, enum dt_mode mode,
		  struct vfs_dentry **old)
{
	struct vfs_dtable *t = sk_vfs_dtable;
	_Atomic(struct vfs_dentry *) *head = &t->bucket[d->hash & t->mask];
	struct vfs_dentry *o;
	int ret = -EEXIST;

	sk_mutex_lock(&dt_lock);
	o = vfs_dcache_find(d->dir, d->name, d->len, d->hash);
	if (!o) {
		atomic_store_explicit(
			&d->hnext,
			atomic_load_explicit(head, memory_order_relaxed),
			memory_order_relaxed);
		/* release: publishes @d's fields to vfs_dcache_find. */
		atomic_store_explicit(head, d, memory_order_release);
		ret = 0;
	} else if ((mode == DT_REPLACE_POSITIVE) == (o->child != NULL)) {
		atomic_store_explicit(
			&d->hnext,
			atomic_load_explicit(&o->hnext, memory_order_relaxed),
			memory_order_relaxed);
		/* release: as above; readers on @o still follow its link. */
		atomic_store_explicit(dt_link_to(o), d, memory_order_release);
		*old = o;
		ret = 1;
	}
	sk_mutex_unlock(&dt_lock);
	return ret;
}

static void dt_remove(struct vfs_dentry *d)
{
	sk_mutex_lock(&dt_lock);
	/* release: pairs with the walkers' acquire loads of the link. */
	atomic_store_explicit(
		dt_link_to(d),
		atomic_load_explicit(&d->hnext, memory_order_relaxed),
		memory_order_release);
	sk_mutex_unlock(&dt_lock);
}

static void dentry_free_cb(struct vfs_defer *df)
{
	struct vfs_dentry *d = SK_CONTAINER_OF(df, struct vfs_dentry, defer);

	if (d->child)
		sk_vfs_vnode_put(d->child);
	sk_vfs_vnode_put(d->dir);
	sk_vfs_free(d, sizeof(*d) + d->len);
}

/* Caller holds m->dcache_lock; @d was just hashed. */
static void dentry_link_locked(struct vfs_mount *m, struct vfs_dentry *d)
{
	d->mprev = NULL;
	d->mnext = m->dentries;
	if (d->mnext)
		d->mnext->mprev = d;
	else
		m->dentries_tail = d;
	m->dentries = d;
	d->dir->dchildren++;
	atomic_fetch_add_explicit(&sk_vfs_dcache_count, 1,
				  memory_order_relaxed);
	if (!d->child)
		atomic_fetch_add_explicit(&sk_vfs_dcache_negative, 1,
					  memory_order_relaxed);
}

/* Caller holds m->dcache_lock; @d is out of the table. */
static void dentry_unlink_locked(struct vfs_mount *m, struct vfs_dentry *d)
{
	if (d->mprev)
		d->mprev->mnext = d->mnext;
	else
		m->dentries = d->mnext;
	if (d->mnext)
		d->mnext->mprev = d->mprev;
	else
		m->dentries_tail = d->mprev;
	d->dir->dchildren--;
	atomic_fetch_sub_explicit(&sk_vfs_dcache_count, 1,
				  memory_order_relaxed);
	if (!d->child)
		atomic_fetch_sub_explicit(&sk_vfs_dcache_negative, 1,
					  memory_order_relaxed);
	sk_vfs_defer(&d->defer, dentry_free_cb);
}

/* Caller holds m->dcache_lock. */
void sk_vfs_dentry_evict_locked(struct vfs_mount *m, struct vfs_dentry *d)
{
	dt_remove(d);
	dentry_unlink_locked(m, d);
}

static struct vfs_dentry *dentry_new(struct sk_vnode *dir, const char *name,
				     size_t len, struct sk_vnode *child)
{
	struct vfs_dentry *d = sk_vfs_alloc(sizeof(*d) + len);

	if (!d)
		return NULL;
	d->hash = vfs_hash_final(vfs_hash_name(name, len), dir);
	d->dir = dir;
	d->child = child;
	d->len = (uint16_t)len;
	atomic_init(&d->hnext, NULL);
	atomic_init(&d->used, 0);
	memcpy(d->name, name, len);
	sk_vfs_vnode_get(dir);
	if (child)
		sk_vfs_vnode_get(child);
	return d;
}

static void dentry_discard(struct vfs_dentry *d)
{
	if (d->child)
		sk_vfs_vnode_put(d->child);
	sk_vfs_vnode_put(d->dir);
	sk_vfs_free(d, sizeof(*d) + d->len);
}

/* Hash @d, replacing an entry of kind @mode.  Return: as dt_add. */
static int dentry_insert(struct vfs_dentry *d, enum dt_mode mode)
{
	struct vfs_mount *m = d->dir->mnt;
	struct vfs_dentry *old = NULL;
	int ret = -ENOENT;

	sk_mutex_lock(&m->dcache_lock);
	/* umount sets @dying before it empties the list under this lock. */
	if (!atomic_load_explicit(&m->dying, memory_order_relaxed))
		ret = dt_add(d, mode, &old);
	if (ret >= 0)
		dentry_link_locked(m, d);
	if (ret == 1)
		dentry_unlink_locked(m, old);
	sk_mutex_unlock(&m->dcache_lock);
	if (ret < 0)
		dentry_discard(d);
	else if (ret == 0)
		sk_vfs_dcache_check_bound();
	return ret;
}

/*
 * Cache @child (NULL: a negative entry) under @name in @dir.  Caller
 * holds dir's dlock (immutable filesystems: nothing), so a positive entry
 * may replace a negative one.  Both get new references.  May trim the
 * cache when it is over its bound.  Return: 0; -EEXIST (already cached);
 * -ENOENT (the mount is being unmounted); -ENOMEM.
 */
int sk_vfs_dcache_add(struct sk_vnode *dir, const char *name, size_t len,
		      struct sk_vnode *child)
{
	struct vfs_dentry *d = dentry_new(dir, name, len, child);
	int ret;

	if (!d) {
		/* A negative entry for the name must not outlive its object. */
		if (child)
			sk_vfs_dcache_drop(dir, name, len);
		return -ENOMEM;
	}
	ret = dentry_insert(d, DT_REPLACE_NEGATIVE);
	return ret < 0 ? ret : 0;
}

/*
 * Caller holds dir's dlock and has just removed @name: replace its entry
 * (or none) by a negative one, as Linux's d_delete does, so the next
 * lookup of the name needs no filesystem call.
 */
void sk_vfs_dcache_negate(struct sk_vnode *dir, const char *name, size_t len)
{
	struct vfs_dentry *d = dentry_new(dir, name, len, NULL);

	if (!d)
		sk_vfs_dcache_drop(dir, name, len);
	else
		(void)dentry_insert(d, DT_REPLACE_POSITIVE);
}

/* Caller holds dir's dlock.  Drops a positive or negative entry. */
void sk_vfs_dcache_drop(struct sk_vnode *dir, const char *name, size_t len)
{
	struct vfs_mount *m = dir->mnt;
	struct vfs_dentry *d;

	sk_mutex_lock(&m->dcache_lock);
	sk_rcu_read_lock();
	d = vfs_dcache_find(dir, name, len,
			    vfs_hash_final(vfs_hash_name(name, len), dir));
	sk_rcu_read_unlock();
	/* Removals hold dcache_lock: @d is still in the table. */
	if (d)
		sk_vfs_dentry_evict_locked(m, d);
	sk_mutex_unlock(&m->dcache_lock);
}

/* After umount set @dying: nothing is added any more. */
void sk_vfs_dcache_drop_mount(struct vfs_mount *m)
{
	sk_mutex_lock(&m->dcache_lock);
	while (m->dentries)
		sk_vfs_dentry_evict_locked(m, m->dentries);
	sk_mutex_unlock(&m->dcache_lock);
}
