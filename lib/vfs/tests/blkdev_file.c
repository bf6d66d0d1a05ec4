// SPDX-License-Identifier: MIT
/*
 * Test block devices (see blkdev_file.h).  The file one uses pread(2),
 * a plain system call, so it is safe on a preemptible skiff thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blkdev_file.h"

static int tb_read(struct sk_blkdev *dev, uint64_t blkno, uint32_t n, void *buf)
{
	struct test_blkdev *b = (struct test_blkdev *)dev;
	size_t len = (size_t)n * b->bsize;
	ssize_t got;

	if (blkno > b->nblocks || n > b->nblocks - blkno)
		return -EINVAL;
	b->reads++;
	if (b->fd < 0) {
		memcpy(buf, b->mem + blkno * b->bsize, len);
		return 0;
	}
	got = pread(b->fd, buf, len, (off_t)(blkno * b->bsize));
	return got == (ssize_t)len ? 0 : -EIO;
}

static uint32_t tb_bsize(struct sk_blkdev *dev)
{
	return ((struct test_blkdev *)dev)->bsize;
}

static uint64_t tb_count(struct sk_blkdev *dev)
{
	return ((struct test_blkdev *)dev)->nblocks;
}

static const struct sk_blkdev_ops tb_ops = { tb_read, tb_bsize, tb_count };

int test_blkdev_file(struct test_blkdev *b, const char *path, uint32_t bs)
{
	struct stat st;

	memset(b, 0, sizeof(*b));
	b->fd = open(path, O_RDONLY);
	if (b->fd < 0 || fstat(b->fd, &st))
		return -errno;
	b->dev.ops = &tb_ops;
	b->bsize = bs;
	b->nblocks = (uint64_t)st.st_size / bs;
	return 0;
}

void test_blkdev_mem(struct test_blkdev *b, const void *mem, size_t len,
		     uint32_t bs)
{
	memset(b, 0, sizeof(*b));
	b->fd = -1;
	b->dev.ops = &tb_ops;
	b->mem = mem;
	b->bsize = bs;
	b->nblocks = len / bs;
}
