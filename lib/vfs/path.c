// SPDX-License-Identifier: MIT
/*
 * Path resolution.  The whole walk runs inside one RCU read-side section
 * and takes no lock and no reference while every component is in the
 * dcache: each step is a hash lookup, a load of the child's @mounted
 * pointer and, for symlinks, a read of the immutable target.  Only the
 * result gets references.  On a miss the walker takes a reference on the
 * current directory, leaves the section, asks the filesystem
 * (sk_vfs_slow_lookup, which fills the dcache) and re-enters; it keeps that
 * reference (and the child's) until it ends or misses again, which keeps
 * every vnode it may still step to alive: a directory holds its parent,
 * a mount holds its covered vnode.
 */
#include <errno.h>
#include <string.h>

#include "dcache.h"

/* The current directory: holds a reference and a busy count on its mount;
 * NULL means "/". */
static _Atomic(struct sk_vnode *) vfs_cwd;

struct walk {
	struct sk_vnode *root, *cur;
	struct sk_vnode *held[2]; /* references kept across a slow lookup */
	const char *p; /* the rest of the path */
	unsigned nlinks;
	unsigned flags;
	char buf[SK_PATH_MAX];
	char tmp[SK_PATH_MAX];
};

static void walk_release(struct walk *w)
{
	for (int i = 0; i < 2; i++) {
		if (w->held[i])
			sk_vfs_vnode_put(w->held[i]);
		w->held[i] = NULL;
	}
}

static struct sk_vnode *walk_root(void)
{
	/* acquire: pairs with the release store in sk_vfs_init. */
	struct vfs_mount *m =
		atomic_load_explicit(&sk_vfs_rootmnt, memory_order_acquire);

	return m->root;
}

static struct sk_vnode *cross_mounts(struct sk_vnode *vn)
{
	struct vfs_mount *m;

	/* acquire: pairs with the release store in mount_attach. */
	while ((m = atomic_load_explicit(&vn->mounted, memory_order_acquire)))
		vn = m->root;
	return vn;
}

static struct sk_vnode *parent_of(struct walk *w, struct sk_vnode *vn)
{
	struct sk_vnode *p;

	while (vn != w->root && vn == vn->mnt->root && vn->mnt->covered)
		vn = vn->mnt->covered;
	if (vn == w->root)
		return vn;
	/* acquire: pairs with the release store in rename. */
	p = atomic_load_explicit(&vn->parent, memory_order_acquire);
	return p ? p : vn;
}

int sk_vfs_slow_lookup(struct sk_vnode *dir, const char *name, size_t len,
		       struct sk_vnode **child)
{
	bool immutable = dir->mnt->type->flags & VFS_FS_IMMUTABLE;
	int err;

	if (!dir->ops->lookup)
		return -ENOTDIR;
	/* Immutable: no lock, so blocking I/O here stalls nobody else. */
	if (!immutable)
		sk_mutex_lock(&dir->dlock);
	err = dir->ops->lookup(dir, name, len, child);
	/*
	 * Cache the answer, a negative one too: creators change the
	 * directory under the same dlock and replace or drop the entry.
	 * -EEXIST: a racing walker cached it first; -ENOMEM: uncached.
	 */
	if (!err)
		(void)sk_vfs_dcache_add(dir, name, len, *child);
	else if (err == -ENOENT)
		(void)sk_vfs_dcache_add(dir, name, len, NULL);
	if (!immutable)
		sk_mutex_unlock(&dir->dlock);
	return err;
}

/*
 * Look @name (hashed: @nhash) up in w->cur.  Return: 0 with *@out,
 * -errno (-ENOENT from a negative entry too), or 1: restart.
 */
static int walk_lookup(struct walk *w, const char *name, size_t len,
		       uint64_t nhash, struct sk_vnode **out)
{
	struct sk_vnode *cur = w->cur, *child;
	int err;

	if (sk_vfs_dcache_lookup(cur, name, len, nhash, &child)) {
		if (!child)
			return -ENOENT;
		*out = child;
		return 0;
	}
	if (!sk_vfs_vnode_tryget(cur))
		return 1;
	sk_rcu_read_unlock();
	err = sk_vfs_slow_lookup(cur, name, len, &child);
	sk_rcu_read_lock();
	/* Under RCU again: what we held stays readable until unlock. */
	walk_release(w);
	w->held[0] = cur;
	if (err)
		return err;
	w->held[1] = child;
	*out = child;
	return 0;
}

/* Replace the walked link component by its target.  @rest follows it. */
static int walk_splice(struct walk *w, struct sk_vnode *link, const char *rest)
{
	size_t tlen = strlen(link->link), rlen = strlen(rest);

	if (++w->nlinks > SK_SYMLOOP_MAX)
		return -ELOOP;
	if (tlen == 0)
		return -ENOENT;
	if (tlen + rlen + 1 > SK_PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(w->tmp, link->link, tlen);
	memcpy(w->tmp + tlen, rest, rlen + 1);
	memcpy(w->buf, w->tmp, tlen + rlen + 1);
	w->p = w->buf;
	if (w->buf[0] == '/')
		w->cur = w->root;
	return 0;
}

static void nd_set_last(struct vfs_nd *nd, const char *name, size_t len)
{
	memcpy(nd->last, name, len);
	nd->last[len] = '\0';
	nd->last_len = len;
	nd->last_kind = VFS_LAST_NORM;
	if (len == 1 && name[0] == '.')
		nd->last_kind = VFS_LAST_DOT;
	else if (len == 2 && name[0] == '.' && name[1] == '.')
		nd->last_kind = VFS_LAST_DOTDOT;
}

/* Take the result references.  Return: 0, or 1 if one vanished. */
static int walk_finish(struct walk *w, struct vfs_nd *nd, struct sk_vnode *dir,
		       struct sk_vnode *vn)
{
	if (vn && !sk_vfs_vnode_tryget(vn))
		return 1;
	if (dir && !sk_vfs_vnode_tryget(dir)) {
		if (vn)
			sk_vfs_vnode_put(vn);
		return 1;
	}
	nd->vn = vn;
	nd->dir = dir;
	(void)w;
	return 0;
}

/* One component; Return: 0 continue, 2 done, 1 restart, or -errno. */
static int walk_step(struct walk *w, struct vfs_nd *nd)
{
	const char *name = w->p, *q;
	uint64_t h = sk_vfs_dcache_seed;
	struct sk_vnode *child;
	unsigned char c;
	size_t len;
	bool last;
	int err;

	/* Find the component's end and hash it in the same pass. */
	while ((c = (unsigned char)*w->p) != '\0' && c != '/') {
		h = vfs_hash_byte(h, c);
		w->p++;
	}
	len = (size_t)(w->p - name);
	if (len > SK_NAME_MAX)
		return -ENAMETOOLONG;
	for (q = w->p; *q == '/'; q++)
		;
	last = *q == '\0';
	if (!SK_S_ISDIR(w->cur->type))
		return -ENOTDIR;
	if (last) {
		nd->trailing_slash = q != w->p;
		nd_set_last(nd, name, len);
	}
	if (len == 1 && name[0] == '.') {
		child = w->cur;
	} else if (len == 2 && name[0] == '.' && name[1] == '.') {
		child = parent_of(w, w->cur);
	} else {
		err = walk_lookup(w, name, len, h, &child);
		if (err == -ENOENT && last && (w->flags & VFS_WALK_PARENT))
			return walk_finish(w, nd, w->cur, NULL) ? 1 : 2;
		if (err)
			return err;
		child = cross_mounts(child);
	}
	if (!last) {
		if (SK_S_ISLNK(child->type))
			return walk_splice(w, child, w->p);
		w->cur = child;
		return 0;
	}
	/* PARENT never follows the last link: the caller decides. */
	if (w->flags & VFS_WALK_PARENT)
		return walk_finish(w, nd, w->cur, child) ? 1 : 2;
	if (SK_S_ISLNK(child->type) &&
	    (nd->trailing_slash || (w->flags & VFS_WALK_FOLLOW)))
		return walk_splice(w, child, w->p);
	if ((nd->trailing_slash || (w->flags & VFS_WALK_DIR)) &&
	    !SK_S_ISDIR(child->type))
		return -ENOTDIR;
	return walk_finish(w, nd, NULL, child) ? 1 : 2;
}

static int walk_run(struct walk *w, struct sk_vnode *start, const char *path,
		    struct vfs_nd *nd)
{
	struct sk_vnode *cwd;
	int ret;

	w->root = walk_root();
	/* acquire: pairs with the exchange in sk_vfs_cwd_set. */
	cwd = atomic_load_explicit(&vfs_cwd, memory_order_acquire);
	w->cur = path[0] == '/' ? w->root : start ? start : cwd ? cwd : w->root;
	w->p = path;
	w->nlinks = 0;
	for (;;) {
		while (*w->p == '/')
			w->p++;
		if (*w->p == '\0') {
			/* No component left: "/" or a link to a dir. */
			nd_set_last(nd, ".", 1);
			nd->last_kind = VFS_LAST_NONE;
			nd->trailing_slash = true;
			if (!SK_S_ISDIR(w->cur->type))
				return -ENOTDIR;
			if (w->flags & VFS_WALK_PARENT)
				return walk_finish(w, nd, w->cur, w->cur);
			return walk_finish(w, nd, NULL, w->cur);
		}
		ret = walk_step(w, nd);
		if (ret)
			return ret == 2 ? 0 : ret;
	}
}

/*
 * sk_vfs_walk - resolve @path from @start (NULL: the cwd; ignored for an
 * absolute path).  Return: 0 with references in @nd; -ENOENT, -ENOTDIR,
 * -ELOOP, -ENAMETOOLONG, -EFAULT.  PARENT: 0 with nd->vn NULL when only
 * the last component is missing.
 */
int sk_vfs_walk(struct sk_vnode *start, const char *path, unsigned flags,
		struct vfs_nd *nd)
{
	struct walk walk, *w = &walk;
	size_t len;
	int ret;

	if (!path)
		return -EFAULT;
	len = sk_vfs_strnlen(path, SK_PATH_MAX);
	if (len == SK_PATH_MAX)
		return -ENAMETOOLONG;
	if (len == 0)
		return -ENOENT;
	w->flags = flags;
	w->held[0] = w->held[1] = NULL;
	nd->dir = nd->vn = NULL;
	nd->last_kind = VFS_LAST_NONE;
	nd->trailing_slash = false;
	nd->last_len = 0;
	nd->last[0] = '\0';
	do {
		sk_rcu_read_lock();
		ret = walk_run(w, start, path, nd);
		walk_release(w);
		sk_rcu_read_unlock();
	} while (ret == 1);
	return ret;
}

void sk_vfs_nd_put(struct vfs_nd *nd)
{
	if (nd->vn)
		sk_vfs_vnode_put(nd->vn);
	if (nd->dir)
		sk_vfs_vnode_put(nd->dir);
	nd->vn = nd->dir = NULL;
}

/* The cwd with a reference, or the root. */
struct sk_vnode *sk_vfs_cwd_get(void)
{
	struct sk_vnode *vn;

	sk_rcu_read_lock();
	do {
		/* acquire: pairs with the exchange in sk_vfs_cwd_set. */
		vn = atomic_load_explicit(&vfs_cwd, memory_order_acquire);
		if (!vn)
			vn = walk_root();
	} while (!sk_vfs_vnode_tryget(vn));
	sk_rcu_read_unlock();
	return vn;
}

/* Make @vn (a referenced directory) the cwd; consumes the reference. */
int sk_vfs_cwd_set(struct sk_vnode *vn)
{
	struct sk_vnode *old;

	if (!sk_vfs_mount_enter(vn->mnt)) {
		sk_vfs_vnode_put(vn);
		return -ENOENT;
	}
	/* acq_rel: release publishes @vn to walkers (acquire in walk_run). */
	old = atomic_exchange_explicit(&vfs_cwd, vn, memory_order_acq_rel);
	if (old) {
		sk_vfs_mount_leave(old->mnt);
		sk_vfs_vnode_put(old);
	}
	return 0;
}
