// SPDX-License-Identifier: MIT
/*
 * The dentry cache: negative entries answer repeated misses and are
 * replaced by every way of making the name; trimming shrinks the cache
 * (negative entries first, mount points and their ancestors pinned) and
 * every lookup still finds what it found before; the bound holds while
 * names are looked up; the current directory survives a trim.
 */
#include <errno.h>
#include <string.h>

#include <plat/compiler.h>

#include "harness.h"

enum { NFILES = 300, NMISSES = 1000 };

static uint64_t inos[NFILES];

/* "@dir/@pre@i" (no snprintf: the KVM test image has none). */
static void name_of(char *out, size_t cap, const char *dir, const char *pre,
		    int i)
{
	char num[12];
	size_t n = 0, dl = strlen(dir), pl = strlen(pre);

	do {
		num[n++] = (char)('0' + i % 10);
		i /= 10;
	} while (i);
	assert_true(dl + 1 + pl + n < cap);
	memcpy(out, dir, dl);
	out[dl] = '/';
	memcpy(out + dl + 1, pre, pl);
	for (size_t k = 0; k < n; k++)
		out[dl + 1 + pl + k] = num[n - 1 - k];
	out[dl + 1 + pl + n] = '\0';
}

static struct sk_vfs_dcache_stats stats(void)
{
	struct sk_vfs_dcache_stats st;

	sk_vfs_dcache_stats(&st);
	return st;
}

static void test_dcache_negative_entries_replaced_on_create(void **state)
{
	struct sk_vfs_dcache_stats before = stats(), after;
	struct sk_stat st;
	char p[64];
	int fd;

	(void)state;
	assert_int_equal(sk_vfs_mkdir("/neg", 0755), 0);
	for (int i = 0; i < 100; i++) {
		name_of(p, sizeof(p), "/neg", "n", i);
		assert_int_equal(sk_vfs_stat(p, &st), -ENOENT);
		assert_int_equal(sk_vfs_stat(p, &st), -ENOENT);
	}
	after = stats();
	assert_true(after.negative >= before.negative + 100);
	/* Each way of making a name must replace its negative entry. */
	fd = sk_vfs_open("/neg/n0", SK_O_WRONLY | SK_O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(sk_vfs_close(fd), 0);
	assert_int_equal(sk_vfs_stat("/neg/n0", &st), 0);
	assert_int_equal(sk_vfs_mkdir("/neg/n1", 0755), 0);
	assert_int_equal(sk_vfs_stat("/neg/n1", &st), 0);
	assert_int_equal(sk_vfs_symlink("n0", "/neg/n2"), 0);
	assert_int_equal(sk_vfs_lstat("/neg/n2", &st), 0);
	assert_int_equal(sk_vfs_link("/neg/n0", "/neg/n3"), 0);
	assert_int_equal(sk_vfs_stat("/neg/n3", &st), 0);
	assert_int_equal(sk_vfs_rename("/neg/n3", "/neg/n4"), 0);
	assert_int_equal(sk_vfs_stat("/neg/n4", &st), 0);
	assert_int_equal(sk_vfs_stat("/neg/n3", &st), -ENOENT);
	/* ...and removing it leaves an answer that says so. */
	assert_int_equal(sk_vfs_unlink("/neg/n4"), 0);
	assert_int_equal(sk_vfs_stat("/neg/n4", &st), -ENOENT);
	assert_int_equal(sk_vfs_rmdir("/neg/n1"), 0);
	assert_int_equal(sk_vfs_stat("/neg/n1", &st), -ENOENT);
	assert_int_equal(sk_vfs_mkdir("/neg/n1", 0700), 0);
	assert_int_equal(sk_vfs_stat("/neg/n1", &st), 0);
	assert_int_equal(st.mode, SK_S_IFDIR | 0700);
	/* A name made inside a removed directory's place is found too. */
	assert_int_equal(sk_vfs_stat("/neg/n1/x", &st), -ENOENT);
	assert_int_equal(sk_vfs_rmdir("/neg/n1"), 0);
	assert_int_equal(sk_vfs_mkdir("/neg/n1", 0755), 0);
	vt_put_file("/neg/n1/x", "", 0);
	assert_int_equal(sk_vfs_stat("/neg/n1/x", &st), 0);
}

static void make_tree(void)
{
	struct sk_stat st;
	char p[64];

	assert_int_equal(sk_vfs_mkdir("/tr", 0755), 0);
	assert_int_equal(sk_vfs_mkdir("/tr/dev", 0755), 0);
	assert_int_equal(sk_vfs_mount("dev", "/tr/dev", "devfs", 0, NULL), 0);
	for (int i = 0; i < NFILES; i++) {
		name_of(p, sizeof(p), "/tr", "f", i);
		vt_put_file(p, "", 0);
		assert_int_equal(sk_vfs_stat(p, &st), 0);
		inos[i] = st.ino;
		name_of(p, sizeof(p), "/tr", "missing", i);
		assert_int_equal(sk_vfs_stat(p, &st), -ENOENT);
	}
	assert_int_equal(sk_vfs_stat("/tr/dev/null", &st), 0);
	assert_int_equal(sk_vfs_stat("/tr/dev/nosuch", &st), -ENOENT);
}

static void check_tree(void)
{
	struct sk_stat st;
	char p[64];

	for (int i = 0; i < NFILES; i++) {
		name_of(p, sizeof(p), "/tr", "f", i);
		assert_int_equal(sk_vfs_stat(p, &st), 0);
		assert_int_equal(st.ino, inos[i]);
		name_of(p, sizeof(p), "/tr", "missing", i);
		assert_int_equal(sk_vfs_stat(p, &st), -ENOENT);
	}
	assert_int_equal(sk_vfs_stat("/tr/dev/null", &st), 0);
	assert_true(SK_S_ISCHR(st.mode));
	assert_int_equal(sk_vfs_stat("/tr/dev/nosuch", &st), -ENOENT);
}

static void test_dcache_trim_shrinks_and_lookups_still_work(void **state)
{
	struct sk_vfs_dcache_stats full, trimmed;
	size_t n;

	(void)state;
	make_tree();
	full = stats();
	assert_true(full.entries >= 2 * NFILES);
	assert_true(full.negative >= NFILES);
	/* Negative entries go first. */
	n = sk_vfs_dcache_trim(full.entries - NFILES / 2);
	assert_true(n >= NFILES / 2);
	trimmed = stats();
	assert_true(trimmed.negative <= full.negative - NFILES / 2);
	assert_int_equal(trimmed.entries + n, full.entries);
	/* Everything unpinned goes: what is left is the mount point "dev"
	 * and "tr", pinned by its cached child. */
	n = sk_vfs_dcache_trim(0);
	trimmed = stats();
	assert_int_equal(trimmed.negative, 0);
	assert_true(trimmed.entries <= 2);
	assert_true(trimmed.trimmed >= full.trimmed + n);
	check_tree();
	assert_true(stats().entries >= 2 * NFILES);
	check_tree();
}

static void test_dcache_bound_holds_during_lookups(void **state)
{
	struct sk_vfs_dcache_stats st0 = stats(), st;
	struct sk_stat s;
	char p[64];

	(void)state;
	assert_int_equal(sk_vfs_dcache_set_limit(8), -EINVAL);
	assert_int_equal(sk_vfs_dcache_set_limit(64), 0);
	assert_true(stats().entries <= 64);
	assert_int_equal(sk_vfs_mkdir("/bd", 0755), 0);
	for (int i = 0; i < NMISSES; i++) {
		name_of(p, sizeof(p), "/bd", "m", i);
		assert_int_equal(sk_vfs_stat(p, &s), -ENOENT);
		if (i % 3 == 0) {
			vt_put_file(p, "", 0);
			assert_int_equal(sk_vfs_stat(p, &s), 0);
		}
		st = stats();
		assert_true(st.entries <= 64);
	}
	assert_true(stats().trimmed > st0.trimmed);
	for (int i = 0; i < NMISSES; i++) {
		name_of(p, sizeof(p), "/bd", "m", i);
		assert_int_equal(sk_vfs_stat(p, &s), i % 3 == 0 ? 0 : -ENOENT);
	}
	assert_int_equal(sk_vfs_dcache_set_limit(65536), 0);
	assert_int_equal(stats().limit, 65536);
}

static void test_dcache_trim_keeps_cwd_usable(void **state)
{
	struct sk_stat st;
	char cwd[64];

	(void)state;
	assert_int_equal(sk_vfs_mkdir("/cw", 0755), 0);
	assert_int_equal(sk_vfs_mkdir("/cw/in", 0755), 0);
	vt_put_file("/cw/in/f", "abc", 3);
	assert_int_equal(sk_vfs_chdir("/cw/in"), 0);
	(void)sk_vfs_dcache_trim(0);
	assert_int_equal(sk_vfs_stat("f", &st), 0);
	assert_int_equal(st.size, 3);
	assert_int_equal(sk_vfs_stat("../in/f", &st), 0);
	assert_int_equal(sk_vfs_getcwd(cwd, sizeof(cwd)), 7);
	assert_string_equal(cwd, "/cw/in");
	(void)sk_vfs_dcache_trim(0);
	assert_int_equal(sk_vfs_rename("/cw/in", "/cw/out"), 0);
	assert_int_equal(sk_vfs_getcwd(cwd, sizeof(cwd)), 8);
	assert_string_equal(cwd, "/cw/out");
	assert_int_equal(sk_vfs_stat("/cw/in", &st), -ENOENT);
	assert_int_equal(sk_vfs_chdir("/"), 0);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		sk_test(test_dcache_negative_entries_replaced_on_create),
		sk_test(test_dcache_trim_shrinks_and_lookups_still_work),
		sk_test(test_dcache_bound_holds_during_lookups),
		sk_test(test_dcache_trim_keeps_cwd_usable),
	};

	return vt_main("vfs_dcache", tests, SK_ARRAY_LEN(tests));
}
