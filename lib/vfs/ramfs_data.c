// SPDX-License-Identifier: MIT
/*
 * ramfs file contents: 4 KiB pages in a radix tree of 512-way nodes that
 * grows in height with the file, so a sparse file costs only the pages
 * written (plus their path of nodes) and a hole reads as zeroes.  All
 * functions run under the vnode lock.
 */
#include <errno.h>
#include <string.h>

#include "ramfs.h"

enum { RADIX_BITS = 9, RADIX_FAN = 1 << RADIX_BITS };

static uint64_t radix_span(unsigned level)
{
	return (uint64_t)1 << (RADIX_BITS * level);
}

/* The slot holding page @pg's pointer; NULL if absent and !@alloc. */
static void **radix_slot(struct ramfs_file *rf, uint64_t pg, bool alloc)
{
	void **slot;

	while (pg >= radix_span(rf->height)) {
		void **node;

		if (!alloc)
			return NULL;
		if (!rf->root) {
			rf->height++;
			continue;
		}
		node = sk_vfs_zalloc(RAMFS_PAGE);
		if (!node)
			return NULL;
		node[0] = rf->root;
		rf->root = node;
		rf->height++;
	}
	slot = &rf->root;
	for (unsigned level = rf->height; level > 0; level--) {
		if (!*slot) {
			if (!alloc)
				return NULL;
			*slot = sk_vfs_zalloc(RAMFS_PAGE);
			if (!*slot)
				return NULL;
		}
		slot = &((void **)*slot)[(pg >> (RADIX_BITS * (level - 1))) &
					 (RADIX_FAN - 1)];
	}
	return slot;
}

/* Free every page at index >= @first under @slot (covering from @base). */
static void radix_trim(void **slot, unsigned level, uint64_t base,
		       uint64_t first, int64_t *npages)
{
	uint64_t child;

	if (!*slot)
		return;
	if (level > 0) {
		child = radix_span(level - 1);
		for (unsigned i = 0; i < RADIX_FAN; i++) {
			uint64_t cb = base + i * child;

			if (cb + child <= first)
				continue;
			radix_trim(&((void **)*slot)[i], level - 1, cb, first,
				   npages);
		}
	}
	if (base >= first) {
		if (level == 0 && npages)
			*npages -= RAMFS_PAGE / 512;
		sk_vfs_free(*slot, RAMFS_PAGE);
		*slot = NULL;
	}
}

void sk_vfs_ramfs_data_free(struct ramfs_file *rf)
{
	radix_trim(&rf->root, rf->height, 0, 0, NULL);
	rf->height = 0;
}

void sk_vfs_ramfs_data_read(struct ramfs_file *rf, char *buf, size_t len,
			    int64_t off)
{
	while (len) {
		uint64_t pg = (uint64_t)off / RAMFS_PAGE;
		size_t in = (size_t)((uint64_t)off % RAMFS_PAGE);
		size_t n = RAMFS_PAGE - in;
		void **slot = radix_slot(rf, pg, false);

		if (n > len)
			n = len;
		if (slot && *slot)
			memcpy(buf, (char *)*slot + in, n);
		else
			memset(buf, 0, n);
		buf += n;
		off += (int64_t)n;
		len -= n;
	}
}

/* Return: bytes written (short only on -ENOMEM midway), or -ENOMEM. */
long sk_vfs_ramfs_data_write(struct ramfs_file *rf, const char *buf, size_t len,
			     int64_t off, int64_t *npages)
{
	size_t done = 0;

	while (done < len) {
		uint64_t pg = (uint64_t)off / RAMFS_PAGE;
		size_t in = (size_t)((uint64_t)off % RAMFS_PAGE);
		size_t n = RAMFS_PAGE - in;
		void **slot = radix_slot(rf, pg, true);

		if (!slot)
			break;
		if (!*slot) {
			*slot = sk_vfs_zalloc(RAMFS_PAGE);
			if (!*slot)
				break;
			*npages += RAMFS_PAGE / 512;
		}
		if (n > len - done)
			n = len - done;
		memcpy((char *)*slot + in, buf + done, n);
		done += n;
		off += (int64_t)n;
	}
	if (done == 0 && len)
		return -ENOMEM;
	return (long)done;
}

/* Shrink to @len bytes: free whole pages past it, zero the tail. */
void sk_vfs_ramfs_data_trim(struct ramfs_file *rf, int64_t len, int64_t *npages)
{
	uint64_t first = ((uint64_t)len + RAMFS_PAGE - 1) / RAMFS_PAGE;
	size_t in = (size_t)((uint64_t)len % RAMFS_PAGE);
	void **slot;

	radix_trim(&rf->root, rf->height, 0, first, npages);
	if (in) {
		slot = radix_slot(rf, (uint64_t)len / RAMFS_PAGE, false);
		if (slot && *slot)
			memset((char *)*slot + in, 0, RAMFS_PAGE - in);
	}
}
