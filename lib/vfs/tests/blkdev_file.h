/* SPDX-License-Identifier: MIT */
/*
 * Test block devices: one backed by a host file (pread), one by memory.
 */
#ifndef VFS_TESTS_BLKDEV_FILE_H
#define VFS_TESTS_BLKDEV_FILE_H

#include <stddef.h>
#include <stdint.h>

#include <vfs/blkdev.h>

struct test_blkdev {
	struct sk_blkdev dev;
	int fd; /* file backed; -1 for memory */
	const unsigned char *mem;
	uint32_t bsize;
	uint64_t nblocks;
	unsigned reads;
};

/* Return: 0, or -errno if @path cannot be opened. */
int test_blkdev_file(struct test_blkdev *b, const char *path, uint32_t bs);
void test_blkdev_mem(struct test_blkdev *b, const void *mem, size_t len,
		     uint32_t bs);

#endif
