// SPDX-License-Identifier: MIT
/*
 * rename: both parents are resolved lock-free, then locked: a rename
 * within one directory takes its dlock; one across directories first
 * takes the mount's rename_lock (so no other rename moves a directory
 * while this one checks ancestry and picks a lock order), then both
 * dlocks, an ancestor before its descendant and unrelated ones by
 * address.  A directory being replaced is locked last (it is a child of
 * the new parent and, checked first, no ancestor of the old one).  The
 * checks and the move are then one atomic step for every other
 * namespace operation and for walkers that miss the dcache.  Renames
 * never cross mounts (-EXDEV).
 */
#include <errno.h>

#include "vfs_impl.h"

/* Whether @dir is @vn or lies below it (parents within one mount). */
static bool is_below(struct sk_vnode *dir, struct sk_vnode *vn)
{
	for (struct sk_vnode *p = dir; p;
	     p = atomic_load_explicit(&p->parent, memory_order_relaxed)) {
		if (p == vn)
			return true;
		if (p == p->mnt->root)
			break;
	}
	return false;
}

static int rename_check(struct vfs_nd *o, struct vfs_nd *n,
			struct sk_vnode *ovn, struct sk_vnode *nvn)
{
	bool odir = SK_S_ISDIR(ovn->type);

	if (!odir && (o->trailing_slash || n->trailing_slash))
		return -ENOTDIR;
	/* Linux's order: ancestry, then sameness, then the types. */
	if (odir && is_below(n->dir, ovn))
		return -EINVAL;
	if (nvn && SK_S_ISDIR(nvn->type) && is_below(o->dir, nvn))
		return -ENOTEMPTY;
	if (ovn == nvn)
		return 1;
	if (nvn && odir && !SK_S_ISDIR(nvn->type))
		return -ENOTDIR;
	if (nvn && !odir && SK_S_ISDIR(nvn->type))
		return -EISDIR;
	if (atomic_load_explicit(&ovn->mounted, memory_order_relaxed) ||
	    (nvn && atomic_load_explicit(&nvn->mounted, memory_order_relaxed)))
		return -EBUSY;
	return 0;
}

static void rename_reparent(struct sk_vnode *vn, struct sk_vnode *ndir)
{
	struct sk_vnode *old;

	sk_vfs_vnode_get(ndir);
	/* release: pairs with the acquire in parent_of (path.c). */
	old = atomic_exchange_explicit(&vn->parent, ndir, memory_order_acq_rel);
	if (old)
		sk_vfs_vnode_put(old);
}

static bool dir_is_dead(struct sk_vnode *dir)
{
	bool dead;

	sk_mutex_lock(&dir->lock);
	dead = dir->nlink == 0;
	sk_mutex_unlock(&dir->lock);
	return dead;
}

/* Move ovn over nvn (a reference or NULL); parents locked, checked. */
static int rename_move(struct vfs_nd *o, struct vfs_nd *n, struct sk_vnode *ovn,
		       struct sk_vnode *nvn)
{
	bool vdir = nvn && SK_S_ISDIR(nvn->type);
	int err = 0;

	/* The victim directory must stay empty until it is gone. */
	if (vdir) {
		sk_mutex_lock(&nvn->dlock);
		if (!nvn->ops->is_empty(nvn))
			err = -ENOTEMPTY;
	}
	/* Move first (the step that may fail), then drop the victim: the
	 * filesystem tells the two entries apart by vnode. */
	if (!err)
		err = o->dir->ops->rename(o->dir, o->last, o->last_len, n->dir,
					  n->last, n->last_len, ovn);
	if (!err && nvn)
		err = n->dir->ops->unlink(n->dir, n->last, n->last_len, nvn);
	if (vdir)
		sk_mutex_unlock(&nvn->dlock);
	if (err)
		return err;
	sk_vfs_dcache_drop(n->dir, n->last, n->last_len);
	sk_vfs_dcache_negate(o->dir, o->last, o->last_len);
	if (SK_S_ISDIR(ovn->type) && o->dir != n->dir)
		rename_reparent(ovn, n->dir);
	return 0;
}

static int rename_locked(struct vfs_nd *o, struct vfs_nd *n, unsigned flags)
{
	struct sk_vnode *ovn = NULL, *nvn = NULL;
	int err;

	if (dir_is_dead(n->dir))
		return -ENOENT;
	err = o->dir->ops->lookup(o->dir, o->last, o->last_len, &ovn);
	if (err)
		return err;
	err = n->dir->ops->lookup(n->dir, n->last, n->last_len, &nvn);
	if (err == -ENOENT)
		err = 0;
	/* Linux checks RENAME_NOREPLACE right after the two lookups. */
	if (!err && nvn && (flags & SK_RENAME_NOREPLACE))
		err = -EEXIST;
	if (!err)
		err = rename_check(o, n, ovn, nvn);
	if (!err)
		err = rename_move(o, n, ovn, nvn);
	if (nvn)
		sk_vfs_vnode_put(nvn);
	sk_vfs_vnode_put(ovn);
	return err == 1 ? 0 : err;
}

struct rename_locks {
	struct sk_vnode *first, *second; /* second: NULL within one dir */
	struct vfs_mount *m; /* rename_lock held, or NULL */
};

/* Lock both parents in the order the file comment gives. */
static void rename_lock_dirs(struct vfs_nd *o, struct vfs_nd *n,
			     struct rename_locks *l)
{
	struct sk_vnode *a = o->dir, *b = n->dir;

	l->m = NULL;
	l->second = NULL;
	if (a != b) {
		l->m = a->mnt;
		sk_mutex_lock(&l->m->rename_lock);
		/* Parents are stable now: only cross-directory renames move
		 * directories, and they hold rename_lock. */
		if (is_below(a, b) ||
		    (!is_below(b, a) && (uintptr_t)b < (uintptr_t)a)) {
			a = n->dir;
			b = o->dir;
		}
		l->second = b;
	}
	l->first = a;
	sk_mutex_lock(&a->dlock);
	if (l->second)
		sk_mutex_lock(&b->dlock);
}

static void rename_unlock_dirs(struct rename_locks *l)
{
	if (l->second)
		sk_mutex_unlock(&l->second->dlock);
	sk_mutex_unlock(&l->first->dlock);
	if (l->m)
		sk_mutex_unlock(&l->m->rename_lock);
}

int sk_vfs_rename(const char *oldpath, const char *newpath)
{
	return sk_vfs_rename_at(NULL, oldpath, NULL, newpath, 0);
}

int sk_vfs_rename_at(struct sk_vnode *ostart, const char *oldpath,
		     struct sk_vnode *nstart, const char *newpath,
		     unsigned flags)
{
	struct vfs_nd o, n;
	struct vfs_mount *m;
	int err;

	if (!oldpath || !newpath)
		return -EFAULT;
	err = sk_vfs_walk(ostart, oldpath, VFS_WALK_PARENT, &o);
	if (err)
		return err;
	err = sk_vfs_walk(nstart, newpath, VFS_WALK_PARENT, &n);
	if (err)
		goto out_old;
	m = o.dir->mnt;
	if (m != n.dir->mnt)
		err = -EXDEV;
	else if (o.last_kind != VFS_LAST_NORM)
		err = -EBUSY;
	else if (n.last_kind != VFS_LAST_NORM)
		err = (flags & SK_RENAME_NOREPLACE) ? -EEXIST : -EBUSY;
	else if (sk_vfs_mount_is_rdonly(m))
		err = -EROFS;
	else if (!o.dir->ops->rename)
		err = -EPERM;
	if (!err) {
		struct rename_locks l;

		rename_lock_dirs(&o, &n, &l);
		err = rename_locked(&o, &n, flags);
		rename_unlock_dirs(&l);
	}
	sk_vfs_nd_put(&n);
out_old:
	sk_vfs_nd_put(&o);
	return err;
}
