// SPDX-License-Identifier: MIT
/*
 * The *at() family (and renameat2 with RENAME_NOREPLACE).  Each call checks its flags and names the way Linux
 * does (flags first, then the name: "" is -ENOENT unless AT_EMPTY_PATH,
 * 4096 bytes or more -ENAMETOOLONG), then resolves @dirfd: an absolute
 * path or SK_AT_FDCWD starts at the root or the current directory,
 * anything else must be an open fd (-EBADF) of a directory (-ENOTDIR),
 * unless the path is empty and means that file itself.  The file is held
 * for the whole call, so its mount stays busy and its vnode alive, and
 * the path operation then runs from its vnode exactly as the plain call
 * runs from the current directory.
 *
 * Permissions: skiff has one user, root, so only the checks POSIX makes
 * even for a privileged process apply: faccessat's X_OK needs a
 * directory or an execute bit (-EACCES), W_OK on a read-only mount is
 * -EROFS for files, directories and links.
 */
#include <errno.h>

#include "vfs_impl.h"

/* A resolved @dirfd: the file is held (NULL: the cwd or the root). */
struct at {
	struct vfs_file *f;
	struct sk_vnode *start;
	size_t len; /* of the path */
};

static void at_put(struct at *at)
{
	if (at->f)
		sk_vfs_file_put(at->f);
	at->f = NULL;
	at->start = NULL;
}

static int at_get(int dirfd, const char *path, bool empty_ok, struct at *at)
{
	at->f = NULL;
	at->start = NULL;
	if (!path)
		return -EFAULT;
	at->len = sk_vfs_strnlen(path, SK_PATH_MAX);
	if (at->len == SK_PATH_MAX)
		return -ENAMETOOLONG;
	if (at->len == 0 && !empty_ok)
		return -ENOENT;
	if (path[0] == '/' || dirfd == SK_AT_FDCWD)
		return 0;
	at->f = sk_vfs_fd_get(dirfd);
	if (!at->f)
		return -EBADF;
	at->start = at->f->vn;
	if (at->len && !SK_S_ISDIR(at->start->type)) {
		at_put(at);
		return -ENOTDIR;
	}
	return 0;
}

/* The object an empty path names: @dirfd's file, or the cwd (a ref). */
static struct sk_vnode *at_self(struct at *at)
{
	if (at->start) {
		sk_vfs_vnode_get(at->start);
		return at->start;
	}
	return sk_vfs_cwd_get();
}

/* The object @path names from @at (a reference): @at's own for "". */
static int at_resolve(struct at *at, const char *path, unsigned wflags,
		      struct sk_vnode **vn)
{
	struct vfs_nd nd;
	int err;

	if (at->len == 0) {
		*vn = at_self(at);
		return 0;
	}
	err = sk_vfs_walk(at->start, path, wflags, &nd);
	*vn = nd.vn;
	return err;
}

static unsigned follow_unless(int flags)
{
	return (flags & SK_AT_SYMLINK_NOFOLLOW) ? 0 : VFS_WALK_FOLLOW;
}

/*
 * Resolve @path from @dirfd with the AT_SYMLINK_NOFOLLOW / AT_EMPTY_PATH
 * bits of @flags and run @fn on the vnode, holding it (and the directory
 * fd's open file) for the call.  Return: @fn's result or the resolve error.
 */
static int at_apply(int dirfd, const char *path, int flags,
		    int (*fn)(struct sk_vnode *vn, void *arg), void *arg)
{
	struct sk_vnode *vn;
	struct at at;
	int err = at_get(dirfd, path, flags & SK_AT_EMPTY_PATH, &at);

	if (err)
		return err;
	err = at_resolve(&at, path, follow_unless(flags), &vn);
	if (!err) {
		err = fn(vn, arg);
		sk_vfs_vnode_put(vn);
	}
	at_put(&at);
	return err;
}

int sk_vfs_openat(int dirfd, const char *path, int flags, uint32_t mode)
{
	struct at at;
	int err = sk_vfs_open_check_flags(flags);

	if (!err)
		err = at_get(dirfd, path, false, &at);
	if (err)
		return err;
	err = sk_vfs_open_at(at.start, path, flags, mode);
	at_put(&at);
	return err;
}

int sk_vfs_mkdirat(int dirfd, const char *path, uint32_t mode)
{
	struct at at;
	int err = at_get(dirfd, path, false, &at);

	if (err)
		return err;
	err = sk_vfs_mkdir_at(at.start, path, mode);
	at_put(&at);
	return err;
}

int sk_vfs_unlinkat(int dirfd, const char *path, int flags)
{
	struct at at;
	int err;

	if (flags & ~SK_AT_REMOVEDIR)
		return -EINVAL;
	err = at_get(dirfd, path, false, &at);
	if (err)
		return err;
	err = sk_vfs_remove_at(at.start, path, flags & SK_AT_REMOVEDIR);
	at_put(&at);
	return err;
}

int sk_vfs_renameat(int olddirfd, const char *oldpath, int newdirfd,
		    const char *newpath)
{
	return sk_vfs_renameat2(olddirfd, oldpath, newdirfd, newpath, 0);
}

int sk_vfs_renameat2(int olddirfd, const char *oldpath, int newdirfd,
		     const char *newpath, unsigned flags)
{
	struct at oat, nat;
	struct vfs_nd nd;
	int err, oerr;

	if (flags & ~(unsigned)SK_RENAME_NOREPLACE)
		return -EINVAL;
	err = at_get(olddirfd, oldpath, false, &oat);
	if (err)
		return err;
	err = at_get(newdirfd, newpath, false, &nat);
	if (err) {
		/* Linux resolves the old name before it looks at @newdirfd. */
		oerr = sk_vfs_walk(oat.start, oldpath, VFS_WALK_PARENT, &nd);
		if (oerr)
			err = oerr;
		else
			sk_vfs_nd_put(&nd);
	} else {
		err = sk_vfs_rename_at(oat.start, oldpath, nat.start, newpath,
				       flags);
		at_put(&nat);
	}
	at_put(&oat);
	return err;
}

static int stat_fn(struct sk_vnode *vn, void *st)
{
	sk_vfs_vnode_stat(vn, st);
	return 0;
}

int sk_vfs_fstatat(int dirfd, const char *path, struct sk_stat *st, int flags)
{
	int known =
		SK_AT_SYMLINK_NOFOLLOW | SK_AT_EMPTY_PATH | SK_AT_NO_AUTOMOUNT;

	if (flags & ~known)
		return -EINVAL;
	if (!st)
		return -EFAULT;
	return at_apply(dirfd, path, flags, stat_fn, st);
}

long sk_vfs_readlinkat(int dirfd, const char *path, char *buf, size_t len)
{
	struct at at;
	long ret;
	int err;

	/* "" names @dirfd itself, which is never a symlink here. */
	err = at_get(dirfd, path, true, &at);
	if (err)
		return err;
	if (at.len == 0)
		ret = -ENOENT;
	else
		ret = sk_vfs_readlink_at(at.start, path, buf, len);
	at_put(&at);
	return ret;
}

int sk_vfs_symlinkat(const char *target, int newdirfd, const char *linkpath)
{
	struct at at;
	size_t tlen;
	int err;

	if (!target)
		return -EFAULT;
	tlen = sk_vfs_strnlen(target, SK_PATH_MAX);
	if (tlen == 0)
		return -ENOENT;
	if (tlen == SK_PATH_MAX)
		return -ENAMETOOLONG;
	err = at_get(newdirfd, linkpath, false, &at);
	if (err)
		return err;
	err = sk_vfs_symlink_at(target, at.start, linkpath);
	at_put(&at);
	return err;
}

int sk_vfs_linkat(int olddirfd, const char *oldpath, int newdirfd,
		  const char *newpath, int flags)
{
	struct sk_vnode *vn;
	struct at oat, nat;
	int err;

	if (flags & ~(SK_AT_SYMLINK_FOLLOW | SK_AT_EMPTY_PATH))
		return -EINVAL;
	err = at_get(olddirfd, oldpath, flags & SK_AT_EMPTY_PATH, &oat);
	if (err)
		return err;
	err = at_resolve(&oat, oldpath,
			 (flags & SK_AT_SYMLINK_FOLLOW) ? VFS_WALK_FOLLOW : 0,
			 &vn);
	if (!err) {
		err = at_get(newdirfd, newpath, false, &nat);
		if (!err)
			err = sk_vfs_link_vn(vn, nat.start, newpath);
		at_put(&nat);
		sk_vfs_vnode_put(vn);
	}
	at_put(&oat);
	return err;
}

/* The access check for the single (root) user; see the file comment. */
static int access_check(struct sk_vnode *vn, int mode)
{
	uint32_t perm;

	if ((mode & SK_W_OK) && sk_vfs_mount_is_rdonly(vn->mnt) &&
	    (SK_S_ISREG(vn->type) || SK_S_ISDIR(vn->type) ||
	     SK_S_ISLNK(vn->type)))
		return -EROFS;
	if (!(mode & SK_X_OK) || SK_S_ISDIR(vn->type))
		return 0;
	sk_mutex_lock(&vn->lock);
	perm = vn->perm;
	sk_mutex_unlock(&vn->lock);
	return (perm & 0111) ? 0 : -EACCES;
}

static int access_fn(struct sk_vnode *vn, void *mode)
{
	return access_check(vn, *(const int *)mode);
}

int sk_vfs_faccessat(int dirfd, const char *path, int mode, int flags)
{
	int known = SK_AT_EACCESS | SK_AT_SYMLINK_NOFOLLOW | SK_AT_EMPTY_PATH;

	if (mode & ~(SK_R_OK | SK_W_OK | SK_X_OK))
		return -EINVAL;
	if (flags & ~known)
		return -EINVAL;
	return at_apply(dirfd, path, flags, access_fn, &mode);
}

int sk_vfs_access(const char *path, int mode)
{
	return sk_vfs_faccessat(SK_AT_FDCWD, path, mode, 0);
}

static int chmod_fn(struct sk_vnode *vn, void *mode)
{
	/* A link's mode means nothing: Linux refuses to change it, after
	 * it checked that the mount is writable. */
	if (sk_vfs_mount_is_rdonly(vn->mnt))
		return -EROFS;
	if (SK_S_ISLNK(vn->type))
		return -EOPNOTSUPP;
	return sk_vfs_vnode_chmod(vn, *(const uint32_t *)mode);
}

int sk_vfs_fchmodat(int dirfd, const char *path, uint32_t mode, int flags)
{
	if (flags & ~(SK_AT_SYMLINK_NOFOLLOW | SK_AT_EMPTY_PATH))
		return -EINVAL;
	return at_apply(dirfd, path, flags, chmod_fn, &mode);
}

static int utimens_fn(struct sk_vnode *vn, void *times)
{
	return sk_vfs_utimens_vn(vn, times);
}

int sk_vfs_utimensat(int dirfd, const char *path,
		     const struct sk_timespec times[2], int flags)
{
	int err = sk_vfs_check_times(times);

	if (err)
		return err;
	if (flags & ~(SK_AT_SYMLINK_NOFOLLOW | SK_AT_EMPTY_PATH))
		return -EINVAL;
	return at_apply(dirfd, path, flags, utimens_fn, (void *)times);
}
