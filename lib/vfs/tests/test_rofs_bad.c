// SPDX-License-Identifier: MIT
/*
 * rofs, corrupt images: the image mkrofs makes of rofs_tree.c's tree,
 * on a memory block device, after bit flips and truncations (rejected by
 * the checksums), after semantic corruptions with recomputed checksums
 * (each rejected by its own check), and after random flips with fixed-up
 * checksums, which must mount cleanly or fail with -EINVAL, never crash;
 * whatever mounts is walked and read entirely.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <plat/compiler.h>
#include <vfs/rofs_format.h>

#include "blkdev_file.h"
#include "harness.h"
#include "rofs_image.h"
#include "rofs_tree.h"

static char rbuf[1 << 16];

static struct sk_rofs_super *sb_of(unsigned char *b)
{
	return (struct sk_rofs_super *)(void *)b;
}

/* Recompute both checksums after an edit (if the tables are in range). */
static void fix_crcs(unsigned char *b, size_t len)
{
	struct sk_rofs_super *s = sb_of(b);
	uint64_t end = s->strings_off + s->strings_len;

	if (s->inode_off <= end && end <= len)
		s->meta_crc = sk_vfs_crc32(0, b + s->inode_off,
					   (size_t)(end - s->inode_off));
	s->super_crc = 0;
	s->super_crc = sk_vfs_crc32(0, s, sizeof(*s));
}

static int walk_depth;

static void walk_all(const char *path)
{
	static _Alignas(8) char dents[2048];
	char sub[SK_PATH_MAX];
	long got;
	int fd = sk_vfs_open(path, SK_O_RDONLY, 0);

	if (fd < 0 || ++walk_depth > 40) {
		walk_depth -= fd >= 0;
		if (fd >= 0)
			sk_vfs_close(fd);
		return;
	}
	while (sk_vfs_read(fd, rbuf, 65536) > 0)
		;
	while ((got = sk_vfs_getdents(fd, dents, sizeof(dents))) > 0) {
		for (long off = 0; off < got;) {
			struct sk_dirent *d =
				(struct sk_dirent *)(void *)(dents + off);
			size_t pl = strlen(path), nl = strlen(d->name);

			off += d->reclen;
			if (!strcmp(d->name, ".") || !strcmp(d->name, "..") ||
			    pl + nl + 2 > sizeof(sub))
				continue;
			memcpy(sub, path, pl);
			sub[pl] = '/';
			memcpy(sub + pl + 1, d->name, nl + 1);
			(void)sk_vfs_readlink(sub, rbuf, 4096);
			walk_all(sub);
		}
	}
	sk_vfs_close(fd);
	walk_depth--;
}

static unsigned char *work;

static int mount_mem(size_t len, uint32_t bs)
{
	struct test_blkdev b;
	int err;

	test_blkdev_mem(&b, work, len, bs);
	err = sk_vfs_mount("c", "/co", "rofs", 0, &b.dev);
	if (err == 0) {
		walk_all("/co");
		assert_int_equal(sk_vfs_umount("/co"), 0);
	}
	return err;
}

static void reset_work(void)
{
	memcpy(work, img, img_len);
}

static struct sk_rofs_inode *ino_at(unsigned char *b, uint32_t i)
{
	return (struct sk_rofs_inode *)(void *)(b + sb_of(b)->inode_off) + i;
}

static struct sk_rofs_dirent *dent_at(unsigned char *b, uint32_t i)
{
	return (struct sk_rofs_dirent *)(void *)(b + sb_of(b)->dirent_off) + i;
}

/* The first dirent of the root naming a directory / a regular file. */
static uint32_t root_dent(uint32_t type)
{
	struct sk_rofs_inode *root = ino_at(work, 0);

	for (uint32_t i = 0; i < root->size; i++) {
		struct sk_rofs_dirent *d =
			dent_at(work, (uint32_t)root->off + i);

		if ((ino_at(work, d->ino)->mode & 0170000) == type)
			return (uint32_t)root->off + i;
	}
	fail();
	return 0;
}

static void test_rofs_semantic_corruption_rejected(void **state)
{
	struct sk_rofs_super *s;
	uint32_t fd, dd;

	(void)state;
	work = sk_test_alloc(img_len);
	assert_int_equal(sk_vfs_mkdir("/co", 0755), 0);
	reset_work();
	assert_int_equal(mount_mem(img_len, 1024), 0);
	assert_int_equal(mount_mem(img_len, 100), -EINVAL);
	assert_int_equal(mount_mem(img_len - 1024, 1024), -EINVAL);
	assert_int_equal(sk_vfs_mount("c", "/co", "rofs", 0, NULL), -EINVAL);
	s = sb_of(work);
	/* Each edit below gets valid checksums: only its own check fails. */
#define EXPECT_BAD(edit)                                             \
	do {                                                         \
		reset_work();                                        \
		edit;                                                \
		fix_crcs(work, img_len);                             \
		assert_int_equal(mount_mem(img_len, 1024), -EINVAL); \
	} while (0)
	EXPECT_BAD(s->magic[0] = 'X');
	EXPECT_BAD(s->version = 2);
	EXPECT_BAD(s->inode_count = 0x7fffffff);
	EXPECT_BAD(s->image_size = img_len + 1024);
	EXPECT_BAD(s->data_len = img_len);
	EXPECT_BAD(s->dirent_off += 16);
	EXPECT_BAD(s->strings_len = (uint64_t)1 << 40);
	EXPECT_BAD(ino_at(work, 0)->mode = SK_S_IFREG | 0644);
	EXPECT_BAD(ino_at(work, 1)->mode = SK_S_IFCHR | 0644);
	EXPECT_BAD(ino_at(work, 1)->nlink = 0);
	fd = root_dent(SK_S_IFREG);
	dd = root_dent(SK_S_IFDIR);
	EXPECT_BAD(dent_at(work, fd)->ino = s->inode_count);
	EXPECT_BAD(dent_at(work, fd)->ino = 0);
	EXPECT_BAD(dent_at(work, fd)->name_len = 0);
	EXPECT_BAD(dent_at(work, fd)->name_off = (uint32_t)s->strings_len);
	EXPECT_BAD(work[s->strings_off + dent_at(work, fd)->name_off] = '/');
	EXPECT_BAD(
		dent_at(work, fd + 1)->name_off = dent_at(work, fd)->name_off;
		dent_at(work, fd + 1)->name_len = dent_at(work, fd)->name_len);
	EXPECT_BAD(ino_at(work, dent_at(work, fd)->ino)->size =
			   s->data_len + 1);
	EXPECT_BAD(ino_at(work, dent_at(work, dd)->ino)->off = s->dirent_count);
	EXPECT_BAD(dent_at(work, fd)->ino = dent_at(work, dd)->ino;
		   dent_at(work, fd)->name_off = dent_at(work, dd)->name_off);
	EXPECT_BAD(ino_at(work, 0)->mtime_nsec = 1000000000);
#undef EXPECT_BAD
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void test_rofs_bit_flips_never_crash(void **state)
{
	struct sk_rofs_super *s = sb_of(img);
	uint64_t data_end = s->data_off + s->data_len;
	int ok = 0, bad = 0;

	(void)state;
	for (int i = 0; i < 400 * STRESS_SCALE; i++) {
		size_t pos = (size_t)(rnd() % img_len);
		int err;

		reset_work();
		work[pos] ^= (unsigned char)(1u << (rnd() % 8));
		err = mount_mem(img_len, 1024);
		/* Metadata and superblock are checksummed, data is not. */
		if (pos < SK_ROFS_SUPER_SIZE ||
		    (pos >= s->inode_off &&
		     pos < s->strings_off + s->strings_len))
			assert_int_equal(err, -EINVAL);
		else if (pos >= s->data_off && pos < data_end)
			assert_int_equal(err, 0);
		/* With fixed checksums: mounts, or is refused cleanly. */
		if (pos >= SK_ROFS_SUPER_SIZE)
			fix_crcs(work, img_len);
		else
			fix_crcs(work, img_len);
		err = mount_mem(img_len, 1024);
		assert_true(err == 0 || err == -EINVAL);
		err ? bad++ : ok++;
		/* Truncations. */
		err = mount_mem((size_t)(rnd() % img_len) & ~(size_t)1023,
				1024);
		assert_true(err == -EINVAL || err == 0);
	}
	assert_true(ok > 0);
	assert_true(bad > 0);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		sk_test(test_rofs_semantic_corruption_rejected),
		sk_test(test_rofs_bit_flips_never_crash),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: %s MKROFS\n", argv[0]);
		return 2;
	}
	rofs_tree_build(argv[1]);
	return vt_main("vfs_rofs_bad", tests, SK_ARRAY_LEN(tests));
}
