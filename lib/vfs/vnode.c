// SPDX-License-Identifier: MIT
/*
 * Vnodes: creation, references and attributes.  A vnode is freed one RCU
 * grace period after its last reference goes, so lock-free path walkers
 * may read the immutable fields of any vnode they reached inside their
 * read-side section, and take a reference with sk_vfs_vnode_tryget().
 *
 * ref state table:
 *   n > 0 --get/tryget--> n+1;  n > 1 --put--> n-1
 *   1 --put--> 0: release deferred past a grace period (terminal: tryget
 *   fails from here on; the memory stays valid until the callback runs).
 */
#include <errno.h>
#include <string.h>

#include <plat/assert.h>

#include "vfs_impl.h"

int sk_vfs_vnode_create(struct vfs_mount *m, uint32_t mode,
			const struct vfs_vnode_ops *ops, struct sk_vnode **out)
{
	struct sk_vnode *vn = sk_vfs_zalloc(sizeof(*vn));
	int64_t now = sk_vfs_now_ns();

	if (!vn)
		return -ENOMEM;
	atomic_init(&vn->ref, 1);
	vn->type = mode & SK_S_IFMT;
	vn->perm = mode & SK_S_IPERM;
	vn->mnt = m;
	vn->ops = ops;
	vn->ino = atomic_fetch_add_explicit(&m->next_ino, 1,
					    memory_order_relaxed);
	vn->nlink = 1;
	vn->atime_ns = vn->mtime_ns = vn->ctime_ns = now;
	sk_mutex_init(&vn->lock);
	sk_mutex_init(&vn->dlock);
	atomic_fetch_add_explicit(&m->nvnodes, 1, memory_order_relaxed);
	*out = vn;
	return 0;
}

void sk_vfs_vnode_get(struct sk_vnode *vn)
{
	unsigned old =
		atomic_fetch_add_explicit(&vn->ref, 1, memory_order_relaxed);

	SK_ASSERT(old > 0, "vnode get of a dead vnode");
}

bool sk_vfs_vnode_tryget(struct sk_vnode *vn)
{
	unsigned old = atomic_load_explicit(&vn->ref, memory_order_relaxed);

	do {
		if (old == 0)
			return false;
	} while (!atomic_compare_exchange_weak_explicit(&vn->ref, &old, old + 1,
							memory_order_relaxed,
							memory_order_relaxed));
	return true;
}

static void vnode_free_cb(struct vfs_defer *d)
{
	struct sk_vnode *vn = SK_CONTAINER_OF(d, struct sk_vnode, defer);
	struct vfs_mount *m = vn->mnt;
	struct sk_vnode *parent;

	if (vn->ops->release)
		vn->ops->release(vn);
	parent = atomic_load_explicit(&vn->parent, memory_order_relaxed);
	sk_vfs_strfree(vn->link);
	sk_vfs_free(vn, sizeof(*vn));
	if (parent)
		sk_vfs_vnode_put(parent);
	/* release: pairs with the acquire in mount_destroy's wait. */
	atomic_fetch_sub_explicit(&m->nvnodes, 1, memory_order_release);
}

void sk_vfs_vnode_put(struct sk_vnode *vn)
{
	/*
	 * acq_rel: release orders this holder's accesses before the free;
	 * acquire (on the last put) sees every other holder's.
	 */
	unsigned old =
		atomic_fetch_sub_explicit(&vn->ref, 1, memory_order_acq_rel);

	SK_ASSERT(old > 0, "vnode put below zero");
	if (old == 1)
		sk_vfs_defer(&vn->defer, vnode_free_cb);
}

unsigned sk_vfs_dirent_type(uint32_t type)
{
	return (type & SK_S_IFMT) >> 12;
}

static void ns_to_ts(int64_t ns, struct sk_timespec *ts)
{
	ts->sec = ns / 1000000000;
	ts->nsec = ns % 1000000000;
	if (ts->nsec < 0) {
		ts->nsec += 1000000000;
		ts->sec--;
	}
}

void sk_vfs_vnode_stat(struct sk_vnode *vn, struct sk_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->dev = vn->mnt->dev;
	st->ino = vn->ino;
	st->rdev = vn->rdev;
	st->blksize = 4096;
	sk_mutex_lock(&vn->lock);
	st->mode = vn->type | vn->perm;
	st->nlink = vn->nlink;
	st->uid = vn->uid;
	st->gid = vn->gid;
	st->size = vn->size;
	st->blocks = vn->blocks;
	ns_to_ts(vn->atime_ns, &st->atim);
	ns_to_ts(vn->mtime_ns, &st->mtim);
	ns_to_ts(vn->ctime_ns, &st->ctim);
	sk_mutex_unlock(&vn->lock);
}

/* Caller holds vn->lock. */
void sk_vfs_vnode_touch(struct sk_vnode *vn, unsigned what)
{
	int64_t now = sk_vfs_now_ns();

	if (what & VFS_TOUCH_A)
		vn->atime_ns = now;
	if (what & VFS_TOUCH_M)
		vn->mtime_ns = now;
	if (what & VFS_TOUCH_C)
		vn->ctime_ns = now;
}
