/* SPDX-License-Identifier: MIT */
/*
 * ramfs internals: directories are lists of entries guarded by their
 * dlock; file contents are a radix tree of pages guarded by the vnode
 * lock (ramfs_data.c).
 */
#ifndef VFS_RAMFS_H
#define VFS_RAMFS_H

#include "vfs_impl.h"

enum {
	RAMFS_PAGE = 4096,
};

#define RAMFS_MAGIC 0x858458f6u /* Linux's RAMFS_MAGIC */

#define RAMFS_MAX_SIZE ((int64_t)1 << 44)

struct ramfs_file {
	void *root; /* vnode lock */
	unsigned height; /* vnode lock: levels of nodes above the pages */
};

void sk_vfs_ramfs_data_free(struct ramfs_file *rf);
void sk_vfs_ramfs_data_read(struct ramfs_file *rf, char *buf, size_t len,
			    int64_t off);
long sk_vfs_ramfs_data_write(struct ramfs_file *rf, const char *buf, size_t len,
			     int64_t off, int64_t *npages);
void sk_vfs_ramfs_data_trim(struct ramfs_file *rf, int64_t len,
			    int64_t *npages);

long sk_vfs_ramfs_read(struct vfs_file *f, void *buf, size_t len, int64_t off);
long sk_vfs_ramfs_write(struct vfs_file *f, const void *buf, size_t len,
			int64_t off, int64_t *end);
int sk_vfs_ramfs_truncate(struct sk_vnode *vn, int64_t len);

#endif
