// SPDX-License-Identifier: MIT
/*
 * rofs image validation.  The image is untrusted input: every field is
 * checked before it is used, in this order: device geometry, superblock
 * (magic, version, CRC), table placement (overflow-safe arithmetic, all
 * inside the image and the device), metadata CRC, then each inode, each
 * directory entry and the directory tree (every directory has at most
 * one parent and the root none, so the tree reachable from the root is
 * acyclic).  Nothing the parser returns points outside what it checked.
 */
#include <errno.h>
#include <string.h>

#include "rofs_image.h"

_Static_assert(sizeof(struct sk_rofs_super) == SK_ROFS_SUPER_SIZE,
	       "rofs superblock is 128 bytes");
_Static_assert(sizeof(struct sk_rofs_inode) == 48, "rofs inode is 48 bytes");
_Static_assert(sizeof(struct sk_rofs_dirent) == 16, "rofs dirent is 16");
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "rofs reads little-endian fields in place");

enum {
	T_MASK = 0170000,
	T_DIR = 0040000,
	T_REG = 0100000,
	T_LNK = 0120000,
};

#define NONE 0xffffffffu

/* a + b <= limit, without overflow. */
static int in_range(uint64_t a, uint64_t b, uint64_t limit)
{
	return a <= limit && b <= limit - a;
}

int sk_vfs_rofs_image_read(struct rofs_image *img, const struct rofs_mem *mem,
			   uint64_t off, void *buf, size_t len)
{
	uint32_t bs = img->bsize;
	char *out = buf, *bounce = NULL;
	int err = 0;

	while (len && !err) {
		uint64_t blk = off / bs;
		size_t in = (size_t)(off % bs), n = bs - in;

		if (in == 0 && len >= bs) {
			n = (size_t)(len / bs) * bs;
			if (n > (size_t)1 << 24)
				n = (size_t)1 << 24;
			err = img->dev->ops->read(img->dev, blk,
						  (uint32_t)(n / bs), out);
		} else {
			if (!bounce)
				bounce = mem->alloc(bs, mem->ctx);
			if (!bounce)
				return -ENOMEM;
			if (n > len)
				n = len;
			err = img->dev->ops->read(img->dev, blk, 1, bounce);
			if (!err)
				memcpy(out, bounce + in, n);
		}
		out += n;
		off += n;
		len -= n;
	}
	if (bounce)
		mem->free(bounce, bs, mem->ctx);
	return err ? -EIO : 0;
}

static int super_check(struct rofs_image *img, uint64_t dev_bytes)
{
	struct sk_rofs_super sb = img->sb;
	const struct sk_rofs_super *s = &img->sb;
	uint64_t ib, db, meta;

	if (memcmp(s->magic, SK_ROFS_MAGIC, 8) != 0)
		return -EINVAL;
	if (s->version != SK_ROFS_VERSION || s->flags != 0)
		return -EINVAL;
	sb.super_crc = 0;
	if (sk_vfs_crc32(0, &sb, sizeof(sb)) != s->super_crc)
		return -EINVAL;
	if (s->image_size > dev_bytes || s->inode_count == 0)
		return -EINVAL;
	if (s->data_off < SK_ROFS_SUPER_SIZE ||
	    !in_range(s->data_off, s->data_len, s->image_size))
		return -EINVAL;
	ib = (uint64_t)s->inode_count * sizeof(struct sk_rofs_inode);
	db = (uint64_t)s->dirent_count * sizeof(struct sk_rofs_dirent);
	if (s->inode_off < SK_ROFS_SUPER_SIZE ||
	    s->dirent_off != s->inode_off + ib ||
	    s->strings_off != s->dirent_off + db)
		return -EINVAL;
	meta = ib + db;
	if (!in_range(meta, s->strings_len, SK_ROFS_META_MAX))
		return -EINVAL;
	meta += s->strings_len;
	if (!in_range(s->inode_off, meta, s->image_size))
		return -EINVAL;
	/* The metadata must not overlap the data. */
	if (s->inode_off < s->data_off + s->data_len &&
	    s->data_off < s->inode_off + meta)
		return -EINVAL;
	img->meta_len = (size_t)meta;
	return 0;
}

static int name_ok(const char *s, size_t len)
{
	if (len == 0 || len > 255)
		return 0;
	if ((len == 1 && s[0] == '.') ||
	    (len == 2 && s[0] == '.' && s[1] == '.'))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] == '/' || s[i] == '\0')
			return 0;
	return 1;
}

static int name_cmp(const struct rofs_image *img,
		    const struct sk_rofs_dirent *a,
		    const struct sk_rofs_dirent *b)
{
	size_t n = a->name_len < b->name_len ? a->name_len : b->name_len;
	int c = memcmp(img->strings + a->name_off, img->strings + b->name_off,
		       n);

	if (c)
		return c;
	return a->name_len < b->name_len ? -1 : a->name_len > b->name_len;
}

static int dir_check(struct rofs_image *img, uint32_t ino)
{
	const struct sk_rofs_inode *d = &img->inodes[ino];
	const struct sk_rofs_super *s = &img->sb;

	if (!in_range(d->off, d->size, s->dirent_count))
		return -EINVAL;
	for (uint64_t i = d->off; i < d->off + d->size; i++) {
		const struct sk_rofs_dirent *e = &img->dirents[i];

		if (e->ino == 0 || e->ino >= s->inode_count)
			return -EINVAL;
		if (!in_range(e->name_off, e->name_len, s->strings_len) ||
		    !name_ok(img->strings + e->name_off, e->name_len))
			return -EINVAL;
		if (i > d->off && name_cmp(img, e - 1, e) >= 0)
			return -EINVAL;
		if ((img->inodes[e->ino].mode & T_MASK) == T_DIR) {
			if (img->parent[e->ino] != NONE)
				return -EINVAL;
			img->parent[e->ino] = ino;
		}
	}
	return 0;
}

static int inode_check(struct rofs_image *img, uint32_t ino)
{
	const struct sk_rofs_inode *n = &img->inodes[ino];
	const struct sk_rofs_super *s = &img->sb;

	if (n->nlink == 0 || n->mtime_nsec > 999999999u)
		return -EINVAL;
	switch (n->mode & T_MASK) {
	case T_REG:
		if (n->off < s->data_off ||
		    !in_range(n->off, n->size, s->data_off + s->data_len))
			return -EINVAL;
		return 0;
	case T_LNK:
		if (n->size == 0 || n->size >= 4096 ||
		    !in_range(n->off, n->size, s->strings_len) ||
		    memchr(img->strings + n->off, '\0', (size_t)n->size))
			return -EINVAL;
		return 0;
	case T_DIR:
		return dir_check(img, ino);
	default:
		return -EINVAL;
	}
}

static int meta_check(struct rofs_image *img)
{
	const struct sk_rofs_super *s = &img->sb;
	int err;

	if (sk_vfs_crc32(0, img->meta, img->meta_len) != s->meta_crc)
		return -EINVAL;
	img->inodes = img->meta;
	img->dirents = (const void *)((char *)img->meta +
				      (s->dirent_off - s->inode_off));
	img->strings = (char *)img->meta + (s->strings_off - s->inode_off);
	if ((img->inodes[0].mode & T_MASK) != T_DIR)
		return -EINVAL;
	for (uint32_t i = 0; i < s->inode_count; i++)
		img->parent[i] = NONE;
	img->parent[0] = 0;
	for (uint32_t i = 0; i < s->inode_count; i++) {
		err = inode_check(img, i);
		if (err)
			return err;
	}
	return 0;
}

int sk_vfs_rofs_image_load(struct sk_blkdev *dev, const struct rofs_mem *mem,
			   struct rofs_image *img)
{
	uint32_t bs = dev->ops->block_size(dev);
	uint64_t nblk = dev->ops->block_count(dev);
	size_t plen;
	int err;

	memset(img, 0, sizeof(*img));
	img->dev = dev;
	img->bsize = bs;
	if (bs < 512 || bs > 65536 || (bs & (bs - 1)) || nblk == 0 ||
	    nblk > UINT64_MAX / bs)
		return -EINVAL;
	err = sk_vfs_rofs_image_read(img, mem, 0, &img->sb, sizeof(img->sb));
	if (err)
		return err;
	err = super_check(img, nblk * bs);
	if (err)
		return err;
	plen = (size_t)img->sb.inode_count * sizeof(uint32_t);
	img->meta = mem->alloc(img->meta_len, mem->ctx);
	img->parent = mem->alloc(plen, mem->ctx);
	if (!img->meta || !img->parent) {
		err = -ENOMEM;
		goto out_free;
	}
	err = sk_vfs_rofs_image_read(img, mem, img->sb.inode_off, img->meta,
				     img->meta_len);
	if (!err)
		err = meta_check(img);
	if (!err)
		return 0;
out_free:
	sk_vfs_rofs_image_unload(img, mem);
	return err;
}

void sk_vfs_rofs_image_unload(struct rofs_image *img,
			      const struct rofs_mem *mem)
{
	if (img->meta)
		mem->free(img->meta, img->meta_len, mem->ctx);
	if (img->parent)
		mem->free(img->parent,
			  (size_t)img->sb.inode_count * sizeof(uint32_t),
			  mem->ctx);
	img->meta = NULL;
	img->parent = NULL;
}
