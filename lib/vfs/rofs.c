// SPDX-License-Identifier: MIT
/*
 * rofs: the read-only image filesystem.  The metadata is read and checked
 * once at mount (rofs_image.c) and kept in memory, so lookups, readdir
 * and readlink never touch the device.  File reads go to the device with
 * no lock held at all: the image never changes, so there is nothing to
 * protect, and a slow device stalls only its reader (OSv issue #450).
 * Vnodes are made on first lookup and cached per inode (vcache_lock).
 */
#include <errno.h>
#include <string.h>

#include "rofs_image.h"
#include "vfs_impl.h"

enum { ROFS_MAGIC = 0x7275 };

struct rofs {
	struct rofs_image img;
	struct sk_mutex vcache_lock;
	struct sk_vnode **vcache; /* vcache_lock: one reference each */
};

static const struct vfs_vnode_ops rofs_ops;

static void *mem_alloc(size_t len, void *ctx)
{
	(void)ctx;
	return sk_vfs_alloc(len);
}

static void mem_free(void *p, size_t len, void *ctx)
{
	(void)ctx;
	sk_vfs_free(p, len);
}

static const struct rofs_mem rofs_mem = { mem_alloc, mem_free, NULL };

static uint32_t ino_of(const struct sk_vnode *vn)
{
	return (uint32_t)(vn->ino - 1);
}

static int vnode_make(struct vfs_mount *m, uint32_t ino,
		      struct sk_vnode *parent, struct sk_vnode **out)
{
	struct rofs *fs = m->fsdata;
	const struct sk_rofs_inode *in = &fs->img.inodes[ino];
	struct sk_vnode *vn;
	int err = sk_vfs_vnode_create(m, in->mode, &rofs_ops, &vn);

	if (err)
		return err;
	vn->ino = (uint64_t)ino + 1;
	vn->nlink = in->nlink;
	vn->uid = in->uid;
	vn->gid = in->gid;
	vn->size = (int64_t)in->size;
	vn->blocks = (int64_t)((in->size + 511) / 512);
	vn->atime_ns = vn->mtime_ns = vn->ctime_ns =
		in->mtime_sec * 1000000000 + in->mtime_nsec;
	if (SK_S_ISDIR(in->mode)) {
		vn->size = 4096;
		vn->nlink = 2;
	}
	if (SK_S_ISLNK(in->mode)) {
		vn->link = sk_vfs_strdup(fs->img.strings + in->off,
					 (size_t)in->size);
		if (!vn->link) {
			sk_vfs_vnode_put(vn);
			return -ENOMEM;
		}
	}
	if (parent && SK_S_ISDIR(in->mode)) {
		sk_vfs_vnode_get(parent);
		atomic_store_explicit(&vn->parent, parent,
				      memory_order_relaxed);
	}
	*out = vn;
	return 0;
}

/* The vnode of @ino with a reference, made on first use. */
static int vnode_get(struct vfs_mount *m, uint32_t ino, struct sk_vnode *parent,
		     struct sk_vnode **out)
{
	struct rofs *fs = m->fsdata;
	int err = 0;

	sk_mutex_lock(&fs->vcache_lock);
	if (!fs->vcache[ino])
		err = vnode_make(m, ino, parent, &fs->vcache[ino]);
	if (!err) {
		sk_vfs_vnode_get(fs->vcache[ino]);
		*out = fs->vcache[ino];
	}
	sk_mutex_unlock(&fs->vcache_lock);
	return err;
}

static int rofs_lookup(struct sk_vnode *dir, const char *name, size_t len,
		       struct sk_vnode **child)
{
	struct rofs *fs = dir->mnt->fsdata;
	const struct sk_rofs_inode *d = &fs->img.inodes[ino_of(dir)];
	uint64_t lo = d->off, hi = d->off + d->size;

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		const struct sk_rofs_dirent *e = &fs->img.dirents[mid];
		size_t n = e->name_len < len ? e->name_len : len;
		int c = memcmp(fs->img.strings + e->name_off, name, n);

		if (c == 0)
			c = e->name_len < len ? -1 : e->name_len > len;
		if (c == 0)
			return vnode_get(dir->mnt, e->ino, dir, child);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -ENOENT;
}

static bool rofs_is_empty(struct sk_vnode *dir)
{
	struct rofs *fs = dir->mnt->fsdata;

	return fs->img.inodes[ino_of(dir)].size == 0;
}

static int rofs_name_of(struct sk_vnode *dir, struct sk_vnode *child, char *buf,
			size_t cap)
{
	struct rofs *fs = dir->mnt->fsdata;
	const struct sk_rofs_inode *d = &fs->img.inodes[ino_of(dir)];

	for (uint64_t i = 0; i < d->size; i++) {
		const struct sk_rofs_dirent *e = &fs->img.dirents[d->off + i];

		if (e->ino != ino_of(child))
			continue;
		if (e->name_len > cap)
			return -ERANGE;
		memcpy(buf, fs->img.strings + e->name_off, e->name_len);
		return e->name_len;
	}
	return -ENOENT;
}

static int rofs_readdir(struct sk_vnode *dir, int64_t pos, vfs_filldir_fn fill,
			void *ctx)
{
	struct rofs *fs = dir->mnt->fsdata;
	const struct sk_rofs_inode *d = &fs->img.inodes[ino_of(dir)];

	for (uint64_t i = 0; i < d->size; i++) {
		const struct sk_rofs_dirent *e = &fs->img.dirents[d->off + i];

		if ((int64_t)i + 2 < pos)
			continue;
		if (fill(ctx, fs->img.strings + e->name_off, e->name_len,
			 (uint64_t)e->ino + 1,
			 sk_vfs_dirent_type(fs->img.inodes[e->ino].mode),
			 (int64_t)i + 3))
			return 1;
	}
	return 0;
}

static long rofs_read(struct vfs_file *f, void *buf, size_t len, int64_t off)
{
	struct rofs *fs = f->vn->mnt->fsdata;
	const struct sk_rofs_inode *in = &fs->img.inodes[ino_of(f->vn)];
	int err;

	if ((uint64_t)off >= in->size)
		return 0;
	if (len > in->size - (uint64_t)off)
		len = (size_t)(in->size - (uint64_t)off);
	/* No lock: the image is immutable (see the file comment). */
	err = sk_vfs_rofs_image_read(&fs->img, &rofs_mem,
				     in->off + (uint64_t)off, buf, len);
	return err ? err : (long)len;
}

static const struct vfs_vnode_ops rofs_ops = {
	.lookup = rofs_lookup,
	.is_empty = rofs_is_empty,
	.name_of = rofs_name_of,
	.readdir = rofs_readdir,
	.read = rofs_read,
};

static int rofs_mount(struct vfs_mount *m, void *data)
{
	struct sk_blkdev *dev = data;
	struct rofs *fs;
	size_t vlen;
	int err;

	if (!dev || !dev->ops || !dev->ops->read || !dev->ops->block_size ||
	    !dev->ops->block_count)
		return -EINVAL;
	fs = sk_vfs_zalloc(sizeof(*fs));
	if (!fs)
		return -ENOMEM;
	err = sk_vfs_rofs_image_load(dev, &rofs_mem, &fs->img);
	if (err)
		goto out_fs;
	vlen = fs->img.sb.inode_count * sizeof(struct sk_vnode *);
	fs->vcache = sk_vfs_zalloc(vlen);
	err = -ENOMEM;
	if (!fs->vcache)
		goto out_img;
	sk_mutex_init(&fs->vcache_lock);
	m->fsdata = fs;
	m->flags |= SK_MNT_RDONLY;
	err = vnode_get(m, 0, NULL, &m->root);
	if (!err)
		return 0;
	sk_vfs_free(fs->vcache, vlen);
	m->fsdata = NULL;
out_img:
	sk_vfs_rofs_image_unload(&fs->img, &rofs_mem);
out_fs:
	sk_vfs_free(fs, sizeof(*fs));
	return err;
}

static void rofs_unmount(struct vfs_mount *m)
{
	struct rofs *fs = m->fsdata;

	for (uint32_t i = 0; i < fs->img.sb.inode_count; i++)
		if (fs->vcache[i])
			sk_vfs_vnode_put(fs->vcache[i]);
}

static void rofs_destroy(struct vfs_mount *m)
{
	struct rofs *fs = m->fsdata;

	sk_vfs_free(fs->vcache, fs->img.sb.inode_count * sizeof(*fs->vcache));
	sk_vfs_rofs_image_unload(&fs->img, &rofs_mem);
	sk_vfs_free(fs, sizeof(*fs));
}

static void rofs_statfs(struct vfs_mount *m, struct sk_statfs *st)
{
	struct rofs *fs = m->fsdata;

	st->bsize = fs->img.bsize;
	st->blocks = fs->img.sb.image_size / fs->img.bsize;
	st->files = fs->img.sb.inode_count;
}

const struct vfs_fstype sk_vfs_rofs_type = {
	.name = "rofs",
	.magic = ROFS_MAGIC,
	.flags = VFS_FS_IMMUTABLE,
	.mount = rofs_mount,
	.unmount = rofs_unmount,
	.destroy = rofs_destroy,
	.statfs = rofs_statfs,
};
