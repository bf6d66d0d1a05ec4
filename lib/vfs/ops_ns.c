// SPDX-License-Identifier: MIT
/*
 * Namespace operations: mkdir, rmdir, unlink, link, symlink, rename,
 * readlink, chdir.  Each resolves the parent lock-free, then takes that
 * directory's dlock and looks the last name up again under it: the
 * walk's answer is only a hint, the locked lookup is authoritative.  The
 * filesystem changes its directory and the dcache entry is dropped before
 * the dlock is released, and walkers that miss the dcache look up under
 * the same dlock, so none can cache a stale name.  rmdir also holds the
 * victim's dlock (parent first) while it checks emptiness and removes
 * it, so nothing is created in a directory on its way out.
 */
#include <errno.h>
#include <string.h>

#include "vfs_impl.h"

/* The child named nd->last in nd->dir now (a reference), or NULL. */
static int ns_child(struct vfs_nd *nd, struct sk_vnode **child)
{
	struct sk_vnode *dir = nd->dir;
	int err;

	*child = NULL;
	if (nd->last_kind != VFS_LAST_NORM) {
		*child = nd->vn;
		if (*child)
			sk_vfs_vnode_get(*child);
		return 0;
	}
	err = dir->ops->lookup(dir, nd->last, nd->last_len, child);
	return err == -ENOENT ? 0 : err;
}

static bool dir_is_dead(struct sk_vnode *dir)
{
	bool dead;

	sk_mutex_lock(&dir->lock);
	dead = dir->nlink == 0;
	sk_mutex_unlock(&dir->lock);
	return dead;
}

/* Create @last in nd->dir; its dlock held; *@out gets a reference. */
int sk_vfs_ns_create(struct vfs_nd *nd, uint32_t mode, const char *target,
		     struct sk_vnode **out);
int sk_vfs_ns_create(struct vfs_nd *nd, uint32_t mode, const char *target,
		     struct sk_vnode **out)
{
	struct sk_vnode *dir = nd->dir;
	uint32_t sgid;
	int err;

	if (sk_vfs_mount_is_rdonly(dir->mnt))
		return -EROFS;
	if (!dir->ops->create)
		return -EPERM;
	if (dir_is_dead(dir))
		return -ENOENT;
	sk_mutex_lock(&dir->lock);
	sgid = dir->perm & 02000;
	sk_mutex_unlock(&dir->lock);
	/* A setgid directory passes its bit on to new directories. */
	if (sgid && SK_S_ISDIR(mode))
		mode |= 02000;
	err = dir->ops->create(dir, nd->last, nd->last_len, mode, target, out);
	if (err)
		return err;
	(void)sk_vfs_dcache_add(dir, nd->last, nd->last_len, *out);
	return 0;
}

static int mknode(struct sk_vnode *start, const char *path, uint32_t mode,
		  const char *target)
{
	struct sk_vnode *child, *vn;
	struct vfs_nd nd;
	int err;

	err = sk_vfs_walk(start, path, VFS_WALK_PARENT, &nd);
	if (err)
		return err;
	if (nd.last_kind != VFS_LAST_NORM) {
		sk_vfs_nd_put(&nd);
		return -EEXIST;
	}
	sk_mutex_lock(&nd.dir->dlock);
	err = ns_child(&nd, &child);
	if (!err && child) {
		sk_vfs_vnode_put(child);
		err = -EEXIST;
	} else if (!err && nd.trailing_slash && !SK_S_ISDIR(mode)) {
		err = -ENOENT;
	} else if (!err) {
		err = sk_vfs_ns_create(&nd, mode, target, &vn);
		if (!err)
			sk_vfs_vnode_put(vn);
	}
	sk_mutex_unlock(&nd.dir->dlock);
	sk_vfs_nd_put(&nd);
	return err;
}

int sk_vfs_mkdir_at(struct sk_vnode *start, const char *path, uint32_t mode)
{
	return mknode(start, path, SK_S_IFDIR | (mode & 07777), NULL);
}

int sk_vfs_mkdir(const char *path, uint32_t mode)
{
	return sk_vfs_mkdir_at(NULL, path, mode);
}

int sk_vfs_symlink(const char *target, const char *linkpath)
{
	return sk_vfs_symlink_at(target, NULL, linkpath);
}

int sk_vfs_symlink_at(const char *target, struct sk_vnode *start,
		      const char *linkpath)
{
	size_t len;

	if (!target || !linkpath)
		return -EFAULT;
	len = sk_vfs_strnlen(target, SK_PATH_MAX);
	if (len == 0)
		return -ENOENT;
	if (len == SK_PATH_MAX)
		return -ENAMETOOLONG;
	return mknode(start, linkpath, SK_S_IFLNK | 0777, target);
}

/* Checks for removing @child (a reference) from nd->dir; dlocks held. */
static int remove_check(struct vfs_nd *nd, struct sk_vnode *child,
			bool want_dir)
{
	if (want_dir && !SK_S_ISDIR(child->type))
		return -ENOTDIR;
	if (!want_dir && SK_S_ISDIR(child->type))
		return -EISDIR;
	if (!want_dir && nd->trailing_slash)
		return -ENOTDIR;
	if (atomic_load_explicit(&child->mounted, memory_order_relaxed) ||
	    child == child->mnt->root)
		return -EBUSY;
	if (sk_vfs_mount_is_rdonly(nd->dir->mnt))
		return -EROFS;
	if (!nd->dir->ops->unlink)
		return -EPERM;
	if (want_dir && !child->ops->is_empty(child))
		return -ENOTEMPTY;
	return 0;
}

int sk_vfs_remove_at(struct sk_vnode *start, const char *path, bool want_dir)
{
	struct sk_vnode *child;
	struct vfs_nd nd;
	int err;

	err = sk_vfs_walk(start, path, VFS_WALK_PARENT, &nd);
	if (err)
		return err;
	if (nd.last_kind != VFS_LAST_NORM) {
		err = !want_dir				? -EISDIR
		      : nd.last_kind == VFS_LAST_DOT	? -EINVAL
		      : nd.last_kind == VFS_LAST_DOTDOT ? -ENOTEMPTY
							: -EBUSY;
		sk_vfs_nd_put(&nd);
		return err;
	}
	sk_mutex_lock(&nd.dir->dlock);
	err = ns_child(&nd, &child);
	if (!err && !child)
		err = -ENOENT;
	if (!err) {
		bool isdir = SK_S_ISDIR(child->type);

		/* Parent before child: the lock order's ancestor rule. */
		if (isdir)
			sk_mutex_lock(&child->dlock);
		err = remove_check(&nd, child, want_dir);
		if (!err)
			err = nd.dir->ops->unlink(nd.dir, nd.last, nd.last_len,
						  child);
		if (!err)
			sk_vfs_dcache_negate(nd.dir, nd.last, nd.last_len);
		if (isdir)
			sk_mutex_unlock(&child->dlock);
		sk_vfs_vnode_put(child);
	}
	sk_mutex_unlock(&nd.dir->dlock);
	sk_vfs_nd_put(&nd);
	return err;
}

int sk_vfs_rmdir(const char *path)
{
	return sk_vfs_remove_at(NULL, path, true);
}

int sk_vfs_unlink(const char *path)
{
	return sk_vfs_remove_at(NULL, path, false);
}

/* In the order Linux checks: the new name, then the mount, the type. */
static int link_locked(struct vfs_nd *nd, struct sk_vnode *vn)
{
	struct sk_vnode *child;
	bool dead;
	int err;

	err = ns_child(nd, &child);
	if (err)
		return err;
	if (child) {
		sk_vfs_vnode_put(child);
		return -EEXIST;
	}
	if (nd->trailing_slash)
		return -ENOENT;
	if (sk_vfs_mount_is_rdonly(nd->dir->mnt))
		return -EROFS;
	if (nd->dir->mnt != vn->mnt)
		return -EXDEV;
	if (SK_S_ISDIR(vn->type))
		return -EPERM;
	if (!nd->dir->ops->link)
		return -EPERM;
	if (dir_is_dead(nd->dir))
		return -ENOENT;
	sk_mutex_lock(&vn->lock);
	dead = vn->nlink == 0;
	sk_mutex_unlock(&vn->lock);
	if (dead)
		return -ENOENT;
	err = nd->dir->ops->link(nd->dir, nd->last, nd->last_len, vn);
	if (!err)
		(void)sk_vfs_dcache_add(nd->dir, nd->last, nd->last_len, vn);
	return err;
}

/* Link @vn (a reference the caller keeps) as @newpath from @start. */
int sk_vfs_link_vn(struct sk_vnode *vn, struct sk_vnode *start,
		   const char *newpath)
{
	struct vfs_nd nnd;
	int err;

	err = sk_vfs_walk(start, newpath, VFS_WALK_PARENT, &nnd);
	if (err)
		return err;
	if (nnd.last_kind != VFS_LAST_NORM) {
		err = -EEXIST;
	} else {
		sk_mutex_lock(&nnd.dir->dlock);
		err = link_locked(&nnd, vn);
		sk_mutex_unlock(&nnd.dir->dlock);
	}
	sk_vfs_nd_put(&nnd);
	return err;
}

int sk_vfs_link_at(struct sk_vnode *ostart, const char *oldpath,
		   struct sk_vnode *nstart, const char *newpath,
		   unsigned wflags)
{
	struct vfs_nd ond;
	int err;

	if (!oldpath || !newpath)
		return -EFAULT;
	err = sk_vfs_walk(ostart, oldpath, wflags, &ond);
	if (err)
		return err;
	err = sk_vfs_link_vn(ond.vn, nstart, newpath);
	sk_vfs_nd_put(&ond);
	return err;
}

int sk_vfs_link(const char *oldpath, const char *newpath)
{
	return sk_vfs_link_at(NULL, oldpath, NULL, newpath, 0);
}

long sk_vfs_readlink(const char *path, char *buf, size_t len)
{
	return sk_vfs_readlink_at(NULL, path, buf, len);
}

long sk_vfs_readlink_at(struct sk_vnode *start, const char *path, char *buf,
			size_t len)
{
	struct vfs_nd nd;
	size_t n;
	int err;

	if (!buf)
		return -EFAULT;
	err = sk_vfs_walk(start, path, 0, &nd);
	if (err)
		return err;
	if (!SK_S_ISLNK(nd.vn->type)) {
		sk_vfs_nd_put(&nd);
		return -EINVAL;
	}
	if (len == 0) {
		sk_vfs_nd_put(&nd);
		return -EINVAL;
	}
	n = strlen(nd.vn->link);
	if (n > len)
		n = len;
	memcpy(buf, nd.vn->link, n);
	sk_vfs_nd_put(&nd);
	return (long)n;
}

int sk_vfs_chdir(const char *path)
{
	struct vfs_nd nd;
	int err;

	err = sk_vfs_walk(NULL, path, VFS_WALK_FOLLOW | VFS_WALK_DIR, &nd);
	if (err)
		return err;
	return sk_vfs_cwd_set(nd.vn);
}
