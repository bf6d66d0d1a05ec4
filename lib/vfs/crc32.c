// SPDX-License-Identifier: MIT
/*
 * CRC-32 (IEEE 802.3 polynomial, reflected, as zlib computes it) for the
 * rofs superblock and metadata checksums.  Bitwise with a nibble table:
 * small, and only run at mount time.
 */
#include "rofs_image.h"

uint32_t sk_vfs_crc32(uint32_t crc, const void *buf, size_t len)
{
	static const uint32_t tab[16] = {
		0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac,
		0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
		0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
		0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
	};
	const unsigned char *p = buf;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		crc = (crc >> 4) ^ tab[crc & 15];
		crc = (crc >> 4) ^ tab[crc & 15];
	}
	return ~crc;
}
