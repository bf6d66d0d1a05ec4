/* SPDX-License-Identifier: MIT */
/*
 * The skiff VFS: one namespace of mounted filesystems (ramfs, devfs,
 * procfs, rofs), a process-wide fd table and current directory, and POSIX
 * file operations as plain function calls returning a value or -errno.
 * Flag, mode and record layouts use the Linux x86-64 numbers so a POSIX
 * layer can pass them through unchanged.  docs/vfs.md has the design.
 */
#ifndef VFS_VFS_H
#define VFS_VFS_H

#include <stddef.h>
#include <stdint.h>

enum sk_vfs_limits {
	SK_PATH_MAX = 4096, /* bytes in a path, including the NUL */
	SK_NAME_MAX = 255, /* bytes in one component */
	SK_SYMLOOP_MAX = 40, /* symlinks followed in one resolution */
	SK_VFS_FD_MAX = 1024, /* size of the fd table */
};

enum sk_open_flags {
	SK_O_RDONLY = 0,
	SK_O_WRONLY = 01,
	SK_O_RDWR = 02,
	SK_O_ACCMODE = 03,
	SK_O_CREAT = 0100,
	SK_O_EXCL = 0200,
	SK_O_NOCTTY = 0400,
	SK_O_TRUNC = 01000,
	SK_O_APPEND = 02000,
	SK_O_NONBLOCK = 04000,
	SK_O_DIRECTORY = 0200000,
	SK_O_NOFOLLOW = 0400000,
	SK_O_CLOEXEC = 02000000,
};

enum sk_mode_bits {
	SK_S_IFMT = 0170000,
	SK_S_IFSOCK = 0140000,
	SK_S_IFLNK = 0120000,
	SK_S_IFREG = 0100000,
	SK_S_IFBLK = 0060000,
	SK_S_IFDIR = 0040000,
	SK_S_IFCHR = 0020000,
	SK_S_IFIFO = 0010000,
	SK_S_IPERM = 07777, /* permission, setuid, setgid, sticky */
};

#define SK_S_ISDIR(m) (((m)&SK_S_IFMT) == SK_S_IFDIR)
#define SK_S_ISREG(m) (((m)&SK_S_IFMT) == SK_S_IFREG)
#define SK_S_ISLNK(m) (((m)&SK_S_IFMT) == SK_S_IFLNK)
#define SK_S_ISCHR(m) (((m)&SK_S_IFMT) == SK_S_IFCHR)

enum sk_seek_whence { SK_SEEK_SET = 0, SK_SEEK_CUR = 1, SK_SEEK_END = 2 };

enum sk_dirent_type {
	SK_DT_UNKNOWN = 0,
	SK_DT_FIFO = 1,
	SK_DT_CHR = 2,
	SK_DT_DIR = 4,
	SK_DT_BLK = 6,
	SK_DT_REG = 8,
	SK_DT_LNK = 10,
	SK_DT_SOCK = 12,
};

enum sk_fd_flags { SK_FD_CLOEXEC = 1 };

enum sk_fcntl_cmd {
	SK_F_DUPFD = 0,
	SK_F_GETFD = 1,
	SK_F_SETFD = 2,
	SK_F_GETFL = 3,
	SK_F_SETFL = 4,
	SK_F_DUPFD_CLOEXEC = 1030,
};

/* The *at() calls: @dirfd, and their flags (Linux numbers). */
enum sk_at_flags {
	SK_AT_FDCWD = -100, /* resolve from the current directory */
	SK_AT_SYMLINK_NOFOLLOW = 0x100,
	SK_AT_REMOVEDIR = 0x200, /* unlinkat */
	SK_AT_EACCESS = 0x200, /* faccessat */
	SK_AT_SYMLINK_FOLLOW = 0x400, /* linkat */
	SK_AT_NO_AUTOMOUNT = 0x800, /* accepted, nothing automounts */
	SK_AT_EMPTY_PATH = 0x1000, /* "" means @dirfd itself */
};

/* sk_vfs_renameat2 flags. */
enum sk_rename_flags { SK_RENAME_NOREPLACE = 1 };

/* sk_vfs_access modes. */
enum sk_access_mode { SK_F_OK = 0, SK_X_OK = 1, SK_W_OK = 2, SK_R_OK = 4 };

enum sk_mount_flags { SK_MNT_RDONLY = 1 };

struct sk_timespec {
	int64_t sec;
	int64_t nsec;
};

struct sk_stat {
	uint64_t dev;
	uint64_t ino;
	uint32_t mode;
	uint32_t nlink;
	uint32_t uid;
	uint32_t gid;
	uint64_t rdev;
	int64_t size;
	int64_t blksize;
	int64_t blocks; /* 512-byte units actually stored */
	struct sk_timespec atim;
	struct sk_timespec mtim;
	struct sk_timespec ctim;
};

struct sk_statfs {
	uint64_t type; /* filesystem magic */
	uint64_t bsize;
	uint64_t blocks;
	uint64_t bfree;
	uint64_t bavail;
	uint64_t files;
	uint64_t ffree;
	uint64_t namelen;
	uint64_t flags; /* enum sk_mount_flags */
};

/* One record of sk_vfs_getdents(): the layout of Linux's dirent64. */
struct sk_dirent {
	uint64_t ino;
	int64_t off; /* cookie: pass to lseek to resume after this entry */
	uint16_t reclen; /* record length, a multiple of 8 */
	uint8_t type; /* enum sk_dirent_type */
	char name[]; /* NUL-terminated */
};

struct sk_iovec {
	void *base;
	size_t len;
};

/*
 * Memory for every VFS object and file page.  @free may be called with
 * preemption disabled (from RCU callbacks) and must not block there.
 */
struct sk_vfs_mem_ops {
	void *(*alloc)(size_t len, void *ctx);
	void (*free)(void *p, size_t len, void *ctx);
	void *ctx;
};

struct sk_vfs_config {
	const struct sk_vfs_mem_ops *mem; /* required; copied */
	size_t dcache_limit; /* dentry cache bound; 0: 65536 */
};

/*
 * sk_vfs_init - set up the VFS and mount an empty ramfs at "/".
 * Return: 0; -EINVAL for a missing config or allocator; -EBUSY if already
 *         set up; -ENOMEM.
 * Context: thread, after sk_rcu_init(); once.
 */
int sk_vfs_init(const struct sk_vfs_config *cfg);

/*
 * sk_vfs_mount - mount a filesystem of type @fstype ("ramfs", "devfs",
 * "procfs", "rofs") on the directory @target.  @source names the
 * filesystem in /proc/mounts; @data is type specific (rofs: a
 * struct sk_blkdev *).
 * Return: 0; -ENODEV unknown type; -ENOTDIR, -ENOENT, -ENAMETOOLONG,
 *         -ELOOP for @target; -EBUSY if @target already has a mount;
 *         -EINVAL bad arguments or (rofs) a corrupt image; -EIO; -ENOMEM.
 * Context: thread; may block.
 */
int sk_vfs_mount(const char *source, const char *target, const char *fstype,
		 unsigned flags, void *data);

/*
 * sk_vfs_umount - unmount the filesystem mounted at @target.
 * Return: 0; -EINVAL if @target is not a mount root (or is "/");
 *         -EBUSY if files or the current directory are open on it, or
 *         another filesystem is mounted below it; path errors.
 * Context: thread; may block (waits for an RCU grace period).
 */
int sk_vfs_umount(const char *target);

/*
 * File operations.  Each has the meaning and error codes of its POSIX
 * namesake (Linux flavour: unlink of a directory is -EISDIR), returns
 * -errno instead of setting errno, and -EFAULT for a NULL pointer.
 * Paths are resolved from the current directory, or from "/" when they
 * start with '/'.
 * Context: thread, preemption enabled; all may block.
 */
int sk_vfs_open(const char *path, int flags, uint32_t mode);
int sk_vfs_close(int fd);
long sk_vfs_read(int fd, void *buf, size_t len);
long sk_vfs_write(int fd, const void *buf, size_t len);
long sk_vfs_pread(int fd, void *buf, size_t len, int64_t off);
long sk_vfs_pwrite(int fd, const void *buf, size_t len, int64_t off);
long sk_vfs_readv(int fd, const struct sk_iovec *iov, int iovcnt);
long sk_vfs_writev(int fd, const struct sk_iovec *iov, int iovcnt);
int64_t sk_vfs_lseek(int fd, int64_t off, int whence);
int sk_vfs_truncate(const char *path, int64_t len);
int sk_vfs_ftruncate(int fd, int64_t len);
int sk_vfs_fsync(int fd);
int sk_vfs_stat(const char *path, struct sk_stat *st);
int sk_vfs_lstat(const char *path, struct sk_stat *st);
int sk_vfs_fstat(int fd, struct sk_stat *st);
int sk_vfs_statfs(const char *path, struct sk_statfs *st);
int sk_vfs_fstatfs(int fd, struct sk_statfs *st);
int sk_vfs_chmod(const char *path, uint32_t mode);
int sk_vfs_fchmod(int fd, uint32_t mode);
/* @times: atime then mtime; NULL sets both to now. */
int sk_vfs_utimens(const char *path, const struct sk_timespec times[2]);
int sk_vfs_mkdir(const char *path, uint32_t mode);
int sk_vfs_rmdir(const char *path);
int sk_vfs_unlink(const char *path);
int sk_vfs_rename(const char *oldpath, const char *newpath);
int sk_vfs_link(const char *oldpath, const char *newpath);
int sk_vfs_symlink(const char *target, const char *linkpath);
long sk_vfs_readlink(const char *path, char *buf, size_t len);
/* Fill @buf with struct sk_dirent records.  Return: bytes (0 at end). */
long sk_vfs_getdents(int fd, void *buf, size_t len);
int sk_vfs_chdir(const char *path);
/*
 * sk_vfs_getcwd - the current directory's absolute path into @buf.
 * Return: its length including the NUL (as Linux's system call);
 *         -ERANGE if @len is too small; -ENOENT if the directory was
 *         removed; -EFAULT; -ENOMEM.
 */
long sk_vfs_getcwd(char *buf, size_t len);
int sk_vfs_fchdir(int fd);
int sk_vfs_dup(int fd);
int sk_vfs_dup2(int oldfd, int newfd);
int sk_vfs_fcntl(int fd, int cmd, long arg);

/*
 * The *at() family: as their POSIX namesakes, resolving a relative @path
 * from the directory open at @dirfd (SK_AT_FDCWD: the current directory).
 * An absolute @path ignores @dirfd.  Errors as Linux: -EBADF for a bad
 * @dirfd, -ENOTDIR if it is not a directory, -EINVAL for unknown flags,
 * -ENOENT for "" unless SK_AT_EMPTY_PATH is given (fstatat, linkat,
 * faccessat, fchmodat, utimensat), which then means the file at @dirfd
 * (the cwd for SK_AT_FDCWD).  fchmodat of a link itself (NOFOLLOW) is
 * -EOPNOTSUPP; utimensat of one sets the link's times.  faccessat checks
 * permissions as the VFS's single user, root: read and write are always
 * granted (but write on a read-only mount is -EROFS), execute only if a
 * directory or any execute bit is set (-EACCES).
 * Context: thread, preemption enabled; all may block.
 */
int sk_vfs_openat(int dirfd, const char *path, int flags, uint32_t mode);
int sk_vfs_mkdirat(int dirfd, const char *path, uint32_t mode);
int sk_vfs_unlinkat(int dirfd, const char *path, int flags);
int sk_vfs_renameat(int olddirfd, const char *oldpath, int newdirfd,
		    const char *newpath);
/* @flags: 0 or SK_RENAME_NOREPLACE (-EEXIST if @newpath exists);
 * RENAME_EXCHANGE and RENAME_WHITEOUT are -EINVAL (not supported). */
int sk_vfs_renameat2(int olddirfd, const char *oldpath, int newdirfd,
		     const char *newpath, unsigned flags);
int sk_vfs_fstatat(int dirfd, const char *path, struct sk_stat *st, int flags);
long sk_vfs_readlinkat(int dirfd, const char *path, char *buf, size_t len);
int sk_vfs_symlinkat(const char *target, int newdirfd, const char *linkpath);
int sk_vfs_linkat(int olddirfd, const char *oldpath, int newdirfd,
		  const char *newpath, int flags);
int sk_vfs_faccessat(int dirfd, const char *path, int mode, int flags);
int sk_vfs_access(const char *path, int mode);
int sk_vfs_fchmodat(int dirfd, const char *path, uint32_t mode, int flags);
int sk_vfs_utimensat(int dirfd, const char *path,
		     const struct sk_timespec times[2], int flags);

struct sk_vfs_dcache_stats {
	size_t entries; /* cached names */
	size_t negative; /* of which "no such name" entries */
	size_t limit; /* the bound */
	uint64_t trimmed; /* entries evicted by trimming so far */
};

/*
 * sk_vfs_dcache_trim - evict negative, then least recently used, then
 * any unpinned entries until at most @target remain (or none can go: an
 * entry whose child is a mount point or has cached entries of its own is
 * pinned).  Return: the number evicted.
 * Context: thread, preemption enabled; may block.
 */
size_t sk_vfs_dcache_trim(size_t target);

/*
 * sk_vfs_dcache_set_limit - bound the dentry cache to @limit entries; an
 * add past it trims back to 7/8 of it.  Trims at once if over.
 * Return: 0; -EINVAL if @limit < 16.
 * Context: thread, preemption enabled; may block.
 */
int sk_vfs_dcache_set_limit(size_t limit);

/* sk_vfs_dcache_stats - a snapshot of the counters (NULL: nothing). */
void sk_vfs_dcache_stats(struct sk_vfs_dcache_stats *st);

/*
 * sk_vfs_close_on_exec - close every descriptor marked SK_FD_CLOEXEC, as
 * an exec does.  Return: the number closed.
 */
int sk_vfs_close_on_exec(void);

#endif
