// SPDX-License-Identifier: MIT
/*
 * Data operations on file descriptors: read/write and their p- and
 * v- variants, lseek, ftruncate, fsync, fstat, fchmod, getdents.  The
 * file's pos_lock makes each read or write atomic with respect to the
 * offset (POSIX); the filesystem takes the vnode lock only around its
 * own copy and never across block I/O (see rofs.c).
 */
#include <errno.h>
#include <string.h>

#include "vfs_impl.h"

enum { IOV_MAX_CNT = 1024, RW_MAX = 0x7ffff000 };

static int file_acc(const struct vfs_file *f)
{
	return atomic_load_explicit(&f->flags, memory_order_relaxed) &
	       SK_O_ACCMODE;
}

static long rw_check(struct vfs_file *f, bool wr)
{
	int acc = file_acc(f);

	if (wr ? acc == SK_O_RDONLY : acc == SK_O_WRONLY)
		return -EBADF;
	if (SK_S_ISDIR(f->vn->type))
		return -EISDIR;
	if (wr ? !f->vn->ops->write : !f->vn->ops->read)
		return -EINVAL;
	return 0;
}

/* @off < 0: at the file position (which advances). */
static long file_rw(struct vfs_file *f, const struct sk_iovec *iov, int cnt,
		    int64_t off, bool wr)
{
	bool usepos = off < 0;
	long total = 0, n = 0;
	int64_t end;

	if (usepos) {
		sk_mutex_lock(&f->pos_lock);
		off = f->pos;
	}
	for (int i = 0; i < cnt; i++) {
		size_t len = iov[i].len;

		if (len == 0)
			continue;
		if (wr) {
			/* O_APPEND wins even over pwrite's offset, as on
			 * Linux (see pwrite(2), BUGS). */
			bool app = atomic_load_explicit(&f->flags,
							memory_order_relaxed) &
				   SK_O_APPEND;
			n = f->vn->ops->write(f, iov[i].base, len,
					      app ? -1 : off, &end);
			if (n > 0)
				off = end;
		} else {
			n = f->vn->ops->read(f, iov[i].base, len, off);
			if (n > 0)
				off += n;
		}
		if (n < 0)
			break;
		total += n;
		if ((size_t)n < len)
			break;
	}
	if (usepos) {
		f->pos = off;
		sk_mutex_unlock(&f->pos_lock);
	}
	return total > 0 ? total : n;
}

static long fd_rw(int fd, const struct sk_iovec *iov, int cnt, int64_t off,
		  bool wr)
{
	struct vfs_file *f;
	size_t sum = 0;
	long ret;

	if (cnt < 0 || cnt > IOV_MAX_CNT)
		return -EINVAL;
	for (int i = 0; i < cnt; i++) {
		if (!iov[i].base && iov[i].len)
			return -EFAULT;
		if (iov[i].len > RW_MAX || sum + iov[i].len > RW_MAX)
			return -EINVAL;
		sum += iov[i].len;
	}
	f = sk_vfs_fd_get(fd);
	if (!f)
		return -EBADF;
	ret = rw_check(f, wr);
	if (!ret)
		ret = file_rw(f, iov, cnt, off, wr);
	sk_vfs_file_put(f);
	return ret;
}

long sk_vfs_read(int fd, void *buf, size_t len)
{
	struct sk_iovec iov = { buf, len };

	return fd_rw(fd, &iov, 1, -1, false);
}

long sk_vfs_write(int fd, const void *buf, size_t len)
{
	struct sk_iovec iov = { (void *)(uintptr_t)buf, len };

	return fd_rw(fd, &iov, 1, -1, true);
}

long sk_vfs_pread(int fd, void *buf, size_t len, int64_t off)
{
	struct sk_iovec iov = { buf, len };

	if (off < 0)
		return sk_vfs_fd_get_check(fd);
	return fd_rw(fd, &iov, 1, off, false);
}

long sk_vfs_pwrite(int fd, const void *buf, size_t len, int64_t off)
{
	struct sk_iovec iov = { (void *)(uintptr_t)buf, len };

	if (off < 0)
		return sk_vfs_fd_get_check(fd);
	return fd_rw(fd, &iov, 1, off, true);
}

long sk_vfs_readv(int fd, const struct sk_iovec *iov, int iovcnt)
{
	if (!iov && iovcnt)
		return -EFAULT;
	return fd_rw(fd, iov, iovcnt, -1, false);
}

long sk_vfs_writev(int fd, const struct sk_iovec *iov, int iovcnt)
{
	if (!iov && iovcnt)
		return -EFAULT;
	return fd_rw(fd, iov, iovcnt, -1, true);
}

/* -EBADF for a closed fd, else -EINVAL (a bad offset). */
long sk_vfs_fd_get_check(int fd)
{
	struct vfs_file *f = sk_vfs_fd_get(fd);

	if (!f)
		return -EBADF;
	sk_vfs_file_put(f);
	return -EINVAL;
}

static int64_t vnode_size(struct sk_vnode *vn)
{
	int64_t size;

	sk_mutex_lock(&vn->lock);
	size = vn->size;
	sk_mutex_unlock(&vn->lock);
	return size;
}

int64_t sk_vfs_lseek(int fd, int64_t off, int whence)
{
	struct vfs_file *f = sk_vfs_fd_get(fd);
	int64_t base, ret;

	if (!f)
		return -EBADF;
	sk_mutex_lock(&f->pos_lock);
	switch (whence) {
	case SK_SEEK_SET:
		base = 0;
		break;
	case SK_SEEK_CUR:
		base = f->pos;
		break;
	case SK_SEEK_END:
		/* A directory offset is a cookie: no end to seek from. */
		base = SK_S_ISDIR(f->vn->type) ? -1 : vnode_size(f->vn);
		break;
	default:
		base = -1;
	}
	if (base < 0 || (off > 0 && base > INT64_MAX - off) || base + off < 0)
		ret = -EINVAL;
	else
		ret = f->pos = base + off;
	sk_mutex_unlock(&f->pos_lock);
	sk_vfs_file_put(f);
	return ret;
}

int sk_vfs_ftruncate(int fd, int64_t len)
{
	struct vfs_file *f;
	int err;

	if (len < 0)
		return -EINVAL;
	f = sk_vfs_fd_get(fd);
	if (!f)
		return -EBADF;
	if (!SK_S_ISREG(f->vn->type) || file_acc(f) == SK_O_RDONLY)
		err = -EINVAL;
	else if (!f->vn->ops->truncate)
		err = -EINVAL;
	else
		err = f->vn->ops->truncate(f->vn, len);
	sk_vfs_file_put(f);
	return err;
}

int sk_vfs_fsync(int fd)
{
	struct vfs_file *f = sk_vfs_fd_get(fd);

	if (!f)
		return -EBADF;
	/* ramfs, devfs and procfs are memory; rofs never changes. */
	sk_vfs_file_put(f);
	return 0;
}

int sk_vfs_fstat(int fd, struct sk_stat *st)
{
	struct vfs_file *f;

	if (!st)
		return -EFAULT;
	f = sk_vfs_fd_get(fd);
	if (!f)
		return -EBADF;
	sk_vfs_vnode_stat(f->vn, st);
	sk_vfs_file_put(f);
	return 0;
}

int sk_vfs_fstatfs(int fd, struct sk_statfs *st)
{
	struct vfs_file *f;

	if (!st)
		return -EFAULT;
	f = sk_vfs_fd_get(fd);
	if (!f)
		return -EBADF;
	sk_vfs_mount_statfs(f->vn->mnt, st);
	sk_vfs_file_put(f);
	return 0;
}

int sk_vfs_fchmod(int fd, uint32_t mode)
{
	struct vfs_file *f = sk_vfs_fd_get(fd);
	int err;

	if (!f)
		return -EBADF;
	err = sk_vfs_vnode_chmod(f->vn, mode);
	sk_vfs_file_put(f);
	return err;
}

int sk_vfs_fchdir(int fd)
{
	struct vfs_file *f = sk_vfs_fd_get(fd);
	struct sk_vnode *vn;

	if (!f)
		return -EBADF;
	if (!SK_S_ISDIR(f->vn->type)) {
		sk_vfs_file_put(f);
		return -ENOTDIR;
	}
	vn = f->vn;
	sk_vfs_vnode_get(vn);
	sk_vfs_file_put(f);
	return sk_vfs_cwd_set(vn);
}
