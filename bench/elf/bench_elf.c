/* SPDX-License-Identifier: MIT */
/*
 * bench_elf: load + relocate + look up symbols + unload real Debian shared
 * libraries with lib/elf, against glibc's dlopen(RTLD_NOW | RTLD_LOCAL) +
 * dlsym + dlclose of the same files in the same run.  Both resolve the
 * libraries' libc imports against the already loaded host libc.  Two skiff
 * figures: with a provider that caches resolved libc names (what a kernel
 * export table is) and with one that calls dlvsym for every import.
 * Prints medians of interleaved repetitions; the machine is shared, so
 * read ratios, not absolute times.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <elf/loader.h>
#include <elf/tls.h>

#include "host_ops.h"

struct lib {
	const char *path;
	const char *syms[8];
};

static const struct lib libs[] = {
	{ "/lib/x86_64-linux-gnu/libz.so.1",
	  { "compress2", "uncompress", "deflate", "inflate", "crc32", "adler32",
	    "zlibVersion", "gzopen" } },
	{ "/lib/x86_64-linux-gnu/libcmocka.so.0",
	  { "_cmocka_run_group_tests", "_assert_int_equal", "_test_malloc",
	    "_test_free", "print_message", "_fail", "mock_assert",
	    "_will_return" } },
	{ "/lib/x86_64-linux-gnu/liburcu.so.8",
	  { "urcu_memb_synchronize_rcu", "urcu_memb_read_lock",
	    "urcu_memb_read_unlock", "urcu_memb_register_thread",
	    "urcu_memb_unregister_thread", "urcu_memb_call_rcu",
	    "urcu_memb_barrier", "urcu_memb_defer_rcu" } },
	{ "/lib/x86_64-linux-gnu/libzstd.so.1",
	  { "ZSTD_compress", "ZSTD_decompress", "ZSTD_createCCtx",
	    "ZSTD_freeCCtx", "ZSTD_compressBound", "ZSTD_versionNumber",
	    "ZSTD_getErrorName", "ZSTD_isError" } },
};

#ifndef BENCH_REPS
#define BENCH_REPS 301
#endif
enum { REPS = BENCH_REPS, CACHE_SLOTS = 1024 };

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * A provider with an open-addressed cache of resolved libc names, keyed
 * by the GNU hash the loader passes in: what a kernel's export table is.
 */
struct cache_ent {
	const char *name; /* owned copy */
	const char *version;
	uint32_t hash;
	void *addr;
};

static struct cache_ent cache[CACHE_SLOTS];
static int use_cache = 1;

static bool same_version(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static void *cached_lookup(void *ctx, const char *name, const char *version,
			   uint32_t hash)
{
	uint32_t i = hash;
	void *a;

	(void)ctx;
	if (!use_cache)
		return version ? dlvsym(RTLD_DEFAULT, name, version)
			       : dlsym(RTLD_DEFAULT, name);
	for (;; i++) {
		struct cache_ent *e = &cache[i % CACHE_SLOTS];

		if (!e->name)
			break;
		if (e->hash == hash && strcmp(e->name, name) == 0 &&
		    same_version(e->version, version))
			return e->addr;
	}
	a = version ? dlvsym(RTLD_DEFAULT, name, version)
		    : dlsym(RTLD_DEFAULT, name);
	cache[i % CACHE_SLOTS] = (struct cache_ent){
		.name = strdup(name),
		.version = version ? strdup(version) : NULL,
		.hash = hash,
		.addr = a,
	};
	return a;
}

static const char *const libc_names[] = { "libc.so.6", NULL };
static struct sk_elf_provider provider = { .name = "libc-cached",
					   .lookup = cached_lookup,
					   .sonames = libc_names };

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t skiff_once(const struct lib *l)
{
	uint64_t t0 = now_ns();
	struct sk_elf_obj *o;
	void *a;

	if (sk_elf_open(l->path, 0, &o)) {
		fprintf(stderr, "skiff: %s\n", sk_elf_error());
		exit(1);
	}
	for (int i = 0; i < 8; i++)
		if (sk_elf_sym(o, l->syms[i], &a)) {
			fprintf(stderr, "skiff: %s\n", sk_elf_error());
			exit(1);
		}
	sk_elf_close(o);
	return now_ns() - t0;
}

static uint64_t glibc_once(const struct lib *l)
{
	uint64_t t0 = now_ns();
	void *h = dlopen(l->path, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		fprintf(stderr, "glibc: %s\n", dlerror());
		exit(1);
	}
	for (int i = 0; i < 8; i++)
		if (!dlsym(h, l->syms[i])) {
			fprintf(stderr, "glibc: %s\n", dlerror());
			exit(1);
		}
	dlclose(h);
	return now_ns() - t0;
}

static void run(const struct lib *l, const char *label)
{
	static uint64_t s[REPS], g[REPS];
	double ms, mg;

	skiff_once(l); /* warm the page cache and the provider cache */
	glibc_once(l);
	for (int r = 0; r < REPS; r++) {
		if (r & 1) {
			s[r] = skiff_once(l);
			g[r] = glibc_once(l);
		} else {
			g[r] = glibc_once(l);
			s[r] = skiff_once(l);
		}
	}
	qsort(s, REPS, sizeof(s[0]), cmp_u64);
	qsort(g, REPS, sizeof(g[0]), cmp_u64);
	ms = (double)s[REPS / 2] / 1000.0;
	mg = (double)g[REPS / 2] / 1000.0;
	printf("%s open+8 dlsym+close%s: skiff %.1f us, glibc %.1f us, "
	       "ratio %.2f\n",
	       strrchr(l->path, '/') + 1, label, ms, mg, ms / mg);
}

int main(int argc, char **argv)
{
	struct sk_elf_ops ops;

	host_ops_fill(&ops, HOST_OPS_FILE_MAP);
	if (sk_elf_init(&ops) || sk_elf_provider_add(&provider) ||
	    sk_elf_tls_create(&host_ops_current_tcb))
		return 1;
	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++)
		run(&libs[i], "");
	if (argc > 1 && strcmp(argv[1], "--cached-only") == 0)
		return 0;
	use_cache = 0;
	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++)
		run(&libs[i], " (uncached dlvsym provider)");
	return 0;
}
