/* SPDX-License-Identifier: MIT */
/* In-memory loader ops for fuzzing (see mem_ops.h). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <elf/loader.h>

#include "host_ops.h"
#include "mem_ops.h"

static const unsigned char *cur;
static size_t cur_len;
static char dummy[1 << 16];
static char last_error[256];

const char *mem_ops_last_error(void)
{
	return last_error;
}

static int m_open(void *ctx, const char *path, void **h)
{
	(void)ctx;
	if (strcmp(path, MEM_OBJ_PATH) != 0)
		return -ENOENT;
	*h = (void *)&cur;
	return 0;
}

static long m_read(void *ctx, void *h, void *buf, size_t len, uint64_t off)
{
	(void)ctx;
	(void)h;
	if (off >= cur_len)
		return 0;
	if (len > cur_len - off)
		len = cur_len - (size_t)off;
	memcpy(buf, cur + off, len);
	return (long)len;
}

static int m_size(void *ctx, void *h, uint64_t *size)
{
	(void)ctx;
	(void)h;
	*size = cur_len;
	return 0;
}

static void m_close(void *ctx, void *h)
{
	(void)ctx;
	(void)h;
}

static int prot_of(unsigned p)
{
	return ((p & SK_ELF_PROT_READ) ? PROT_READ : 0) |
	       ((p & SK_ELF_PROT_WRITE) ? PROT_WRITE : 0) |
	       ((p & SK_ELF_PROT_EXEC) ? PROT_EXEC : 0);
}

/*
 * file_map over the buffer: fresh pages filled with the file's bytes.
 * Pages wholly past the end of the file stay inaccessible, so a loader
 * that touched them (SIGBUS with a real file mapping) crashes here too.
 */
static int m_map(void *ctx, void *h, void *va, size_t len, uint64_t off,
		 unsigned prot)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), n = 0, in_file;

	(void)ctx;
	(void)h;
	if (mmap(va, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
		return -errno;
	if (off < cur_len) {
		n = cur_len - (size_t)off < len ? cur_len - (size_t)off : len;
		memcpy(va, cur + off, n);
	}
	in_file = (n + pg - 1) & ~(pg - 1);
	if (in_file < len &&
	    mprotect((char *)va + in_file, len - in_file, PROT_NONE))
		return -errno;
	if (in_file && mprotect(va, in_file, prot_of(prot)))
		return -errno;
	return 0;
}

static int (*host_reserve)(void *ctx, size_t len, size_t align, void **va);

static int m_map_reserve(void *ctx, void *h, size_t len, size_t align,
			 unsigned prot, void **va)
{
	int err = host_reserve(ctx, len, align, va);

	if (!err)
		err = m_map(ctx, h, *va, len, 0, prot);
	return err;
}

/*
 * Providers come first in the scope, so answering every name would hide
 * the object's own definitions: answer what the seeds import (libc names
 * the host knows, and libskdep.so's and the test kernel's names).
 */
static void *anything(void *ctx, const char *name, const char *version,
		      uint32_t hash)
{
	(void)ctx;
	(void)hash;
	(void)version;
	if (strncmp(name, "dep_", 4) == 0 || strcmp(name, "foo") == 0 ||
	    strcmp(name, "host_hook") == 0 || dlsym(RTLD_DEFAULT, name))
		return dummy;
	return NULL;
}

static const char *const sonames[] = { "libc.so.6", "libskdep.so",
				       "libsktls_ie.so", NULL };

static struct sk_elf_provider catch_all = { .name = "catch-all",
					    .lookup = anything,
					    .sonames = sonames };

static int count_cb(struct sk_elf_phdr_info *info, size_t size, void *data)
{
	(void)info;
	(void)size;
	(*(int *)data)++;
	return 0;
}

int mem_ops_start(void)
{
	struct sk_elf_ops ops;
	int err;

	host_ops_fill(&ops, 0);
	ops.file_open = m_open;
	ops.file_read = m_read;
	ops.file_size = m_size;
	ops.file_close = m_close;
	ops.search_path = NULL;
	if (getenv("SK_ELF_MEM_MAP")) {
		host_reserve = ops.mem_reserve;
		ops.file_map = m_map;
		ops.file_map_reserve = m_map_reserve;
	}
	err = sk_elf_init(&ops);
	if (!err)
		err = sk_elf_provider_add(&catch_all);
	return err;
}

int mem_ops_try(const unsigned char *data, size_t len)
{
	struct sk_elf_obj *obj;
	int err, n = 0;

	cur = data;
	cur_len = len;
	err = sk_elf_open(MEM_OBJ_PATH, SK_ELF_NOEXEC, &obj);
	if (err == 0) {
		sk_elf_close(obj);
	} else {
		const char *msg = sk_elf_error();

		if (!msg) {
			fprintf(stderr, "error %d without a message\n", err);
			abort();
		}
		snprintf(last_error, sizeof(last_error), "%s", msg);
	}
	sk_elf_iterate_phdr(count_cb, &n);
	if (n != 0) {
		fprintf(stderr, "%d objects left loaded\n", n);
		abort();
	}
	return err;
}
