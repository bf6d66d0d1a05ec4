/* SPDX-License-Identifier: MIT */
/*
 * Block devices as the VFS sees them: fixed-size blocks read by number.
 * rofs mounts through this interface; on hosted a test supplies a file
 * backed device, on kvm virtio-blk will.
 */
#ifndef VFS_BLKDEV_H
#define VFS_BLKDEV_H

#include <stdint.h>

struct sk_blkdev;

struct sk_blkdev_ops {
	/*
	 * read - copy @nblocks blocks starting at @blkno into @buf.
	 * Return: 0; -EINVAL if the range is past the end; -EIO.
	 * Context: thread; may block.  Called with no VFS lock held.
	 */
	int (*read)(struct sk_blkdev *dev, uint64_t blkno, uint32_t nblocks,
		    void *buf);
	/* block_size - bytes per block: a power of two >= 512. */
	uint32_t (*block_size)(struct sk_blkdev *dev);
	/* block_count - blocks on the device. */
	uint64_t (*block_count)(struct sk_blkdev *dev);
};

struct sk_blkdev {
	const struct sk_blkdev_ops *ops;
	void *priv; /* the driver's */
};

#endif
