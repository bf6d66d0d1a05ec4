// SPDX-License-Identifier: MIT
/*
 * ramfs: the in-memory filesystem ("/" and any ramfs mount).  A directory
 * is a list of entries in creation order; each entry holds a reference on
 * its vnode and carries the readdir cookie it was given (increasing), so
 * a listing resumed after changes never repeats an entry.  Namespace
 * operations run under the mount's directory's dlock (vfs_impl.h); attribute and
 * data changes take the vnode lock.
 */
#include <errno.h>
#include <string.h>

#include "ramfs.h"

struct ramfs_dirent {
	struct ramfs_dirent *next; /* the dir's dlock */
	struct sk_vnode *vn; /* holds a reference */
	int64_t cookie;
	uint16_t len;
	char name[];
};

struct ramfs_dir {
	struct ramfs_dirent *head; /* the dir's dlock: creation order */
	int64_t next_cookie; /* the dir's dlock */
	size_t count; /* the dir's dlock */
};

static const struct vfs_vnode_ops ramfs_ops;

static struct ramfs_dirent **dir_find(struct ramfs_dir *d, const char *name,
				      size_t len, struct sk_vnode *vn)
{
	struct ramfs_dirent **pp;

	for (pp = &d->head; *pp; pp = &(*pp)->next)
		if ((*pp)->len == len && memcmp((*pp)->name, name, len) == 0 &&
		    (!vn || (*pp)->vn == vn))
			return pp;
	return NULL;
}

/* Append an entry; consumes the caller's reference on @vn on success. */
static int dir_add(struct ramfs_dir *d, const char *name, size_t len,
		   struct sk_vnode *vn)
{
	struct ramfs_dirent *e = sk_vfs_alloc(sizeof(*e) + len), **pp;

	if (!e)
		return -ENOMEM;
	e->next = NULL;
	e->vn = vn;
	e->len = (uint16_t)len;
	e->cookie = d->next_cookie++;
	memcpy(e->name, name, len);
	for (pp = &d->head; *pp; pp = &(*pp)->next)
		;
	*pp = e;
	d->count++;
	return 0;
}

/* Unlink *@pp; returns its vnode reference to the caller. */
static struct sk_vnode *dir_del(struct ramfs_dir *d, struct ramfs_dirent **pp)
{
	struct ramfs_dirent *e = *pp;
	struct sk_vnode *vn = e->vn;

	*pp = e->next;
	d->count--;
	sk_vfs_free(e, sizeof(*e) + e->len);
	return vn;
}

static void touch_locked(struct sk_vnode *vn, int nlink_delta, unsigned what)
{
	sk_mutex_lock(&vn->lock);
	vn->nlink = (uint32_t)((int)vn->nlink + nlink_delta);
	sk_vfs_vnode_touch(vn, what);
	sk_mutex_unlock(&vn->lock);
}

static int ramfs_lookup(struct sk_vnode *dir, const char *name, size_t len,
			struct sk_vnode **child)
{
	struct ramfs_dirent **pp = dir_find(dir->priv, name, len, NULL);

	if (!pp)
		return -ENOENT;
	sk_vfs_vnode_get((*pp)->vn);
	*child = (*pp)->vn;
	return 0;
}

static int ramfs_new(struct sk_vnode *dir, uint32_t mode, const char *target,
		     struct sk_vnode **out)
{
	struct sk_vnode *vn;
	size_t plen = SK_S_ISDIR(mode) ? sizeof(struct ramfs_dir)
				       : sizeof(struct ramfs_file);
	int err = sk_vfs_vnode_create(dir->mnt, mode, &ramfs_ops, &vn);

	if (err)
		return err;
	if (SK_S_ISLNK(mode)) {
		vn->link = sk_vfs_strdup(target, strlen(target));
		vn->size = (int64_t)strlen(target);
	} else {
		vn->priv = sk_vfs_zalloc(plen);
	}
	if (SK_S_ISLNK(mode) ? !vn->link : !vn->priv) {
		sk_vfs_vnode_put(vn);
		return -ENOMEM;
	}
	if (SK_S_ISDIR(mode)) {
		((struct ramfs_dir *)vn->priv)->next_cookie = 2;
		vn->nlink = 2;
		sk_vfs_vnode_get(dir);
		atomic_store_explicit(&vn->parent, dir, memory_order_relaxed);
	}
	*out = vn;
	return 0;
}

static int ramfs_create(struct sk_vnode *dir, const char *name, size_t len,
			uint32_t mode, const char *target,
			struct sk_vnode **child)
{
	struct sk_vnode *vn;
	int err;

	if (dir_find(dir->priv, name, len, NULL))
		return -EEXIST;
	err = ramfs_new(dir, mode, target, &vn);
	if (err)
		return err;
	sk_vfs_vnode_get(vn);
	err = dir_add(dir->priv, name, len, vn);
	if (err) {
		sk_vfs_vnode_put(vn);
		sk_vfs_vnode_put(vn);
		return err;
	}
	touch_locked(dir, SK_S_ISDIR(mode) ? 1 : 0, VFS_TOUCH_M | VFS_TOUCH_C);
	*child = vn;
	return 0;
}

static int ramfs_link(struct sk_vnode *dir, const char *name, size_t len,
		      struct sk_vnode *vn)
{
	int err;

	if (dir_find(dir->priv, name, len, NULL))
		return -EEXIST;
	sk_vfs_vnode_get(vn);
	err = dir_add(dir->priv, name, len, vn);
	if (err) {
		sk_vfs_vnode_put(vn);
		return err;
	}
	touch_locked(vn, 1, VFS_TOUCH_C);
	touch_locked(dir, 0, VFS_TOUCH_M | VFS_TOUCH_C);
	return 0;
}

static int ramfs_unlink(struct sk_vnode *dir, const char *name, size_t len,
			struct sk_vnode *vn)
{
	struct ramfs_dirent **pp = dir_find(dir->priv, name, len, vn);
	bool isdir = SK_S_ISDIR(vn->type);

	if (!pp)
		return -ENOENT;
	dir_del(dir->priv, pp);
	if (isdir) {
		sk_mutex_lock(&vn->lock);
		vn->nlink = 0;
		sk_vfs_vnode_touch(vn, VFS_TOUCH_C);
		sk_mutex_unlock(&vn->lock);
	} else {
		touch_locked(vn, -1, VFS_TOUCH_C);
	}
	touch_locked(dir, isdir ? -1 : 0, VFS_TOUCH_M | VFS_TOUCH_C);
	sk_vfs_vnode_put(vn);
	return 0;
}

static int ramfs_rename(struct sk_vnode *odir, const char *oname, size_t olen,
			struct sk_vnode *ndir, const char *nname, size_t nlen,
			struct sk_vnode *vn)
{
	struct ramfs_dirent **pp = dir_find(odir->priv, oname, olen, vn);
	int delta = SK_S_ISDIR(vn->type) && odir != ndir ? 1 : 0;
	int err;

	if (!pp)
		return -ENOENT;
	/* The new entry first: on -ENOMEM nothing has changed. */
	err = dir_add(ndir->priv, nname, nlen, vn);
	if (err)
		return err;
	pp = dir_find(odir->priv, oname, olen, vn);
	dir_del(odir->priv, pp);
	touch_locked(odir, -delta, VFS_TOUCH_M | VFS_TOUCH_C);
	if (ndir != odir)
		touch_locked(ndir, delta, VFS_TOUCH_M | VFS_TOUCH_C);
	touch_locked(vn, 0, VFS_TOUCH_C);
	return 0;
}

static bool ramfs_is_empty(struct sk_vnode *dir)
{
	return ((struct ramfs_dir *)dir->priv)->count == 0;
}

static int ramfs_name_of(struct sk_vnode *dir, struct sk_vnode *child,
			 char *buf, size_t cap)
{
	struct ramfs_dir *d = dir->priv;

	for (struct ramfs_dirent *e = d->head; e; e = e->next) {
		if (e->vn != child)
			continue;
		if (e->len > cap)
			return -ERANGE;
		memcpy(buf, e->name, e->len);
		return e->len;
	}
	return -ENOENT;
}

static int ramfs_readdir(struct sk_vnode *dir, int64_t pos, vfs_filldir_fn fill,
			 void *ctx)
{
	struct ramfs_dir *d = dir->priv;

	for (struct ramfs_dirent *e = d->head; e; e = e->next) {
		if (e->cookie < pos)
			continue;
		if (fill(ctx, e->name, e->len, e->vn->ino,
			 sk_vfs_dirent_type(e->vn->type), e->cookie + 1))
			return 1;
	}
	return 0;
}

/* Runs from the vnode's RCU callback: frees memory only. */
static void ramfs_release(struct sk_vnode *vn)
{
	if (SK_S_ISREG(vn->type) && vn->priv) {
		sk_vfs_ramfs_data_free(vn->priv);
		sk_vfs_free(vn->priv, sizeof(struct ramfs_file));
	} else if (SK_S_ISDIR(vn->type) && vn->priv) {
		struct ramfs_dir *d = vn->priv;

		while (d->head)
			sk_vfs_vnode_put(dir_del(d, &d->head));
		sk_vfs_free(d, sizeof(*d));
	}
}

static const struct vfs_vnode_ops ramfs_ops = {
	.lookup = ramfs_lookup,
	.create = ramfs_create,
	.link = ramfs_link,
	.unlink = ramfs_unlink,
	.rename = ramfs_rename,
	.is_empty = ramfs_is_empty,
	.name_of = ramfs_name_of,
	.readdir = ramfs_readdir,
	.read = sk_vfs_ramfs_read,
	.write = sk_vfs_ramfs_write,
	.truncate = sk_vfs_ramfs_truncate,
	.release = ramfs_release,
};

static int ramfs_mount(struct vfs_mount *m, void *data)
{
	struct sk_vnode *root;
	int err;

	(void)data;
	err = sk_vfs_vnode_create(m, SK_S_IFDIR | 0755, &ramfs_ops, &root);
	if (err)
		return err;
	root->priv = sk_vfs_zalloc(sizeof(struct ramfs_dir));
	if (!root->priv) {
		sk_vfs_vnode_put(root);
		return -ENOMEM;
	}
	((struct ramfs_dir *)root->priv)->next_cookie = 2;
	root->nlink = 2;
	m->root = root;
	return 0;
}

/* Drop every entry, depth first (parent's dlock before the child's). */
static void ramfs_clear(struct sk_vnode *dir)
{
	struct ramfs_dir *d = dir->priv;

	sk_mutex_lock(&dir->dlock);
	while (d->head) {
		struct sk_vnode *vn = d->head->vn;

		if (SK_S_ISDIR(vn->type))
			ramfs_clear(vn);
		sk_vfs_vnode_put(dir_del(d, &d->head));
	}
	sk_mutex_unlock(&dir->dlock);
}

static void ramfs_unmount(struct vfs_mount *m)
{
	ramfs_clear(m->root);
}

static void ramfs_statfs(struct vfs_mount *m, struct sk_statfs *st)
{
	st->files = atomic_load_explicit(&m->nvnodes, memory_order_relaxed);
}

const struct vfs_fstype sk_vfs_ramfs_type = {
	.name = "ramfs",
	.magic = RAMFS_MAGIC,
	.mount = ramfs_mount,
	.unmount = ramfs_unmount,
	.statfs = ramfs_statfs,
};
