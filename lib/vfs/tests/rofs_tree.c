// SPDX-License-Identifier: MIT
/*
 * The rofs tests' source tree, manifest and image: see rofs_tree.h.
 * Plain Linux code, run before the skiff machine boots.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rofs_tree.h"

struct mentry man[MAX_ENTRIES];
int nman;
char tree[64], image[96];
unsigned char *img;
size_t img_len;

static void fill_file(const char *path, size_t len, unsigned seed)
{
	FILE *f = fopen(path, "w");

	for (size_t i = 0; i < len; i++)
		fputc((int)((i * 131 + seed * 7 + i / 4096) & 0xff), f);
	fclose(f);
}

static void make_tree(void)
{
	char p[400], name[256];

	strcpy(tree, "/tmp/skiff-rofs-XXXXXX");
	if (!mkdtemp(tree))
		abort();
	snprintf(image, sizeof(image), "%s.img", tree);
#define P(s) (snprintf(p, sizeof(p), "%s/%s", tree, s), p)
	fill_file(P("empty"), 0, 1);
	fill_file(P("one"), 1, 2);
	fill_file(P("page"), 4096, 3);
	fill_file(P("page+1"), 4097, 4);
	fill_file(P("big"), 1000003, 5);
	mkdir(P("a"), 0750);
	mkdir(P("a/b"), 0700);
	mkdir(P("a/b/c"), 0755);
	mkdir(P("a/b/c/d"), 0755);
	mkdir(P("emptydir"), 0755);
	fill_file(P("a/b/c/d/deep"), 12345, 6);
	symlink("../../page", P("a/b/rel"));
	symlink("/ro/a/b/c", P("abs"));
	symlink("nowhere", P("dangling"));
	link(P("page"),
	     (snprintf(name, sizeof(name), "%s/a/hard", tree), name));
	fill_file(P("with space é"), 77, 7);
	memset(name, 'L', 255);
	name[255] = '\0';
	snprintf(p, sizeof(p), "%s/a/%s", tree, name);
	fill_file(p, 3, 8);
	mkdir(P("many"), 0755);
	for (int i = 0; i < 300; i++) {
		snprintf(p, sizeof(p), "%s/many/f%03d", tree, (i * 37) % 300);
		fill_file(p, (size_t)i, (unsigned)i);
	}
	chmod(P("one"), 0604);
#undef P
}

static int dircmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_manifest(const char *rel)
{
	char full[1024];
	struct mentry *m = &man[nman++];

	snprintf(full, sizeof(full), "%s/%s", tree, rel);
	snprintf(m->path, sizeof(m->path), "%s", rel);
	lstat(full, &m->st);
	if (S_ISREG(m->st.st_mode)) {
		FILE *f = fopen(full, "r");

		m->len = (size_t)m->st.st_size;
		m->data = malloc(m->len + 1);
		if (fread(m->data, 1, m->len, f) != m->len)
			abort();
		fclose(f);
	} else if (S_ISLNK(m->st.st_mode)) {
		ssize_t n = readlink(full, m->link, sizeof(m->link) - 1);

		m->link[n < 0 ? 0 : n] = '\0';
	} else if (S_ISDIR(m->st.st_mode)) {
		DIR *d = opendir(full);
		struct dirent *e;
		char *names[400];
		int n = 0;

		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				names[n++] = strdup(e->d_name);
		closedir(d);
		qsort(names, (size_t)n, sizeof(*names), dircmp);
		m->data = calloc(1, 300 * 260);
		for (int i = 0; i < n; i++) {
			char sub[700];

			strcat(m->data, names[i]);
			strcat(m->data, "/");
			snprintf(sub, sizeof(sub), "%s%s%s", rel,
				 *rel ? "/" : "", names[i]);
			add_manifest(sub);
			free(names[i]);
		}
		m->len = strlen(m->data);
	}
}

static void run_mkrofs(const char *tool)
{
	pid_t pid = fork();
	int status;
	FILE *f;

	if (pid == 0) {
		execl(tool, tool, "-b", "1024", tree, image, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "mkrofs failed\n");
		exit(1);
	}
	f = fopen(image, "r");
	fseek(f, 0, SEEK_END);
	img_len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	img = malloc(img_len);
	if (fread(img, 1, img_len, f) != img_len)
		abort();
	fclose(f);
}

static void cleanup(void)
{
	char cmd[200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", tree, image);
	if (system(cmd))
		fprintf(stderr, "cleanup of %s failed\n", tree);
}

void rofs_tree_build(const char *tool)
{
	make_tree();
	add_manifest("");
	run_mkrofs(tool);
	atexit(cleanup);
}
