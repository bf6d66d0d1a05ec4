/* SPDX-License-Identifier: MIT */
/*
 * The rofs image parser: reads and validates the superblock and metadata
 * of an image on a block device.  Self-contained (no scheduler, no VFS
 * state) so the fuzz target and the bit-flip test drive it directly.
 */
#ifndef VFS_ROFS_IMAGE_H
#define VFS_ROFS_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include <vfs/blkdev.h>
#include <vfs/rofs_format.h>

struct rofs_mem {
	void *(*alloc)(size_t len, void *ctx);
	void (*free)(void *p, size_t len, void *ctx);
	void *ctx;
};

struct rofs_image {
	struct sk_blkdev *dev;
	struct sk_rofs_super sb;
	uint32_t bsize;
	const struct sk_rofs_inode *inodes; /* into meta */
	const struct sk_rofs_dirent *dirents; /* into meta */
	const char *strings; /* into meta */
	uint32_t *parent; /* per inode: parent dir (dirs only) */
	void *meta;
	size_t meta_len;
};

/*
 * sk_vfs_rofs_image_load - read and check every field of the image on @dev.
 * Return: 0; -EINVAL for a bad device geometry or a corrupt image (bad
 *         magic, version, checksum, or any offset, length, name, type or
 *         directory structure out of bounds); -EIO from the device;
 *         -ENOMEM.
 */
int sk_vfs_rofs_image_load(struct sk_blkdev *dev, const struct rofs_mem *mem,
			   struct rofs_image *img);
void sk_vfs_rofs_image_unload(struct rofs_image *img,
			      const struct rofs_mem *mem);

/* Read @len bytes at byte @off of the device.  Return: 0, -EIO, -ENOMEM. */
int sk_vfs_rofs_image_read(struct rofs_image *img, const struct rofs_mem *mem,
			   uint64_t off, void *buf, size_t len);

uint32_t sk_vfs_crc32(uint32_t crc, const void *buf, size_t len);

#endif
