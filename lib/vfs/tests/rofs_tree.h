/* SPDX-License-Identifier: MIT */
/*
 * The rofs tests' source tree: made on the host before boot, recorded in
 * a manifest (every entry's stat, file contents, link target, sorted
 * directory listing), and turned into an image by tools/mkrofs.
 */
#ifndef VFS_TESTS_ROFS_TREE_H
#define VFS_TESTS_ROFS_TREE_H

#include <stddef.h>
#include <sys/stat.h>

enum { MAX_ENTRIES = 1024 };

struct mentry {
	char path[600]; /* relative to the tree; "" is the root */
	struct stat st;
	char *data; /* files: content; dirs: sorted names, '/'-joined */
	size_t len;
	char link[256];
};

extern struct mentry man[MAX_ENTRIES];
extern int nman;
extern char tree[64], image[96];
extern unsigned char *img; /* the image's bytes */
extern size_t img_len;

/*
 * rofs_tree_build - make the tree, its manifest and its image (block size
 * 1024) with the mkrofs at @tool; both are removed at exit.  Exits the
 * process if anything fails.  Context: plain Linux, before booting.
 */
void rofs_tree_build(const char *tool);

#endif
