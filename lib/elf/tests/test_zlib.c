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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zlib_roundtrip_matches_host),
		cmocka_unit_test(test_zlib_versioned_lookup_matches_default),
		cmocka_unit_test(test_debian_libs_agree_with_glibc_dlopen),
	};
	struct sk_elf_ops ops;
	const char *nomap = getenv("SK_ELF_NOMAP");

	host_ops_fill(&ops, nomap && *nomap == '1' ? 0 : HOST_OPS_FILE_MAP);
	if (sk_elf_init(&ops) || sk_elf_provider_add(&host_libc_provider) ||
	    sk_elf_tls_create(&host_ops_current_tcb))
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
