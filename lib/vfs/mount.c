// SPDX-License-Identifier: MIT
/*
 * Mounts: the filesystem type list, the mount table, sk_vfs_init,
 * sk_vfs_mount and sk_vfs_umount.  A mount point is a directory vnode
 * whose @mounted pointer names the mount; walkers load it (acquire) and
 * step onto the mount's root.  Unmount unpublishes that pointer, waits a
 * grace period so no walker is still stepping in, then tears down.
 *
 * Busy detection (Dekker pair, both sides seq_cst):
 *   opener:  busy++ ; if dying: busy--, fail
 *   umount:  dying = 1 ; if busy: dying = 0, -EBUSY
 * At least one side sees the other, so no file is opened on a mount that
 * umount then tears down.
 */
#include <errno.h>
#include <string.h>

#include <plat/assert.h>
#include <sched/thread.h>

#include "dcache.h"

_Atomic(struct vfs_mount *) sk_vfs_rootmnt;
struct sk_mutex sk_vfs_mount_lock;
struct vfs_mount *sk_vfs_mounts; /* sk_vfs_mount_lock */

static const struct vfs_fstype *const fstypes[] = {
	&sk_vfs_ramfs_type,
	&sk_vfs_devfs_type,
	&sk_vfs_procfs_type,
	&sk_vfs_rofs_type,
};

static atomic_uint vfs_inited;
static atomic_ullong next_dev = 1;

static const struct vfs_fstype *fstype_find(const char *name)
{
	for (size_t i = 0; i < SK_ARRAY_LEN(fstypes); i++)
		if (strcmp(fstypes[i]->name, name) == 0)
			return fstypes[i];
	return NULL;
}

bool sk_vfs_mount_enter(struct vfs_mount *m)
{
	atomic_fetch_add_explicit(&m->busy, 1, memory_order_seq_cst);
	if (atomic_load_explicit(&m->dying, memory_order_seq_cst)) {
		atomic_fetch_sub_explicit(&m->busy, 1, memory_order_relaxed);
		return false;
	}
	return true;
}

void sk_vfs_mount_leave(struct vfs_mount *m)
{
	/* release: the file's last accesses happen before umount's seq_cst
	 * load of @busy sees it gone. */
	atomic_fetch_sub_explicit(&m->busy, 1, memory_order_release);
}

static void copy_trunc(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if (n >= cap)
		n = cap - 1;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Wait until every vnode of @m is freed. */
static void mount_drain(struct vfs_mount *m)
{
	/*
	 * Vnode releases chain (a dir puts its parent) and a walker may
	 * still hold a passing reference: wait for every vnode to go.  The
	 * acquire pairs with the release in vnode_free_cb.
	 */
	for (unsigned i = 0;
	     atomic_load_explicit(&m->nvnodes, memory_order_acquire); i++) {
		SK_ASSERT(i < 20000, "vnode leaked past unmount");
		sk_vfs_defer_flush();
		sk_rcu_barrier();
		if (i > 10)
			sk_thread_sleep_for(1000000);
	}
}

static int mount_build(const struct vfs_fstype *t, const char *source,
		       const char *target, unsigned flags, void *data,
		       struct vfs_mount **out)
{
	struct vfs_mount *m = sk_vfs_zalloc(sizeof(*m));
	int err;

	if (!m)
		return -ENOMEM;
	m->type = t;
	m->flags = flags;
	m->dev = atomic_fetch_add_explicit(&next_dev, 1, memory_order_relaxed);
	atomic_init(&m->next_ino, 1);
	sk_mutex_init(&m->rename_lock);
	sk_mutex_init(&m->dcache_lock);
	copy_trunc(m->source, sizeof(m->source), source ? source : t->name);
	copy_trunc(m->target, sizeof(m->target), target);
	err = t->mount(m, data);
	if (err) {
		/* The filesystem dropped what it made; wait for it to go. */
		mount_drain(m);
		if (m->fsdata && t->destroy)
			t->destroy(m);
		sk_vfs_free(m, sizeof(*m));
		return err;
	}
	*out = m;
	return 0;
}

int sk_vfs_init(const struct sk_vfs_config *cfg)
{
	struct vfs_mount *m;
	unsigned zero = 0;
	int err;

	if (!cfg || !cfg->mem || !cfg->mem->alloc || !cfg->mem->free)
		return -EINVAL;
	if (cfg->dcache_limit && cfg->dcache_limit < VFS_DCACHE_LIMIT_MIN)
		return -EINVAL;
	/* acq_rel: one initialiser; pairs with the release on failure. */
	if (!atomic_compare_exchange_strong_explicit(&vfs_inited, &zero, 1,
						     memory_order_acq_rel,
						     memory_order_relaxed))
		return -EBUSY;
	sk_vfs_mem = *cfg->mem;
	sk_mutex_init(&sk_vfs_mount_lock);
	err = sk_vfs_dcache_init(cfg->dcache_limit);
	if (!err)
		err = sk_vfs_fd_init();
	if (!err)
		err = mount_build(&sk_vfs_ramfs_type, "rootfs", "/", 0, NULL,
				  &m);
	if (err) {
		/* release: a later sk_vfs_init sees this attempt's end. */
		atomic_store_explicit(&vfs_inited, 0, memory_order_release);
		return err;
	}
	sk_vfs_mounts = m;
	/* release: pairs with the acquire load in the path walker. */
	atomic_store_explicit(&sk_vfs_rootmnt, m, memory_order_release);
	return 0;
}

static int mount_attach(struct vfs_mount *m, struct sk_vnode *vn)
{
	sk_mutex_lock(&sk_vfs_mount_lock);
	if (atomic_load_explicit(&vn->mounted, memory_order_relaxed)) {
		sk_mutex_unlock(&sk_vfs_mount_lock);
		return -EBUSY;
	}
	m->covered = vn;
	m->parent = vn->mnt;
	m->parent->nchildren++;
	m->next = sk_vfs_mounts;
	sk_vfs_mounts = m;
	/* release: pairs with the walker's acquire load of @mounted. */
	atomic_store_explicit(&vn->mounted, m, memory_order_release);
	sk_mutex_unlock(&sk_vfs_mount_lock);
	return 0;
}

static void mount_destroy(struct vfs_mount *m)
{
	sk_vfs_dcache_drop_mount(m);
	if (m->type->unmount)
		m->type->unmount(m);
	sk_vfs_vnode_put(m->root);
	mount_drain(m);
	if (m->type->destroy)
		m->type->destroy(m);
	sk_vfs_free(m, sizeof(*m));
}

int sk_vfs_mount(const char *source, const char *target, const char *fstype,
		 unsigned flags, void *data)
{
	const struct vfs_fstype *t;
	struct vfs_mount *m;
	struct vfs_nd nd;
	int err;

	if (!target || !fstype)
		return -EFAULT;
	if (flags & ~(unsigned)SK_MNT_RDONLY)
		return -EINVAL;
	t = fstype_find(fstype);
	if (!t)
		return -ENODEV;
	err = sk_vfs_walk(NULL, target, VFS_WALK_FOLLOW | VFS_WALK_DIR, &nd);
	if (err)
		return err;
	err = mount_build(t, source, target, flags, data, &m);
	if (err)
		goto out_put;
	err = mount_attach(m, nd.vn);
	if (err) {
		mount_destroy(m);
		goto out_put;
	}
	return 0;
out_put:
	sk_vfs_nd_put(&nd);
	return err;
}

static int umount_detach(struct vfs_mount *m)
{
	struct vfs_mount **pp;

	sk_mutex_lock(&sk_vfs_mount_lock);
	if (m->nchildren) {
		sk_mutex_unlock(&sk_vfs_mount_lock);
		return -EBUSY;
	}
	atomic_store_explicit(&m->dying, 1, memory_order_seq_cst);
	if (atomic_load_explicit(&m->busy, memory_order_seq_cst)) {
		atomic_store_explicit(&m->dying, 0, memory_order_relaxed);
		sk_mutex_unlock(&sk_vfs_mount_lock);
		return -EBUSY;
	}
	atomic_store_explicit(&m->covered->mounted, NULL, memory_order_relaxed);
	for (pp = &sk_vfs_mounts; *pp != m; pp = &(*pp)->next)
		;
	*pp = m->next;
	m->parent->nchildren--;
	sk_mutex_unlock(&sk_vfs_mount_lock);
	return 0;
}

int sk_vfs_umount(const char *target)
{
	struct vfs_mount *m;
	struct vfs_nd nd;
	int err;

	if (!target)
		return -EFAULT;
	err = sk_vfs_walk(NULL, target, VFS_WALK_FOLLOW, &nd);
	if (err)
		return err;
	m = nd.vn->mnt;
	if (nd.vn != m->root || !m->covered) {
		sk_vfs_nd_put(&nd);
		return -EINVAL;
	}
	sk_vfs_nd_put(&nd);
	err = umount_detach(m);
	if (err)
		return err;
	/* No walker still stands on the way in once this returns. */
	sk_synchronize_rcu();
	sk_vfs_vnode_put(m->covered);
	mount_destroy(m);
	return 0;
}
