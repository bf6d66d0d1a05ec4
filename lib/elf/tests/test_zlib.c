/* SPDX-License-Identifier: MIT */
/*
 * Real Debian libraries through lib/elf: libz.so.1 is loaded with the
 * host libc supplied by a provider, compresses and uncompresses data, and
 * its output is compared byte for byte with the host zlib's.  libzstd,
 * libcmocka and liburcu (the last two with general-dynamic TLS and a
 * DT_NEEDED on ld-linux) are loaded and checked against glibc's dlopen of
 * the same files.  SK_ELF_NOMAP=1 exercises the read-into-memory path.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <elf.h>
#include <unistd.h>
#include <zlib.h>

#include <elf/loader.h>
#include <elf/tls.h>

#include "host_ops.h"

#define FN(type, p) ((type)(uintptr_t)(p))

typedef const char *(*version_fn)(void);
typedef int (*compress2_fn)(unsigned char *, unsigned long *,
			    const unsigned char *, unsigned long, int);
typedef int (*uncompress_fn)(unsigned char *, unsigned long *,
			     const unsigned char *, unsigned long);
typedef unsigned long (*crc_fn)(unsigned long, const unsigned char *, unsigned);
typedef unsigned (*uint_fn)(void);
typedef size_t (*bound_fn)(size_t);

enum { LEN = 1 << 16 };

static unsigned char input[LEN];

static void fill_input(void)
{
	uint32_t x = 12345;

	for (size_t i = 0; i < LEN; i++) {
		x = x * 1103515245u + 12345u;
		/* Compressible: a small alphabet with runs. */
		input[i] = (unsigned char)("abcdefgh   \n"[(x >> 16) % 12]);
	}
}

static void *sym(struct sk_elf_obj *o, const char *name)
{
	void *a = NULL;

	assert_int_equal(sk_elf_sym(o, name, &a), 0);
	return a;
}

static void test_zlib_roundtrip_matches_host(void **state)
{
	static unsigned char ours[LEN * 2], host[LEN * 2], back[LEN];
	unsigned long ol = sizeof(ours), hl = sizeof(host), bl = sizeof(back);
	struct sk_elf_obj *z;

	(void)state;
	fill_input();
	assert_int_equal(sk_elf_open("libz.so.1", 0, &z), 0);
	assert_string_equal(FN(version_fn, sym(z, "zlibVersion"))(),
			    zlibVersion());
	assert_int_equal(
		FN(compress2_fn, sym(z, "compress2"))(ours, &ol, input, LEN, 6),
		Z_OK);
	assert_int_equal(compress2(host, &hl, input, LEN, 6), Z_OK);
	assert_int_equal(ol, hl);
	assert_memory_equal(ours, host, ol);
	assert_true(ol < LEN / 2);
	assert_int_equal(
		FN(uncompress_fn, sym(z, "uncompress"))(back, &bl, host, hl),
		Z_OK);
	assert_int_equal(bl, LEN);
	assert_memory_equal(back, input, LEN);
	assert_int_equal(FN(crc_fn, sym(z, "crc32"))(0, input, LEN),
			 crc32(0, input, LEN));
	assert_int_equal(FN(crc_fn, sym(z, "adler32"))(1, input, LEN),
			 adler32(1, input, LEN));
	assert_int_equal(sk_elf_close(z), 0);
}

static void test_zlib_versioned_lookup_matches_default(void **state)
{
	struct sk_elf_obj *z;
	void *a;

	(void)state;
	assert_int_equal(sk_elf_open("libz.so.1", 0, &z), 0);
	assert_int_equal(sk_elf_vsym(z, "inflateReset2", "ZLIB_1.2.3.4", &a),
			 0);
	assert_ptr_equal(a, sym(z, "inflateReset2"));
	assert_int_equal(sk_elf_vsym(z, "inflateReset2", "ZLIB_9.9", &a),
			 -ESRCH);
	assert_non_null(sk_elf_error());
	assert_int_equal(sk_elf_close(z), 0);
}

/* The same function of the same file, through us and through glibc. */
static void test_debian_libs_agree_with_glibc_dlopen(void **state)
{
	struct sk_elf_obj *o;
	void *h;

	(void)state;
	assert_int_equal(sk_elf_open("libzstd.so.1", 0, &o), 0);
	h = dlopen("libzstd.so.1", RTLD_NOW | RTLD_LOCAL);
	assert_non_null(h);
	assert_int_equal(FN(uint_fn, sym(o, "ZSTD_versionNumber"))(),
			 FN(uint_fn, dlsym(h, "ZSTD_versionNumber"))());
	assert_int_equal(FN(bound_fn, sym(o, "ZSTD_compressBound"))(100000),
			 FN(bound_fn, dlsym(h, "ZSTD_compressBound"))(100000));
	dlclose(h);
	assert_int_equal(sk_elf_close(o), 0);
	/* TLS users: they load, relocate and resolve. */
	assert_int_equal(sk_elf_open("liburcu.so.8", 0, &o), 0);
	assert_non_null(sym(o, "urcu_memb_synchronize_rcu"));
	assert_int_equal(sk_elf_close(o), 0);
	assert_int_equal(sk_elf_open("libcmocka.so.0", 0, &o), 0);
	assert_non_null(sym(o, "_cmocka_run_group_tests"));
	assert_int_equal(sk_elf_close(o), 0);
}

/* Permissions of the mapping containing @addr, from /proc/self/maps. */
static void perms_of(uintptr_t addr, char out[5])
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];

	out[0] = '\0';
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char p[5];

		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, p) == 3 &&
		    addr >= lo && addr < hi)
			memcpy(out, p, 5);
	}
	if (f)
		fclose(f);
}

struct seg_find {
	const char *name;
	uintptr_t base;
	const Elf64_Phdr *ph;
	uint16_t phnum;
};

static int seg_cb(struct sk_elf_phdr_info *info, size_t size, void *data)
{
	struct seg_find *f = data;

	(void)size;
	if (strcmp(info->name, f->name) != 0)
		return 0;
	f->base = info->addr;
	f->ph = info->phdr;
	f->phnum = info->phnum;
	return 1;
}

/* Every page of @ph carries its p_flags (RELRO pages: read-only). */
static void check_seg_perms(uintptr_t base, const Elf64_Phdr *ph,
			    uintptr_t relro_lo, uintptr_t relro_hi)
{
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t lo = (base + ph->p_vaddr) & ~(pg - 1);
	uintptr_t hi = (base + ph->p_vaddr + ph->p_memsz + pg - 1) & ~(pg - 1);
	char want[5] = "---p", got[5];

	want[0] = (ph->p_flags & PF_R) ? 'r' : '-';
	want[1] = (ph->p_flags & PF_W) ? 'w' : '-';
	want[2] = (ph->p_flags & PF_X) ? 'x' : '-';
	for (uintptr_t a = lo; a < hi; a += pg) {
		perms_of(a, got);
		if (a >= relro_lo && a + pg <= relro_hi)
			assert_string_equal(got, "r--p");
		else
			assert_string_equal(got, want);
	}
}

/* Read-only segments hold exactly the file's bytes at p_offset. */
static void check_seg_bytes(FILE *file, uintptr_t base, const Elf64_Phdr *ph)
{
	char *buf;

	if (ph->p_flags & PF_W)
		return;
	buf = malloc(ph->p_filesz + 1);
	assert_non_null(buf);
	assert_int_equal(fseek(file, (long)ph->p_offset, SEEK_SET), 0);
	assert_int_equal(fread(buf, 1, ph->p_filesz, file), ph->p_filesz);
	assert_memory_equal((const void *)(base + ph->p_vaddr), buf,
			    ph->p_filesz);
	free(buf);
}

static void check_layout(const char *path)
{
	struct seg_find f = { .name = path };
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE), rlo = 0, rhi = 0;
	struct sk_elf_obj *o;
	FILE *file;

	assert_int_equal(sk_elf_open(path, 0, &o), 0);
	assert_int_equal(sk_elf_iterate_phdr(seg_cb, &f), 1);
	for (uint16_t i = 0; i < f.phnum; i++)
		if (f.ph[i].p_type == PT_GNU_RELRO) {
			rlo = (f.base + f.ph[i].p_vaddr) & ~(pg - 1);
			rhi = (f.base + f.ph[i].p_vaddr + f.ph[i].p_memsz) &
			      ~(pg - 1);
		}
	assert_true(rhi > rlo);
	file = fopen(path, "rb");
	assert_non_null(file);
	for (uint16_t i = 0; i < f.phnum; i++) {
		if (f.ph[i].p_type != PT_LOAD)
			continue;
		check_seg_perms(f.base, &f.ph[i], rlo, rhi);
		check_seg_bytes(file, f.base, &f.ph[i]);
	}
	fclose(file);
	assert_int_equal(sk_elf_close(o), 0);
}

/*
 * However the segments were placed (mapped, protection changed in place,
 * or read into memory), each page ends with its segment's protection and
 * read-only segments hold the file's bytes.
 */
static void test_debian_segments_match_file_and_flags(void **state)
{
	static const char *const libs[] = {
		"/lib/x86_64-linux-gnu/libz.so.1",
		"/lib/x86_64-linux-gnu/libzstd.so.1",
		"/lib/x86_64-linux-gnu/liburcu.so.8",
		"/lib/x86_64-linux-gnu/libcmocka.so.0",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++)
		check_layout(libs[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zlib_roundtrip_matches_host),
		cmocka_unit_test(test_zlib_versioned_lookup_matches_default),
		cmocka_unit_test(test_debian_libs_agree_with_glibc_dlopen),
		cmocka_unit_test(test_debian_segments_match_file_and_flags),
	};
	struct sk_elf_ops ops;
	const char *nomap = getenv("SK_ELF_NOMAP");

	host_ops_fill(&ops, nomap && *nomap == '1' ? 0 : HOST_OPS_FILE_MAP);
	if (sk_elf_init(&ops) || sk_elf_provider_add(&host_libc_provider) ||
	    sk_elf_tls_create(&host_ops_current_tcb))
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
