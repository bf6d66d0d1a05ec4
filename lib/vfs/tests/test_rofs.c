// SPDX-License-Identifier: MIT
/*
 * rofs: build an image with tools/mkrofs (argv[1]) from a source tree
 * (rofs_tree.c), mount it through a file-backed block device and compare
 * every file, link, attribute and directory listing with the host's;
 * refuse writes; and keep every other operation going while one read is
 * held inside the block device (no lock across I/O).  Corrupt images are
 * in test_rofs_bad.c.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <plat/compiler.h>
#include <sched/wait.h>
#include <vfs/rofs_format.h>

#include "blkdev_file.h"
#include "harness.h"
#include "rofs_image.h"
#include "rofs_tree.h"

static struct test_blkdev fdev;
static char rbuf[1 << 20];

static void check_dir(const struct mentry *m, const char *path)
{
	static char names[300 * 260];
	static _Alignas(8) char dents[4096];
	static char sorted[400][256];
	int fd = sk_vfs_open(path, SK_O_RDONLY | SK_O_DIRECTORY, 0), n = 0;
	long got;

	assert_true(fd >= 0);
	while ((got = sk_vfs_getdents(fd, dents, sizeof(dents))) > 0) {
		for (long off = 0; off < got;) {
			struct sk_dirent *d =
				(struct sk_dirent *)(void *)(dents + off);

			if (strcmp(d->name, ".") && strcmp(d->name, ".."))
				strcpy(sorted[n++], d->name);
			off += d->reclen;
		}
	}
	assert_int_equal(got, 0);
	assert_int_equal(sk_vfs_close(fd), 0);
	/* mkrofs stores entries sorted; the listing must come out so. */
	names[0] = '\0';
	for (int i = 0; i < n; i++) {
		strcat(names, sorted[i]);
		strcat(names, "/");
	}
	assert_string_equal(names, m->data);
}

static void check_entry(const struct mentry *m)
{
	char path[700];
	struct sk_stat st;
	long n;
	int fd;

	strcpy(path, "/ro/");
	strcat(path, m->path);
	assert_int_equal(sk_vfs_lstat(path, &st), 0);
	assert_int_equal(st.mode, m->st.st_mode);
	assert_int_equal(st.uid, m->st.st_uid);
	assert_int_equal(st.mtim.sec, m->st.st_mtim.tv_sec);
	assert_int_equal(st.mtim.nsec, m->st.st_mtim.tv_nsec);
	if (S_ISREG(m->st.st_mode)) {
		assert_int_equal(st.size, m->st.st_size);
		assert_int_equal(st.nlink, m->st.st_nlink);
		fd = sk_vfs_open(path, SK_O_RDONLY, 0);
		assert_true(fd >= 0);
		n = sk_vfs_read(fd, rbuf, sizeof(rbuf));
		assert_int_equal(
			n,
			(long)(m->len < sizeof(rbuf) ? m->len : sizeof(rbuf)));
		assert_memory_equal(rbuf, m->data, (size_t)n);
		if (m->len > 5000) {
			assert_int_equal(sk_vfs_pread(fd, rbuf, 3000, 4000),
					 3000);
			assert_memory_equal(rbuf, m->data + 4000, 3000);
		}
		assert_int_equal(sk_vfs_close(fd), 0);
	} else if (S_ISLNK(m->st.st_mode)) {
		n = sk_vfs_readlink(path, rbuf, sizeof(rbuf));
		assert_int_equal(n, (long)strlen(m->link));
		assert_memory_equal(rbuf, m->link, (size_t)n);
	} else {
		check_dir(m, path);
	}
}

static void test_rofs_round_trip_matches_source(void **state)
{
	struct sk_stat a, b;

	(void)state;
	assert_int_equal(sk_vfs_mkdir("/ro", 0755), 0);
	assert_int_equal(test_blkdev_file(&fdev, image, 1024), 0);
	assert_int_equal(sk_vfs_mount("image", "/ro", "rofs", 0, &fdev.dev), 0);
	for (int i = 0; i < nman; i++)
		check_entry(&man[i]);
	/* Hard links share an inode; links resolve inside the image. */
	assert_int_equal(sk_vfs_stat("/ro/page", &a), 0);
	assert_int_equal(sk_vfs_stat("/ro/a/hard", &b), 0);
	assert_int_equal(a.ino, b.ino);
	assert_int_equal(sk_vfs_stat("/ro/a/b/rel", &b), 0);
	assert_int_equal(a.ino, b.ino);
	assert_int_equal(sk_vfs_stat("/ro/abs/d/deep", &b), 0);
	assert_int_equal(b.size, 12345);
	assert_int_equal(sk_vfs_stat("/ro/dangling", &b), -ENOENT);
	assert_int_equal(sk_vfs_stat("/ro/a/b/c/d/../../..", &b), 0);
	assert_int_equal(sk_vfs_stat("/ro/a", &a), 0);
	assert_int_equal(a.ino, b.ino);
	assert_int_equal(sk_vfs_stat("/ro/..", &b), 0);
	assert_int_equal(sk_vfs_stat("/", &a), 0);
	assert_int_equal(a.ino, b.ino);
}

static void test_rofs_refuses_writes(void **state)
{
	struct sk_statfs fs;

	(void)state;
	assert_int_equal(sk_vfs_open("/ro/page", SK_O_RDWR, 0), -EROFS);
	assert_int_equal(sk_vfs_open("/ro/new", SK_O_CREAT | SK_O_RDWR, 0644),
			 -EROFS);
	assert_int_equal(sk_vfs_mkdir("/ro/x", 0755), -EROFS);
	assert_int_equal(sk_vfs_mkdir("/ro/a", 0755), -EEXIST);
	assert_int_equal(sk_vfs_unlink("/ro/page"), -EROFS);
	assert_int_equal(sk_vfs_rmdir("/ro/emptydir"), -EROFS);
	assert_int_equal(sk_vfs_rename("/ro/page", "/ro/p2"), -EROFS);
	assert_int_equal(sk_vfs_symlink("x", "/ro/s"), -EROFS);
	assert_int_equal(sk_vfs_truncate("/ro/page", 0), -EROFS);
	assert_int_equal(sk_vfs_chmod("/ro/page", 0), -EROFS);
	assert_int_equal(sk_vfs_statfs("/ro", &fs), 0);
	assert_int_equal(fs.flags & SK_MNT_RDONLY, SK_MNT_RDONLY);
	assert_int_equal(fs.files, (uint64_t)nman - 1);
	assert_int_equal(sk_vfs_umount("/ro"), 0);
}

/*
 * A device whose reads from one thread wait at a gate: the file data
 * read of that thread stalls "in I/O" while the test checks that every
 * other operation on the same file and filesystem still completes, i.e.
 * that no VFS lock is held across the device read (OSv issue #450).
 */
struct gate_dev {
	struct sk_blkdev dev;
	struct test_blkdev *inner;
	_Atomic(struct sk_thread *) gated;
	atomic_int closed, waiting;
};

static struct gate_dev gdev;

static int gate_read(struct sk_blkdev *d, uint64_t blk, uint32_t n, void *buf)
{
	struct gate_dev *g = (struct gate_dev *)d;

	if (sk_thread_current() == atomic_load(&g->gated)) {
		atomic_store(&g->waiting, 1);
		while (atomic_load(&g->closed))
			sk_thread_sleep_for(200000);
		atomic_store(&g->waiting, 0);
	}
	return g->inner->dev.ops->read(&g->inner->dev, blk, n, buf);
}

static uint32_t gate_bsize(struct sk_blkdev *d)
{
	struct gate_dev *g = (struct gate_dev *)d;

	return g->inner->dev.ops->block_size(&g->inner->dev);
}

static uint64_t gate_count(struct sk_blkdev *d)
{
	struct gate_dev *g = (struct gate_dev *)d;

	return g->inner->dev.ops->block_count(&g->inner->dev);
}

static const struct sk_blkdev_ops gate_ops = { gate_read, gate_bsize,
					       gate_count };

static char gated_buf[65536];
static atomic_long gated_ret;

static void gated_reader(void *arg)
{
	int fd;

	(void)arg;
	atomic_store(&gdev.gated, sk_thread_current());
	fd = sk_vfs_open("/slow/big", SK_O_RDONLY, 0);
	atomic_store(&gated_ret,
		     fd < 0 ? fd
			    : sk_vfs_read(fd, gated_buf, sizeof(gated_buf)));
	if (fd >= 0)
		sk_vfs_close(fd);
}

static void test_rofs_slow_read_holds_no_lock(void **state)
{
	static char small[8192];
	const struct mentry *big = NULL, *page = NULL;
	struct sk_stat st;
	struct sk_thread *t;
	int fd;

	(void)state;
	for (int i = 0; i < nman; i++) {
		if (!strcmp(man[i].path, "big"))
			big = &man[i];
		if (!strcmp(man[i].path, "page"))
			page = &man[i];
	}
	assert_non_null(big);
	assert_non_null(page);
	gdev.dev.ops = &gate_ops;
	gdev.inner = &fdev;
	atomic_store(&gdev.closed, 1);
	assert_int_equal(sk_vfs_mkdir("/slow", 0755), 0);
	assert_int_equal(sk_vfs_mount("gated", "/slow", "rofs", 0, &gdev.dev),
			 0);
	atomic_store(&gated_ret, 1);
	t = sk_test_spawn(~0u, gated_reader, NULL);
	for (int i = 0; i < 20000 && !atomic_load(&gdev.waiting); i++)
		sk_thread_sleep_for(100000);
	assert_int_equal(atomic_load(&gdev.waiting), 1);
	/* The reader is inside the device: the same file stays usable. */
	assert_int_equal(sk_vfs_stat("/slow/big", &st), 0);
	assert_int_equal(st.size, big->len);
	fd = sk_vfs_open("/slow/big", SK_O_RDONLY, 0);
	assert_true(fd >= 0);
	assert_int_equal(sk_vfs_fstat(fd, &st), 0);
	assert_int_equal(sk_vfs_close(fd), 0);
	fd = sk_vfs_open("/slow/page", SK_O_RDONLY, 0);
	assert_int_equal(sk_vfs_read(fd, small, sizeof(small)), 4096);
	assert_memory_equal(small, page->data, 4096);
	assert_int_equal(sk_vfs_getdents(fd, small, sizeof(small)), -ENOTDIR);
	assert_int_equal(sk_vfs_close(fd), 0);
	fd = sk_vfs_open("/slow", SK_O_RDONLY, 0);
	assert_true(sk_vfs_getdents(fd, small, sizeof(small)) > 0);
	assert_int_equal(sk_vfs_close(fd), 0);
	assert_int_equal(atomic_load(&gdev.waiting), 1);
	assert_int_equal(atomic_load(&gated_ret), 1);
	atomic_store(&gdev.closed, 0);
	assert_int_equal(sk_thread_join(t), 0);
	assert_int_equal(atomic_load(&gated_ret), (long)sizeof(gated_buf));
	assert_memory_equal(gated_buf, big->data, sizeof(gated_buf));
	assert_int_equal(sk_vfs_umount("/slow"), 0);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		sk_test(test_rofs_round_trip_matches_source),
		sk_test(test_rofs_refuses_writes),
		sk_test(test_rofs_slow_read_holds_no_lock),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: %s MKROFS\n", argv[0]);
		return 2;
	}
	rofs_tree_build(argv[1]);
	return vt_main("vfs_rofs", tests, SK_ARRAY_LEN(tests));
}
