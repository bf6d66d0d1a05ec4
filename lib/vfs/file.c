// SPDX-License-Identifier: MIT
/*
 * Open file descriptions and the process-wide fd table.  Slots are
 * atomic pointers read inside an RCU section, so sk_vfs_read() and
 * friends find their file with two loads and one reference increment,
 * no lock.  Slot changes (open, close, dup2) are serialised by fdt.lock.
 *
 * Files are type-stable, as Linux's (SLAB_TYPESAFE_BY_RCU): a file whose
 * last reference goes is closed and put straight back on a cache of free
 * files, with no grace period, and the next open reuses it.  Only past
 * the cache's size is one really freed, a grace period later.  A reader
 * that loaded a slot just before a close may so find the same memory
 * reused for another open file: sk_vfs_fd_get takes its reference with
 * an increment-if-not-zero and then checks that the slot still holds
 * that file, else drops the reference and retries.  Reuse never writes
 * @ref, which goes 0 -> 1 with a release store once the rest is set up.
 *
 * file ref state table:
 *   0 (free or being set up) --open, release store--> 1
 *   n > 0 --get/tryget (acquire)--> n+1;  n > 1 --put--> n-1
 *   1 --put--> 0: close the vnode, leave the mount, recycle
 *   0 --tryget--> fails (the reader reloads the slot)
 * fd slot: NULL --install (fdt.lock)--> file --close (fdt.lock)--> NULL.
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

/*
 * The cache of free files (see above), up to FCACHE_MAX: an open+close
 * then costs no allocator call and no grace period.  Closers push (a
 * CAS); poppers hold pop_lock (try-lock, else allocate), so an entry
 * cannot leave and come back under a popper's CAS: no ABA.
 * head: NULL --push (release CAS)--> f1 --push--> f2->f1
 *       --pop under pop_lock (acquire CAS)--> f1 ...
 */
enum { FCACHE_MAX = 256 };

static struct {
	_Atomic(struct vfs_file *) head;
	atomic_uint n;
	struct sk_mutex pop_lock;
} fcache;

int sk_vfs_fd_init(void)
{
	sk_mutex_init(&fdt.lock);
	sk_mutex_init(&fcache.pop_lock);
	return 0;
}

static struct vfs_file *file_alloc(void)
{
	struct vfs_file *f = NULL;

	if (atomic_load_explicit(&fcache.head, memory_order_relaxed) &&
	    sk_mutex_try_lock(&fcache.pop_lock) == 0) {
		/* acquire: pairs with the release CAS in file_recycle. */
		f = atomic_load_explicit(&fcache.head, memory_order_acquire);
		while (f && !atomic_compare_exchange_weak_explicit(
				    &fcache.head, &f, f->cache_next,
				    memory_order_acquire, memory_order_acquire))
			;
		sk_mutex_unlock(&fcache.pop_lock);
	}
	if (!f)
		return sk_vfs_zalloc(sizeof(*f));
	atomic_fetch_sub_explicit(&fcache.n, 1, memory_order_relaxed);
	/* Everything but @ref, which stale readers may still try. */
	memset((char *)f + offsetof(struct vfs_file, vn), 0,
	       sizeof(*f) - offsetof(struct vfs_file, vn));
	return f;
}

static void file_free_cb(struct vfs_defer *d)
{
	sk_vfs_free(SK_CONTAINER_OF(d, struct vfs_file, defer),
		    sizeof(struct vfs_file));
}

/* @f has no reference left (@ref is 0): cache it, or free it later. */
static void file_recycle(struct vfs_file *f)
{
	struct vfs_file *old;

	if (atomic_fetch_add_explicit(&fcache.n, 1, memory_order_relaxed) >=
	    FCACHE_MAX) {
		atomic_fetch_sub_explicit(&fcache.n, 1, memory_order_relaxed);
		/* Readers may still try its @ref: free after a grace period. */
		sk_vfs_defer(&f->defer, file_free_cb);
		return;
	}
	old = atomic_load_explicit(&fcache.head, memory_order_relaxed);
	do {
		f->cache_next = old;
		/* release: publishes cache_next to the popper. */
	} while (!atomic_compare_exchange_weak_explicit(&fcache.head, &old, f,
							memory_order_release,
							memory_order_relaxed));
}

int sk_vfs_file_open(struct sk_vnode *vn, int flags, struct vfs_file **out)
{
	struct vfs_file *f;
	int err;

	if (!sk_vfs_mount_enter(vn->mnt))
		return -ENOENT;
	f = file_alloc();
	if (!f) {
		sk_vfs_mount_leave(vn->mnt);
		return -ENOMEM;
	}
	sk_vfs_vnode_get(vn);
	f->vn = vn;
	/* What F_GETFL reports: Linux drops these four and O_CLOEXEC. */
	atomic_init(&f->flags, flags & ~(SK_O_CREAT | SK_O_EXCL | SK_O_TRUNC |
					 SK_O_NOCTTY | SK_O_CLOEXEC));
	sk_mutex_init(&f->pos_lock);
	if (vn->ops->open) {
		err = vn->ops->open(f);
		if (err) {
			sk_vfs_vnode_put(vn);
			file_recycle(f);
			sk_vfs_mount_leave(vn->mnt);
			return err;
		}
	}
	/* release: pairs with file_tryget's acquire (a stale reader's). */
	atomic_store_explicit(&f->ref, 1, memory_order_release);
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
		/* acquire: pairs with the release store in file_open. */
	} while (!atomic_compare_exchange_weak_explicit(&f->ref, &old, old + 1,
							memory_order_acquire,
							memory_order_relaxed));
	return true;
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
	file_recycle(f);
}

struct vfs_file *sk_vfs_fd_get(int fd)
{
	struct vfs_file *f;
	bool got;

	if (fd < 0 || fd >= SK_VFS_FD_MAX)
		return NULL;
	for (;;) {
		sk_rcu_read_lock();
		/* acquire: pairs with the release in fd_set. */
		f = atomic_load_explicit(&fdt.slot[fd], memory_order_acquire);
		got = f && file_tryget(f);
		sk_rcu_read_unlock();
		if (!f)
			return NULL;
		/* Still this fd's file, and not a reuse of its memory?
		 * acquire: pairs with the release in fd_set. */
		if (got && atomic_load_explicit(&fdt.slot[fd],
						memory_order_acquire) == f)
			return f;
		if (got)
			sk_vfs_file_put(f);
	}
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
	int keep = ~(SK_O_APPEND | SK_O_NONBLOCK);

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
	case SK_F_DUPFD_CLOEXEC:
		/* Linux: an out-of-range lowest fd is -EINVAL. */
		if (arg < 0 || arg >= SK_VFS_FD_MAX)
			ret = -EINVAL;
		else
			ret = fd_dup_from(fd, (int)arg,
					  cmd == SK_F_DUPFD ? 0
							    : SK_FD_CLOEXEC);
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
