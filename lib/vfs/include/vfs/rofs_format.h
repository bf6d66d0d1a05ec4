/* SPDX-License-Identifier: MIT */
/*
 * The rofs image format, shared by lib/vfs (reader) and tools/mkrofs
 * (writer).  All integers are little-endian.  Layout:
 *
 *   byte 0         struct sk_rofs_super (128 bytes)
 *   data_off       file contents, each file contiguous
 *   inode_off      struct sk_rofs_inode[inode_count], inode 0 = root
 *   dirent_off     struct sk_rofs_dirent[dirent_count], each directory's
 *                  entries contiguous and sorted by name (memcmp order)
 *   strings_off    names and symlink targets, not NUL-terminated
 *
 * The metadata (inode, dirent and string tables) lies in one range,
 * [inode_off, strings_off + strings_len), covered by meta_crc; the
 * superblock is covered by super_crc (computed with super_crc = 0).
 * CRC-32 is the IEEE/zlib one.  docs/vfs.md describes the checks.
 */
#ifndef VFS_ROFS_FORMAT_H
#define VFS_ROFS_FORMAT_H

#include <stdint.h>

#define SK_ROFS_MAGIC "SKIFROFS"

enum {
	SK_ROFS_VERSION = 1,
	SK_ROFS_SUPER_SIZE = 128,
	SK_ROFS_META_MAX = 64 << 20, /* readers refuse bigger metadata */
};

struct sk_rofs_super {
	char magic[8]; /* SK_ROFS_MAGIC */
	uint32_t version;
	uint32_t flags; /* 0 */
	uint64_t image_size; /* bytes; the device must hold them */
	uint64_t data_off, data_len;
	uint64_t inode_off;
	uint32_t inode_count;
	uint32_t dirent_count;
	uint64_t dirent_off;
	uint64_t strings_off, strings_len;
	uint32_t meta_crc;
	uint32_t super_crc;
	uint8_t reserved[40];
};

struct sk_rofs_inode {
	uint32_t mode; /* S_IFREG, S_IFDIR or S_IFLNK | permissions */
	uint32_t nlink;
	uint32_t uid, gid;
	uint64_t size; /* file: bytes; dir: entries; symlink: target len */
	uint64_t off; /* file: data byte offset; dir: first dirent index;
			 symlink: strings offset of the target */
	int64_t mtime_sec;
	uint32_t mtime_nsec;
	uint32_t reserved;
};

struct sk_rofs_dirent {
	uint32_t ino;
	uint32_t name_off; /* into strings */
	uint16_t name_len;
	uint16_t reserved[3];
};

#endif
