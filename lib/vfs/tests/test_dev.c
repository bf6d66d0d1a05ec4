// SPDX-License-Identifier: MIT
/*
 * devfs and procfs: the character devices' semantics, the ChaCha20
 * block function against RFC 8439's test vector, the CSPRNG's output
 * (distinct, not constant), and the procfs files' contents.
 */
#include <errno.h>
#include <string.h>

#include <plat/compiler.h>

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
		vt_test(test_devfs_null_zero_full_behave),
		vt_test(test_chacha20_matches_rfc8439),
		vt_test(test_devfs_random_is_not_constant),
		vt_test(test_procfs_files_report_state),
	};

	return vt_main("vfs_dev", tests, SK_ARRAY_LEN(tests));
}
