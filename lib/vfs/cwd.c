// SPDX-License-Identifier: MIT
/*
 * getcwd: walk from the current directory to the root through the
 * directories' parent references (crossing mounts through the covered
 * vnode), asking each parent for the child's name, and build the path
 * from its end.  Each name is read under the parent's dlock (mutable
 * filesystems), so it is the name at that moment; a concurrent rename
 * may give a path that was valid at some point during the call, as on
 * Linux.
 */
#include <errno.h>
#include <string.h>

#include "vfs_impl.h"

static int name_in_parent(struct sk_vnode *parent, struct sk_vnode *vn,
			  char *buf, size_t cap)
{
	struct vfs_mount *m = parent->mnt;
	bool locked = !(m->type->flags & VFS_FS_IMMUTABLE);
	int n;

	if (!parent->ops->name_of)
		return -ENOENT;
	if (locked)
		sk_mutex_lock(&parent->dlock);
	n = parent->ops->name_of(parent, vn, buf, cap);
	if (locked)
		sk_mutex_unlock(&parent->dlock);
	return n;
}

/* One step up from *@vn (a reference, replaced); prepends to @end. */
static int step_up(struct sk_vnode **vn, char *path, size_t *start)
{
	struct sk_vnode *cur = *vn, *parent;
	char name[SK_NAME_MAX];
	int n;

	if (cur == cur->mnt->root && cur->mnt->covered) {
		parent = cur->mnt->covered;
		sk_vfs_vnode_get(parent);
		sk_vfs_vnode_put(cur);
		*vn = parent;
		return 0;
	}
	/* acquire: pairs with the release exchange in rename_reparent. */
	parent = atomic_load_explicit(&cur->parent, memory_order_acquire);
	if (!parent)
		return -ENOENT;
	sk_vfs_vnode_get(parent);
	n = name_in_parent(parent, cur, name, sizeof(name));
	sk_vfs_vnode_put(cur);
	*vn = parent;
	if (n < 0)
		return -ENOENT;
	if ((size_t)n + 1 > *start)
		return -ENAMETOOLONG;
	*start -= (size_t)n;
	memcpy(path + *start, name, (size_t)n);
	path[--*start] = '/';
	return 0;
}

long sk_vfs_getcwd(char *buf, size_t len)
{
	struct sk_vnode *vn = sk_vfs_cwd_get(), *root;
	size_t start = SK_PATH_MAX - 1;
	char *path;
	int err = 0;

	if (!buf) {
		sk_vfs_vnode_put(vn);
		return -EFAULT;
	}
	path = sk_vfs_alloc(SK_PATH_MAX);
	if (!path) {
		sk_vfs_vnode_put(vn);
		return -ENOMEM;
	}
	path[start] = '\0';
	/* acquire: pairs with the release store in sk_vfs_init. */
	root = atomic_load_explicit(&sk_vfs_rootmnt, memory_order_acquire)
		       ->root;
	while (!err && vn != root)
		err = step_up(&vn, path, &start);
	sk_vfs_vnode_put(vn);
	if (!err && start == SK_PATH_MAX - 1)
		path[--start] = '/';
	if (!err && SK_PATH_MAX - start > len)
		err = -ERANGE;
	if (!err)
		memcpy(buf, path + start, SK_PATH_MAX - start);
	sk_vfs_free(path, SK_PATH_MAX);
	return err ? err : (long)(SK_PATH_MAX - start);
}
