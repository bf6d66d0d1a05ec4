/* SPDX-License-Identifier: MIT */
/*
 * pseudofs: the shared machinery of devfs and procfs, filesystems whose
 * tree is a fixed table of nodes.  Every node gets its vnode at mount;
 * files have read/write callbacks, or a generator that renders a text
 * snapshot at open (procfs), which reads then serve like a file.
 */
#ifndef VFS_PSEUDOFS_H
#define VFS_PSEUDOFS_H

#include "vfs_impl.h"

/* A growing text buffer for generators. */
struct pseudo_buf {
	char *p;
	size_t len, cap;
	int err; /* -ENOMEM once an append failed */
};

void sk_vfs_pseudo_puts(struct pseudo_buf *b, const char *s);
void sk_vfs_pseudo_putu(struct pseudo_buf *b, uint64_t v);
void sk_vfs_pseudo_putkv(struct pseudo_buf *b, const char *key, uint64_t v,
			 const char *unit);

struct pseudo_node {
	const char *name;
	uint32_t mode;
	int parent; /* index of the parent node; -1 for the root (node 0) */
	uint64_t rdev;
	long (*read)(struct vfs_file *f, void *buf, size_t len, int64_t off);
	long (*write)(struct vfs_file *f, const void *buf, size_t len,
		      int64_t off, int64_t *end);
	void (*gen)(struct pseudo_buf *b);
};

struct pseudo_fs {
	const struct pseudo_node *nodes;
	size_t n;
	/*
	 * One reference each.  Unmount clears a slot before it drops the
	 * reference; lookups read slots under the RCU read lock and take
	 * their own reference with tryget (vnode memory is freed only after
	 * a grace period), so a lookup racing with unmount gets -ENOENT.
	 */
	_Atomic(struct sk_vnode *) *vns;
};

int sk_vfs_pseudo_mount(struct vfs_mount *m, const struct pseudo_node *nodes,
			size_t n);
void sk_vfs_pseudo_unmount(struct vfs_mount *m);
void sk_vfs_pseudo_destroy(struct vfs_mount *m);

#endif
