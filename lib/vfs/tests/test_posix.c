// SPDX-License-Identifier: MIT
/*
 * POSIX semantics of the VFS on ramfs: open flags, I/O and offsets,
 * sparse files, unlink while open, directories, rename, links and
 * symlinks, path resolution rules, readdir, the fd table, mounts, modes
 * and times.  Every test works in its own directory under "/".
 */
#include <errno.h>
#include <string.h>

#include <plat/compiler.h>

#include "harness.h"

static _Alignas(8) char buf[65536];

static void test_open_flags_follow_posix(void **state)
{
	int fd;

	(void)state;
	assert_int_equal(sk_vfs_mkdir("/of", 0755), 0);
	assert_int_equal(sk_vfs_open("/of/a", SK_O_RDONLY, 0), -ENOENT);
	fd = sk_vfs_open("/of/a", SK_O_RDWR | SK_O_CREAT | SK_O_EXCL, 0640);
	assert_true(fd >= 0);
	assert_int_equal(sk_vfs_write(fd, "hello", 5), 5);
	assert_int_equal(sk_vfs_close(fd), 0);
	assert_int_equal(sk_vfs_open("/of/a", SK_O_CREAT | SK_O_EXCL, 0),
			 -EEXIST);
	assert_int_equal(sk_vfs_open("/of/a", SK_O_RDONLY | SK_O_DIRECTORY, 0),
			 -ENOTDIR);
	assert_int_equal(sk_vfs_open("/of", SK_O_WRONLY, 0), -EISDIR);
	assert_int_equal(sk_vfs_open("/of", SK_O_RDONLY | SK_O_CREAT, 0644),
			 -EISDIR);
	assert_int_equal(sk_vfs_open("/of/a", SK_O_ACCMODE, 0), -EINVAL);
	assert_int_equal(sk_vfs_symlink("a", "/of/l"), 0);
	assert_int_equal(sk_vfs_open("/of/l", SK_O_RDONLY | SK_O_NOFOLLOW, 0),
			 -ELOOP);
	assert_int_equal(sk_vfs_open("/of/l", SK_O_CREAT | SK_O_EXCL, 0644),
			 -EEXIST);
	/* O_APPEND writes at the end whatever the offset. */
	fd = sk_vfs_open("/of/l", SK_O_WRONLY | SK_O_APPEND, 0);
	assert_true(fd >= 0);
	assert_int_equal(sk_vfs_lseek(fd, 0, SK_SEEK_SET), 0);
	assert_int_equal(sk_vfs_write(fd, "!!", 2), 2);
	assert_int_equal(sk_vfs_lseek(fd, 0, SK_SEEK_CUR), 7);
	assert_int_equal(sk_vfs_close(fd), 0);
	/* O_TRUNC empties it. */
	fd = sk_vfs_open("/of/a", SK_O_RDWR | SK_O_TRUNC, 0);
	assert_true(fd >= 0);
	assert_int_equal(sk_vfs_read(fd, buf, sizeof(buf)), 0);
	assert_int_equal(sk_vfs_close(fd), 0);
	/* A creating open through a dangling symlink makes its target. */
	assert_int_equal(sk_vfs_symlink("target", "/of/dangle"), 0);
	fd = sk_vfs_open("/of/dangle", SK_O_WRONLY | SK_O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(sk_vfs_close(fd), 0);
	struct sk_stat st;
	assert_int_equal(sk_vfs_stat("/of/target", &st), 0);
	assert_int_equal(st.mode, SK_S_IFREG | 0600);
}

static void test_io_offsets_follow_posix(void **state)
{
	struct sk_iovec iov[3];
	char a[4] = "abc", b[4] = "def", c[8];
	int fd;

	(void)state;
	assert_int_equal(sk_vfs_mkdir("/io", 0755), 0);
	fd = sk_vfs_open("/io/f", SK_O_RDWR | SK_O_CREAT, 0644);
	assert_true(fd >= 0);
	iov[0] = (struct sk_iovec){ a, 3 };
	iov[1] = (struct sk_iovec){ b, 3 };
	assert_int_equal(sk_vfs_writev(fd, iov, 2), 6);
	assert_int_equal(sk_vfs_lseek(fd, 0, SK_SEEK_END), 6);
	assert_int_equal(sk_vfs_lseek(fd, -2, SK_SEEK_CUR), 4);
	assert_int_equal(sk_vfs_read(fd, c, 8), 2);
	assert_memory_equal(c, "ef", 2);
	assert_int_equal(sk_vfs_lseek(fd, -1, SK_SEEK_SET), -EINVAL);
	assert_int_equal(sk_vfs_lseek(fd, 0, 7), -EINVAL);
	/* pread/pwrite leave the offset alone. */
	assert_int_equal(sk_vfs_pwrite(fd, "XY", 2, 1), 2);
	assert_int_equal(sk_vfs_pread(fd, c, 6, 0), 6);
	assert_memory_equal(c, "aXYdef", 6);
	assert_int_equal(sk_vfs_lseek(fd, 0, SK_SEEK_CUR), 6);
	assert_int_equal(sk_vfs_pread(fd, c, 1, -1), -EINVAL);
	/* Writing past EOF leaves a hole of zeroes. */
	assert_int_equal(sk_vfs_lseek(fd, 10, SK_SEEK_SET), 10);
	assert_int_equal(sk_vfs_write(fd, "Z", 1), 1);
	memset(c, 'q', sizeof(c));
	assert_int_equal(sk_vfs_pread(fd, c, 8, 5), 6);
	assert_memory_equal(c, "f\0\0\0\0Z", 6);
	iov[0] = (struct sk_iovec){ a, 2 };
	iov[1] = (struct sk_iovec){ NULL, 0 };
	iov[2] = (struct sk_iovec){ b, 3 };
	assert_int_equal(sk_vfs_lseek(fd, 0, SK_SEEK_SET), 0);
	assert_int_equal(sk_vfs_readv(fd, iov, 3), 5);
	assert_memory_equal(a, "aX", 2);
	assert_memory_equal(b, "Yde", 3);
	assert_int_equal(sk_vfs_readv(fd, iov, -1), -EINVAL);
	assert_int_equal(sk_vfs_read(99, c, 1), -EBADF);
	assert_int_equal(sk_vfs_close(fd), 0);
	fd = sk_vfs_open("/io/f", SK_O_RDONLY, 0);
	assert_int_equal(sk_vfs_write(fd, "x", 1), -EBADF);
	assert_int_equal(sk_vfs_ftruncate(fd, 0), -EINVAL);
	assert_int_equal(sk_vfs_close(fd), 0);
	fd = sk_vfs_open("/io", SK_O_RDONLY, 0);
	assert_int_equal(sk_vfs_read(fd, c, 1), -EISDIR);
	assert_int_equal(sk_vfs_close(fd), 0);
	assert_int_equal(sk_vfs_close(fd), -EBADF);
}

static void test_sparse_large_file_reads_zero_holes(void **state)
{
	const int64_t g = (int64_t)1 << 30;
	struct sk_stat st;
	int fd;

	(void)state;
	assert_int_equal(sk_vfs_mkdir("/sp", 0755), 0);
	fd = sk_vfs_open("/sp/f", SK_O_RDWR | SK_O_CREAT, 0644);
	assert_int_equal(sk_vfs_pwrite(fd, "end", 3, 64 * g), 3);
	assert_int_equal(sk_vfs_pwrite(fd, "mid", 3, g - 1), 3);
	assert_int_equal(sk_vfs_fstat(fd, &st), 0);
	assert_int_equal(st.size, 64 * g + 3);
	/* Only the 3 pages touched are stored. */
	assert_int_equal(st.blocks, 3 * 8);
	memset(buf, 'x', 8192);
	assert_int_equal(sk_vfs_pread(fd, buf, 8192, 5 * g), 8192);
	for (int i = 0; i < 8192; i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(sk_vfs_pread(fd, buf, 4, g - 2), 4);
	assert_memory_equal(buf, "\0mid", 4);
	assert_int_equal(sk_vfs_pread(fd, buf, 10, 64 * g), 3);
	/* Shrinking frees pages and zeroes the cut tail. */
	assert_int_equal(sk_vfs_ftruncate(fd, g), 0);
	assert_int_equal(sk_vfs_fstat(fd, &st), 0);
	assert_int_equal(st.blocks, 8);
	assert_int_equal(sk_vfs_ftruncate(fd, g + 100), 0);
	assert_int_equal(sk_vfs_pread(fd, buf, 4, g - 2), 4);
	assert_memory_equal(buf, "\0m\0\0", 4);
	assert_int_equal(sk_vfs_ftruncate(fd, -1), -EINVAL);
	assert_int_equal(sk_vfs_pwrite(fd, "x", 1, (int64_t)1 << 50), -EFBIG);
	assert_int_equal(sk_vfs_close(fd), 0);
	/* A 4 MiB file written in odd pieces reads back. */
	fd = sk_vfs_open("/sp/big", SK_O_RDWR | SK_O_CREAT, 0644);
	for (int i = 0; i < 64; i++) {
		memset(buf, 'a' + i % 26, 65536);
		assert_int_equal(sk_vfs_write(fd, buf, 65536 - 7), 65536 - 7);
	}
	assert_int_equal(sk_vfs_pread(fd, buf, 10, 65529 * 5 - 5), 10);
	assert_memory_equal(buf, "eeeeefffff", 10);
	assert_int_equal(sk_vfs_close(fd), 0);
	assert_int_equal(sk_vfs_unlink("/sp/big"), 0);
}

static void test_unlink_open_file_stays_readable(void **state)
{
	struct sk_stat st;
	int fd;

	(void)state;
	assert_int_equal(sk_vfs_mkdir("/ul", 0755), 0);
	vt_put_file("/ul/f", "keep me", 7);
	fd = sk_vfs_open("/ul/f", SK_O_RDWR, 0);
	assert_true(fd >= 0);
	assert_int_equal(sk_vfs_unlink("/ul/f"), 0);
	assert_int_equal(sk_vfs_stat("/ul/f", &st), -ENOENT);
	assert_int_equal(sk_vfs_fstat(fd, &st), 0);
	assert_int_equal(st.nlink, 0);
	assert_int_equal(sk_vfs_read(fd, buf, 100), 7);
	assert_memory_equal(buf, "keep me", 7);
	assert_int_equal(sk_vfs_write(fd, "!", 1), 1);
	assert_int_equal(sk_vfs_close(fd), 0);
	assert_int_equal(sk_vfs_unlink("/ul/f"), -ENOENT);
	assert_int_equal(sk_vfs_rmdir("/ul"), 0);
}

static void test_mkdir_rmdir_errors_follow_linux(void **state)
{
	struct sk_stat st;

	(void)state;
	assert_int_equal(sk_vfs_mkdir("/md", 0750), 0);
	assert_int_equal(sk_vfs_mkdir("/md", 0750), -EEXIST);
	assert_int_equal(sk_vfs_mkdir("/md/a/b", 0750), -ENOENT);
	assert_int_equal(sk_vfs_mkdir("/md/a/", 0750), 0);
	assert_int_equal(sk_vfs_mkdir("/md/a/..", 0750), -EEXIST);
	assert_int_equal(sk_vfs_mkdir("/", 0750), -EEXIST);
	assert_int_equal(sk_vfs_stat("/md", &st), 0);
	assert_int_equal(st.mode, SK_S_IFDIR | 0750);
	assert_int_equal(st.nlink, 3);
	vt_put_file("/md/a/f", "x", 1);
	assert_int_equal(sk_vfs_mkdir("/md/a/f/g", 0750), -ENOTDIR);
	assert_int_equal(sk_vfs_rmdir("/md/a"), -ENOTEMPTY);
	assert_int_equal(sk_vfs_rmdir("/md/a/f"), -ENOTDIR);
	assert_int_equal(sk_vfs_unlink("/md/a"), -EISDIR);
	assert_int_equal(sk_vfs_unlink("/md/a/f/"), -ENOTDIR);
	assert_int_equal(sk_vfs_rmdir("/md/a/."), -EINVAL);
	assert_int_equal(sk_vfs_rmdir("/md/a/.."), -ENOTEMPTY);
	assert_int_equal(sk_vfs_rmdir("/"), -EBUSY);
	assert_int_equal(sk_vfs_unlink("/md/a/f"), 0);
	assert_int_equal(sk_vfs_rmdir("/md/a/"), 0);
	assert_int_equal(sk_vfs_stat("/md", &st), 0);
	assert_int_equal(st.nlink, 2);
	assert_int_equal(sk_vfs_rmdir("/md/a"), -ENOENT);
}

static void test_rename_cases_follow_posix(void **state)
{
	struct sk_stat st, st2;
	int fd;

	(void)state;
	assert_int_equal(sk_vfs_mkdir("/rn", 0755), 0);
	assert_int_equal(sk_vfs_mkdir("/rn/d1", 0755), 0);
	assert_int_equal(sk_vfs_mkdir("/rn/d2", 0755), 0);
	vt_put_file("/rn/d1/f", "one", 3);
	vt_put_file("/rn/d2/g", "two", 3);
	fd = sk_vfs_open("/rn/d1/f", SK_O_RDONLY, 0);
	/* Across directories, replacing a file. */
	assert_int_equal(sk_vfs_rename("/rn/d1/f", "/rn/d2/g"), 0);
	assert_int_equal(sk_vfs_stat("/rn/d1/f", &st), -ENOENT);
	assert_int_equal(sk_vfs_open("/rn/d2/g", SK_O_RDONLY, 0), fd + 1);
	assert_int_equal(sk_vfs_read(fd + 1, buf, 10), 3);
	assert_memory_equal(buf, "one", 3);
	assert_int_equal(sk_vfs_close(fd + 1), 0);
	assert_int_equal(sk_vfs_read(fd, buf, 10), 3);
	assert_int_equal(sk_vfs_close(fd), 0);
	/* Directory onto an empty directory; into itself; onto non-empty. */
	assert_int_equal(sk_vfs_mkdir("/rn/d1/sub", 0755), 0);
	assert_int_equal(sk_vfs_rename("/rn/d1", "/rn/d1/sub/x"), -EINVAL);
	assert_int_equal(sk_vfs_rename("/rn/d1", "/rn/d1"), 0);
	assert_int_equal(sk_vfs_rename("/rn/d2", "/rn/d1/sub"), 0);
	assert_int_equal(sk_vfs_stat("/rn/d1/sub/g", &st), 0);
	assert_int_equal(sk_vfs_mkdir("/rn/d3", 0755), 0);
	assert_int_equal(sk_vfs_rename("/rn/d3", "/rn/d1"), -ENOTEMPTY);
	assert_int_equal(sk_vfs_rename("/rn/d3", "/rn/d1/sub/g"), -ENOTDIR);
	assert_int_equal(sk_vfs_rename("/rn/d1/sub/g", "/rn/d3"), -EISDIR);
	assert_int_equal(sk_vfs_rename("/rn/nope", "/rn/d3"), -ENOENT);
	assert_int_equal(sk_vfs_rename("/rn/d1/..", "/rn/d4"), -EBUSY);
	/* ".." of a moved directory follows it. */
	assert_int_equal(sk_vfs_rename("/rn/d1/sub", "/rn/d3/moved"), 0);
	assert_int_equal(sk_vfs_stat("/rn/d3/moved/..", &st), 0);
	assert_int_equal(sk_vfs_stat("/rn/d3", &st2), 0);
	assert_int_equal(st.ino, st2.ino);
	assert_int_equal(st2.nlink, 3);
	assert_int_equal(sk_vfs_stat("/rn/d1", &st2), 0);
	assert_int_equal(st2.nlink, 2);
	/* Hard links to one file: rename is a no-op. */
	assert_int_equal(sk_vfs_link("/rn/d3/moved/g", "/rn/h"), 0);
	assert_int_equal(sk_vfs_rename("/rn/h", "/rn/d3/moved/g"), 0);
	assert_int_equal(sk_vfs_stat("/rn/h", &st), 0);
	assert_int_equal(st.nlink, 2);
}

static void test_links_and_symlinks_resolve(void **state)
{
	struct sk_stat st;
	char lbuf[8];

	(void)state;
	assert_int_equal(sk_vfs_mkdir("/ln", 0755), 0);
	assert_int_equal(sk_vfs_mkdir("/ln/d", 0755), 0);
	vt_put_file("/ln/d/f", "data", 4);
	assert_int_equal(sk_vfs_link("/ln/d/f", "/ln/hard"), 0);
	assert_int_equal(sk_vfs_link("/ln/d/f", "/ln/hard"), -EEXIST);
	assert_int_equal(sk_vfs_link("/ln/d", "/ln/dl"), -EPERM);
	assert_int_equal(sk_vfs_stat("/ln/hard", &st), 0);
	assert_int_equal(st.nlink, 2);
	assert_int_equal(sk_vfs_symlink("d/f", "/ln/rel"), 0);
	assert_int_equal(sk_vfs_symlink("/ln/d", "/ln/abs"), 0);
	assert_int_equal(sk_vfs_symlink("../rel", "/ln/d/chain"), 0);
	assert_int_equal(sk_vfs_stat("/ln/d/chain", &st), 0);
	assert_int_equal(st.size, 4);
	assert_int_equal(sk_vfs_lstat("/ln/d/chain", &st), 0);
	assert_int_equal(st.mode & SK_S_IFMT, SK_S_IFLNK);
	assert_int_equal(st.size, 6);
	assert_int_equal(sk_vfs_stat("/ln/abs/f", &st), 0);
	assert_int_equal(sk_vfs_stat("/ln/abs/", &st), 0);
	assert_int_equal(st.mode & SK_S_IFMT, SK_S_IFDIR);
	assert_int_equal(sk_vfs_readlink("/ln/d/chain", lbuf, 4), 4);
	assert_memory_equal(lbuf, "../r", 4);
	assert_int_equal(sk_vfs_readlink("/ln/d/f", lbuf, 4), -EINVAL);
	assert_int_equal(sk_vfs_symlink("loop2", "/ln/loop1"), 0);
	assert_int_equal(sk_vfs_symlink("loop1", "/ln/loop2"), 0);
	assert_int_equal(sk_vfs_stat("/ln/loop1", &st), -ELOOP);
	assert_int_equal(sk_vfs_lstat("/ln/loop1", &st), 0);
	assert_int_equal(sk_vfs_symlink("", "/ln/empty"), -ENOENT);
	assert_int_equal(sk_vfs_symlink("x", "/ln/rel"), -EEXIST);
	assert_int_equal(sk_vfs_stat("/ln/rel/", &st), -ENOTDIR);
	assert_int_equal(sk_vfs_unlink("/ln/abs"), 0);
	assert_int_equal(sk_vfs_stat("/ln/d", &st), 0);
}

static void test_path_rules_follow_posix(void **state)
{
	static char longp[SK_PATH_MAX + 8];
	char name[300], cwd[400];
	struct sk_stat st, root;

	(void)state;
	assert_int_equal(sk_vfs_mkdir("/pa", 0755), 0);
	vt_put_file("/pa/f", "x", 1);
	assert_int_equal(sk_vfs_stat("/", &root), 0);
	assert_int_equal(sk_vfs_stat("/..", &st), 0);
	assert_int_equal(st.ino, root.ino);
	assert_int_equal(sk_vfs_stat("//pa///./f", &st), 0);
	assert_int_equal(sk_vfs_stat("/pa/../pa/f", &st), 0);
	assert_int_equal(sk_vfs_stat("/pa/f/", &st), -ENOTDIR);
	assert_int_equal(sk_vfs_stat("/pa/f/.", &st), -ENOTDIR);
	assert_int_equal(sk_vfs_stat("/pa/f/..", &st), -ENOTDIR);
	assert_int_equal(sk_vfs_stat("", &st), -ENOENT);
	assert_int_equal(sk_vfs_stat(NULL, &st), -EFAULT);
	assert_int_equal(sk_vfs_stat("/pa/nope/f", &st), -ENOENT);
	memset(name, 'n', 256);
	name[256] = '\0';
	assert_int_equal(sk_vfs_mkdir(name, 0755), -ENAMETOOLONG);
	name[255] = '\0';
	assert_int_equal(sk_vfs_chdir("/pa"), 0);
	assert_int_equal(sk_vfs_getcwd(cwd, sizeof(cwd)), 4);
	assert_string_equal(cwd, "/pa");
	assert_int_equal(sk_vfs_getcwd(cwd, 3), -ERANGE);
	assert_int_equal(sk_vfs_mkdir(name, 0755), 0);
	assert_int_equal(sk_vfs_chdir(name), 0);
	assert_int_equal(sk_vfs_getcwd(cwd, sizeof(cwd)), 3 + 1 + 255 + 1);
	assert_int_equal(sk_vfs_chdir(".."), 0);
	assert_int_equal(sk_vfs_stat("f", &st), 0);
	assert_int_equal(sk_vfs_chdir(".."), 0);
	assert_int_equal(sk_vfs_stat("pa/f", &st), 0);
	assert_int_equal(sk_vfs_chdir("/pa/f"), -ENOTDIR);
	assert_int_equal(sk_vfs_chdir("/"), 0);
	assert_int_equal(sk_vfs_getcwd(cwd, sizeof(cwd)), 2);
	assert_string_equal(cwd, "/");
	/* A removed current directory has no path. */
	assert_int_equal(sk_vfs_mkdir("/pa/gone", 0755), 0);
	assert_int_equal(sk_vfs_chdir("/pa/gone"), 0);
	assert_int_equal(sk_vfs_rmdir("/pa/gone"), 0);
	assert_int_equal(sk_vfs_getcwd(cwd, sizeof(cwd)), -ENOENT);
	assert_int_equal(sk_vfs_mkdir("x", 0755), -ENOENT);
	assert_int_equal(sk_vfs_chdir("/"), 0);
	memset(longp, 'a', sizeof(longp));
	for (int i = 0; i < SK_PATH_MAX; i += 2)
		longp[i] = '/';
	longp[SK_PATH_MAX] = '\0';
	assert_int_equal(sk_vfs_stat(longp, &st), -ENAMETOOLONG);
	longp[SK_PATH_MAX - 1] = '\0';
	assert_int_equal(sk_vfs_stat(longp, &st), -ENOENT);
}

struct ent {
	char name[32];
	unsigned type;
};

static int list_dir(const char *path, struct ent *out, int max, size_t chunk)
{
	int fd = sk_vfs_open(path, SK_O_RDONLY | SK_O_DIRECTORY, 0), n = 0;
	long got;

	assert_true(fd >= 0);
	while ((got = sk_vfs_getdents(fd, buf, chunk)) > 0) {
		for (long off = 0; off < got;) {
			struct sk_dirent *d =
				(struct sk_dirent *)(void *)(buf + off);

			assert_true(n < max);
			strncpy(out[n].name, d->name, sizeof(out[n].name) - 1);
			out[n].type = d->type;
			n++;
			off += d->reclen;
		}
	}
	assert_int_equal(got, 0);
	assert_int_equal(sk_vfs_close(fd), 0);
	return n;
}

static void test_getdents_lists_and_resumes(void **state)
{
	struct ent e[64];
	char path[32];
	int n, fd;

	(void)state;
	assert_int_equal(sk_vfs_mkdir("/rd", 0755), 0);
	for (int i = 0; i < 20; i++) {
		strcpy(path, "/rd/f000");
		path[6] = (char)('0' + i / 10);
		path[7] = (char)('0' + i % 10);
		vt_put_file(path, "", 0);
	}
	assert_int_equal(sk_vfs_mkdir("/rd/sub", 0755), 0);
	assert_int_equal(sk_vfs_symlink("x", "/rd/lnk"), 0);
	n = list_dir("/rd", e, 64, 40);
	assert_int_equal(n, 24);
	assert_string_equal(e[0].name, ".");
	assert_string_equal(e[1].name, "..");
	assert_int_equal(e[0].type, SK_DT_DIR);
	assert_string_equal(e[2].name, "f000");
	assert_string_equal(e[22].name, "sub");
	assert_int_equal(e[22].type, SK_DT_DIR);
	assert_int_equal(e[23].type, SK_DT_LNK);
	assert_int_equal(e[5].type, SK_DT_REG);
	fd = sk_vfs_open("/rd", SK_O_RDONLY, 0);
	assert_int_equal(sk_vfs_getdents(fd, buf, 10), -EINVAL);
	assert_int_equal(sk_vfs_close(fd), 0);
	fd = sk_vfs_open("/rd/f000", SK_O_RDONLY, 0);
	assert_int_equal(sk_vfs_getdents(fd, buf, sizeof(buf)), -ENOTDIR);
	assert_int_equal(sk_vfs_close(fd), 0);
}

static void test_fd_table_dup_and_cloexec(void **state)
{
	int fd, d1, d2;

	(void)state;
	assert_int_equal(sk_vfs_mkdir("/fd", 0755), 0);
	vt_put_file("/fd/f", "0123456789", 10);
	fd = sk_vfs_open("/fd/f", SK_O_RDONLY | SK_O_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(sk_vfs_fcntl(fd, SK_F_GETFD, 0), SK_FD_CLOEXEC);
	d1 = sk_vfs_dup(fd);
	assert_true(d1 > fd);
	assert_int_equal(sk_vfs_fcntl(d1, SK_F_GETFD, 0), 0);
	/* Duplicates share the offset. */
	assert_int_equal(sk_vfs_read(fd, buf, 3), 3);
	assert_int_equal(sk_vfs_read(d1, buf, 3), 3);
	assert_memory_equal(buf, "345", 3);
	d2 = sk_vfs_dup2(fd, 200);
	assert_int_equal(d2, 200);
	assert_int_equal(sk_vfs_dup2(fd, fd), fd);
	assert_int_equal(sk_vfs_dup2(fd, SK_VFS_FD_MAX), -EBADF);
	assert_int_equal(sk_vfs_dup2(500, 3), -EBADF);
	assert_int_equal(sk_vfs_fcntl(d2, SK_F_SETFD, SK_FD_CLOEXEC), 0);
	assert_int_equal(sk_vfs_fcntl(d2, SK_F_GETFL, 0) & SK_O_ACCMODE,
			 SK_O_RDONLY);
	assert_int_equal(sk_vfs_fcntl(fd, SK_F_DUPFD, 300), 300);
	assert_int_equal(sk_vfs_fcntl(fd, 99, 0), -EINVAL);
	assert_int_equal(sk_vfs_close_on_exec(), 2);
	assert_int_equal(sk_vfs_close(fd), -EBADF);
	assert_int_equal(sk_vfs_close(200), -EBADF);
	assert_int_equal(sk_vfs_read(d1, buf, 10), 4);
	assert_int_equal(sk_vfs_close(d1), 0);
	assert_int_equal(sk_vfs_close(300), 0);
	assert_int_equal(sk_vfs_close(-1), -EBADF);
}

static void test_mount_crossing_and_busy(void **state)
{
	char path[64];
	struct sk_stat st, st2;
	int fd;

	(void)state;
	assert_int_equal(sk_vfs_mkdir("/mnt", 0755), 0);
	vt_put_file("/mnt/hidden", "h", 1);
	assert_int_equal(sk_vfs_mount("tmp", "/mnt", "nosuchfs", 0, NULL),
			 -ENODEV);
	assert_int_equal(sk_vfs_mount("tmp", "/mnt/hidden", "ramfs", 0, NULL),
			 -ENOTDIR);
	assert_int_equal(sk_vfs_mount("tmp", "/mnt", "ramfs", 0, NULL), 0);
	assert_int_equal(sk_vfs_stat("/mnt/hidden", &st), -ENOENT);
	/* Mounts stack, as on Linux; umount pops the top one. */
	vt_put_file("/mnt/lower", "l", 1);
	assert_int_equal(sk_vfs_mount("top", "/mnt", "ramfs", 0, NULL), 0);
	assert_int_equal(sk_vfs_stat("/mnt/lower", &st), -ENOENT);
	assert_int_equal(sk_vfs_umount("/mnt"), 0);
	assert_int_equal(sk_vfs_unlink("/mnt/lower"), 0);
	assert_int_equal(sk_vfs_stat("/mnt", &st), 0);
	assert_int_equal(sk_vfs_stat("/", &st2), 0);
	assert_true(st.dev != st2.dev);
	assert_int_equal(sk_vfs_stat("/mnt/..", &st), 0);
	assert_int_equal(st.ino, st2.ino);
	assert_int_equal(st.dev, st2.dev);
	assert_int_equal(sk_vfs_mkdir("/mnt/in", 0755), 0);
	vt_put_file("/mnt/in/f", "f", 1);
	assert_int_equal(sk_vfs_rename("/mnt/in/f", "/mnt/../x"), -EXDEV);
	assert_int_equal(sk_vfs_link("/mnt/in/f", "/x"), -EXDEV);
	assert_int_equal(sk_vfs_rmdir("/mnt"), -EBUSY);
	assert_int_equal(sk_vfs_rename("/mnt", "/mnt2"), -EBUSY);
	fd = sk_vfs_open("/mnt/in/f", SK_O_RDONLY, 0);
	assert_int_equal(sk_vfs_umount("/mnt"), -EBUSY);
	assert_int_equal(sk_vfs_close(fd), 0);
	assert_int_equal(sk_vfs_chdir("/mnt/in"), 0);
	assert_int_equal(sk_vfs_getcwd(path, sizeof(path)), 8);
	assert_string_equal(path, "/mnt/in");
	assert_int_equal(sk_vfs_umount("/mnt"), -EBUSY);
	assert_int_equal(sk_vfs_chdir("/"), 0);
	assert_int_equal(sk_vfs_mkdir("/mnt/in/deeper", 0755), 0);
	assert_int_equal(sk_vfs_mount(NULL, "/mnt/in/deeper", "ramfs", 0, NULL),
			 0);
	assert_int_equal(sk_vfs_umount("/mnt"), -EBUSY);
	assert_int_equal(sk_vfs_umount("/mnt/in"), -EINVAL);
	assert_int_equal(sk_vfs_umount("/mnt/in/deeper"), 0);
	assert_int_equal(sk_vfs_umount("/"), -EINVAL);
	assert_int_equal(sk_vfs_umount("/mnt"), 0);
	assert_int_equal(sk_vfs_stat("/mnt/hidden", &st), 0);
	assert_int_equal(sk_vfs_umount("/mnt"), -EINVAL);
	/* A read-only mount refuses changes. */
	assert_int_equal(
		sk_vfs_mount("ro", "/mnt", "ramfs", SK_MNT_RDONLY, NULL), 0);
	assert_int_equal(sk_vfs_mkdir("/mnt/x", 0755), -EROFS);
	assert_int_equal(sk_vfs_open("/mnt/y", SK_O_CREAT | SK_O_RDWR, 0644),
			 -EROFS);
	assert_int_equal(sk_vfs_umount("/mnt"), 0);
}

static void *never_alloc(size_t len, void *ctx)
{
	(void)len;
	(void)ctx;
	return NULL;
}

static void never_free(void *p, size_t len, void *ctx)
{
	(void)p;
	(void)len;
	(void)ctx;
}

static void test_init_twice_refused(void **state)
{
	static const struct sk_vfs_mem_ops ops = { never_alloc, never_free,
						   NULL };
	struct sk_vfs_config cfg = { &ops, 0 }, bad = { NULL, 0 };

	(void)state;
	assert_int_equal(sk_vfs_init(NULL), -EINVAL);
	assert_int_equal(sk_vfs_init(&bad), -EINVAL);
	assert_int_equal(sk_vfs_init(&cfg), -EBUSY);
	assert_int_equal(sk_vfs_mount(NULL, NULL, "ramfs", 0, NULL), -EFAULT);
	assert_int_equal(sk_vfs_mount(NULL, "/", "ramfs", 7, NULL), -EINVAL);
}

static void test_modes_times_statfs(void **state)
{
	struct sk_timespec t[2] = { { 1000, 5 }, { 2000, 7 } };
	struct sk_stat st, st2;
	struct sk_statfs fs;
	int fd;

	(void)state;
	assert_int_equal(sk_vfs_mkdir("/mt", 0755), 0);
	fd = sk_vfs_open("/mt/f", SK_O_RDWR | SK_O_CREAT, 04751);
	assert_int_equal(sk_vfs_fstat(fd, &st), 0);
	assert_int_equal(st.mode, SK_S_IFREG | 04751);
	assert_int_equal(st.uid, 0);
	assert_int_equal(sk_vfs_chmod("/mt/f", 0600), 0);
	assert_int_equal(sk_vfs_fchmod(fd, 0640), 0);
	assert_int_equal(sk_vfs_utimens("/mt/f", t), 0);
	assert_int_equal(sk_vfs_fstat(fd, &st), 0);
	assert_int_equal(st.mode, SK_S_IFREG | 0640);
	assert_int_equal(st.atim.sec, 1000);
	assert_int_equal(st.mtim.nsec, 7);
	assert_int_equal(sk_vfs_write(fd, "x", 1), 1);
	assert_int_equal(sk_vfs_fstat(fd, &st2), 0);
	assert_true(st2.mtim.sec > 2000);
	assert_true(st2.ctim.sec >= st.ctim.sec);
	t[0].nsec = 1000000000;
	assert_int_equal(sk_vfs_utimens("/mt/f", t), -EINVAL);
	assert_int_equal(sk_vfs_truncate("/mt", 0), -EISDIR);
	assert_int_equal(sk_vfs_truncate("/mt/f", 10), 0);
	assert_int_equal(sk_vfs_stat("/mt/f", &st), 0);
	assert_int_equal(st.size, 10);
	assert_int_equal(sk_vfs_fsync(fd), 0);
	assert_int_equal(sk_vfs_fsync(777), -EBADF);
	assert_int_equal(sk_vfs_statfs("/mt/f", &fs), 0);
	assert_int_equal(fs.type, 0x858458f6u);
	assert_int_equal(fs.namelen, 255);
	assert_int_equal(sk_vfs_fstatfs(fd, &fs), 0);
	assert_int_equal(sk_vfs_close(fd), 0);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		sk_test(test_open_flags_follow_posix),
		sk_test(test_io_offsets_follow_posix),
		sk_test(test_sparse_large_file_reads_zero_holes),
		sk_test(test_unlink_open_file_stays_readable),
		sk_test(test_mkdir_rmdir_errors_follow_linux),
		sk_test(test_rename_cases_follow_posix),
		sk_test(test_links_and_symlinks_resolve),
		sk_test(test_path_rules_follow_posix),
		sk_test(test_getdents_lists_and_resumes),
		sk_test(test_fd_table_dup_and_cloexec),
		sk_test(test_mount_crossing_and_busy),
		sk_test(test_modes_times_statfs),
		sk_test(test_init_twice_refused),
	};

	return vt_main("vfs_posix", tests, SK_ARRAY_LEN(tests));
}
