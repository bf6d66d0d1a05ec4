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
};

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
 * sk_vfs_close_on_exec - close every descriptor marked SK_FD_CLOEXEC, as
 * an exec does.  Return: the number closed.
 */
int sk_vfs_close_on_exec(void);

#endif
