// SPDX-License-Identifier: MIT
/*
 * mkrofs: build a skiff rofs image from a host directory.
 *
 *   mkrofs [-b BLOCK_SIZE] SOURCE_DIR IMAGE
 *
 * Regular files, directories and symlinks are copied with their mode,
 * uid, gid and mtime; hard links within the tree share one inode; other
 * file types are skipped with a warning.  Layout (lib/vfs/include/vfs/
 * rofs_format.h): superblock in block 0, file data from block 1, then the
 * inode, directory-entry and string tables, padded to whole blocks.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vfs/rofs_format.h>

#include "rofs_image.h"

struct growbuf {
	char *p;
	size_t len, cap;
};

struct hardlink {
	dev_t dev;
	ino_t ino;
	uint32_t idx;
};

static struct growbuf inodes, dirents, strings;
static struct hardlink *links;
static size_t nlinks_seen, links_cap;
static int out_fd;
static uint64_t data_off, data_len;

static void die(const char *what, const char *path)
{
	fprintf(stderr, "mkrofs: %s%s%s%s%s\n", what, path ? ": " : "",
		path ? path : "", errno ? ": " : "",
		errno ? strerror(errno) : "");
	exit(1);
}

static void *gb_reserve(struct growbuf *b, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;

		while (cap < b->len + n)
			cap *= 2;
		b->p = realloc(b->p, cap);
		if (!b->p)
			die("out of memory", NULL);
		b->cap = cap;
	}
	memset(b->p + b->len, 0, n);
	b->len += n;
	return b->p + b->len - n;
}

static struct sk_rofs_inode *inode_at(uint32_t idx)
{
	return (struct sk_rofs_inode *)(void *)inodes.p + idx;
}

static uint32_t inode_new(void)
{
	size_t n = inodes.len / sizeof(struct sk_rofs_inode);

	if (n >= UINT32_MAX) {
		errno = 0;
		die("too many inodes", NULL);
	}
	gb_reserve(&inodes, sizeof(struct sk_rofs_inode));
	return (uint32_t)n;
}

static uint32_t string_add(const char *s, size_t len)
{
	size_t off = strings.len;

	if (off + len > SK_ROFS_META_MAX) {
		errno = 0;
		die("string table too large", NULL);
	}
	memcpy(gb_reserve(&strings, len), s, len);
	return (uint32_t)off;
}

static void inode_fill(uint32_t idx, const struct stat *st)
{
	struct sk_rofs_inode *in = inode_at(idx);

	in->mode = (uint32_t)st->st_mode;
	in->nlink = 1;
	in->uid = st->st_uid;
	in->gid = st->st_gid;
	in->mtime_sec = st->st_mtim.tv_sec;
	in->mtime_nsec = (uint32_t)st->st_mtim.tv_nsec;
}

static void copy_data(const char *path, uint32_t idx, uint64_t size)
{
	static char buf[1 << 16];
	uint64_t done = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		die("cannot open", path);
	inode_at(idx)->off = data_off + data_len;
	while (done < size) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("short read (file changed?)", path);
		if ((uint64_t)n > size - done)
			n = (ssize_t)(size - done);
		if (pwrite(out_fd, buf, (size_t)n,
			   (off_t)(data_off + data_len + done)) != n)
			die("cannot write image", NULL);
		done += (uint64_t)n;
	}
	close(fd);
	inode_at(idx)->size = size;
	data_len += size;
}

/* The inode for @st at @path: a new one, or the hard link's. */
static uint32_t node_for(const char *path, const struct stat *st)
{
	uint32_t idx;

	if (S_ISREG(st->st_mode) && st->st_nlink > 1) {
		for (size_t i = 0; i < nlinks_seen; i++) {
			if (links[i].dev == st->st_dev &&
			    links[i].ino == st->st_ino) {
				inode_at(links[i].idx)->nlink++;
				return links[i].idx;
			}
		}
	}
	idx = inode_new();
	inode_fill(idx, st);
	if (S_ISREG(st->st_mode)) {
		copy_data(path, idx, (uint64_t)st->st_size);
		if (st->st_nlink > 1) {
			if (nlinks_seen == links_cap) {
				links_cap = links_cap ? links_cap * 2 : 64;
				links = realloc(links,
						links_cap * sizeof(*links));
				if (!links)
					die("out of memory", NULL);
			}
			links[nlinks_seen++] =
				(struct hardlink){ st->st_dev, st->st_ino,
						   idx };
		}
	} else if (S_ISLNK(st->st_mode)) {
		char target[4096];
		ssize_t n = readlink(path, target, sizeof(target));

		if (n <= 0 || n >= (ssize_t)sizeof(target))
			die("bad symlink", path);
		inode_at(idx)->off = string_add(target, (size_t)n);
		inode_at(idx)->size = (uint64_t)n;
	}
	return idx;
}

static void join(char *out, size_t cap, const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);

	if (a + 1 + b + 1 > cap) {
		errno = ENAMETOOLONG;
		die("path too long", dir);
	}
	memcpy(out, dir, a);
	out[a] = '/';
	memcpy(out + a + 1, name, b + 1);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names in @path (without . and ..); *@n gets the count. */
static char **list_names(const char *path, size_t *n)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char **names = NULL;
	size_t cap = 0;

	if (!d)
		die("cannot open directory", path);
	*n = 0;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			names = realloc(names, cap * sizeof(*names));
			if (!names)
				die("out of memory", NULL);
		}
		names[*n] = strdup(e->d_name);
		if (!names[(*n)++])
			die("out of memory", NULL);
	}
	closedir(d);
	/* An empty directory has no array at all: qsort(NULL, 0) is UB. */
	if (*n > 1)
		qsort(names, *n, sizeof(*names), name_cmp);
	return names;
}

static void build_dir(const char *path, uint32_t dir)
{
	size_t n, first = dirents.len / sizeof(struct sk_rofs_dirent), kept = 0;
	char **names = list_names(path, &n), child[8192];
	uint32_t *kids = calloc(n ? n : 1, sizeof(*kids));

	if (!kids)
		die("out of memory", NULL);
	for (size_t i = 0; i < n; i++) {
		struct sk_rofs_dirent *de;
		struct stat st;

		join(child, sizeof(child), path, names[i]);
		if (lstat(child, &st))
			die("cannot stat", child);
		if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) &&
		    !S_ISLNK(st.st_mode)) {
			fprintf(stderr, "mkrofs: skipping special file %s\n",
				child);
			continue;
		}
		if (strlen(names[i]) > 255) {
			errno = 0;
			die("name too long", child);
		}
		kids[kept] = node_for(child, &st);
		de = gb_reserve(&dirents, sizeof(*de));
		de->ino = kids[kept];
		de->name_len = (uint16_t)strlen(names[i]);
		de->name_off = string_add(names[i], de->name_len);
		kept++;
	}
	inode_at(dir)->off = first;
	inode_at(dir)->size = kept;
	inode_at(dir)->nlink = 2;
	for (size_t i = 0, k = 0; i < n; i++) {
		struct sk_rofs_dirent *de =
			(struct sk_rofs_dirent *)(void *)dirents.p + first + k;

		if (k < kept && strlen(names[i]) == de->name_len &&
		    !memcmp(strings.p + de->name_off, names[i], de->name_len)) {
			if ((inode_at(kids[k])->mode & S_IFMT) == S_IFDIR) {
				join(child, sizeof(child), path, names[i]);
				build_dir(child, kids[k]);
				inode_at(dir)->nlink++;
			}
			k++;
		}
		free(names[i]);
	}
	free(names);
	free(kids);
}

static void write_at(const void *p, size_t len, uint64_t off)
{
	if (len && pwrite(out_fd, p, len, (off_t)off) != (ssize_t)len)
		die("cannot write image", NULL);
}

static void finish(uint32_t bs)
{
	struct sk_rofs_super sb;
	uint64_t meta = inodes.len + dirents.len + strings.len, end;
	uint32_t crc;

	if (meta > SK_ROFS_META_MAX) {
		errno = 0;
		die("metadata larger than 64 MiB", NULL);
	}
	memset(&sb, 0, sizeof(sb));
	memcpy(sb.magic, SK_ROFS_MAGIC, 8);
	sb.version = SK_ROFS_VERSION;
	sb.data_off = data_off;
	sb.data_len = data_len;
	sb.inode_off = (data_off + data_len + 7) & ~(uint64_t)7;
	sb.inode_count = (uint32_t)(inodes.len / sizeof(struct sk_rofs_inode));
	sb.dirent_off = sb.inode_off + inodes.len;
	sb.dirent_count =
		(uint32_t)(dirents.len / sizeof(struct sk_rofs_dirent));
	sb.strings_off = sb.dirent_off + dirents.len;
	sb.strings_len = strings.len;
	end = sb.strings_off + strings.len;
	sb.image_size = (end + bs - 1) / bs * bs;
	write_at(inodes.p, inodes.len, sb.inode_off);
	write_at(dirents.p, dirents.len, sb.dirent_off);
	write_at(strings.p, strings.len, sb.strings_off);
	crc = sk_vfs_crc32(0, inodes.p, inodes.len);
	crc = sk_vfs_crc32(crc, dirents.p, dirents.len);
	sb.meta_crc = sk_vfs_crc32(crc, strings.p, strings.len);
	sb.super_crc = sk_vfs_crc32(0, &sb, sizeof(sb));
	write_at(&sb, sizeof(sb), 0);
	if (ftruncate(out_fd, (off_t)sb.image_size))
		die("cannot size image", NULL);
}

int main(int argc, char **argv)
{
	unsigned long bs = 4096;
	struct stat st;
	int opt;

	while ((opt = getopt(argc, argv, "b:")) != -1) {
		if (opt != 'b')
			goto usage;
		bs = strtoul(optarg, NULL, 0);
		if (bs < 512 || bs > 65536 || (bs & (bs - 1)))
			goto usage;
	}
	if (argc - optind != 2)
		goto usage;
	if (lstat(argv[optind], &st) || !S_ISDIR(st.st_mode))
		die("source is not a directory", argv[optind]);
	out_fd = open(argv[optind + 1], O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (out_fd < 0)
		die("cannot create", argv[optind + 1]);
	data_off = bs;
	inode_fill(inode_new(), &st);
	build_dir(argv[optind], 0);
	finish((uint32_t)bs);
	if (close(out_fd))
		die("cannot close image", NULL);
	return 0;
usage:
	fprintf(stderr, "usage: mkrofs [-b BLOCK_SIZE] SOURCE_DIR IMAGE\n"
			"  BLOCK_SIZE: a power of two, 512..65536 (4096)\n");
	return 2;
}
