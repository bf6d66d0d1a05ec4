// SPDX-License-Identifier: MIT
/*
 * bench_vfs: open+close at depth 1 and 8, stat at depth 8, create+unlink,
 * and 4 KiB pread/pwrite of a cached file, each on skiff's ramfs (a
 * function call) and through Linux system calls on tmpfs, in the same
 * run on the same thread.  Both sides use relative paths from a current
 * directory holding the same tree.  Rounds alternate between the two
 * sides; each figure is a side's median round (of 15);
 * the ratio is Linux time over skiff time.  The machine may be shared:
 * compare ratios, and see docs/vfs.md for callgrind instruction counts.
 *
 *   SK_CPUS=2 build/bench/vfs/bench_vfs [iterations per round]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <hosted/boot.h>
#include <plat/boot.h>
#include <plat/cpu.h>
#include <plat/time.h>
#include <rcu/rcu.h>
#include <sched/cpu.h>
#include <sched/preempt.h>
#include <sched/thread.h>
#include <vfs/vfs.h>

enum { ROUNDS = 15 };

static long iters = 20000;
static char base[64];
static char page[4096];
static const char *const deep = "a/b/c/d/e/f/g/h";

/* VFS objects: plain malloc (16-byte aligned is all the VFS needs). */
static void *v_alloc(size_t len, void *ctx)
{
	void *p;

	(void)ctx;
	sk_preempt_disable();
	p = malloc(len);
	sk_preempt_enable();
	return p;
}

/* lib/sched wants 64-byte alignment (XSAVE areas). */
static void *b_alloc(size_t len, void *ctx)
{
	void *p;

	(void)ctx;
	sk_preempt_disable();
	p = aligned_alloc(64, (len + 63) & ~(size_t)63);
	sk_preempt_enable();
	return p;
}

static void b_free(void *p, size_t len, void *ctx)
{
	(void)ctx;
	(void)len;
	sk_preempt_disable();
	free(p);
	sk_preempt_enable();
}

typedef void (*op_fn)(void);

static void sk_open1(void)
{
	sk_vfs_close(sk_vfs_open("f", SK_O_RDONLY, 0));
}

static void lx_open1(void)
{
	close(open("f", O_RDONLY));
}

static void sk_open8(void)
{
	sk_vfs_close(sk_vfs_open("a/b/c/d/e/f/g/h", SK_O_RDONLY, 0));
}

static void lx_open8(void)
{
	close(open("a/b/c/d/e/f/g/h", O_RDONLY));
}

static void sk_stat8(void)
{
	struct sk_stat st;

	sk_vfs_stat("a/b/c/d/e/f/g/h", &st);
}

static void lx_stat8(void)
{
	struct stat st;

	stat("a/b/c/d/e/f/g/h", &st);
}

static void sk_creat(void)
{
	sk_vfs_close(sk_vfs_open("new", SK_O_WRONLY | SK_O_CREAT, 0644));
	sk_vfs_unlink("new");
}

static void lx_creat(void)
{
	close(open("new", O_WRONLY | O_CREAT, 0644));
	unlink("new");
}

static int skfd, lxfd;

static void sk_read4k(void)
{
	sk_vfs_pread(skfd, page, sizeof(page), 4096);
}

static void lx_read4k(void)
{
	if (pread(lxfd, page, sizeof(page), 4096) < 0)
		abort();
}

static void sk_write4k(void)
{
	sk_vfs_pwrite(skfd, page, sizeof(page), 8192);
}

static void lx_write4k(void)
{
	if (pwrite(lxfd, page, sizeof(page), 8192) < 0)
		abort();
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Mean ns per call of @fn over one round. */
static uint64_t round_ns(op_fn fn)
{
	uint64_t t0 = sk_plat_clock_ns();

	for (long i = 0; i < iters; i++)
		fn();
	return sk_plat_clock_ns() - t0;
}

/*
 * Rounds alternate between the two sides, so both see the same load on
 * a shared machine; each side's figure is its median round.
 */
static void figure(const char *name, op_fn sk, op_fn lx)
{
	uint64_t ts[ROUNDS], tl[ROUNDS];
	double a, b;

	for (int r = 0; r < ROUNDS; r++) {
		ts[r] = round_ns(sk);
		tl[r] = round_ns(lx);
	}
	sk_preempt_disable();
	qsort(ts, ROUNDS, sizeof(ts[0]), cmp_u64);
	qsort(tl, ROUNDS, sizeof(tl[0]), cmp_u64);
	a = (double)ts[ROUNDS / 2] / (double)iters;
	b = (double)tl[ROUNDS / 2] / (double)iters;
	printf("%s: skiff %.0f ns, linux-tmpfs %.0f ns, ratio %.1f\n", name, a,
	       b, b / a);
	fflush(stdout);
	sk_preempt_enable();
}

static void setup_trees(void)
{
	char p[64];

	/* a, a/b, ..., a/b/c/d/e/f/g: the directories of @deep. */
	for (size_t len = 1; len < strlen(deep); len += 2) {
		memcpy(p, deep, len);
		p[len] = '\0';
		if (sk_vfs_mkdir(p, 0755) || mkdir(p, 0755))
			abort();
	}
	memset(page, 'x', sizeof(page));
	skfd = sk_vfs_open("f", SK_O_RDWR | SK_O_CREAT, 0644);
	lxfd = open("f", O_RDWR | O_CREAT, 0644);
	if (skfd < 0 || lxfd < 0)
		abort();
	for (int i = 0; i < 4; i++)
		if (sk_vfs_write(skfd, page, 4096) != 4096 ||
		    write(lxfd, page, 4096) != 4096)
			abort();
	sk_vfs_close(sk_vfs_open(deep, SK_O_CREAT | SK_O_WRONLY, 0644));
	close(open(deep, O_CREAT | O_WRONLY, 0644));
}

/* Every measured call must succeed on both sides, or the figures lie. */
static void check_ops(void)
{
	struct sk_stat sst;
	struct stat lst;
	int sfd = sk_vfs_open(deep, SK_O_RDONLY, 0);
	int lfd = open(deep, O_RDONLY);

	if (sfd < 0 || lfd < 0 || sk_vfs_close(sfd) || close(lfd) ||
	    sk_vfs_stat(deep, &sst) || stat(deep, &lst) ||
	    sk_vfs_pread(skfd, page, sizeof(page), 4096) != 4096 ||
	    pread(lxfd, page, sizeof(page), 4096) != 4096 ||
	    sk_vfs_stat("f", &sst) || stat("f", &lst) ||
	    !SK_S_ISREG(sst.mode) || !S_ISREG(lst.st_mode))
		sk_plat_shutdown(3);
}

static void bench_main(void *arg)
{
	static const struct sk_sched_mem_ops sops = { b_alloc, b_free, NULL };
	static const struct sk_vfs_mem_ops vops = { v_alloc, b_free, NULL };
	struct sk_vfs_config cfg = { &vops, 0 };
	struct sk_cpuset cpu0;

	(void)arg;
	if (sk_sched_init(&sops) || sk_rcu_init() || sk_vfs_init(&cfg))
		sk_plat_shutdown(1);
	sk_cpuset_zero(&cpu0);
	sk_cpuset_add(&cpu0, 0);
	sk_thread_set_affinity(&cpu0);
	if (sk_vfs_mkdir("/bench", 0755) || sk_vfs_chdir("/bench") ||
	    chdir(base))
		sk_plat_shutdown(2);
	setup_trees();
	check_ops();
	figure("open+close depth 1", sk_open1, lx_open1);
	figure("open+close depth 8", sk_open8, lx_open8);
	figure("stat depth 8", sk_stat8, lx_stat8);
	figure("create+unlink", sk_creat, lx_creat);
	figure("4 KiB pread cached", sk_read4k, lx_read4k);
	figure("4 KiB pwrite cached", sk_write4k, lx_write4k);
	sk_plat_shutdown(0);
}

int main(int argc, char **argv)
{
	struct statfs fs;
	char cmd[128];
	int ret;

	if (argc > 1)
		iters = atol(argv[1]) > 0 ? atol(argv[1]) : iters;
	strcpy(base, "/dev/shm/skiff-bench-XXXXXX");
	if (!mkdtemp(base) || statfs(base, &fs) || fs.f_type != 0x01021994) {
		fprintf(stderr, "bench_vfs: needs a tmpfs /dev/shm\n");
		return 1;
	}
	printf("bench_vfs: %ld iterations x %d rounds, median; shared "
	       "machine, figures are noisy\n",
	       iters, ROUNDS);
	ret = sk_hosted_boot(NULL, bench_main, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if (system(cmd))
		ret = ret ? ret : 1;
	return ret;
}
