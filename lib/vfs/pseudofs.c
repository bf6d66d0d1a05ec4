// SPDX-License-Identifier: MIT
/*
 * pseudofs: table-driven filesystems (see pseudofs.h).  The namespace
 * never changes after mount, so lookups and readdir need no lock.
 */
#include <errno.h>
#include <string.h>

#include <rcu/rcu.h>

#include "pseudofs.h"

static const struct vfs_vnode_ops pseudo_ops;

static void buf_append(struct pseudo_buf *b, const char *s, size_t n)
{
	if (b->err)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 1024;
		char *p;

		while (cap < b->len + n)
			cap *= 2;
		p = sk_vfs_alloc(cap);
		if (!p) {
			b->err = -ENOMEM;
			return;
		}
		if (b->len)
			memcpy(p, b->p, b->len);
		sk_vfs_free(b->p, b->cap);
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

void sk_vfs_pseudo_puts(struct pseudo_buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void sk_vfs_pseudo_putu(struct pseudo_buf *b, uint64_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	buf_append(b, tmp + i, sizeof(tmp) - i);
}

void sk_vfs_pseudo_putkv(struct pseudo_buf *b, const char *key, uint64_t v,
			 const char *unit)
{
	sk_vfs_pseudo_puts(b, key);
	sk_vfs_pseudo_puts(b, ":\t");
	sk_vfs_pseudo_putu(b, v);
	if (unit) {
		sk_vfs_pseudo_puts(b, " ");
		sk_vfs_pseudo_puts(b, unit);
	}
	sk_vfs_pseudo_puts(b, "\n");
}

static const struct pseudo_node *node_of(const struct sk_vnode *vn)
{
	return vn->priv;
}

/* A counted reference to node @i's vnode, or NULL if unmount took it. */
static struct sk_vnode *pseudo_vnode_get(struct pseudo_fs *fs, size_t i)
{
	struct sk_vnode *vn;

	sk_rcu_read_lock();
	/* Acquire pairs with the release store in sk_vfs_pseudo_mount. */
	vn = sk_rcu_dereference(fs->vns[i]);
	if (vn && !sk_vfs_vnode_tryget(vn))
		vn = NULL;
	sk_rcu_read_unlock();
	return vn;
}

static int pseudo_lookup(struct sk_vnode *dir, const char *name, size_t len,
			 struct sk_vnode **child)
{
	struct pseudo_fs *fs = dir->mnt->fsdata;
	int idx = (int)(node_of(dir) - fs->nodes);

	for (size_t i = 1; i < fs->n; i++) {
		const struct pseudo_node *nd = &fs->nodes[i];

		if (nd->parent == idx && strlen(nd->name) == len &&
		    memcmp(nd->name, name, len) == 0) {
			*child = pseudo_vnode_get(fs, i);
			return *child ? 0 : -ENOENT;
		}
	}
	return -ENOENT;
}

static bool pseudo_is_empty(struct sk_vnode *dir)
{
	(void)dir;
	return false;
}

static int pseudo_name_of(struct sk_vnode *dir, struct sk_vnode *child,
			  char *buf, size_t cap)
{
	const struct pseudo_node *nd = node_of(child);
	size_t len = strlen(nd->name);

	(void)dir;
	if (len > cap)
		return -ERANGE;
	memcpy(buf, nd->name, len);
	return (int)len;
}

static int pseudo_readdir(struct sk_vnode *dir, int64_t pos,
			  vfs_filldir_fn fill, void *ctx)
{
	struct pseudo_fs *fs = dir->mnt->fsdata;
	int idx = (int)(node_of(dir) - fs->nodes);

	for (size_t i = 1; i < fs->n; i++) {
		const struct pseudo_node *nd = &fs->nodes[i];

		struct sk_vnode *vn;
		uint64_t ino;

		if (nd->parent != idx || (int64_t)i + 2 < pos)
			continue;
		vn = pseudo_vnode_get(fs, i);
		if (!vn)
			return 0; /* being unmounted: nothing more to list */
		ino = vn->ino;
		sk_vfs_vnode_put(vn);
		if (fill(ctx, nd->name, strlen(nd->name), ino,
			 sk_vfs_dirent_type(nd->mode), (int64_t)i + 3))
			return 1;
	}
	return 0;
}

/* A generated file's text, taken at open. */
struct snapshot {
	char *p;
	size_t len, cap;
};

static int pseudo_open(struct vfs_file *f)
{
	const struct pseudo_node *nd = node_of(f->vn);
	struct pseudo_buf b = { 0 };
	struct snapshot *snap;

	if (!nd->gen)
		return 0;
	nd->gen(&b);
	snap = sk_vfs_alloc(sizeof(*snap));
	if (b.err || !snap) {
		sk_vfs_free(b.p, b.cap);
		sk_vfs_free(snap, sizeof(*snap));
		return -ENOMEM;
	}
	snap->p = b.p;
	snap->len = b.len;
	snap->cap = b.cap;
	f->priv = snap;
	return 0;
}

static void pseudo_close(struct vfs_file *f)
{
	struct snapshot *snap = f->priv;

	if (snap) {
		sk_vfs_free(snap->p, snap->cap);
		sk_vfs_free(snap, sizeof(*snap));
	}
}

static long pseudo_read(struct vfs_file *f, void *buf, size_t len, int64_t off)
{
	const struct pseudo_node *nd = node_of(f->vn);
	struct snapshot *snap = f->priv;
	size_t n;

	if (nd->read)
		return nd->read(f, buf, len, off);
	if (!snap)
		return -EINVAL;
	if ((uint64_t)off >= snap->len)
		return 0;
	n = snap->len - (size_t)off;
	if (n > len)
		n = len;
	memcpy(buf, snap->p + off, n);
	return (long)n;
}

static long pseudo_write(struct vfs_file *f, const void *buf, size_t len,
			 int64_t off, int64_t *end)
{
	const struct pseudo_node *nd = node_of(f->vn);

	if (!nd->write)
		return -EINVAL;
	return nd->write(f, buf, len, off, end);
}

static const struct vfs_vnode_ops pseudo_ops = {
	.lookup = pseudo_lookup,
	.is_empty = pseudo_is_empty,
	.name_of = pseudo_name_of,
	.readdir = pseudo_readdir,
	.read = pseudo_read,
	.write = pseudo_write,
	.open = pseudo_open,
	.close = pseudo_close,
};

static const struct vfs_vnode_ops pseudo_file_ops = {
	.read = pseudo_read,
	.write = pseudo_write,
	.open = pseudo_open,
	.close = pseudo_close,
};

int sk_vfs_pseudo_mount(struct vfs_mount *m, const struct pseudo_node *nodes,
			size_t n)
{
	struct pseudo_fs *fs = sk_vfs_zalloc(sizeof(*fs));
	size_t i;
	int err = 0;

	if (!fs)
		return -ENOMEM;
	fs->nodes = nodes;
	fs->n = n;
	fs->vns = sk_vfs_zalloc(n * sizeof(*fs->vns));
	if (!fs->vns) {
		sk_vfs_free(fs, sizeof(*fs));
		return -ENOMEM;
	}
	m->fsdata = fs;
	for (i = 0; i < n && !err; i++) {
		const struct vfs_vnode_ops *ops = SK_S_ISDIR(nodes[i].mode)
							  ? &pseudo_ops
							  : &pseudo_file_ops;

		struct sk_vnode *vn;

		err = sk_vfs_vnode_create(m, nodes[i].mode, ops, &vn);
		if (err)
			break;
		vn->priv = (void *)(uintptr_t)&nodes[i];
		vn->rdev = nodes[i].rdev;
		if (SK_S_ISDIR(nodes[i].mode))
			vn->nlink = 2;
		if (nodes[i].parent >= 0) {
			struct sk_vnode *p = sk_rcu_dereference_protected(
				fs->vns[nodes[i].parent]);

			sk_vfs_vnode_get(p);
			atomic_store_explicit(&vn->parent, p,
					      memory_order_relaxed);
		}
		/* Release: pairs with the acquire in pseudo_vnode_get. */
		sk_rcu_assign_pointer(fs->vns[i], vn);
	}
	if (err) {
		sk_vfs_pseudo_unmount(m);
		return err;
	}
	m->root = sk_rcu_dereference_protected(fs->vns[0]);
	sk_vfs_vnode_get(m->root);
	return 0;
}

void sk_vfs_pseudo_unmount(struct vfs_mount *m)
{
	struct pseudo_fs *fs = m->fsdata;

	for (size_t i = 0; i < fs->n; i++) {
		struct sk_vnode *vn = atomic_exchange_explicit(
			&fs->vns[i], NULL, memory_order_relaxed);

		/* Cleared first: a lookup can no longer find it to get it. */
		if (vn)
			sk_vfs_vnode_put(vn);
	}
}

void sk_vfs_pseudo_destroy(struct vfs_mount *m)
{
	struct pseudo_fs *fs = m->fsdata;

	sk_vfs_free(fs->vns, fs->n * sizeof(*fs->vns));
	sk_vfs_free(fs, sizeof(*fs));
}
