// SPDX-License-Identifier: MIT
/*
 * ramfs data operations: read, write, truncate and release, each a copy
 * under the vnode lock (memory only: no blocking I/O under it).  Also the
 * filesystem type and its mount/unmount.
 */
#include <errno.h>
#include <string.h>

#include "ramfs.h"

long sk_vfs_ramfs_read(struct vfs_file *f, void *buf, size_t len, int64_t off)
{
	struct sk_vnode *vn = f->vn;
	size_t n = 0;

	sk_mutex_lock(&vn->lock);
	if (off < vn->size) {
		n = (size_t)(vn->size - off);
		if (n > len)
			n = len;
		sk_vfs_ramfs_data_read(vn->priv, buf, n, off);
	}
	/* relatime: atime moves when it is older than the last change. */
	if (vn->atime_ns <= vn->mtime_ns || vn->atime_ns <= vn->ctime_ns)
		sk_vfs_vnode_touch(vn, VFS_TOUCH_A);
	sk_mutex_unlock(&vn->lock);
	return (long)n;
}

long sk_vfs_ramfs_write(struct vfs_file *f, const void *buf, size_t len,
			int64_t off, int64_t *end)
{
	struct sk_vnode *vn = f->vn;
	long n;

	sk_mutex_lock(&vn->lock);
	if (off < 0)
		off = vn->size;
	if (off >= RAMFS_MAX_SIZE) {
		sk_mutex_unlock(&vn->lock);
		return -EFBIG;
	}
	if ((int64_t)len > RAMFS_MAX_SIZE - off)
		len = (size_t)(RAMFS_MAX_SIZE - off);
	n = sk_vfs_ramfs_data_write(vn->priv, buf, len, off, &vn->blocks);
	if (n > 0) {
		if (off + n > vn->size)
			vn->size = off + n;
		sk_vfs_vnode_touch(vn, VFS_TOUCH_M | VFS_TOUCH_C);
		*end = off + n;
	}
	sk_mutex_unlock(&vn->lock);
	return n;
}

int sk_vfs_ramfs_truncate(struct sk_vnode *vn, int64_t len)
{
	if (len > RAMFS_MAX_SIZE)
		return -EFBIG;
	sk_mutex_lock(&vn->lock);
	if (len < vn->size)
		sk_vfs_ramfs_data_trim(vn->priv, len, &vn->blocks);
	vn->size = len;
	sk_vfs_vnode_touch(vn, VFS_TOUCH_M | VFS_TOUCH_C);
	sk_mutex_unlock(&vn->lock);
	return 0;
}
