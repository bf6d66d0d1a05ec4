// SPDX-License-Identifier: MIT
/*
 * open(): resolve (creating the last component under its directory's
 * dlock when asked),
 * check the POSIX rules, make a file description and install it.  A
 * creating open that loses a race with another creator retries as a
 * plain open; one that meets a symlink follows it to create the target.
 */
#include <errno.h>

#include "vfs_impl.h"

int sk_vfs_ns_create(struct vfs_nd *nd, uint32_t mode, const char *target,
		     struct sk_vnode **out);

static int open_check(struct sk_vnode *vn, int flags)
{
	int acc = flags & SK_O_ACCMODE;
	bool wr = acc != SK_O_RDONLY || (flags & SK_O_TRUNC);

	/* Linux's order: do_open's checks, then may_open's. */
	if (SK_S_ISDIR(vn->type) && (flags & SK_O_CREAT))
		return -EISDIR;
	if ((flags & SK_O_DIRECTORY) && !SK_S_ISDIR(vn->type))
		return -ENOTDIR;
	if (SK_S_ISLNK(vn->type))
		return -ELOOP;
	if (SK_S_ISDIR(vn->type) && wr)
		return -EISDIR;
	if (wr && sk_vfs_mount_is_rdonly(vn->mnt) && !SK_S_ISCHR(vn->type))
		return -EROFS;
	return 0;
}

/* Open @vn (a reference, consumed). */
static int open_vnode(struct sk_vnode *vn, int flags)
{
	struct vfs_file *f;
	int err;

	err = open_check(vn, flags);
	if (!err && (flags & SK_O_TRUNC) && SK_S_ISREG(vn->type) &&
	    vn->ops->truncate)
		err = vn->ops->truncate(vn, 0);
	if (!err)
		err = sk_vfs_file_open(vn, flags, &f);
	sk_vfs_vnode_put(vn);
	if (err)
		return err;
	return sk_vfs_fd_install(f, flags);
}

/* Outcomes of one creating attempt besides an fd or -errno. */
enum { OPEN_RETRY = -5000, OPEN_FOLLOW = -5001 };

/*
 * One creating attempt at @path from @start.  Return: an fd, -errno,
 * OPEN_RETRY (lost a race), or OPEN_FOLLOW with @nd holding the symlink.
 */
static int open_create_once(struct sk_vnode *start, const char *path, int flags,
			    uint32_t mode, struct vfs_nd *nd)
{
	struct sk_vnode *vn = NULL;
	int err;

	err = sk_vfs_walk(start, path, VFS_WALK_PARENT, nd);
	if (err)
		return err;
	/* "." or "..": an existing directory (Linux: O_EXCL first). */
	if (nd->last_kind != VFS_LAST_NORM) {
		sk_vfs_nd_put(nd);
		return (flags & SK_O_EXCL) ? -EEXIST : -EISDIR;
	}
	/* Linux refuses a creating open with a trailing slash outright. */
	if (nd->trailing_slash) {
		sk_vfs_nd_put(nd);
		return -EISDIR;
	}
	if (nd->vn) {
		if (flags & SK_O_EXCL) {
			sk_vfs_nd_put(nd);
			return -EEXIST;
		}
		if (SK_S_ISLNK(nd->vn->type) && !(flags & SK_O_NOFOLLOW))
			return OPEN_FOLLOW;
		if (nd->trailing_slash && !SK_S_ISDIR(nd->vn->type)) {
			sk_vfs_nd_put(nd);
			return -ENOTDIR;
		}
		vn = nd->vn;
		nd->vn = NULL;
		sk_vfs_nd_put(nd);
		return open_vnode(vn, flags);
	}
	if (nd->trailing_slash) {
		sk_vfs_nd_put(nd);
		return -EISDIR;
	}
	sk_mutex_lock(&nd->dir->dlock);
	err = sk_vfs_ns_create(nd, SK_S_IFREG | (mode & 07777), NULL, &vn);
	sk_mutex_unlock(&nd->dir->dlock);
	sk_vfs_nd_put(nd);
	if (err == -EEXIST)
		return (flags & SK_O_EXCL) ? -EEXIST : OPEN_RETRY;
	if (err)
		return err;
	return open_vnode(vn, flags & ~SK_O_TRUNC);
}

static int open_create(struct sk_vnode *start, const char *path, int flags,
		       uint32_t mode)
{
	struct sk_vnode *link = NULL;
	struct vfs_nd nd;
	int ret = OPEN_RETRY;

	if (start)
		sk_vfs_vnode_get(start);
	for (unsigned links = 0, tries = 0;
	     ret == OPEN_RETRY || ret == OPEN_FOLLOW; tries++) {
		ret = open_create_once(start, path, flags, mode, &nd);
		if (ret == OPEN_FOLLOW) {
			if (++links > SK_SYMLOOP_MAX) {
				sk_vfs_nd_put(&nd);
				ret = -ELOOP;
				break;
			}
			/* Follow: the target, relative to the link's dir. */
			if (start)
				sk_vfs_vnode_put(start);
			if (link)
				sk_vfs_vnode_put(link);
			start = nd.dir;
			link = nd.vn;
			path = link->link;
		}
		if (tries > 1000) {
			ret = -EAGAIN;
			break;
		}
	}
	if (start)
		sk_vfs_vnode_put(start);
	if (link)
		sk_vfs_vnode_put(link);
	return ret;
}

/* The flag checks Linux makes before it looks at the path. */
int sk_vfs_open_check_flags(int flags)
{
	if ((flags & SK_O_ACCMODE) == SK_O_ACCMODE)
		return -EINVAL;
	/* Meaningless together; Linux refuses it since 6.4. */
	if ((flags & (SK_O_CREAT | SK_O_DIRECTORY)) ==
	    (SK_O_CREAT | SK_O_DIRECTORY))
		return -EINVAL;
	return 0;
}

/* open(@path) from @start (NULL: the cwd). */
int sk_vfs_open_at(struct sk_vnode *start, const char *path, int flags,
		   uint32_t mode)
{
	unsigned wflags = 0;
	struct vfs_nd nd;
	int err;

	if (!path)
		return -EFAULT;
	err = sk_vfs_open_check_flags(flags);
	if (err)
		return err;
	if (flags & SK_O_CREAT)
		return open_create(start, path, flags, mode);
	if (!(flags & SK_O_NOFOLLOW))
		wflags |= VFS_WALK_FOLLOW;
	err = sk_vfs_walk(start, path, wflags, &nd);
	if (err)
		return err;
	return open_vnode(nd.vn, flags);
}

int sk_vfs_open(const char *path, int flags, uint32_t mode)
{
	return sk_vfs_open_at(NULL, path, flags, mode);
}
