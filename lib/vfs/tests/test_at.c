// SPDX-License-Identifier: MIT
/*
 * The *at() family, fcntl, access and the per-process current directory:
 * each call resolved from AT_FDCWD, from a directory fd, with an absolute
 * path (the fd ignored), and with the errors Linux gives for bad fds,
 * non-directory fds, empty paths and unknown flags.  vfs_diff compares
 * the same calls with Linux on random sequences; this unit pins the
 * cases one by one.
 */
#include <errno.h>
#include <string.h>

#include <plat/compiler.h>

#include "harness.h"

static char buf[256];

static int open_dir(const char *path)
{
	int fd = sk_vfs_open(path, SK_O_RDONLY | SK_O_DIRECTORY, 0);

	assert_true(fd >= 0);
	return fd;
}

static void test_at_open_mkdir_from_dirfd(void **state)
{
	struct sk_stat st, st2;
	int dfd, fd, ffd;

	(void)state;
	assert_int_equal(sk_vfs_mkdir("/at", 0755), 0);
	dfd = open_dir("/at");
	assert_int_equal(sk_vfs_mkdirat(dfd, "sub", 0700), 0);
	assert_int_equal(sk_vfs_mkdirat(dfd, "sub", 0700), -EEXIST);
	assert_int_equal(sk_vfs_stat("/at/sub", &st), 0);
	assert_int_equal(st.mode, SK_S_IFDIR | 0700);
	fd = sk_vfs_openat(dfd, "sub/f", SK_O_RDWR | SK_O_CREAT | SK_O_EXCL,
			   0640);
	assert_true(fd >= 0);
	assert_int_equal(sk_vfs_write(fd, "abc", 3), 3);
	assert_int_equal(sk_vfs_close(fd), 0);
	assert_int_equal(sk_vfs_stat("/at/sub/f", &st), 0);
	assert_int_equal(st.size, 3);
	/* An absolute path ignores the fd, even a bad one. */
	fd = sk_vfs_openat(999, "/at/sub/f", SK_O_RDONLY, 0);
	assert_true(fd >= 0);
	assert_int_equal(sk_vfs_read(fd, buf, sizeof(buf)), 3);
	/* A relative path from a file fd: -ENOTDIR; from a bad fd: -EBADF. */
	assert_int_equal(sk_vfs_openat(fd, "x", SK_O_RDONLY, 0), -ENOTDIR);
	assert_int_equal(sk_vfs_openat(999, "x", SK_O_RDONLY, 0), -EBADF);
	assert_int_equal(sk_vfs_openat(-1, "x", SK_O_RDONLY, 0), -EBADF);
	assert_int_equal(sk_vfs_openat(dfd, "", SK_O_RDONLY, 0), -ENOENT);
	/* Flags are checked before the path, as on Linux. */
	assert_int_equal(sk_vfs_openat(999, "", SK_O_ACCMODE, 0), -EINVAL);
	assert_int_equal(sk_vfs_close(fd), 0);
	/* ".." from a directory fd, and a symlink followed from it. */
	assert_int_equal(sk_vfs_symlinkat("sub/f", dfd, "lnk"), 0);
	ffd = sk_vfs_openat(dfd, "sub/../lnk", SK_O_RDONLY, 0);
	assert_true(ffd >= 0);
	assert_int_equal(sk_vfs_fstat(ffd, &st2), 0);
	assert_int_equal(st2.ino, st.ino);
	assert_int_equal(sk_vfs_close(ffd), 0);
	/* A creating openat through a dangling link from the fd. */
	assert_int_equal(sk_vfs_symlinkat("made", dfd, "dang"), 0);
	fd = sk_vfs_openat(dfd, "dang", SK_O_WRONLY | SK_O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(sk_vfs_close(fd), 0);
	assert_int_equal(sk_vfs_stat("/at/made", &st), 0);
	assert_int_equal(sk_vfs_close(dfd), 0);
}

static void test_at_unlink_rename_link_from_dirfds(void **state)
{
	struct sk_stat st;
	int a, b, fd;

	(void)state;
	assert_int_equal(sk_vfs_mkdir("/ur", 0755), 0);
	assert_int_equal(sk_vfs_mkdir("/ur/a", 0755), 0);
	assert_int_equal(sk_vfs_mkdir("/ur/b", 0755), 0);
	a = open_dir("/ur/a");
	b = open_dir("/ur/b");
	vt_put_file("/ur/a/f", "12345", 5);
	assert_int_equal(sk_vfs_renameat(a, "f", b, "g"), 0);
	assert_int_equal(sk_vfs_stat("/ur/a/f", &st), -ENOENT);
	assert_int_equal(sk_vfs_stat("/ur/b/g", &st), 0);
	assert_int_equal(sk_vfs_linkat(b, "g", a, "h", 0), 0);
	assert_int_equal(sk_vfs_stat("/ur/a/h", &st), 0);
	assert_int_equal(st.nlink, 2);
	assert_int_equal(sk_vfs_linkat(b, "g", a, "h", 0), -EEXIST);
	assert_int_equal(sk_vfs_linkat(b, "g", a, "i", 0x1), -EINVAL);
	/* unlinkat: files without the flag, directories with it. */
	assert_int_equal(sk_vfs_unlinkat(a, "h", SK_AT_REMOVEDIR), -ENOTDIR);
	assert_int_equal(sk_vfs_unlinkat(a, "h", 0), 0);
	assert_int_equal(sk_vfs_mkdirat(a, "d", 0755), 0);
	assert_int_equal(sk_vfs_unlinkat(a, "d", 0), -EISDIR);
	assert_int_equal(sk_vfs_unlinkat(a, "d", 0x100), -EINVAL);
	assert_int_equal(sk_vfs_unlinkat(a, "d", SK_AT_REMOVEDIR), 0);
	/* The old name is resolved before a bad new dirfd is looked at. */
	assert_int_equal(sk_vfs_renameat(a, "nope/x", 999, "y"), -ENOENT);
	assert_int_equal(sk_vfs_renameat(b, "g", 999, "y"), -EBADF);
	assert_int_equal(sk_vfs_renameat(b, "g", a, ""), -ENOENT);
	/* renameat2: RENAME_NOREPLACE refuses an existing target. */
	vt_put_file("/ur/a/t", "", 0);
	assert_int_equal(sk_vfs_renameat2(b, "g", a, "t", SK_RENAME_NOREPLACE),
			 -EEXIST);
	assert_int_equal(sk_vfs_renameat2(b, "g", a, ".", SK_RENAME_NOREPLACE),
			 -EEXIST);
	assert_int_equal(sk_vfs_renameat2(b, "g", a, "t", 2), -EINVAL);
	assert_int_equal(sk_vfs_renameat2(a, "t", a, "u", SK_RENAME_NOREPLACE),
			 0);
	assert_int_equal(sk_vfs_unlinkat(a, "u", 0), 0);
	/* linkat with AT_SYMLINK_FOLLOW links the target, not the link. */
	assert_int_equal(sk_vfs_symlinkat("g", b, "sl"), 0);
	assert_int_equal(sk_vfs_linkat(b, "sl", a, "nofollow", 0), 0);
	assert_int_equal(sk_vfs_lstat("/ur/a/nofollow", &st), 0);
	assert_true(SK_S_ISLNK(st.mode));
	assert_int_equal(
		sk_vfs_linkat(b, "sl", a, "follow", SK_AT_SYMLINK_FOLLOW), 0);
	assert_int_equal(sk_vfs_lstat("/ur/a/follow", &st), 0);
	assert_true(SK_S_ISREG(st.mode));
	/* AT_EMPTY_PATH: link the open file itself; gone once unlinked. */
	fd = sk_vfs_openat(b, "g", SK_O_RDONLY, 0);
	assert_true(fd >= 0);
	assert_int_equal(sk_vfs_linkat(fd, "", a, "byfd", 0), -ENOENT);
	assert_int_equal(sk_vfs_linkat(fd, "", a, "byfd", SK_AT_EMPTY_PATH), 0);
	assert_int_equal(sk_vfs_unlink("/ur/b/g"), 0);
	assert_int_equal(sk_vfs_unlink("/ur/a/byfd"), 0);
	assert_int_equal(sk_vfs_unlink("/ur/a/follow"), 0);
	assert_int_equal(sk_vfs_linkat(fd, "", a, "again", SK_AT_EMPTY_PATH),
			 -ENOENT);
	assert_int_equal(sk_vfs_linkat(a, "", a, "dir", SK_AT_EMPTY_PATH),
			 -EPERM);
	assert_int_equal(sk_vfs_close(fd), 0);
	assert_int_equal(sk_vfs_close(a), 0);
	assert_int_equal(sk_vfs_close(b), 0);
}

static void test_at_fstatat_readlinkat_flags(void **state)
{
	struct sk_stat st, dst;
	int d, fd;

	(void)state;
	assert_int_equal(sk_vfs_mkdir("/fs", 0755), 0);
	d = open_dir("/fs");
	vt_put_file("/fs/f", "xy", 2);
	assert_int_equal(sk_vfs_symlinkat("f", d, "l"), 0);
	assert_int_equal(sk_vfs_fstatat(d, "l", &st, 0), 0);
	assert_true(SK_S_ISREG(st.mode));
	assert_int_equal(st.size, 2);
	assert_int_equal(sk_vfs_fstatat(d, "l", &st, SK_AT_SYMLINK_NOFOLLOW),
			 0);
	assert_true(SK_S_ISLNK(st.mode));
	assert_int_equal(st.size, 1);
	assert_int_equal(sk_vfs_fstatat(d, "", &st, 0), -ENOENT);
	assert_int_equal(sk_vfs_fstatat(d, "", &st, SK_AT_EMPTY_PATH), 0);
	assert_int_equal(sk_vfs_fstat(d, &dst), 0);
	assert_int_equal(st.ino, dst.ino);
	fd = sk_vfs_openat(d, "f", SK_O_RDONLY, 0);
	assert_int_equal(sk_vfs_fstatat(fd, "", &st, SK_AT_EMPTY_PATH), 0);
	assert_true(SK_S_ISREG(st.mode));
	assert_int_equal(sk_vfs_fstatat(fd, "x", &st, 0), -ENOTDIR);
	assert_int_equal(sk_vfs_fstatat(999, "", &st, SK_AT_EMPTY_PATH),
			 -EBADF);
	assert_int_equal(sk_vfs_fstatat(d, "f", &st, 0x4), -EINVAL);
	assert_int_equal(sk_vfs_fstatat(d, "f", NULL, 0), -EFAULT);
	assert_int_equal(sk_vfs_readlinkat(d, "l", buf, sizeof(buf)), 1);
	assert_int_equal(buf[0], 'f');
	assert_int_equal(sk_vfs_readlinkat(d, "f", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(sk_vfs_readlinkat(fd, "", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(sk_vfs_readlinkat(999, "", buf, sizeof(buf)), -EBADF);
	assert_int_equal(sk_vfs_symlinkat("", d, "e"), -ENOENT);
	assert_int_equal(sk_vfs_close(fd), 0);
	/* The current directory: AT_FDCWD with "" and AT_EMPTY_PATH. */
	assert_int_equal(sk_vfs_fchdir(d), 0);
	assert_int_equal(sk_vfs_fstatat(SK_AT_FDCWD, "", &st, SK_AT_EMPTY_PATH),
			 0);
	assert_int_equal(st.ino, dst.ino);
	assert_int_equal(sk_vfs_fstatat(SK_AT_FDCWD, "f", &st, 0), 0);
	assert_int_equal(sk_vfs_getcwd(buf, sizeof(buf)), 4);
	assert_string_equal(buf, "/fs");
	assert_int_equal(sk_vfs_chdir("/"), 0);
	assert_int_equal(sk_vfs_close(d), 0);
}

static void test_at_access_checks_modes_as_root(void **state)
{
	int d;

	(void)state;
	assert_int_equal(sk_vfs_mkdir("/ac", 0), 0);
	d = open_dir("/ac");
	vt_put_file("/ac/plain", "", 0);
	assert_int_equal(sk_vfs_chmod("/ac/plain", 0), 0);
	/* Root reads and writes anything, executes only with an x bit. */
	assert_int_equal(sk_vfs_access("/ac/plain", SK_R_OK | SK_W_OK), 0);
	assert_int_equal(sk_vfs_access("/ac/plain", SK_X_OK), -EACCES);
	assert_int_equal(sk_vfs_chmod("/ac/plain", 0010), 0);
	assert_int_equal(sk_vfs_faccessat(d, "plain", SK_X_OK, 0), 0);
	/* A directory is searchable whatever its mode. */
	assert_int_equal(sk_vfs_access("/ac", SK_X_OK | SK_R_OK), 0);
	assert_int_equal(sk_vfs_faccessat(d, "missing", SK_F_OK, 0), -ENOENT);
	assert_int_equal(sk_vfs_faccessat(d, "plain", 8, 0), -EINVAL);
	assert_int_equal(sk_vfs_faccessat(d, "plain", SK_F_OK, 0x4), -EINVAL);
	assert_int_equal(sk_vfs_faccessat(d, "", SK_F_OK, SK_AT_EMPTY_PATH), 0);
	/* A dangling link: -ENOENT followed, fine with NOFOLLOW. */
	assert_int_equal(sk_vfs_symlinkat("nothing", d, "dl"), 0);
	assert_int_equal(sk_vfs_faccessat(d, "dl", SK_F_OK, 0), -ENOENT);
	assert_int_equal(
		sk_vfs_faccessat(d, "dl", SK_X_OK, SK_AT_SYMLINK_NOFOLLOW), 0);
	/* Write access on a read-only mount is -EROFS, devices excepted. */
	assert_int_equal(sk_vfs_mkdirat(d, "ro", 0755), 0);
	assert_int_equal(
		sk_vfs_mount("ro", "/ac/ro", "ramfs", SK_MNT_RDONLY, NULL), 0);
	assert_int_equal(sk_vfs_access("/ac/ro", SK_W_OK), -EROFS);
	assert_int_equal(sk_vfs_access("/ac/ro", SK_R_OK), 0);
	assert_int_equal(sk_vfs_umount("/ac/ro"), 0);
	assert_int_equal(sk_vfs_close(d), 0);
}

static void test_at_fchmodat_utimensat(void **state)
{
	struct sk_timespec ts[2] = { { 100, 5 }, { 200, 6 } };
	struct sk_stat st;
	int d, fd;

	(void)state;
	assert_int_equal(sk_vfs_mkdir("/cm", 0755), 0);
	d = open_dir("/cm");
	vt_put_file("/cm/f", "", 0);
	assert_int_equal(sk_vfs_symlinkat("f", d, "l"), 0);
	assert_int_equal(sk_vfs_fchmodat(d, "l", 0600, 0), 0);
	assert_int_equal(sk_vfs_stat("/cm/f", &st), 0);
	assert_int_equal(st.mode, SK_S_IFREG | 0600);
	assert_int_equal(sk_vfs_fchmodat(d, "l", 0600, SK_AT_SYMLINK_NOFOLLOW),
			 -EOPNOTSUPP);
	assert_int_equal(sk_vfs_fchmodat(d, "f", 0640, SK_AT_SYMLINK_NOFOLLOW),
			 0);
	assert_int_equal(sk_vfs_fchmodat(d, "f", 0640, SK_AT_REMOVEDIR),
			 -EINVAL);
	/* AT_EMPTY_PATH (fchmodat2): the file open at the fd itself. */
	fd = sk_vfs_openat(d, "f", SK_O_RDONLY, 0);
	assert_true(fd >= 0);
	assert_int_equal(sk_vfs_fchmodat(fd, "", 0604, 0), -ENOENT);
	assert_int_equal(sk_vfs_fchmodat(fd, "", 0604, SK_AT_EMPTY_PATH), 0);
	assert_int_equal(sk_vfs_fstat(fd, &st), 0);
	assert_int_equal(st.mode, SK_S_IFREG | 0604);
	assert_int_equal(sk_vfs_close(fd), 0);
	assert_int_equal(sk_vfs_utimensat(d, "l", ts, 0), 0);
	assert_int_equal(sk_vfs_stat("/cm/f", &st), 0);
	assert_int_equal(st.atim.sec, 100);
	assert_int_equal(st.mtim.nsec, 6);
	assert_int_equal(sk_vfs_utimensat(d, "l", ts, SK_AT_SYMLINK_NOFOLLOW),
			 0);
	assert_int_equal(sk_vfs_lstat("/cm/l", &st), 0);
	assert_int_equal(st.mtim.sec, 200);
	ts[0].nsec = 1000000000;
	assert_int_equal(sk_vfs_utimensat(d, "f", ts, 0), -EINVAL);
	assert_int_equal(sk_vfs_close(d), 0);
}

static void test_fcntl_flags_and_dupfd(void **state)
{
	int fd, d;

	(void)state;
	assert_int_equal(sk_vfs_mkdir("/fc", 0755), 0);
	vt_put_file("/fc/f", "0123456789", 10);
	fd = sk_vfs_open("/fc/f", SK_O_RDWR, 0);
	assert_true(fd >= 0);
	assert_int_equal(sk_vfs_fcntl(fd, SK_F_GETFL, 0), SK_O_RDWR);
	/* SETFL changes O_APPEND and O_NONBLOCK, never the access mode. */
	assert_int_equal(
		sk_vfs_fcntl(fd, SK_F_SETFL,
			     SK_O_APPEND | SK_O_NONBLOCK | SK_O_WRONLY),
		0);
	assert_int_equal(sk_vfs_fcntl(fd, SK_F_GETFL, 0),
			 SK_O_RDWR | SK_O_APPEND | SK_O_NONBLOCK);
	assert_int_equal(sk_vfs_pwrite(fd, "ab", 2, 0), 2);
	assert_int_equal(sk_vfs_pread(fd, buf, 20, 0), 12);
	assert_memory_equal(buf + 10, "ab", 2);
	assert_int_equal(sk_vfs_fcntl(fd, SK_F_SETFL, 0), 0);
	assert_int_equal(sk_vfs_pwrite(fd, "Z", 1, 0), 1);
	assert_int_equal(sk_vfs_pread(fd, buf, 1, 0), 1);
	assert_int_equal(buf[0], 'Z');
	/* DUPFD_CLOEXEC: the lowest free fd at or above arg, close-on-exec. */
	d = sk_vfs_fcntl(fd, SK_F_DUPFD_CLOEXEC, 100);
	assert_int_equal(d, 100);
	assert_int_equal(sk_vfs_fcntl(d, SK_F_GETFD, 0), SK_FD_CLOEXEC);
	assert_int_equal(sk_vfs_fcntl(fd, SK_F_DUPFD_CLOEXEC, 100), 101);
	assert_int_equal(sk_vfs_fcntl(fd, SK_F_DUPFD, 100), 102);
	assert_int_equal(sk_vfs_fcntl(102, SK_F_GETFD, 0), 0);
	assert_int_equal(sk_vfs_fcntl(fd, SK_F_DUPFD, SK_VFS_FD_MAX), -EINVAL);
	assert_int_equal(sk_vfs_fcntl(fd, SK_F_DUPFD_CLOEXEC, -1), -EINVAL);
	assert_int_equal(sk_vfs_fcntl(777, SK_F_DUPFD, 0), -EBADF);
	/* The offset and flags are the description's, shared by dups. */
	assert_int_equal(sk_vfs_fcntl(100, SK_F_SETFL, SK_O_APPEND), 0);
	assert_int_equal(sk_vfs_fcntl(fd, SK_F_GETFL, 0),
			 SK_O_RDWR | SK_O_APPEND);
	assert_int_equal(sk_vfs_fcntl(101, SK_F_SETFD, 0), 0);
	assert_int_equal(sk_vfs_close_on_exec(), 1);
	assert_int_equal(sk_vfs_close(100), -EBADF);
	assert_int_equal(sk_vfs_close(101), 0);
	assert_int_equal(sk_vfs_close(102), 0);
	assert_int_equal(sk_vfs_close(fd), 0);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		sk_test(test_at_open_mkdir_from_dirfd),
		sk_test(test_at_unlink_rename_link_from_dirfds),
		sk_test(test_at_fstatat_readlinkat_flags),
		sk_test(test_at_access_checks_modes_as_root),
		sk_test(test_at_fchmodat_utimensat),
		sk_test(test_fcntl_flags_and_dupfd),
	};

	return vt_main("vfs_at", tests, SK_ARRAY_LEN(tests));
}
