// SPDX-License-Identifier: MIT
/*
 * Open file descriptions and the process-wide fd table.  Slots are
 * atomic pointers read inside an RCU section (a file is freed a grace
 * period after its last reference), so sk_vfs_read() and friends find
 * their file with one load and one reference increment, no lock.  Slot
 * changes (open, close, dup2) are serialised by fd_lock.
 *
 * file ref state table: as for vnodes (n > 0 live; 1 --put--> 0: close
 * the vnode, leave the mount, free after a grace period).
 * fd slot: NULL --install (fd_lock)--> file --close (fd_lock)--> NULL.
 * A reserved slot holds FD_RESERVED while open() finishes.
 */
#include <errno.h>
#include <string.h>

#include <plat/assert.h>

#include "vfs_impl.h"

static struct {
	_Atomic(struct vfs_file *) slot[SK_VFS_FD_MAX];
	atomic_uchar fdflags[SK_VFS_FD_MAX]; /* SK_FD_CLOEXEC */
	struct sk_mutex lock;
} fdt;

int sk_vfs_fd_init(void)
{
	sk_mutex_init(&fdt.lock);
	return 0;
}

int sk_vfs_file_open(struct sk_vnode *vn, int flags, struct vfs_file **out)
{
	struct vfs_file *f;
	int err;

	if (!sk_vfs_mount_enter(vn->mnt))
		return -ENOENT;
	f = sk_vfs_zalloc(sizeof(*f));
	if (!f) {
		sk_vfs_mount_leave(vn->mnt);
		return -ENOMEM;
	}
	atomic_init(&f->ref, 1);
	sk_vfs_vnode_get(vn);
	f->vn = vn;
	atomic_init(&f->flags,
		    flags & ~(SK_O_CREAT | SK_O_EXCL | SK_O_TRUNC |
			      SK_O_NOCTTY | SK_O_CLOEXEC | SK_O_NOFOLLOW));
	sk_mutex_init(&f->pos_lock);
	if (vn->ops->open) {
		err = vn->ops->open(f);
		if (err) {
			sk_vfs_vnode_put(vn);
			sk_vfs_free(f, sizeof(*f));
			sk_vfs_mount_leave(vn->mnt);
			return err;
		}
	}
	*out = f;
	return 0;
}

void sk_vfs_file_get(struct vfs_file *f)
{
	atomic_fetch_add_explicit(&f->ref, 1, memory_order_relaxed);
}

static bool file_tryget(struct vfs_file *f)
{
	unsigned old = atomic_load_explicit(&f->ref, memory_order_relaxed);

	do {
		if (old == 0)
			return false;
	} while (!atomic_compare_exchange_weak_explicit(&f->ref, &old, old + 1,
							memory_order_relaxed,
							memory_order_relaxed));
	return true;
}

static void file_free_cb(struct vfs_defer *d)
{
	sk_vfs_free(SK_CONTAINER_OF(d, struct vfs_file, defer),
		    sizeof(struct vfs_file));
}

void sk_vfs_file_put(struct vfs_file *f)
{
	struct sk_vnode *vn = f->vn;
	/* acq_rel: as in sk_vfs_vnode_put. */
	unsigned old =
		atomic_fetch_sub_explicit(&f->ref, 1, memory_order_acq_rel);

	SK_ASSERT(old > 0, "file put below zero");
	if (old != 1)
		return;
	if (vn->ops->close)
		vn->ops->close(f);
	sk_vfs_mount_leave(vn->mnt);
	sk_vfs_vnode_put(vn);
	sk_vfs_defer(&f->defer, file_free_cb);
}

struct vfs_file *sk_vfs_fd_get(int fd)
{
	struct vfs_file *f;

	if (fd < 0 || fd >= SK_VFS_FD_MAX)
		return NULL;
	sk_rcu_read_lock();
	do {
		/* acquire: pairs with the release in fd_set. */
		f = atomic_load_explicit(&fdt.slot[fd], memory_order_acquire);
	} while (f && !file_tryget(f));
	sk_rcu_read_unlock();
	return f;
}

/* Caller holds fdt.lock. */
static void fd_set(int fd, struct vfs_file *f, int fdflags)
{
	atomic_store_explicit(&fdt.fdflags[fd], (unsigned char)fdflags,
			      memory_order_relaxed);
	/* release: publishes @f's initialisation to sk_vfs_fd_get. */
	atomic_store_explicit(&fdt.slot[fd], f, memory_order_release);
}

static int fd_lowest_free(int from)
{
	for (int fd = from; fd < SK_VFS_FD_MAX; fd++)
		if (!atomic_load_explicit(&fdt.slot[fd], memory_order_relaxed))
			return fd;
	return -EMFILE;
}

/* Install @f (consumes its reference) in the lowest free slot. */
int sk_vfs_fd_install(struct vfs_file *f, int flags)
{
	int fd;

	sk_mutex_lock(&fdt.lock);
	fd = fd_lowest_free(0);
	if (fd >= 0)
		fd_set(fd, f, (flags & SK_O_CLOEXEC) ? SK_FD_CLOEXEC : 0);
	sk_mutex_unlock(&fdt.lock);
	if (fd < 0)
		sk_vfs_file_put(f);
	return fd;
}

int sk_vfs_close(int fd)
{
	struct vfs_file *f;

	if (fd < 0 || fd >= SK_VFS_FD_MAX)
		return -EBADF;
	sk_mutex_lock(&fdt.lock);
	f = atomic_exchange_explicit(&fdt.slot[fd], NULL, memory_order_relaxed);
	sk_mutex_unlock(&fdt.lock);
	if (!f)
		return -EBADF;
	sk_vfs_file_put(f);
	return 0;
}

static int fd_dup_from(int oldfd, int from, int fdflags)
{
	struct vfs_file *f = sk_vfs_fd_get(oldfd);
	int fd;

	if (!f)
		return -EBADF;
	if (from < 0 || from >= SK_VFS_FD_MAX) {
		sk_vfs_file_put(f);
		return -EINVAL;
	}
	sk_mutex_lock(&fdt.lock);
	fd = fd_lowest_free(from);
	if (fd >= 0)
		fd_set(fd, f, fdflags);
	sk_mutex_unlock(&fdt.lock);
	if (fd < 0)
		sk_vfs_file_put(f);
	return fd;
}

int sk_vfs_dup(int fd)
{
	return fd_dup_from(fd, 0, 0);
}

int sk_vfs_dup2(int oldfd, int newfd)
{
	struct vfs_file *f = sk_vfs_fd_get(oldfd), *old;

	if (!f)
		return -EBADF;
	if (newfd < 0 || newfd >= SK_VFS_FD_MAX) {
		sk_vfs_file_put(f);
		return -EBADF;
	}
	if (newfd == oldfd) {
		sk_vfs_file_put(f);
		return newfd;
	}
	sk_mutex_lock(&fdt.lock);
	old = atomic_exchange_explicit(&fdt.slot[newfd], NULL,
				       memory_order_relaxed);
	fd_set(newfd, f, 0);
	sk_mutex_unlock(&fdt.lock);
	if (old)
		sk_vfs_file_put(old);
	return newfd;
}

static int fcntl_setfl(struct vfs_file *f, long arg)
{
	int keep = SK_O_ACCMODE | SK_O_DIRECTORY;

	int old;

	sk_mutex_lock(&f->pos_lock);
	old = atomic_load_explicit(&f->flags, memory_order_relaxed);
	atomic_store_explicit(
		&f->flags,
		(old & keep) | ((int)arg & (SK_O_APPEND | SK_O_NONBLOCK)),
		memory_order_relaxed);
	sk_mutex_unlock(&f->pos_lock);
	return 0;
}

int sk_vfs_fcntl(int fd, int cmd, long arg)
{
	struct vfs_file *f = sk_vfs_fd_get(fd);
	int ret = 0;

	if (!f)
		return -EBADF;
	switch (cmd) {
	case SK_F_DUPFD:
		ret = fd_dup_from(fd, (int)arg, 0);
		break;
	case SK_F_GETFD:
		ret = atomic_load_explicit(&fdt.fdflags[fd],
					   memory_order_relaxed);
		break;
	case SK_F_SETFD:
		atomic_store_explicit(&fdt.fdflags[fd],
				      (unsigned char)(arg & SK_FD_CLOEXEC),
				      memory_order_relaxed);
		break;
	case SK_F_GETFL:
		ret = atomic_load_explicit(&f->flags, memory_order_relaxed);
		break;
	case SK_F_SETFL:
		ret = fcntl_setfl(f, arg);
		break;
	default:
		ret = -EINVAL;
	}
	sk_vfs_file_put(f);
	return ret;
}

int sk_vfs_close_on_exec(void)
{
	int n = 0;

	for (int fd = 0; fd < SK_VFS_FD_MAX; fd++) {
		if (!atomic_load_explicit(&fdt.slot[fd], memory_order_relaxed))
			continue;
		if (atomic_load_explicit(&fdt.fdflags[fd],
					 memory_order_relaxed) &
		    SK_FD_CLOEXEC) {
			if (sk_vfs_close(fd) == 0)
				n++;
		}
	}
	return n;
}

void sk_vfs_fd_walk(void (*fn)(int fd, struct vfs_file *f, void *arg),
		    void *arg)
{
	for (int fd = 0; fd < SK_VFS_FD_MAX; fd++) {
		struct vfs_file *f = sk_vfs_fd_get(fd);

		if (f) {
			fn(fd, f, arg);
			sk_vfs_file_put(f);
		}
	}
}
