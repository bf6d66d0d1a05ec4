// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the rofs image parser: the input is an image on a
 * memory block device of 512-byte blocks, parsed as it is and again with
 * both checksums recomputed (so mutations reach the semantic checks).  A
 * successful load is then exercised the way rofs uses it: every
 * directory's entries and every file's data range are read back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blkdev_file.h"
#include "rofs_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void *fz_alloc(size_t len, void *ctx)
{
	(void)ctx;
	return malloc(len ? len : 1);
}

static void fz_free(void *p, size_t len, void *ctx)
{
	(void)ctx;
	(void)len;
	free(p);
}

static const struct rofs_mem fz_mem = { fz_alloc, fz_free, NULL };

static void use_image(struct rofs_image *img)
{
	static char buf[4096];
	volatile unsigned sum = 0;

	for (uint32_t i = 0; i < img->sb.inode_count; i++) {
		const struct sk_rofs_inode *in = &img->inodes[i];

		if ((in->mode & 0170000) == 0040000) {
			for (uint64_t j = 0; j < in->size; j++) {
				const struct sk_rofs_dirent *e =
					&img->dirents[in->off + j];

				sum += (unsigned char)img->strings[e->name_off];
				sum += img->inodes[e->ino].mode;
			}
		} else if ((in->mode & 0170000) == 0100000) {
			size_t n = in->size < sizeof(buf) ? (size_t)in->size
							  : sizeof(buf);

			if (sk_vfs_rofs_image_read(img, &fz_mem, in->off, buf,
						   n) == 0 &&
			    n)
				sum += (unsigned char)buf[n - 1];
		} else {
			sum += (unsigned char)img->strings[in->off];
		}
	}
	(void)sum;
}

static void fix_crcs(uint8_t *b, size_t len)
{
	struct sk_rofs_super s;
	uint64_t end;

	memcpy(&s, b, sizeof(s));
	end = s.strings_off + s.strings_len;
	if (s.inode_off <= end && end <= len && end >= s.strings_off)
		s.meta_crc = sk_vfs_crc32(0, b + s.inode_off,
					  (size_t)(end - s.inode_off));
	s.super_crc = 0;
	s.super_crc = sk_vfs_crc32(0, &s, sizeof(s));
	memcpy(b, &s, sizeof(s));
}

static void parse(uint8_t *copy, size_t size)
{
	struct test_blkdev dev;
	struct rofs_image img;

	test_blkdev_mem(&dev, copy, size, 512);
	if (sk_vfs_rofs_image_load(&dev.dev, &fz_mem, &img) == 0) {
		use_image(&img);
		sk_vfs_rofs_image_unload(&img, &fz_mem);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;

	if (size < 512)
		return 0;
	copy = malloc(size);
	memcpy(copy, data, size);
	parse(copy, size);
	fix_crcs(copy, size);
	parse(copy, size);
	free(copy);
	return 0;
}
