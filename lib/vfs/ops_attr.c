// SPDX-License-Identifier: MIT
/*
 * Path-based attribute operations (stat, lstat, statfs, chmod, utimens,
 * truncate) and getdents.  stat resolves lock-free and then copies the
 * attributes under the vnode lock: one reference and one lock per call.
 */
#include <errno.h>
#include <string.h>

#include "vfs_impl.h"

static int stat_common(const char *path, struct sk_stat *st, unsigned flags)
{
	struct vfs_nd nd;
	int err;

	if (!st)
		return -EFAULT;
	err = sk_vfs_walk(NULL, path, flags, &nd);
	if (err)
		return err;
	sk_vfs_vnode_stat(nd.vn, st);
	sk_vfs_nd_put(&nd);
	return 0;
}

int sk_vfs_stat(const char *path, struct sk_stat *st)
{
	return stat_common(path, st, VFS_WALK_FOLLOW);
}

int sk_vfs_lstat(const char *path, struct sk_stat *st)
{
	return stat_common(path, st, 0);
}

void sk_vfs_mount_statfs(struct vfs_mount *m, struct sk_statfs *st)
{
	memset(st, 0, sizeof(*st));
	st->type = m->type->magic;
	st->bsize = 4096;
	st->namelen = SK_NAME_MAX;
	if (m->type->statfs)
		m->type->statfs(m, st);
	st->flags = m->flags;
}

int sk_vfs_statfs(const char *path, struct sk_statfs *st)
{
	struct vfs_nd nd;
	int err;

	if (!st)
		return -EFAULT;
	err = sk_vfs_walk(NULL, path, VFS_WALK_FOLLOW, &nd);
	if (err)
		return err;
	sk_vfs_mount_statfs(nd.vn->mnt, st);
	sk_vfs_nd_put(&nd);
	return 0;
}

int sk_vfs_vnode_chmod(struct sk_vnode *vn, uint32_t mode)
{
	if (sk_vfs_mount_is_rdonly(vn->mnt))
		return -EROFS;
	sk_mutex_lock(&vn->lock);
	vn->perm = mode & SK_S_IPERM;
	sk_vfs_vnode_touch(vn, VFS_TOUCH_C);
	sk_mutex_unlock(&vn->lock);
	return 0;
}

int sk_vfs_chmod(const char *path, uint32_t mode)
{
	return sk_vfs_chmod_at(NULL, path, mode);
}

int sk_vfs_chmod_at(struct sk_vnode *start, const char *path, uint32_t mode)
{
	struct vfs_nd nd;
	int err;

	err = sk_vfs_walk(start, path, VFS_WALK_FOLLOW, &nd);
	if (err)
		return err;
	err = sk_vfs_vnode_chmod(nd.vn, mode);
	sk_vfs_nd_put(&nd);
	return err;
}

static int64_t ts_to_ns(const struct sk_timespec *ts)
{
	return ts->sec * 1000000000 + ts->nsec;
}

int sk_vfs_check_times(const struct sk_timespec times[2])
{
	for (int i = 0; times && i < 2; i++)
		if (times[i].nsec < 0 || times[i].nsec > 999999999 ||
		    times[i].sec > INT64_MAX / 1000000000 - 1 ||
		    times[i].sec < INT64_MIN / 1000000000 + 1)
			return -EINVAL;
	return 0;
}

/* Set @vn's times (checked by sk_vfs_check_times). */
int sk_vfs_utimens_vn(struct sk_vnode *vn, const struct sk_timespec times[2])
{
	int64_t now = sk_vfs_now_ns();

	if (sk_vfs_mount_is_rdonly(vn->mnt))
		return -EROFS;
	sk_mutex_lock(&vn->lock);
	vn->atime_ns = times ? ts_to_ns(&times[0]) : now;
	vn->mtime_ns = times ? ts_to_ns(&times[1]) : now;
	vn->ctime_ns = now;
	sk_mutex_unlock(&vn->lock);
	return 0;
}

int sk_vfs_utimens(const char *path, const struct sk_timespec times[2])
{
	struct vfs_nd nd;
	int err;

	err = sk_vfs_check_times(times);
	if (err)
		return err;
	err = sk_vfs_walk(NULL, path, VFS_WALK_FOLLOW, &nd);
	if (err)
		return err;
	err = sk_vfs_utimens_vn(nd.vn, times);
	sk_vfs_nd_put(&nd);
	return err;
}

int sk_vfs_truncate(const char *path, int64_t len)
{
	struct vfs_nd nd;
	int err;

	if (len < 0)
		return -EINVAL;
	err = sk_vfs_walk(NULL, path, VFS_WALK_FOLLOW, &nd);
	if (err)
		return err;
	if (SK_S_ISDIR(nd.vn->type))
		err = -EISDIR;
	else if (!SK_S_ISREG(nd.vn->type))
		err = -EINVAL;
	else if (sk_vfs_mount_is_rdonly(nd.vn->mnt))
		err = -EROFS;
	else if (!nd.vn->ops->truncate)
		err = -EINVAL;
	else
		err = nd.vn->ops->truncate(nd.vn, len);
	sk_vfs_nd_put(&nd);
	return err;
}

struct dents_ctx {
	char *buf;
	size_t len, used;
	int64_t pos;
};

static int dents_fill(void *arg, const char *name, size_t len, uint64_t ino,
		      unsigned type, int64_t next)
{
	struct dents_ctx *c = arg;
	size_t reclen = SK_ALIGN_UP(offsetof(struct sk_dirent, name) + len + 1,
				    (size_t)8);
	struct sk_dirent d;

	if (c->used + reclen > c->len)
		return 1;
	d.ino = ino;
	d.off = next;
	d.reclen = (uint16_t)reclen;
	d.type = (uint8_t)type;
	memset(c->buf + c->used, 0, reclen);
	memcpy(c->buf + c->used, &d, offsetof(struct sk_dirent, name));
	memcpy(c->buf + c->used + offsetof(struct sk_dirent, name), name, len);
	c->used += reclen;
	c->pos = next;
	return 0;
}

static int dents_dots(struct sk_vnode *dir, struct dents_ctx *c)
{
	struct sk_vnode *p;

	if (c->pos == 0 && dents_fill(c, ".", 1, dir->ino, SK_DT_DIR, 1))
		return 1;
	if (c->pos == 1) {
		p = atomic_load_explicit(&dir->parent, memory_order_relaxed);
		if (dents_fill(c, "..", 2, p ? p->ino : dir->ino, SK_DT_DIR, 2))
			return 1;
	}
	return 0;
}

long sk_vfs_getdents(int fd, void *buf, size_t len)
{
	struct dents_ctx c = { buf, len, 0, 0 };
	struct vfs_file *f;
	struct sk_vnode *dir;
	bool locked, dead;
	int full;

	if (!buf)
		return -EFAULT;
	f = sk_vfs_fd_get(fd);
	if (!f)
		return -EBADF;
	dir = f->vn;
	if (!SK_S_ISDIR(dir->type) || !dir->ops->readdir) {
		sk_vfs_file_put(f);
		return -ENOTDIR;
	}
	sk_mutex_lock(&dir->lock);
	dead = dir->nlink == 0;
	sk_mutex_unlock(&dir->lock);
	if (dead) {
		/* A removed directory lists nothing, not even "." (Linux). */
		sk_vfs_file_put(f);
		return -ENOENT;
	}
	locked = !(dir->mnt->type->flags & VFS_FS_IMMUTABLE);
	sk_mutex_lock(&f->pos_lock);
	if (locked)
		sk_mutex_lock(&dir->dlock);
	c.pos = f->pos;
	full = dents_dots(dir, &c);
	if (!full && c.pos >= 2)
		full = dir->ops->readdir(dir, c.pos, dents_fill, &c);
	if (locked)
		sk_mutex_unlock(&dir->dlock);
	f->pos = c.pos;
	sk_mutex_unlock(&f->pos_lock);
	sk_vfs_file_put(f);
	if (full < 0)
		return full;
	if (c.used == 0 && full)
		return -EINVAL;
	return (long)c.used;
}
