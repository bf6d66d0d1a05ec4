/* SPDX-License-Identifier: MIT */
/*
 * bench_elf: load + relocate + look up symbols + unload real Debian shared
 * libraries with lib/elf, against glibc's dlopen(RTLD_NOW | RTLD_LOCAL) +
 * dlsym + dlclose of the same files in the same run.  Both resolve the
 * libraries' libc imports against the already loaded host libc.  Three
 * skiff figures: with a provider that caches resolved libc names (what a
 * kernel export table is), with one that calls dlvsym for every name the
 * host's bloom filters admit, and with one that calls dlvsym for every
 * import.
 * Prints medians of interleaved repetitions; the machine is shared, so
 * read ratios, not absolute times.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

/*
 * glibc never unloads an object that defines STB_GNU_UNIQUE symbols (every
 * C++ library), so a repeated dlopen of libstdc++ would only count a
 * reference: it is measured once per fresh child process instead.  Both
 * load its libgcc_s dependency from the file; libm is the host's.
 */
static const struct lib cxx_lib = {
	"/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
	{ "_Znwm", "_ZdlPv", "__cxa_throw", "__cxa_allocate_exception",
	  "_ZSt4cout", "_ZNSt8ios_base4InitC1Ev", "_ZSt9terminatev",
	  "__cxa_begin_catch" }
};

#ifndef BENCH_REPS
#define BENCH_REPS 301
#endif
/* FRESH: fresh child processes per side for libstdc++ (61 by default). */
enum { REPS = BENCH_REPS, FRESH = REPS / 5 + 1, CACHE_SLOTS = 4096 };

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * The libc provider.  Default (CACHED): names the host's bloom filters
 * reject are answered "no" at once, the rest from a compact open-addressed
 * table of dlvsym answers keyed by the GNU hash the loader passes in, filled
 * on first use: what a kernel's export table (a bloom filter and a hash
 * table, built ahead of time) is.  The table is laid out as an export table
 * would be: a dense array of hashes probed first (16 KiB), entries touched
 * only on a hash match, names packed in one arena, versions interned.
 */
enum { NAME_ARENA = 128 * 1024, MAX_VERSIONS = 64 };

struct cache_ent {
	uint32_t name; /* offset in name_arena[] */
	uint32_t version; /* index in versions[] + 1; 0: unversioned */
	void *addr;
};

static uint32_t cache_key[CACHE_SLOTS]; /* hash | 1; 0: empty */
static struct cache_ent cache[CACHE_SLOTS];
static uint32_t cache_used;
static char name_arena[NAME_ARENA];
static uint32_t names_used = 1; /* offset 0: no name */
static const char *versions[MAX_VERSIONS];
static uint32_t nversions;

/* How the provider answers: see the three figure groups in main(). */
enum provider_mode { CACHED, BLOOM_DLVSYM, PLAIN_DLVSYM };
static enum provider_mode mode = CACHED;

/*
 * The GNU hash bloom filters of the host's objects (the executable, libc,
 * libm, ld.so: what dlsym(RTLD_DEFAULT) searches, and the vDSO), read from
 * their dynamic sections once, at start.  A name no filter admits is not defined by the host, so
 * the provider can answer "no" without calling dlvsym.  These are the
 * host's own tables, not a cache of answers.
 */
struct host_bloom {
	const uint64_t *words;
	uint32_t mask, shift;
};

static struct host_bloom blooms[32];
static int nblooms;
static bool bloom_unusable; /* a host object without DT_GNU_HASH */

static const uint32_t *gnu_hash_of(const struct dl_phdr_info *info)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_DYNAMIC)
			continue;
		for (const ElfW(Dyn) *d =
			     (const void *)(info->dlpi_addr + ph->p_vaddr);
		     d->d_tag != DT_NULL; d++) {
			uintptr_t p = d->d_un.d_ptr;

			if (d->d_tag != DT_GNU_HASH)
				continue;
			/* glibc relocates writable .dynamic in place. */
			if (p < info->dlpi_addr)
				p += info->dlpi_addr;
			return (const uint32_t *)p;
		}
	}
	return NULL;
}

static int bloom_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	const uint32_t *h = gnu_hash_of(info);

	(void)size;
	(void)data;
	if (!h || nblooms == (int)(sizeof(blooms) / sizeof(blooms[0]))) {
		bloom_unusable = true;
		return 0;
	}
	blooms[nblooms++] = (struct host_bloom){
		.words = (const void *)(h + 4), /* 8-aligned in ELF64 */
		.mask = h[2] - 1,
		.shift = h[3],
	};
	return 0;
}

static bool host_may_define(uint32_t hash)
{
	if (bloom_unusable)
		return true;
	for (int i = 0; i < nblooms; i++) {
		uint64_t w = blooms[i].words[(hash / 64) & blooms[i].mask];
		uint64_t bits = (1ull << (hash % 64)) |
				(1ull << ((hash >> blooms[i].shift) % 64));

		if ((w & bits) == bits)
			return true;
	}
	return false;
}

static void *host_sym(const char *name, const char *version)
{
	return version ? dlvsym(RTLD_DEFAULT, name, version)
		       : dlsym(RTLD_DEFAULT, name);
}

static bool same_version(uint32_t have, const char *want)
{
	if (!have || !want)
		return !have && !want;
	return strcmp(versions[have - 1], want) == 0;
}

/* Index + 1 of @version in versions[], added if new; 0: none or full. */
static uint32_t intern_version(const char *version)
{
	uint32_t i;

	if (!version)
		return 0;
	for (i = 0; i < nversions; i++)
		if (strcmp(versions[i], version) == 0)
			return i + 1;
	if (nversions == MAX_VERSIONS)
		return 0;
	versions[nversions] = strdup(version);
	return versions[nversions] ? ++nversions : 0;
}

/* Keep @name's answer in slot @i, unless the table or arena is full. */
static void cache_put(uint32_t i, uint32_t key, const char *name,
		      const char *version, void *addr)
{
	size_t len = strlen(name) + 1;
	uint32_t v = intern_version(version);

	if (cache_used >= CACHE_SLOTS / 2 || len > NAME_ARENA - names_used ||
	    (version && !v))
		return;
	memcpy(name_arena + names_used, name, len);
	cache[i] = (struct cache_ent){ .name = names_used,
				       .version = v,
				       .addr = addr };
	cache_key[i] = key;
	names_used += (uint32_t)len;
	cache_used++;
}

static void *cached_lookup(void *ctx, const char *name, const char *version,
			   uint32_t hash)
{
	uint32_t key = hash | 1, i = hash;
	void *a;

	(void)ctx;
	if (mode == PLAIN_DLVSYM)
		return host_sym(name, version);
	if (!host_may_define(hash))
		return NULL;
	if (mode == BLOOM_DLVSYM)
		return host_sym(name, version);
	/* At most half full, so an empty slot ends every probe. */
	for (;; i++) {
		const struct cache_ent *e;

		i %= CACHE_SLOTS;
		if (!cache_key[i])
			break;
		if (cache_key[i] != key)
			continue;
		e = &cache[i];
		if (strcmp(name_arena + e->name, name) == 0 &&
		    same_version(e->version, version))
			return e->addr;
	}
	a = host_sym(name, version);
	cache_put(i, key, name, version, a);
	return a;
}

/* libm: libstdc++ needs it (errno through initial-exec TLS, so it must be
 * the host's own libm, made global in main()). */
static const char *const libc_names[] = { "libc.so.6", "libm.so.6", NULL };
static struct sk_elf_provider provider = { .name = "libc-cached",
					   .lookup = cached_lookup,
					   .sonames = libc_names };

static struct sk_elf_ops ops;

/*
 * libstdc++ defines STB_GNU_UNIQUE symbols, so lib/elf, like glibc, keeps
 * it loaded once it is open.  Starting the loader again unloads it, while
 * the provider's table (the bench's own memory) stays filled: the parent
 * warms the table and the page cache, and its children still load
 * libstdc++ from scratch.
 */
static void restart_loader(void)
{
	sk_elf_fini();
	if (sk_elf_init(&ops) || sk_elf_provider_add(&provider)) {
		fprintf(stderr, "skiff: cannot restart the loader\n");
		exit(1);
	}
}

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

/* One skiff_once or glibc_once in a fresh child; its time in ns. */
static uint64_t in_child(const struct lib *l, bool sk)
{
	uint64_t t = 0;
	int fd[2], st;
	pid_t pid;

	if (pipe(fd))
		exit(1);
	pid = fork();
	if (pid == 0) {
		close(fd[0]);
		t = sk ? skiff_once(l) : glibc_once(l);
		_exit(write(fd[1], &t, sizeof(t)) == sizeof(t) ? 0 : 1);
	}
	close(fd[1]);
	if (pid < 0 || read(fd[0], &t, sizeof(t)) != sizeof(t) ||
	    waitpid(pid, &st, 0) != pid || st != 0) {
		fprintf(stderr, "%s: child failed\n", sk ? "skiff" : "glibc");
		exit(1);
	}
	close(fd[0]);
	return t;
}

static void run_fresh(const struct lib *l, const char *label)
{
	enum { N = FRESH };
	static uint64_t s[N], g[N];
	double ms, mg;

	if (dlopen(l->path, RTLD_NOW | RTLD_NOLOAD)) {
		/* Sanitizer runtimes bring libstdc++ into the host. */
		printf("%s: skipped, the host has it loaded already\n",
		       strrchr(l->path, '/') + 1);
		return;
	}
	skiff_once(l); /* page cache and provider cache; glibc's in a child */
	restart_loader();
	in_child(l, false);
	for (int r = 0; r < N; r++) { /* alternate which side goes first */
		if (r & 1) {
			s[r] = in_child(l, true);
			g[r] = in_child(l, false);
		} else {
			g[r] = in_child(l, false);
			s[r] = in_child(l, true);
		}
	}
	qsort(s, N, sizeof(s[0]), cmp_u64);
	qsort(g, N, sizeof(g[0]), cmp_u64);
	ms = (double)s[N / 2] / 1000.0;
	mg = (double)g[N / 2] / 1000.0;
	printf("%s first open+8 dlsym+close in a fresh process%s: skiff %.1f "
	       "us, glibc %.1f us, ratio %.2f\n",
	       strrchr(l->path, '/') + 1, label, ms, mg, ms / mg);
}

/* --only=fresh-skiff|fresh-glibc: run_fresh's children for one side. */
static int run_fresh_only(bool sk)
{
	if (sk) {
		skiff_once(&cxx_lib);
		restart_loader();
	}
	in_child(&cxx_lib, sk);
	for (int r = 0; r < FRESH; r++)
		in_child(&cxx_lib, sk);
	return 0;
}

/*
 * --only=skiff|bloom|dlvsym|glibc: run one side alone (skiff with the
 * cached, bloom + dlvsym or plain dlvsym provider, or glibc), REPS rounds
 * over every library, for perf stat, strace -c and callgrind.  --only=cxx:
 * skiff (cached provider) loads and closes libstdc++ REPS / 10 + 1 times,
 * restarting the loader after each; --only=glibc-cxx: glibc loads it once;
 * --only=fresh-skiff|fresh-glibc: one side of the fresh-process line.
 */
static int run_only(const char *side)
{
	static const char *const sides[] = { "skiff", "bloom", "dlvsym" };
	bool sk = false;

	for (int m = 0; m < 3; m++)
		if (strcmp(side, sides[m]) == 0) {
			mode = (enum provider_mode)m;
			sk = true;
		}
	if (strcmp(side, "cxx") == 0) { /* skiff and libstdc++ only */
		for (int r = 0; r < REPS / 10 + 1; r++) {
			skiff_once(&cxx_lib);
			restart_loader(); /* it stays loaded otherwise */
		}
		return 0;
	}
	if (strcmp(side, "glibc-cxx") == 0) { /* once: never unloaded */
		glibc_once(&cxx_lib);
		return 0;
	}
	if (strncmp(side, "fresh-", 6) == 0) /* as run_fresh, one side */
		return run_fresh_only(strcmp(side + 6, "skiff") == 0);
	if (!sk && strcmp(side, "glibc") != 0)
		return 2;
	for (int r = 0; r < REPS; r++)
		for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++)
			(void)(sk ? skiff_once(&libs[i])
				  : glibc_once(&libs[i]));
	return 0;
}

/*
 * Three groups of figures, by how the libc provider answers: from a
 * cache filled on first use (what a kernel export table is); dlvsym for
 * every name the host's bloom filters admit (no answers kept); dlvsym for
 * every name.  --cached-only stops after the first group.
 */
int main(int argc, char **argv)
{
	host_ops_fill(&ops, HOST_OPS_FILE_MAP);
	if (sk_elf_init(&ops) || sk_elf_provider_add(&provider) ||
	    sk_elf_tls_create(&host_ops_current_tcb))
		return 1;
	if (!dlopen("libm.so.6", RTLD_NOW | RTLD_GLOBAL))
		return 1;
	dl_iterate_phdr(bloom_cb, NULL);
	if (argc > 1 && strncmp(argv[1], "--only=", 7) == 0)
		return run_only(argv[1] + 7);
	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++)
		run(&libs[i], "");
	run_fresh(&cxx_lib, "");
	if (argc > 1 && strcmp(argv[1], "--cached-only") == 0)
		return 0;
	mode = BLOOM_DLVSYM;
	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++)
		run(&libs[i], " (dlvsym provider, host bloom first)");
	run_fresh(&cxx_lib, " (dlvsym provider, host bloom first)");
	mode = PLAIN_DLVSYM;
	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++)
		run(&libs[i], " (dlvsym provider, every name)");
	run_fresh(&cxx_lib, " (dlvsym provider, every name)");
	return 0;
}
