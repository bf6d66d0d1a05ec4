/* SPDX-License-Identifier: MIT */
/*
 * lib/vfs internals shared by the core (vnode, dcache, mount, path, file,
 * ops) and the filesystems (ramfs, pseudofs, rofs).
 *
 * Lock order: sk_vfs_mount_lock (mount table) -> a mount's rename_lock
 * (cross-directory renames) -> directory dlocks (an ancestor before its
 * descendants; unrelated directories by address) -> vnode lock -> the
 * mount's dcache_lock -> the dcache table lock (dcache.c).  A file's
 * pos_lock comes before all of them but sk_vfs_mount_lock.  Lookups take
 * none of these on a dcache hit: they run inside one RCU section.
 */
#ifndef VFS_IMPL_H
#define VFS_IMPL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <plat/compiler.h>
#include <rcu/rcu.h>
#include <sync/mutex.h>
#include <vfs/vfs.h>

struct sk_vnode;
struct vfs_mount;
struct vfs_file;

/* A free deferred past a grace period, in batches (defer.c). */
struct vfs_defer {
	struct sk_rcu_head rcu;
	struct vfs_defer *next;
	void (*fn)(struct vfs_defer *d);
};

/* Emit one directory entry; non-zero means the caller's buffer is full. */
typedef int (*vfs_filldir_fn)(void *ctx, const char *name, size_t len,
			      uint64_t ino, unsigned type, int64_t next);

/*
 * Operations of one vnode.  Namespace operations (lookup of a mutable
 * filesystem, create, mkdir, symlink, link, unlink, rmdir, rename) run
 * with the dlock of each directory they change held and the generic
 * checks done; data
 * operations take the vnode lock themselves where they need it.  A NULL
 * operation means "not supported" (the core returns the POSIX error).
 */
struct vfs_vnode_ops {
	/* @child gets a reference. -ENOENT if absent. */
	int (*lookup)(struct sk_vnode *dir, const char *name, size_t len,
		      struct sk_vnode **child);
	/* New object of type and mode @mode (@target for symlinks). */
	int (*create)(struct sk_vnode *dir, const char *name, size_t len,
		      uint32_t mode, const char *target,
		      struct sk_vnode **child);
	int (*link)(struct sk_vnode *dir, const char *name, size_t len,
		    struct sk_vnode *vn);
	/* Remove the entry for @vn (a directory is known to be empty). */
	int (*unlink)(struct sk_vnode *dir, const char *name, size_t len,
		      struct sk_vnode *vn);
	/* Move @vn; a @victim at the destination was already unlinked. */
	int (*rename)(struct sk_vnode *odir, const char *oname, size_t olen,
		      struct sk_vnode *ndir, const char *nname, size_t nlen,
		      struct sk_vnode *vn);
	/* Whether directory @dir has entries.  @dir's dlock held. */
	bool (*is_empty)(struct sk_vnode *dir);
	/* Copy @child's name in @dir to @buf; its length or -ENOENT. */
	int (*name_of)(struct sk_vnode *dir, struct sk_vnode *child, char *buf,
		       size_t cap);
	/* Entries after cookie @pos (0: from the start, "." and ".." first). */
	int (*readdir)(struct sk_vnode *dir, int64_t pos, vfs_filldir_fn fill,
		       void *ctx);
	long (*read)(struct vfs_file *f, void *buf, size_t len, int64_t off);
	/* @off < 0: append; returns bytes, stores the end offset in *@end. */
	long (*write)(struct vfs_file *f, const void *buf, size_t len,
		      int64_t off, int64_t *end);
	int (*truncate)(struct sk_vnode *vn, int64_t len);
	int (*open)(struct vfs_file *f);
	void (*close)(struct vfs_file *f);
	/* Free the filesystem's part of @vn.  Must not block. */
	void (*release)(struct sk_vnode *vn);
};

/*
 * A vnode.  ref: atomic, the vnode is freed one grace period after it
 * reaches 0 (so RCU walkers may read any immutable field of a vnode they
 * reached without a reference).  "imm" fields never change after
 * creation; "lock" fields are guarded by @lock.
 */
struct sk_vnode {
	atomic_uint ref;
	uint32_t type; /* imm: SK_S_IFMT bits */
	uint64_t ino; /* imm */
	struct vfs_mount *mnt; /* imm */
	const struct vfs_vnode_ops *ops; /* imm */
	const char *link; /* imm: symlink target (NUL-terminated) */
	uint64_t rdev; /* imm */
	_Atomic(struct sk_vnode *) parent; /* dirs: a ref; rename_lock */
	_Atomic(struct vfs_mount *) mounted; /* sk_vfs_mount_lock (written) */
	struct sk_mutex dlock; /* dirs: the entries, namespace changes */
	struct sk_mutex lock;
	uint32_t perm; /* lock */
	uint32_t nlink; /* lock (and the parent's dlock for changes) */
	uint32_t uid, gid; /* lock */
	int64_t size; /* lock */
	int64_t blocks; /* lock: 512-byte units stored */
	int64_t atime_ns, mtime_ns, ctime_ns; /* lock */
	void *priv; /* the filesystem's */
	uint32_t dchildren; /* mnt->dcache_lock: cached entries in this dir */
	struct vfs_defer defer;
};

/* A filesystem type. */
struct vfs_fstype {
	const char *name;
	uint64_t magic;
	unsigned flags; /* enum vfs_fstype_flags */
	/* Build the filesystem; set m->root (a reference) and m->fsdata. */
	int (*mount)(struct vfs_mount *m, void *data);
	/* Drop every vnode reference the filesystem holds. May block. */
	void (*unmount)(struct vfs_mount *m);
	/* After the last vnode is freed (an RCU barrier later). */
	void (*destroy)(struct vfs_mount *m);
	void (*statfs)(struct vfs_mount *m, struct sk_statfs *st);
};

enum vfs_fstype_flags {
	/* Lookups need no dlock: the namespace never changes. */
	VFS_FS_IMMUTABLE = 1 << 0,
};

struct vfs_dentry;

struct vfs_mount {
	const struct vfs_fstype *type; /* imm */
	struct sk_vnode *root; /* imm after mount: holds a ref */
	struct sk_vnode *covered; /* imm: holds a ref; NULL for "/" */
	struct vfs_mount *parent; /* imm */
	void *fsdata; /* the filesystem's */
	unsigned flags; /* imm: enum sk_mount_flags */
	uint64_t dev; /* imm */
	struct sk_mutex rename_lock; /* renames across directories */
	struct sk_mutex dcache_lock; /* the dentries list */
	struct vfs_dentry *dentries; /* dcache_lock: entries, newest first */
	struct vfs_dentry *dentries_tail; /* dcache_lock: the oldest */
	atomic_uint busy; /* open files and cwd on this mount */
	atomic_uint dying; /* set by umount before checking busy */
	unsigned nchildren; /* sk_vfs_mount_lock */
	struct vfs_mount *next; /* sk_vfs_mount_lock: mount table */
	atomic_ullong next_ino; /* inode numbers for fs that need them */
	atomic_uint nvnodes; /* vnodes not yet freed */
	char source[64]; /* imm */
	char target[128]; /* imm: for /proc/mounts, truncated */
	struct vfs_defer defer;
};

/* An open file description. */
struct vfs_file {
	atomic_uint ref;
	struct sk_vnode *vn; /* imm: holds a ref */
	atomic_int flags; /* SK_O_ flags; SETFL under pos_lock */
	struct sk_mutex pos_lock;
	int64_t pos; /* pos_lock */
	void *priv; /* the filesystem's (procfs: a snapshot) */
	size_t priv_len;
	struct vfs_defer defer;
	struct vfs_file *cache_next; /* file.c's cache of freed files */
};

/* mem.c */
extern struct sk_vfs_mem_ops sk_vfs_mem;
void *sk_vfs_alloc(size_t len);
void *sk_vfs_zalloc(size_t len);
void sk_vfs_free(void *p, size_t len);
char *sk_vfs_strdup(const char *s, size_t len);
size_t sk_vfs_strnlen(const char *s, size_t max);
void sk_vfs_strfree(const char *s);
int64_t sk_vfs_now_ns(void);

/* defer.c: run @fn(@d) after a grace period; callable from callbacks. */
void sk_vfs_defer(struct vfs_defer *d, void (*fn)(struct vfs_defer *d));
void sk_vfs_defer_flush(void);

/* vnode.c */
int sk_vfs_vnode_create(struct vfs_mount *m, uint32_t mode,
			const struct vfs_vnode_ops *ops, struct sk_vnode **out);
void sk_vfs_vnode_get(struct sk_vnode *vn);
bool sk_vfs_vnode_tryget(struct sk_vnode *vn);
void sk_vfs_vnode_put(struct sk_vnode *vn);
void sk_vfs_vnode_stat(struct sk_vnode *vn, struct sk_stat *st);
void sk_vfs_vnode_touch(struct sk_vnode *vn, unsigned what);
enum { VFS_TOUCH_A = 1, VFS_TOUCH_M = 2, VFS_TOUCH_C = 4 };
unsigned sk_vfs_dirent_type(uint32_t type);

/* dcache.c */
int sk_vfs_dcache_init(size_t limit);
int sk_vfs_dcache_add(struct sk_vnode *dir, const char *name, size_t len,
		      struct sk_vnode *child);
void sk_vfs_dcache_drop(struct sk_vnode *dir, const char *name, size_t len);
void sk_vfs_dcache_negate(struct sk_vnode *dir, const char *name, size_t len);
void sk_vfs_dcache_drop_mount(struct vfs_mount *m);

/* mount.c */
extern _Atomic(struct vfs_mount *) sk_vfs_rootmnt;
extern struct sk_mutex sk_vfs_mount_lock;
extern struct vfs_mount *sk_vfs_mounts;
int vfs_fstype_register(const struct vfs_fstype *t);
bool sk_vfs_mount_enter(struct vfs_mount *m);
void sk_vfs_mount_leave(struct vfs_mount *m);
static inline bool sk_vfs_mount_is_rdonly(const struct vfs_mount *m)
{
	return (m->flags & SK_MNT_RDONLY) != 0;
}

/* path.c */
enum vfs_walk_flags {
	VFS_WALK_FOLLOW = 1 << 0, /* follow a final symlink */
	VFS_WALK_PARENT = 1 << 1, /* stop at the last component's dir */
	VFS_WALK_DIR = 1 << 2, /* the result must be a directory */
};

/* NONE: the path had no component ("/", or a link to a dir). */
enum vfs_last_kind {
	VFS_LAST_NORM,
	VFS_LAST_DOT,
	VFS_LAST_DOTDOT,
	VFS_LAST_NONE,
};

struct vfs_nd {
	struct sk_vnode *dir; /* PARENT: the last component's dir (ref) */
	struct sk_vnode *vn; /* the object (ref); PARENT: NULL if absent */
	enum vfs_last_kind last_kind;
	bool trailing_slash;
	size_t last_len;
	char last[SK_NAME_MAX + 1];
};

int sk_vfs_walk(struct sk_vnode *start, const char *path, unsigned flags,
		struct vfs_nd *nd);
void sk_vfs_nd_put(struct vfs_nd *nd);
struct sk_vnode *sk_vfs_cwd_get(void);
int sk_vfs_cwd_set(struct sk_vnode *vn);
int sk_vfs_slow_lookup(struct sk_vnode *dir, const char *name, size_t len,
		       struct sk_vnode **child);

/* file.c */
int sk_vfs_file_open(struct sk_vnode *vn, int flags, struct vfs_file **out);
void sk_vfs_file_get(struct vfs_file *f);
void sk_vfs_file_put(struct vfs_file *f);
struct vfs_file *sk_vfs_fd_get(int fd);
int sk_vfs_fd_install(struct vfs_file *f, int flags);
int sk_vfs_fd_init(void);
/* For procfs: call @fn on each open fd. */
void sk_vfs_fd_walk(void (*fn)(int fd, struct vfs_file *f, void *arg),
		    void *arg);

/* ops_*.c, rename.c: path operations from @start (NULL: the cwd). */
int sk_vfs_open_check_flags(int flags);
int sk_vfs_open_at(struct sk_vnode *start, const char *path, int flags,
		   uint32_t mode);
int sk_vfs_mkdir_at(struct sk_vnode *start, const char *path, uint32_t mode);
int sk_vfs_symlink_at(const char *target, struct sk_vnode *start,
		      const char *linkpath);
int sk_vfs_remove_at(struct sk_vnode *start, const char *path, bool want_dir);
int sk_vfs_link_vn(struct sk_vnode *vn, struct sk_vnode *start,
		   const char *newpath);
int sk_vfs_link_at(struct sk_vnode *ostart, const char *oldpath,
		   struct sk_vnode *nstart, const char *newpath,
		   unsigned wflags);
long sk_vfs_readlink_at(struct sk_vnode *start, const char *path, char *buf,
			size_t len);
int sk_vfs_rename_at(struct sk_vnode *ostart, const char *oldpath,
		     struct sk_vnode *nstart, const char *newpath,
		     unsigned flags);
int sk_vfs_chmod_at(struct sk_vnode *start, const char *path, uint32_t mode);
int sk_vfs_utimens_vn(struct sk_vnode *vn, const struct sk_timespec times[2]);
int sk_vfs_check_times(const struct sk_timespec times[2]);

/* ops_*.c */
long sk_vfs_fd_get_check(int fd);
void sk_vfs_mount_statfs(struct vfs_mount *m, struct sk_statfs *st);
int sk_vfs_vnode_chmod(struct sk_vnode *vn, uint32_t mode);

/* Filesystem types. */
extern const struct vfs_fstype sk_vfs_ramfs_type;
extern const struct vfs_fstype sk_vfs_devfs_type;
extern const struct vfs_fstype sk_vfs_procfs_type;
extern const struct vfs_fstype sk_vfs_rofs_type;

#endif
