// SPDX-License-Identifier: MIT
/*
 * devfs and procfs: the character devices' semantics, the ChaCha20
 * block function against RFC 8439's test vector, the CSPRNG's output
 * (distinct, not constant), and the procfs files' contents.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include <plat/compiler.h>
#include <sched/preempt.h>
#include <sched/thread.h>
#include <sched/wait.h>

#include "chacha.h"
#include "harness.h"

static char buf[8192];

static void test_devfs_null_zero_full_behave(void **state)
{
	struct sk_stat st;
	int fd;

	(void)state;
	assert_int_equal(sk_vfs_mkdir("/dev", 0755), 0);
	assert_int_equal(sk_vfs_mount("dev", "/dev", "devfs", 0, NULL), 0);
	assert_int_equal(sk_vfs_stat("/dev/null", &st), 0);
	assert_int_equal(st.mode, SK_S_IFCHR | 0666);
	assert_int_equal(st.rdev, (1 << 8) | 3);
	fd = sk_vfs_open("/dev/null", SK_O_RDWR, 0);
	assert_int_equal(sk_vfs_write(fd, "abc", 3), 3);
	assert_int_equal(sk_vfs_read(fd, buf, 10), 0);
	assert_int_equal(sk_vfs_close(fd), 0);
	fd = sk_vfs_open("/dev/zero", SK_O_RDONLY, 0);
	memset(buf, 1, 100);
	assert_int_equal(sk_vfs_read(fd, buf, 100), 100);
	for (int i = 0; i < 100; i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(sk_vfs_close(fd), 0);
	fd = sk_vfs_open("/dev/full", SK_O_WRONLY, 0);
	assert_int_equal(sk_vfs_write(fd, "x", 1), -ENOSPC);
	assert_int_equal(sk_vfs_close(fd), 0);
	fd = sk_vfs_open("/dev/console", SK_O_WRONLY, 0);
	assert_int_equal(sk_vfs_write(fd, "devfs console ok\n", 17), 17);
	assert_int_equal(sk_vfs_close(fd), 0);
	assert_int_equal(sk_vfs_mkdir("/dev/x", 0755), -EPERM);
	assert_int_equal(sk_vfs_unlink("/dev/null"), -EPERM);
	assert_int_equal(sk_vfs_open("/dev/nope", SK_O_RDONLY, 0), -ENOENT);
}

static void test_chacha20_matches_rfc8439(void **state)
{
	/* RFC 8439 section 2.3.2. */
	static const uint8_t want[16] = { 0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b,
					  0x59, 0x15, 0x50, 0x0f, 0xdd, 0x1f,
					  0xa3, 0x20, 0x71, 0xc4 };
	uint32_t key[8], nonce[3] = { 0x09000000, 0x4a000000, 0 };
	uint8_t out[64];

	(void)state;
	for (int i = 0; i < 8; i++)
		key[i] = (uint32_t)(4 * i) | (uint32_t)(4 * i + 1) << 8 |
			 (uint32_t)(4 * i + 2) << 16 |
			 (uint32_t)(4 * i + 3) << 24;
	sk_vfs_chacha20_block(key, 1, nonce, out);
	assert_memory_equal(out, want, sizeof(want));
	assert_int_equal(out[63], 0x4e);
}

static void test_devfs_random_is_not_constant(void **state)
{
	static char a[4096], b[4096];
	int fd, counts[256] = { 0 };

	(void)state;
	fd = sk_vfs_open("/dev/urandom", SK_O_RDONLY, 0);
	assert_int_equal(sk_vfs_read(fd, a, sizeof(a)), (long)sizeof(a));
	assert_int_equal(sk_vfs_read(fd, b, sizeof(b)), (long)sizeof(b));
	assert_memory_not_equal(a, b, sizeof(a));
	for (size_t i = 0; i < sizeof(a); i++)
		counts[(unsigned char)a[i]]++;
	/* 4096 bytes over 256 values: every count far below 64. */
	for (int i = 0; i < 256; i++)
		assert_true(counts[i] < 64);
	assert_int_equal(sk_vfs_close(fd), 0);
	fd = sk_vfs_open("/dev/random", SK_O_RDONLY, 0);
	assert_int_equal(sk_vfs_read(fd, buf, 8192), 8192);
	assert_int_equal(sk_vfs_close(fd), 0);
}

static long read_all(const char *path)
{
	int fd = sk_vfs_open(path, SK_O_RDONLY, 0);
	long n = 0, got;

	assert_true(fd >= 0);
	/* Small reads: the snapshot must come out whole. */
	while ((got = sk_vfs_read(fd, buf + n, 7)) > 0)
		n += got;
	assert_int_equal(got, 0);
	buf[n] = '\0';
	assert_int_equal(sk_vfs_close(fd), 0);
	return n;
}

static atomic_uint proc_go;

static void proc_sleeper(void *arg)
{
	(void)arg;
	sk_wait_prepare();
	while (!atomic_load(&proc_go)) {
		sk_wait();
		sk_wait_prepare();
	}
	sk_wait_finish();
}

/* The /proc/threads line of thread @id, copied to @line; false if none. */
static bool thread_line_of(uint64_t id, char *line, size_t cap)
{
	char key[32];
	const char *p = buf, *e;
	size_t n;

	n = sizeof(key) - 1;
	key[n] = '\0';
	key[--n] = '\t';
	do { /* no snprintf: libc, and the test body is preemptible */
		key[--n] = (char)('0' + id % 10);
		id /= 10;
	} while (id);
	memmove(key, key + n, sizeof(key) - n);
	for (; *p; p = e + 1) {
		e = strchr(p, '\n');
		if (!e)
			return false;
		n = (size_t)(e - p);
		if (!strncmp(p, key, strlen(key)) && n < cap) {
			memcpy(line, p, n);
			line[n] = '\0';
			return true;
		}
	}
	return false;
}

static unsigned count_lines_with(const char *s)
{
	unsigned n = 0;

	for (const char *p = strstr(buf, s); p; p = strstr(p + 1, s))
		n++;
	return n;
}

/* /proc/threads lists every thread: a named sleeper (and not once it is
 * joined), the caller running, one idle thread per CPU. */
static void check_proc_threads(void)
{
	struct sk_thread_attr a = { 0 };
	struct sk_thread *t = NULL;
	char line[256];
	uint64_t id;
	bool asleep = false;

	atomic_store(&proc_go, 0);
	a.name = "procfs-w";
	a.prio = 48;
	assert_int_equal(sk_thread_create(&t, &a, proc_sleeper, NULL), 0);
	id = sk_thread_id(t);
	for (unsigned k = 0; k < 5000 && !asleep; k++) {
		read_all("/proc/threads");
		asleep = thread_line_of(id, line, sizeof(line)) &&
			 strstr(line, "\tstate sleeping\t");
		if (!asleep)
			sk_thread_sleep_for(100000);
	}
	assert_true(asleep);
	assert_non_null(strstr(line, "\tname procfs-w\t"));
	assert_non_null(strstr(line, "\tclass fair\tprio 48\ttime_ns "));
	assert_true(thread_line_of(sk_thread_id(sk_thread_current()), line,
				   sizeof(line)));
	assert_non_null(strstr(line, "\tname main\tstate running\tcpu 0\t"));
	assert_int_equal(count_lines_with("\tname idle\t"), 2);
	assert_int_equal(count_lines_with("\tclass idle\t"), 2);
	assert_int_equal(count_lines_with("\tname procfs-w\t"), 1);
	sk_preempt_disable(); /* until the wake returns (sched/wait.h) */
	atomic_store(&proc_go, 1);
	sk_thread_wake(t);
	sk_preempt_enable();
	assert_int_equal(sk_thread_join(t), 0);
	read_all("/proc/threads");
	assert_false(thread_line_of(id, line, sizeof(line)));
	assert_int_equal(count_lines_with("\tname procfs-w\t"), 0);
}

static void test_procfs_files_report_state(void **state)
{
	int fd;

	(void)state;
	assert_int_equal(sk_vfs_mkdir("/proc", 0555), 0);
	assert_int_equal(sk_vfs_mount("proc", "/proc", "procfs", 0, NULL), 0);
	read_all("/proc/meminfo");
	assert_non_null(strstr(buf, "MemTotal:\t"));
	assert_null(strstr(buf, "MemTotal:\t0 kB"));
	read_all("/proc/cpuinfo");
	assert_non_null(strstr(buf, "processor:\t0\n"));
	assert_non_null(strstr(buf, "processor:\t1\n"));
	read_all("/proc/mounts");
	assert_non_null(strstr(buf, "rootfs / ramfs rw"));
	assert_non_null(strstr(buf, "dev /dev devfs rw"));
	assert_non_null(strstr(buf, "proc /proc procfs rw"));
	fd = sk_vfs_open("/dev/null", SK_O_RDONLY, 0);
	read_all("/proc/self/fd");
	assert_non_null(strstr(buf, "ino "));
	assert_int_equal(sk_vfs_close(fd), 0);
	read_all("/proc/self/status");
	assert_non_null(strstr(buf, "Name:\tmain\n"));
	read_all("/proc/threads");
	assert_non_null(strstr(buf, "self\tmain"));
	check_proc_threads();
	fd = sk_vfs_open("/proc/meminfo", SK_O_WRONLY, 0);
	assert_true(fd >= 0);
	assert_int_equal(sk_vfs_write(fd, "x", 1), -EINVAL);
	assert_int_equal(sk_vfs_umount("/proc"), -EBUSY);
	assert_int_equal(sk_vfs_close(fd), 0);
	assert_int_equal(sk_vfs_umount("/proc"), 0);
	assert_int_equal(sk_vfs_umount("/dev"), 0);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		sk_test(test_devfs_null_zero_full_behave),
		sk_test(test_chacha20_matches_rfc8439),
		sk_test(test_devfs_random_is_not_constant),
		sk_test(test_procfs_files_report_state),
	};

	return vt_main("vfs_dev", tests, SK_ARRAY_LEN(tests));
}
