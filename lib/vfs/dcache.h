/* SPDX-License-Identifier: MIT */
/*
 * lib/vfs dentry cache internals shared by dcache.c (the table), trim.c
 * (the bound and the trimmer) and path.c (the walker hashes each name as
 * it scans it, so the lookup does not read the name twice).
 */
#ifndef VFS_DCACHE_H
#define VFS_DCACHE_H

#include "vfs_impl.h"

/* One cached name.  "imm" fields never change once it is in the table. */
struct vfs_dentry {
	_Atomic(struct vfs_dentry *) hnext; /* bucket chain; table lock */
	uint64_t hash; /* imm */
	struct sk_vnode *dir; /* imm; holds a reference */
	struct sk_vnode *child; /* imm; holds a reference; NULL: negative */
	struct vfs_dentry *mnext, *mprev; /* dir->mnt->dcache_lock */
	struct vfs_defer defer;
	atomic_uchar used; /* set by lookups, cleared by the trimmer */
	uint16_t len; /* imm */
	char name[]; /* imm */
};

/*
 * The table: a fixed power-of-two array of RCU-protected chains, sized
 * from the bound at sk_vfs_init (the cache is bounded, so it never needs
 * to grow).  Readers walk a chain inside sk_rcu_read_lock(); writers
 * hold the table lock.
 */
struct vfs_dtable {
	size_t mask;
	_Atomic(struct vfs_dentry *) bucket[];
};

extern struct vfs_dtable *sk_vfs_dtable; /* set once by sk_vfs_dcache_init */

enum { VFS_DCACHE_LIMIT_DEFAULT = 65536, VFS_DCACHE_LIMIT_MIN = 16 };

extern uint64_t sk_vfs_dcache_seed; /* written once by sk_vfs_dcache_init */
extern atomic_size_t sk_vfs_dcache_count; /* entries in the table */
extern atomic_size_t sk_vfs_dcache_negative; /* of which negative */

/* FNV-1a, one byte at a time, from the boot-time seed. */
static inline uint64_t vfs_hash_byte(uint64_t h, unsigned char c)
{
	return (h ^ c) * 0x100000001b3ull;
}

static inline uint64_t vfs_hash_name(const char *name, size_t len)
{
	uint64_t h = sk_vfs_dcache_seed;

	for (size_t i = 0; i < len; i++)
		h = vfs_hash_byte(h, (unsigned char)name[i]);
	return h;
}

/* Mix in the directory, then a murmur3 finaliser over every bit. */
static inline uint64_t vfs_hash_final(uint64_t h, const struct sk_vnode *dir)
{
	h ^= (uint64_t)(uintptr_t)dir * 0x9e3779b97f4a7c15ull;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

/*
 * The entry for (@dir, @name), hashed: @hash = vfs_hash_final(...), or
 * NULL.  Inline, so the walker's step costs no call and no indirect
 * match.  Context: inside sk_rcu_read_lock(), or holding the table lock.
 */
static inline struct vfs_dentry *vfs_dcache_find(const struct sk_vnode *dir,
						 const char *name, size_t len,
						 uint64_t hash)
{
	struct vfs_dtable *t = sk_vfs_dtable;
	struct vfs_dentry *d;

	/* acquire: pairs with the release stores that publish entries. */
	d = atomic_load_explicit(&t->bucket[hash & t->mask],
				 memory_order_acquire);
	for (; d; d = atomic_load_explicit(&d->hnext, memory_order_acquire)) {
		size_t i = 0;

		if (d->hash != hash || d->dir != dir || d->len != len)
			continue;
		while (i < len && d->name[i] == name[i])
			i++;
		if (i == len)
			return d;
	}
	return NULL;
}

/*
 * The cached answer for @name (FNV state @nhash) in @dir.  Return: true
 * if cached, with *@child the vnode, or NULL for "no such name".
 * Context: inside sk_rcu_read_lock(); the result is not referenced.
 */
static inline bool sk_vfs_dcache_lookup(struct sk_vnode *dir, const char *name,
					size_t len, uint64_t nhash,
					struct sk_vnode **child)
{
	struct vfs_dentry *d =
		vfs_dcache_find(dir, name, len, vfs_hash_final(nhash, dir));

	if (!d)
		return false;
	/* The trimmer's second chance; a plain read once it is set. */
	if (!atomic_load_explicit(&d->used, memory_order_relaxed))
		atomic_store_explicit(&d->used, 1, memory_order_relaxed);
	*child = d->child;
	return true;
}

/* dcache.c: caller holds m->dcache_lock. */
void sk_vfs_dentry_evict_locked(struct vfs_mount *m, struct vfs_dentry *d);

/* trim.c: trim (without waiting for the mount table) when over bound. */
void sk_vfs_dcache_check_bound(void);
void sk_vfs_dcache_limit_init(size_t limit);

#endif
