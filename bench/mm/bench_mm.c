// SPDX-License-Identifier: MIT
/*
 * lib/mm benchmarks against peers measured in the same run: malloc/free of
 * 16, 64, 256 and 4096 bytes and a producer/consumer cross-thread free
 * against glibc malloc, jemalloc (linked when found: it then owns the
 * process's malloc, so glibc's is reached as __libc_malloc) and mimalloc
 * (dlopen'ed when installed); page alloc/free; map/unmap per page.
 *
 * Single-threaded figures run on vCPU 0 of a hosted skiff machine, skiff
 * and peers interleaved round by round, timed in thread CPU time so that
 * time the host takes the CPU away is not counted (the box is shared).
 * No other skiff thread exists then, so calling libc allocators from the
 * skiff thread cannot deadlock.  The producer/consumer figure runs every
 * allocator on the same two vCPUs (see below).  Each figure is the median
 * of REPEAT rounds (XREPEAT for producer/consumer).  Output per figure and
 * peer: "<figure>: skiff X <unit>, <peer> Y <unit>, ratio Z" (skiff /
 * peer).  "bench_mm --xfer" runs the producer/consumer figure alone.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <hosted/boot.h>
#include <mm/malloc.h>
#include <mm/page.h>
#include <mm/pt.h>
#include <mm/vma.h>
#include <plat/boot.h>
#include <plat/compiler.h>
#include <plat/cpu.h>
#include <sched/cpu.h>
#include <sched/thread.h>

enum {
	REPEAT = 7,
	XREPEAT = 15, /* rounds of the producer/consumer figure */
	BATCH = 64,
	ROUNDS = 10000,
	XFER = 1 << 18, /* objects through the producer/consumer ring */
	RING = 1024,
	MAP_OPS = 8192,
	APIS_MAX = 4,
};

typedef void *(*malloc_fn)(size_t);
typedef void (*free_fn)(void *);

struct api {
	const char *name;
	malloc_fn m;
	free_fn f;
};

void *__libc_malloc(size_t size);
void __libc_free(void *p);
void *__libc_memalign(size_t align, size_t size);

/* apis[0] is skiff. */
static struct api apis[APIS_MAX] = { { "skiff", sk_malloc, sk_free } };
static unsigned napis = 1;

static const size_t sizes[] = { 16, 64, 256, 4096 };

static int count_mode; /* --count: instruction-count mode only */
static int xfer_only; /* --xfer: the producer/consumer figure only */

static uint64_t clock_of(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t cpu_ns(void)
{
	return clock_of(CLOCK_THREAD_CPUTIME_ID);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static void line(const char *fig, double skiff, const char *peer, double v,
		 const char *unit)
{
	printf("%s: skiff %.1f %s, %s %.1f %s, ratio %.2f\n", fig, skiff, unit,
	       peer, v, unit, skiff / v);
}

static void peers_load(void)
{
	void *h = dlopen("libmimalloc.so.2", RTLD_NOW | RTLD_LOCAL);

	apis[napis++] = (struct api){ "glibc", __libc_malloc, __libc_free };
#ifdef HAVE_JEMALLOC
	/* Linked jemalloc is the process's malloc: its fastest entry. */
	apis[napis++] = (struct api){ "jemalloc", malloc, free };
#endif
	if (h) {
		struct api a = { "mimalloc", NULL, NULL };

		*(void **)&a.m = dlsym(h, "mi_malloc");
		*(void **)&a.f = dlsym(h, "mi_free");
		if (a.m && a.f)
			apis[napis++] = a;
	}
}

/* ---- one figure = several contenders run round-robin ---- */

struct contender {
	const char *name;
	double (*run)(const void *ctx); /* ns per operation */
	const void *ctx;
};

static void figure(const char *fig, const struct contender *c, unsigned n,
		   const char *unit)
{
	double v[APIS_MAX][REPEAT], med[APIS_MAX];

	for (unsigned r = 0; r < REPEAT; r++)
		for (unsigned i = 0; i < n; i++)
			v[i][r] = c[i].run(c[i].ctx);
	for (unsigned i = 0; i < n; i++)
		med[i] = median(v[i], REPEAT);
	for (unsigned i = 1; i < n; i++)
		line(fig, med[0], c[i].name, med[i], unit);
}

struct pair_ctx {
	const struct api *a;
	size_t size;
};

/* malloc+free pairs in batches of BATCH live blocks. */
static double run_pairs(const void *ctx)
{
	const struct pair_ctx *c = ctx;
	void *p[BATCH];
	uint64_t t0 = cpu_ns();

	for (unsigned k = 0; k < ROUNDS; k++) {
		for (unsigned i = 0; i < BATCH; i++) {
			p[i] = c->a->m(c->size);
			*(volatile char *)p[i] = 1;
		}
		for (unsigned i = 0; i < BATCH; i++)
			c->a->f(p[i]);
	}
	return (double)(cpu_ns() - t0) / (ROUNDS * BATCH);
}

static void bench_pairs(void)
{
	static struct pair_ctx ctx[APIS_MAX];
	struct contender c[APIS_MAX];
	char fig[64];

	for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (unsigned i = 0; i < napis; i++) {
			ctx[i] = (struct pair_ctx){ &apis[i], sizes[s] };
			c[i] = (struct contender){ apis[i].name, run_pairs,
						   &ctx[i] };
		}
		snprintf(fig, sizeof(fig), "malloc+free %zu B", sizes[s]);
		figure(fig, c, napis, "ns");
	}
}

/*
 * Instruction-count mode, for valgrind --tool=callgrind:
 *   bench_mm --count <allocator> <size> <rounds>
 * runs one warm-up round and then <rounds> rounds of BATCH malloc+free
 * pairs with one allocator ("none": a do-nothing allocator that measures
 * the loop itself; "ptmap": <rounds> times MAP_OPS map+unmap of one page,
 * as in the map+unmap figure).  bench/mm/callgrind.sh runs it with two round counts
 * and divides the difference of the program totals by the difference in
 * pairs, which is exact whatever callgrind attributes to which function.
 */
static char count_block[8192] SK_ALIGNED(16);

static void *none_malloc(size_t size)
{
	(void)size;
	return count_block;
}

static void none_free(void *p)
{
	(void)p;
}

static struct {
	const struct api *a;
	size_t size;
	unsigned rounds;
	int ptmap; /* "ptmap": rounds of map+unmap instead */
} count_cfg;

static int count_parse(char **argv)
{
	static const struct api none = { "none", none_malloc, none_free };

	count_cfg.size = strtoul(argv[3], NULL, 0);
	count_cfg.rounds = (unsigned)strtoul(argv[4], NULL, 0);
	if (!strcmp(argv[2], "none") || !strcmp(argv[2], "ptmap"))
		count_cfg.a = &none;
	count_cfg.ptmap = !strcmp(argv[2], "ptmap");
	for (unsigned i = 0; i < napis; i++)
		if (!strcmp(argv[2], apis[i].name))
			count_cfg.a = &apis[i];
	return count_cfg.a && count_cfg.size <= sizeof(count_block) ? 0 : -1;
}

static void count_pairs(void)
{
	void *volatile p[BATCH];

	for (unsigned k = 0; k < count_cfg.rounds + 1; k++) {
		for (unsigned j = 0; j < BATCH; j++)
			p[j] = count_cfg.a->m(count_cfg.size);
		for (unsigned j = 0; j < BATCH; j++)
			count_cfg.a->f(p[j]);
	}
}

/* ---- pages ---- */

static double run_pages_skiff(const void *ctx)
{
	uint64_t pa[BATCH], t0 = cpu_ns();

	(void)ctx;
	for (unsigned k = 0; k < ROUNDS; k++) {
		for (unsigned i = 0; i < BATCH; i++)
			if (sk_page_alloc(1, 0, &pa[i]))
				sk_plat_shutdown(3);
		for (unsigned i = 0; i < BATCH; i++)
			sk_page_free(pa[i], 1);
	}
	return (double)(cpu_ns() - t0) / (ROUNDS * BATCH);
}

static double run_pages_glibc(const void *ctx)
{
	void *p[BATCH];
	uint64_t t0 = cpu_ns();

	(void)ctx;
	for (unsigned k = 0; k < ROUNDS / 10; k++) {
		for (unsigned i = 0; i < BATCH; i++)
			p[i] = __libc_memalign(4096, 4096);
		for (unsigned i = 0; i < BATCH; i++)
			__libc_free(p[i]);
	}
	return (double)(cpu_ns() - t0) / (ROUNDS / 10 * BATCH);
}

/* ---- mappings ---- */

static int tab_alloc(void *ctx, uint64_t *pa)
{
	(void)ctx;
	return sk_page_alloc(1, 0, pa);
}

static void tab_free(void *ctx, uint64_t pa)
{
	(void)ctx;
	sk_page_free(pa, 1);
}

/* Map one page, unmap it: its three tables are built and reclaimed. */
static double run_ptmap_skiff(const void *ctx)
{
	static const struct sk_pt_ops ops = { tab_alloc, tab_free, NULL };
	uintptr_t va = (uintptr_t)1 << 40;
	struct sk_pt pt;
	uint64_t pa, t0;

	(void)ctx;
	if (sk_pt_create(&pt, &ops, NULL) || sk_page_alloc(1, 0, &pa))
		sk_plat_shutdown(4);
	t0 = cpu_ns();
	for (unsigned k = 0; k < MAP_OPS; k++) {
		uintptr_t at = va + (k % 512) * 4096;

		if (sk_pt_map(&pt, at, pa, 4096, SK_PT_READ, 0) ||
		    sk_pt_unmap(&pt, at, 4096, NULL, NULL))
			sk_plat_shutdown(5);
	}
	t0 = cpu_ns() - t0;
	sk_pt_destroy(&pt, NULL, NULL);
	sk_page_free(pa, 1);
	return (double)t0 / MAP_OPS;
}

static double run_linux_map(const void *ctx)
{
	int touch = ctx != NULL;
	uint64_t t0 = cpu_ns();

	for (unsigned k = 0; k < MAP_OPS; k++) {
		char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS |
				       (touch ? 0 : MAP_POPULATE),
			       -1, 0);

		if (p == MAP_FAILED)
			sk_plat_shutdown(8);
		if (touch)
			*(volatile char *)p = 1;
		munmap(p, 4096);
	}
	return (double)(cpu_ns() - t0) / MAP_OPS;
}

/* mmap a page, fault it in for writing, munmap it. */
static double run_vm_skiff(const void *ctx)
{
	struct sk_mmap_req req = { .len = 4096,
				   .prot = SK_PROT_READ | SK_PROT_WRITE,
				   .flags = SK_MAP_PRIVATE | SK_MAP_ANONYMOUS };
	struct sk_mm *mm;
	uint64_t t0;

	(void)ctx;
	if (sk_mm_create((uintptr_t)1 << 32, (size_t)1 << 30, &mm))
		sk_plat_shutdown(6);
	t0 = cpu_ns();
	for (unsigned k = 0; k < MAP_OPS; k++) {
		uintptr_t at;

		if (sk_mmap(mm, &req, &at) ||
		    sk_mm_fault(mm, at, SK_PROT_WRITE) ||
		    sk_munmap(mm, at, 4096))
			sk_plat_shutdown(7);
	}
	t0 = cpu_ns() - t0;
	sk_mm_destroy(mm);
	return (double)t0 / MAP_OPS;
}

static void count_ptmap(void)
{
	for (unsigned k = 0; k < count_cfg.rounds; k++)
		run_ptmap_skiff(NULL);
}

static void bench_pages_and_maps(void)
{
	static const int touch = 1;
	const struct contender pages[] = {
		{ "skiff", run_pages_skiff, NULL },
		{ "glibc memalign(4096)", run_pages_glibc, NULL },
	};
	const struct contender ptmap[] = {
		{ "skiff", run_ptmap_skiff, NULL },
		{ "Linux mmap(MAP_POPULATE)+munmap", run_linux_map, NULL },
	};
	const struct contender vm[] = {
		{ "skiff", run_vm_skiff, NULL },
		{ "Linux mmap+touch+munmap", run_linux_map, &touch },
	};

	figure("page alloc+free 4 KiB", pages, 2, "ns");
	figure("map+unmap one 4 KiB page", ptmap, 2, "ns");
	figure("mmap+write fault+munmap one page", vm, 2, "ns");
}

/*
 * ---- producer/consumer ----
 * The producer allocates a batch of RING blocks of 64 B, writes one byte
 * into each and hands the batch over; the consumer frees every block and
 * hands the slots back.  Each side times only its own loop in thread CPU
 * time, so waiting for the other side (and the host taking the CPU away)
 * is not counted: the figure is the CPU cost of one allocation plus one
 * cross-thread free.  Every contender runs on the same two host threads:
 * the producer is the benchmark's skiff thread on vCPU 0 and the consumer
 * a skiff thread pinned to vCPU 1, so the host's placement of those two
 * threads is shared by skiff and its peers.  A round runs every
 * allocator once, in an order that rotates from round to round; the
 * figure is the median over XREPEAT rounds and so is each side's share.
 * No other skiff thread runs on either vCPU, so the peers' libc code
 * cannot be entered twice on one vCPU.
 */
static struct {
	_Atomic int full; /* 0: producer's turn, 1: consumer's */
	void *slot[RING];
	malloc_fn m;
	free_fn f;
	uint64_t prod_ns, cons_ns;
} xf;

static void produce(void)
{
	for (unsigned r = 0; r < XFER / RING; r++) {
		uint64_t t0;

		/* Acquire: pairs with the consumer's release of the slots. */
		while (atomic_load_explicit(&xf.full, memory_order_acquire))
			sk_plat_cpu_relax();
		t0 = cpu_ns();
		for (unsigned i = 0; i < RING; i++) {
			xf.slot[i] = xf.m(64);
			*(volatile char *)xf.slot[i] = 1;
		}
		xf.prod_ns += cpu_ns() - t0;
		/* Release: the filled slots; pairs with consume's acquire. */
		atomic_store_explicit(&xf.full, 1, memory_order_release);
	}
}

static void consume(void *arg)
{
	(void)arg;
	for (unsigned r = 0; r < XFER / RING; r++) {
		uint64_t t0;

		/* Acquire: pairs with produce's release of the batch. */
		while (!atomic_load_explicit(&xf.full, memory_order_acquire))
			sk_plat_cpu_relax();
		t0 = cpu_ns();
		for (unsigned i = 0; i < RING; i++)
			xf.f(xf.slot[i]);
		xf.cons_ns += cpu_ns() - t0;
		atomic_store_explicit(&xf.full, 0, memory_order_release);
	}
}

/* ns per object: [api][0] malloc side, [1] free side, [2] sum. */
static double xf_ns[APIS_MAX][3][XREPEAT];

/* One run of allocator @i with the consumer on vCPU 1. */
static void xfer_run(unsigned i, unsigned r)
{
	static struct sk_cpuset set;
	struct sk_thread_attr a = { .affinity = &set };
	struct sk_thread *t;

	sk_cpuset_zero(&set);
	sk_cpuset_add(&set, sk_plat_cpu_count() > 1 ? 1 : 0);
	xf.m = apis[i].m;
	xf.f = apis[i].f;
	xf.prod_ns = xf.cons_ns = 0;
	atomic_store(&xf.full, 0);
	if (sk_thread_create(&t, &a, consume, NULL))
		sk_plat_shutdown(2);
	produce();
	sk_thread_join(t);
	xf_ns[i][0][r] = (double)xf.prod_ns / XFER;
	xf_ns[i][1][r] = (double)xf.cons_ns / XFER;
	xf_ns[i][2][r] = (double)(xf.prod_ns + xf.cons_ns) / XFER;
}

static void xfer_print(void)
{
	static const char fig[] = "malloc + cross-thread free 64 B, "
				  "batches of 1024";
	double med[APIS_MAX][3], ratio[XREPEAT];

	for (unsigned i = 0; i < napis; i++)
		for (unsigned k = 0; k < 3; k++)
			med[i][k] = median(xf_ns[i][k], XREPEAT);
	for (unsigned i = 1; i < napis; i++)
		line(fig, med[0][2], apis[i].name, med[i][2], "ns/object");
	printf("info: cross-thread free, medians of %u rounds, ns/object "
	       "(malloc side + free side):",
	       XREPEAT);
	for (unsigned i = 0; i < napis; i++)
		printf(" %s %.1f + %.1f%s", apis[i].name, med[i][0], med[i][1],
		       i + 1 < napis ? "," : "\n");
	printf("info: cross-thread free, per-round ratios skiff/peer "
	       "(min, median, max):");
	for (unsigned i = 1; i < napis; i++) {
		for (unsigned r = 0; r < XREPEAT; r++)
			ratio[r] = xf_ns[0][2][r] / xf_ns[i][2][r];
		median(ratio, XREPEAT); /* sorts */
		printf(" %s %.2f %.2f %.2f%s", apis[i].name, ratio[0],
		       ratio[XREPEAT / 2], ratio[XREPEAT - 1],
		       i + 1 < napis ? "," : "\n");
	}
}

static void bench_xfer(void)
{
	for (unsigned r = 0; r < XREPEAT; r++)
		for (unsigned k = 0; k < napis; k++)
			xfer_run((r + k) % napis, r);
	xfer_print();
}

/* ---- the machine ---- */

static void *sched_alloc(size_t len, void *ctx)
{
	(void)ctx;
	return sk_aligned_alloc(64, len);
}

static void sched_free(void *p, size_t len, void *ctx)
{
	(void)ctx;
	(void)len;
	sk_free(p);
}

/* What lib/mm holds after boot: in use, and free but cached per CPU. */
static void footprint(void)
{
	struct sk_page_stats st;

	sk_page_stats_get(&st);
	printf("info: after page, heap and scheduler init on %u vCPUs: "
	       "%zu KiB in use (%zu KiB allocator metadata), %zu KiB cached "
	       "free, per-CPU cache limit %zu KiB\n",
	       sk_plat_cpu_count(),
	       (st.total_pages - st.free_pages - st.cached_pages) * 4 +
		       st.meta_pages * 4,
	       st.meta_pages * 4, st.cached_pages * 4, st.cache_high * 4);
}

static void boot_main(void *arg)
{
	static const struct sk_sched_mem_ops ops = { sched_alloc, sched_free,
						     NULL };
	static struct sk_cpuset cpu0;

	(void)arg;
	if (sk_page_init() || sk_malloc_init() || sk_sched_init(&ops))
		sk_plat_shutdown(1);
	footprint();
	sk_cpuset_zero(&cpu0);
	sk_cpuset_add(&cpu0, 0);
	if (sk_thread_set_affinity(&cpu0))
		sk_plat_shutdown(9);
	if (count_mode) {
		if (count_cfg.ptmap)
			count_ptmap();
		else
			count_pairs();
		sk_plat_shutdown(0);
	}
	if (!xfer_only) {
		bench_pairs();
		bench_pages_and_maps();
	}
	bench_xfer();
	fflush(stdout);
	sk_plat_shutdown(0);
}

int main(int argc, char **argv)
{
	struct sk_hosted_config cfg = { .ncpus = 2,
					.ram_bytes = (size_t)512 << 20 };

	count_mode = argc > 1 && !strcmp(argv[1], "--count");
	xfer_only = argc == 2 && !strcmp(argv[1], "--xfer");
	setvbuf(stdout, NULL, _IOFBF, 1 << 16); /* print only at the end */
	peers_load();
	if ((argc > 1 && !count_mode && !xfer_only) ||
	    (count_mode && (argc != 5 || count_parse(argv)))) {
		fprintf(stderr, "usage: bench_mm [--xfer | --count skiff|glibc|"
				"jemalloc|mimalloc|none|ptmap SIZE ROUNDS]\n");
		return 2;
	}
	return sk_hosted_boot(&cfg, boot_main, NULL);
}
