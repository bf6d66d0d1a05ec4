// SPDX-License-Identifier: MIT
/*
 * devfs: null, zero, full, random, urandom and console, as character
 * devices with Linux's numbers.  Reads of random devices never block
 * (the generator is seeded once from the platform; see chacha.h).
 */
#include <errno.h>
#include <string.h>

#include <plat/console.h>

#include "chacha.h"
#include "pseudofs.h"

#define MKDEV(ma, mi) (((uint64_t)(ma) << 8) | (uint64_t)(mi))

static long null_read(struct vfs_file *f, void *buf, size_t len, int64_t off)
{
	(void)f, (void)buf, (void)len, (void)off;
	return 0;
}

static long sink_write(struct vfs_file *f, const void *buf, size_t len,
		       int64_t off, int64_t *end)
{
	(void)f, (void)buf;
	*end = off < 0 ? 0 : off;
	return (long)len;
}

static long zero_read(struct vfs_file *f, void *buf, size_t len, int64_t off)
{
	(void)f, (void)off;
	memset(buf, 0, len);
	return (long)len;
}

static long full_write(struct vfs_file *f, const void *buf, size_t len,
		       int64_t off, int64_t *end)
{
	(void)f, (void)buf, (void)len, (void)off, (void)end;
	return -ENOSPC;
}

static long random_read(struct vfs_file *f, void *buf, size_t len, int64_t off)
{
	int err;

	(void)f, (void)off;
	err = sk_vfs_random_fill(buf, len);
	return err ? err : (long)len;
}

static long console_read(struct vfs_file *f, void *buf, size_t len, int64_t off)
{
	(void)f, (void)off;
	return sk_plat_console_read(buf, len);
}

static long console_write(struct vfs_file *f, const void *buf, size_t len,
			  int64_t off, int64_t *end)
{
	(void)f;
	sk_plat_console_write(buf, len);
	*end = off < 0 ? 0 : off;
	return (long)len;
}

static const struct pseudo_node devfs_nodes[] = {
	{ "", SK_S_IFDIR | 0755, -1, 0, NULL, NULL, NULL },
	{ "null", SK_S_IFCHR | 0666, 0, MKDEV(1, 3), null_read, sink_write,
	  NULL },
	{ "zero", SK_S_IFCHR | 0666, 0, MKDEV(1, 5), zero_read, sink_write,
	  NULL },
	{ "full", SK_S_IFCHR | 0666, 0, MKDEV(1, 7), zero_read, full_write,
	  NULL },
	{ "random", SK_S_IFCHR | 0666, 0, MKDEV(1, 8), random_read, sink_write,
	  NULL },
	{ "urandom", SK_S_IFCHR | 0666, 0, MKDEV(1, 9), random_read, sink_write,
	  NULL },
	{ "console", SK_S_IFCHR | 0600, 0, MKDEV(5, 1), console_read,
	  console_write, NULL },
};

static int devfs_mount(struct vfs_mount *m, void *data)
{
	(void)data;
	return sk_vfs_pseudo_mount(m, devfs_nodes, SK_ARRAY_LEN(devfs_nodes));
}

const struct vfs_fstype sk_vfs_devfs_type = {
	.name = "devfs",
	.magic = 0x1373, /* Linux's DEVFS_SUPER_MAGIC */
	.flags = VFS_FS_IMMUTABLE,
	.mount = devfs_mount,
	.unmount = sk_vfs_pseudo_unmount,
	.destroy = sk_vfs_pseudo_destroy,
};
