// SPDX-License-Identifier: MIT
/*
 * The dentry cache: (directory vnode, name) -> child vnode, in lib/rcu's
 * resizable RCU hash table.  Lookups are lock-free (inside the walker's
 * read-side section).  Callers add and drop a directory's entries under
 * that directory's dlock (rofs, immutable, adds without it); the mount's
 * dcache_lock guards the per-mount list used to empty the cache at
 * unmount, and refuses additions once the mount is dying.  A dentry holds
 * a reference on its child, so a vnode reached through the cache stays
 * allocated until a grace period after the dentry is dropped.  No
 * negative entries: a miss goes to the filesystem.
 */
#include <errno.h>
#include <string.h>

#include <plat/entropy.h>

#include "vfs_impl.h"

struct vfs_dentry {
	struct sk_rcu_hnode hn;
	struct sk_vnode *dir; /* imm; not referenced (see above) */
	struct sk_vnode *child; /* imm; holds a reference */
	struct vfs_dentry *mnext, *mprev; /* dir->mnt->dcache_lock */
	struct vfs_defer defer;
	uint16_t len; /* imm */
	char name[]; /* imm */
};

struct dkey {
	const struct sk_vnode *dir;
	const char *name;
	size_t len;
};

static struct sk_rcu_hash dcache;
static uint64_t dcache_seed;

static bool dentry_match(const struct sk_rcu_hnode *node, const void *key)
{
	const struct vfs_dentry *d =
		SK_CONTAINER_OF(node, const struct vfs_dentry, hn);
	const struct dkey *k = key;

	return d->dir == k->dir && d->len == k->len &&
	       memcmp(d->name, k->name, k->len) == 0;
}

/* FNV-1a over the name, seeded with a boot-time key and the dir pointer,
 * then a murmur3 finaliser so every bit of the index depends on it. */
static uint64_t dentry_hash(const struct sk_vnode *dir, const char *name,
			    size_t len)
{
	uint64_t h = dcache_seed ^
		     ((uint64_t)(uintptr_t)dir * 0x9e3779b97f4a7c15ull);

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)name[i];
		h *= 0x100000001b3ull;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

static void *dc_alloc(size_t len, void *ctx)
{
	(void)ctx;
	return sk_vfs_alloc(len);
}

static void dc_free(void *p, size_t len, void *ctx)
{
	(void)ctx;
	sk_vfs_free(p, len);
}

int sk_vfs_dcache_init(void)
{
	static const struct sk_rcu_hash_mem_ops mem = {
		.alloc = dc_alloc,
		.free = dc_free,
	};
	struct sk_rcu_hash_attr attr = {
		.match = dentry_match,
		.mem = &mem,
		.nbuckets = 256,
		.min_buckets = 256,
		.flags = SK_RCU_HASH_AUTO_RESIZE,
	};

	if (sk_plat_entropy(&dcache_seed, sizeof(dcache_seed)) < 0)
		dcache_seed = 0x243f6a8885a308d3ull;
	return sk_rcu_hash_init(&dcache, &attr);
}

/* Context: inside sk_rcu_read_lock(); the result is not referenced. */
struct sk_vnode *sk_vfs_dcache_lookup(struct sk_vnode *dir, const char *name,
				      size_t len)
{
	struct dkey k = { dir, name, len };
	struct sk_rcu_hnode *n;

	n = sk_rcu_hash_lookup(&dcache, dentry_hash(dir, name, len), &k);
	if (!n)
		return NULL;
	return SK_CONTAINER_OF(n, struct vfs_dentry, hn)->child;
}

static void dentry_free_cb(struct vfs_defer *df)
{
	struct vfs_dentry *d = SK_CONTAINER_OF(df, struct vfs_dentry, defer);

	sk_vfs_vnode_put(d->child);
	sk_vfs_free(d, sizeof(*d) + d->len);
}

/*
 * Caller holds dir's dlock (immutable filesystems: nothing).  @child gets
 * a new reference.  Return: 0; -EEXIST (already cached); -ENOENT (the
 * mount is being unmounted); -ENOMEM.
 */
int sk_vfs_dcache_add(struct sk_vnode *dir, const char *name, size_t len,
		      struct sk_vnode *child)
{
	struct vfs_mount *m = dir->mnt;
	struct dkey k = { dir, name, len };
	struct vfs_dentry *d = sk_vfs_alloc(sizeof(*d) + len);
	int err = -ENOENT;

	if (!d)
		return -ENOMEM;
	d->dir = dir;
	d->child = child;
	d->len = (uint16_t)len;
	memcpy(d->name, name, len);
	sk_vfs_vnode_get(child);
	sk_mutex_lock(&m->dcache_lock);
	/* umount sets @dying before it empties the list under this lock. */
	if (!atomic_load_explicit(&m->dying, memory_order_relaxed))
		err = sk_rcu_hash_insert(&dcache, &d->hn,
					 dentry_hash(dir, name, len), &k);
	if (!err) {
		d->mprev = NULL;
		d->mnext = m->dentries;
		if (d->mnext)
			d->mnext->mprev = d;
		m->dentries = d;
	}
	sk_mutex_unlock(&m->dcache_lock);
	if (err) {
		sk_vfs_vnode_put(child);
		sk_vfs_free(d, sizeof(*d) + len);
	}
	return err;
}

/* Caller holds m->dcache_lock. */
static void dentry_unhash_locked(struct vfs_mount *m, struct vfs_dentry *d)
{
	sk_rcu_hash_remove(&dcache, &d->hn);
	if (d->mprev)
		d->mprev->mnext = d->mnext;
	else
		m->dentries = d->mnext;
	if (d->mnext)
		d->mnext->mprev = d->mprev;
	sk_vfs_defer(&d->defer, dentry_free_cb);
}

/* Caller holds dir's dlock. */
void sk_vfs_dcache_drop(struct sk_vnode *dir, const char *name, size_t len)
{
	struct vfs_mount *m = dir->mnt;
	struct dkey k = { dir, name, len };
	struct sk_rcu_hnode *n;

	sk_mutex_lock(&m->dcache_lock);
	sk_rcu_read_lock();
	n = sk_rcu_hash_lookup(&dcache, dentry_hash(dir, name, len), &k);
	sk_rcu_read_unlock();
	/* Removals hold dcache_lock: n is still in the table. */
	if (n)
		dentry_unhash_locked(m,
				     SK_CONTAINER_OF(n, struct vfs_dentry, hn));
	sk_mutex_unlock(&m->dcache_lock);
}

/* After umount set @dying: nothing is added any more. */
void sk_vfs_dcache_drop_mount(struct vfs_mount *m)
{
	sk_mutex_lock(&m->dcache_lock);
	while (m->dentries)
		dentry_unhash_locked(m, m->dentries);
	sk_mutex_unlock(&m->dcache_lock);
}
