// SPDX-License-Identifier: MIT
/*
 * Concurrency stress on a ramfs mount: threads create, write, read,
 * rename, link, unlink, mkdir and rmdir in a shared directory and move a
 * deep subtree back and forth while others walk through it, each also
 * keeping a private directory whose exact state it checks.  Threads
 * record the first broken expectation (no asserts off the main flow);
 * at the end every file must hold whole writes, and unmounting must find
 * every vnode freed (lib/vfs panics on a leak).  Meanwhile the dentry
 * cache is trimmed on demand and by its bound.  Run under TSan too.
 */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include <plat/compiler.h>
#include <sched/thread.h>

#include "harness.h"

enum { NTHREADS = 6, NNAMES = 12, FILE_LEN = 96 };

static atomic_int failures, first_line, first_code;
static atomic_int stop_movers;
static unsigned remounts; /* remounter_fn only; read after join */
static unsigned trims; /* trimmer_fn only; read after join */

static void note(int line, long code)
{
	if (atomic_fetch_add_explicit(&failures, 1, memory_order_relaxed) ==
	    0) {
		atomic_store_explicit(&first_line, line, memory_order_relaxed);
		atomic_store_explicit(&first_code, (int)code,
				      memory_order_relaxed);
	}
}

#define EXPECT(cond, code)                      \
	do {                                    \
		if (!(cond))                    \
			note(__LINE__, (code)); \
	} while (0)

static uint64_t xs(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void name_of(char *out, const char *dir, unsigned i)
{
	size_t n = strlen(dir);

	memcpy(out, dir, n);
	out[n] = '/';
	out[n + 1] = (char)('a' + i % 26);
	out[n + 2] = (char)('0' + i / 26);
	out[n + 3] = '\0';
}

/* "/st/shared/x" or, a third of the time, "/st/shared/x/y": renames and
 * links then cross directories, and directories get filled. */
static void shared_name(char *out, uint64_t *rs)
{
	name_of(out, "/st/shared", (unsigned)(xs(rs) % NNAMES));
	if (xs(rs) % 3 == 0) {
		char dir[32];

		memcpy(dir, out, strlen(out) + 1);
		name_of(out, dir, (unsigned)(xs(rs) % 4));
	}
}

/* A file's content is FILE_LEN copies of one byte: torn writes show. */
static void check_uniform(int fd)
{
	unsigned char b[FILE_LEN + 8];
	long n = sk_vfs_pread(fd, b, sizeof(b), 0);

	EXPECT(n == 0 || n == FILE_LEN, n);
	for (long i = 1; i < n; i++)
		EXPECT(b[i] == b[0], b[i]);
}

/* /sdev comes and goes (remounter_fn): it is devfs or an empty dir. */
static void dev_op(void)
{
	unsigned char z[16] = { 1 };
	struct sk_stat st;
	long r;
	int fd;

	r = sk_vfs_stat("/sdev/null", &st);
	EXPECT(r == -ENOENT || (r == 0 && SK_S_ISCHR(st.mode)), r);
	fd = sk_vfs_open("/sdev/zero", SK_O_RDONLY, 0);
	EXPECT(fd >= 0 || fd == -ENOENT, fd);
	if (fd < 0)
		return;
	r = sk_vfs_read(fd, z, sizeof(z));
	EXPECT(r == sizeof(z) && z[0] == 0 && z[15] == 0, r);
	EXPECT(sk_vfs_close(fd) == 0, 0);
}

static void shared_op(uint64_t *rs)
{
	char a[32], b[32];
	unsigned char data[FILE_LEN];
	struct sk_stat st;
	long r;
	int fd;

	shared_name(a, rs);
	shared_name(b, rs);
	switch (xs(rs) % 7) {
	case 0:
		fd = sk_vfs_open(a, SK_O_RDWR | SK_O_CREAT, 0644);
		EXPECT(fd >= 0 || fd == -EISDIR || fd == -ENOENT ||
			       fd == -ENOTDIR,
		       fd);
		if (fd < 0)
			break;
		memset(data, (int)(xs(rs) & 0xff), sizeof(data));
		r = sk_vfs_pwrite(fd, data, sizeof(data), 0);
		EXPECT(r == FILE_LEN, r);
		check_uniform(fd);
		EXPECT(sk_vfs_close(fd) == 0, 0);
		break;
	case 1:
		r = sk_vfs_rename(a, b);
		EXPECT(r == 0 || r == -ENOENT || r == -EISDIR ||
			       r == -ENOTDIR || r == -ENOTEMPTY || r == -EINVAL,
		       r);
		break;
	case 2:
		r = sk_vfs_unlink(a);
		EXPECT(r == 0 || r == -ENOENT || r == -EISDIR || r == -ENOTDIR,
		       r);
		break;
	case 3:
		r = sk_vfs_link(a, b);
		EXPECT(r == 0 || r == -ENOENT || r == -EEXIST || r == -EPERM ||
			       r == -ENOTDIR,
		       r);
		break;
	case 4:
		r = sk_vfs_mkdir(a, 0755);
		EXPECT(r == 0 || r == -EEXIST || r == -ENOENT || r == -ENOTDIR,
		       r);
		r = sk_vfs_rmdir(b);
		EXPECT(r == 0 || r == -ENOENT || r == -ENOTDIR ||
			       r == -ENOTEMPTY,
		       r);
		break;
	case 5:
		fd = sk_vfs_open(a, SK_O_RDONLY, 0);
		if (fd >= 0) {
			if (sk_vfs_fstat(fd, &st) == 0 && SK_S_ISREG(st.mode))
				check_uniform(fd);
			EXPECT(sk_vfs_close(fd) == 0, 0);
		} else {
			EXPECT(fd == -ENOENT || fd == -ENOTDIR, fd);
		}
		break;
	default:
		r = sk_vfs_stat("/st/deep/a/b/c/d/e/f/g/h", &st);
		EXPECT(r == 0 || r == -ENOENT, r);
		dev_op();
		break;
	}
}

/* The caller's private directory: exact expectations. */
static void private_op(const char *dir, uint64_t *rs)
{
	char a[32], b[32];
	unsigned char d[FILE_LEN], got[FILE_LEN];
	struct sk_stat st;
	int fd;

	name_of(a, dir, (unsigned)(xs(rs) % 4));
	name_of(b, dir, 4 + (unsigned)(xs(rs) % 4));
	memset(d, (int)(xs(rs) & 0xff), sizeof(d));
	fd = sk_vfs_open(a, SK_O_RDWR | SK_O_CREAT | SK_O_EXCL, 0600);
	EXPECT(fd >= 0, fd);
	if (fd < 0)
		return;
	EXPECT(sk_vfs_write(fd, d, sizeof(d)) == FILE_LEN, 0);
	EXPECT(sk_vfs_rename(a, b) == 0, 0);
	EXPECT(sk_vfs_stat(a, &st) == -ENOENT, 0);
	EXPECT(sk_vfs_stat(b, &st) == 0 && st.size == FILE_LEN, st.size);
	EXPECT(sk_vfs_unlink(b) == 0, 0);
	EXPECT(sk_vfs_pread(fd, got, sizeof(got), 0) == FILE_LEN, 0);
	EXPECT(memcmp(got, d, sizeof(d)) == 0, 0);
	EXPECT(sk_vfs_close(fd) == 0, 0);
}

struct worker {
	unsigned id;
	int dfd; /* the deep subtree's "c" */
	struct sk_thread *t;
};

/* The deep subtree's "c" as a directory fd, wherever the mover has it. */
static int deep_open(void)
{
	static const char *const where[] = { "/st/deep/a/b/c",
					     "/st/deep/x/b/c" };
	int fd;

	for (unsigned i = 0;; i++) {
		fd = sk_vfs_open(where[i & 1], SK_O_RDONLY | SK_O_DIRECTORY, 0);
		if (fd >= 0)
			return fd;
		sk_thread_yield();
	}
}

/* Lookups from a directory fd do not care where its directory moved. */
static void deep_at_op(int dfd)
{
	struct sk_stat st;
	long r;

	r = sk_vfs_fstatat(dfd, "d/e/f/g/h", &st, 0);
	EXPECT(r == 0 && SK_S_ISDIR(st.mode), r);
	r = sk_vfs_faccessat(dfd, "d/e", SK_X_OK, 0);
	EXPECT(r == 0, r);
	r = sk_vfs_fstatat(dfd, "..", &st, 0);
	EXPECT(r == 0, r);
	r = sk_vfs_fstatat(dfd, "d/nothing", &st, 0);
	EXPECT(r == -ENOENT, r);
}

static void worker_fn(void *arg)
{
	struct worker *w = arg;
	uint64_t rs = 0x9e3779b97f4a7c15ull * (w->id + 1);
	char dir[32] = "/st/t0";

	dir[5] = (char)('0' + w->id);
	EXPECT(sk_vfs_mkdir(dir, 0700) == 0, 0);
	w->dfd = deep_open();
	for (int i = 0; i < 4000 * STRESS_SCALE; i++) {
		if (i % 4 == 0)
			private_op(dir, &rs);
		else if (i % 16 == 1)
			deep_at_op(w->dfd);
		else
			shared_op(&rs);
		if (i % 64 == 0)
			sk_thread_yield();
	}
	EXPECT(sk_vfs_close(w->dfd) == 0, w->dfd);
}

/* Moves the deep subtree away and back while others walk through it. */
static void mover_fn(void *arg)
{
	long r;

	(void)arg;
	while (!atomic_load_explicit(&stop_movers, memory_order_relaxed)) {
		r = sk_vfs_rename("/st/deep/a", "/st/deep/x");
		EXPECT(r == 0, r);
		r = sk_vfs_rename("/st/deep/x", "/st/deep/a");
		EXPECT(r == 0, r);
		sk_thread_yield();
	}
}

/* Mounts and unmounts devfs under the walkers: busy detection, drain. */
static void remounter_fn(void *arg)
{
	long r;

	(void)arg;
	while (!atomic_load_explicit(&stop_movers, memory_order_relaxed)) {
		r = sk_vfs_mount("dev", "/sdev", "devfs", 0, NULL);
		EXPECT(r == 0, r);
		sk_thread_yield();
		while ((r = sk_vfs_umount("/sdev")) == -EBUSY)
			sk_thread_yield();
		EXPECT(r == 0, r);
		remounts++;
	}
}

/* Trims the dentry cache under the walkers (a bound of 256 makes the
 * adders trim too). */
static void trimmer_fn(void *arg)
{
	size_t target = 0;

	(void)arg;
	while (!atomic_load_explicit(&stop_movers, memory_order_relaxed)) {
		(void)sk_vfs_dcache_trim(target);
		target = (target + 37) % 200;
		trims++;
		sk_thread_yield();
	}
}

static void test_stress_concurrent_namespace_stays_consistent(void **state)
{
	struct worker w[NTHREADS];
	struct sk_thread *mover, *remounter, *trimmer;
	struct sk_vfs_dcache_stats dst;
	char path[64] = "/st/deep";
	struct sk_stat st;

	(void)state;
	assert_int_equal(sk_vfs_mkdir("/st", 0755), 0);
	assert_int_equal(sk_vfs_mount("stress", "/st", "ramfs", 0, NULL), 0);
	assert_int_equal(sk_vfs_mkdir("/st/shared", 0755), 0);
	assert_int_equal(sk_vfs_mkdir(path, 0755), 0);
	for (char c = 'a'; c <= 'h'; c++) {
		size_t n = strlen(path);

		path[n] = '/';
		path[n + 1] = c;
		path[n + 2] = '\0';
		assert_int_equal(sk_vfs_mkdir(path, 0755), 0);
	}
	assert_int_equal(sk_vfs_mkdir("/sdev", 0755), 0);
	assert_int_equal(sk_vfs_dcache_set_limit(256), 0);
	mover = sk_test_spawn(~0u, mover_fn, NULL);
	trimmer = sk_test_spawn(~0u, trimmer_fn, NULL);
	remounter = sk_test_spawn(~0u, remounter_fn, NULL);
	for (unsigned i = 0; i < NTHREADS; i++) {
		w[i].id = i;
		w[i].t = sk_test_spawn(~0u, worker_fn, &w[i]);
	}
	for (unsigned i = 0; i < NTHREADS; i++)
		assert_int_equal(sk_thread_join(w[i].t), 0);
	atomic_store_explicit(&stop_movers, 1, memory_order_relaxed);
	assert_int_equal(sk_thread_join(mover), 0);
	assert_int_equal(sk_thread_join(remounter), 0);
	assert_int_equal(sk_thread_join(trimmer), 0);
	assert_true(remounts > 0);
	assert_true(trims > 0);
	sk_vfs_dcache_stats(&dst);
	assert_true(dst.trimmed > 0);
	if (atomic_load(&failures))
		print_error("%d failures; first at line %d, code %d\n",
			    atomic_load(&failures), atomic_load(&first_line),
			    atomic_load(&first_code));
	assert_int_equal(atomic_load(&failures), 0);
	assert_int_equal(sk_vfs_stat("/st/deep/a/b/c/d/e/f/g/h", &st), 0);
	/* Every vnode of the mount must be freed: lib/vfs checks. */
	assert_int_equal(sk_vfs_umount("/st"), 0);
	assert_int_equal(sk_vfs_rmdir("/st"), 0);
}

/*
 * Type-stable files: fd 500 is switched between files "a" and "b" (dup2,
 * close) while another thread opens and closes "c", whose open file
 * reuses the memory of the ones just closed.  Readers of fd 500 must see
 * "a", "b" or -EBADF, never "c": sk_vfs_fd_get must notice a reuse.
 */
enum { FR_FD = 500, FR_SEEN = 2000 };

static atomic_uint fr_seen; /* successful reads of FR_FD */

static void fr_swapper(void *arg)
{
	static const char *const names[] = { "/fr/a", "/fr/b" };
	long r;

	(void)arg;
	/* Until the readers have seen enough, and at least this long. */
	for (int i = 0; i < 20000 * STRESS_SCALE ||
			atomic_load_explicit(&fr_seen, memory_order_relaxed) <
				FR_SEEN * STRESS_SCALE;
	     i++) {
		int fd = sk_vfs_open(names[i & 1], SK_O_RDONLY, 0);

		EXPECT(fd >= 0, fd);
		r = sk_vfs_dup2(fd, FR_FD);
		EXPECT(r == FR_FD, r);
		EXPECT(sk_vfs_close(fd) == 0, 0);
		if (i % 3 == 0)
			EXPECT(sk_vfs_close(FR_FD) == 0, 0);
		if (i % 256 == 0)
			sk_thread_yield();
	}
	atomic_store_explicit(&stop_movers, 1, memory_order_relaxed);
}

static void fr_churner(void *arg)
{
	char c;

	(void)arg;
	while (!atomic_load_explicit(&stop_movers, memory_order_relaxed)) {
		int fd = sk_vfs_open("/fr/c", SK_O_RDONLY, 0);

		EXPECT(fd >= 0, fd);
		EXPECT(sk_vfs_pread(fd, &c, 1, 0) == 1 && c == 'c', c);
		EXPECT(sk_vfs_close(fd) == 0, 0);
	}
}

static void fr_reader(void *arg)
{
	long n;
	char c;

	(void)arg;
	while (!atomic_load_explicit(&stop_movers, memory_order_relaxed)) {
		n = sk_vfs_pread(FR_FD, &c, 1, 0);
		if (n == 1) {
			EXPECT(c == 'a' || c == 'b', c);
			atomic_fetch_add_explicit(&fr_seen, 1,
						  memory_order_relaxed);
		} else {
			EXPECT(n == -EBADF, n);
		}
	}
}

static void test_stress_fd_reuse_never_shows_another_file(void **state)
{
	struct sk_thread *t[4];

	(void)state;
	atomic_store(&stop_movers, 0);
	atomic_store(&failures, 0);
	assert_int_equal(sk_vfs_mkdir("/fr", 0755), 0);
	vt_put_file("/fr/a", "a", 1);
	vt_put_file("/fr/b", "b", 1);
	vt_put_file("/fr/c", "c", 1);
	t[0] = sk_test_spawn(~0u, fr_reader, NULL);
	t[1] = sk_test_spawn(~0u, fr_reader, NULL);
	t[2] = sk_test_spawn(~0u, fr_churner, NULL);
	t[3] = sk_test_spawn(~0u, fr_swapper, NULL);
	for (int i = 0; i < 4; i++)
		assert_int_equal(sk_thread_join(t[i]), 0);
	if (atomic_load(&failures))
		print_error("%d failures; first at line %d, code %d\n",
			    atomic_load(&failures), atomic_load(&first_line),
			    atomic_load(&first_code));
	assert_int_equal(atomic_load(&failures), 0);
	assert_true(atomic_load(&fr_seen) >= FR_SEEN * STRESS_SCALE);
	(void)sk_vfs_close(FR_FD);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		sk_test(test_stress_concurrent_namespace_stays_consistent),
		sk_test(test_stress_fd_reuse_never_shows_another_file),
	};

	return vt_main("vfs_stress", tests, SK_ARRAY_LEN(tests));
}
