// SPDX-License-Identifier: MIT
/*
 * Differential test: the same random operation sequences run on a Linux
 * tmpfs directory (through system calls) and on skiff's ramfs; every
 * return value and errno must agree, and so must data read back, stat
 * fields (type, permissions, size of files and links, link counts) and
 * directory listings.  Paths come from a small pool of names so that
 * operations collide; symlink targets are relative.  Linux calls run with
 * preemption disabled so errno stays this thread's.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <plat/compiler.h>

#include "diff.h"

#define TMPFS_MAGIC_NR 0x01021994

_Static_assert(SK_O_CREAT == O_CREAT && SK_O_EXCL == O_EXCL &&
		       SK_O_TRUNC == O_TRUNC && SK_O_APPEND == O_APPEND &&
		       SK_O_DIRECTORY == O_DIRECTORY &&
		       SK_O_NOFOLLOW == O_NOFOLLOW,
	       "skiff open flags use Linux numbers");

char base[128];
static int nseqs = 40 * STRESS_SCALE;
static int first_seq; /* VFS_DIFF_FIRST */
int trace; /* VFS_DIFF_TRACE */
int creat_dir_einval; /* this kernel refuses O_CREAT|O_DIRECTORY */
static uint64_t seed;
int seq, opno;
char lpath[600], spath[600], lpath2[600], spath2[600];
char rel[256], rel2[256];
int ltop = -1, stop = -1;
int have_fchmodat2;
char ltopdir[200], stopdir[200];
static unsigned char wbuf[MAXIO], lbuf[MAXIO], sbuf[MAXIO];
int lfd[SLOTS], sfd[SLOTS];
static char lastop[128];

uint64_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

unsigned pick(unsigned n)
{
	return (unsigned)(rnd() % n);
}

void mismatch(const char *what, long l, long s)
{
	sk_preempt_disable();
	print_error("seq %d op %d (%s) %s: linux %ld skiff %ld [%s | %s]\n",
		    seq, opno, lastop, what, l, s, rel, rel2);
	sk_preempt_enable();
	fail();
}

void same(const char *what, long l, long s)
{
	if (l != s)
		mismatch(what, l, s);
}

static void gen_rel(char *out)
{
	static const char *const names[] = { "a", "b", "c", "d", "e" };
	unsigned depth = 1 + pick(3);

	out[0] = '\0';
	for (unsigned i = 0; i < depth; i++) {
		if (i)
			strcat(out, "/");
		strcat(out, names[pick(5)]);
	}
	switch (pick(40)) {
	case 0:
		strcat(out, "/");
		break;
	case 1:
		strcat(out, "/.");
		break;
	case 2:
		strcat(out, "/..");
		break;
	default:
		break;
	}
}

static void gen_paths(void)
{
	sk_preempt_disable();
	gen_rel(rel);
	gen_rel(rel2);
	sprintf(lpath, "%s/s%d/%s", base, seq, rel);
	sprintf(spath, "/diff/s%d/%s", seq, rel);
	sprintf(lpath2, "%s/s%d/%s", base, seq, rel2);
	sprintf(spath2, "/diff/s%d/%s", seq, rel2);
	sk_preempt_enable();
}

void stat_same(long lr, const struct stat *l, long sr, const struct sk_stat *s)
{
	same("stat ret", lr, sr);
	if (lr)
		return;
	same("mode", (long)l->st_mode, (long)s->mode);
	if (!S_ISDIR(l->st_mode))
		same("size", (long)l->st_size, (long)s->size);
	same("nlink", (long)l->st_nlink, (long)s->nlink);
}

int lf(int slot)
{
	return lfd[slot] >= 0 ? lfd[slot] : 999;
}

int sf(int slot)
{
	return sfd[slot] >= 0 ? sfd[slot] : 999;
}

void slot_close(int slot)
{
	long l, s;

	LX(l, close(lf(slot)));
	s = sk_vfs_close(sf(slot));
	same("close", l, s);
	lfd[slot] = sfd[slot] = -1;
}

static void op_open(void)
{
	static const int extra[] = { O_CREAT,  O_EXCL,	    O_TRUNC,
				     O_APPEND, O_DIRECTORY, O_NOFOLLOW };
	int flags = (int)pick(3), slot = (int)pick(SLOTS);
	uint32_t mode = pick(0777 + 1);
	long l, s;

	for (unsigned i = 0; i < SK_ARRAY_LEN(extra); i++)
		if (pick(3) == 0)
			flags |= extra[i];
	/* Linux before 6.4 took O_CREAT | O_DIRECTORY (skiff refuses). */
	if ((flags & O_CREAT) && (pick(8) || !creat_dir_einval))
		flags &= ~O_DIRECTORY;
	if (lfd[slot] >= 0)
		slot_close(slot);
	LX(l, open(lpath, flags, mode));
	s = sk_vfs_open(spath, flags, mode);
	same("open", l < 0 ? l : 0, s < 0 ? s : 0);
	if (l >= 0) {
		lfd[slot] = (int)l;
		sfd[slot] = (int)s;
	}
}

static void op_rw(int slot)
{
	size_t len = pick(4) ? pick(300) : pick(MAXIO);
	int64_t off = pick(4) ? (int64_t)pick(9000) : (int64_t)pick(70000);
	int kind = (int)pick(4);
	long l = 0, s = 0;

	for (size_t i = 0; i < len; i++)
		wbuf[i] = (unsigned char)rnd();
	memset(lbuf, 0, len);
	memset(sbuf, 1, len);
	if (kind == 0) {
		LX(l, write(lf(slot), wbuf, len));
		s = sk_vfs_write(sf(slot), wbuf, len);
	} else if (kind == 1) {
		LX(l, pwrite(lf(slot), wbuf, len, off));
		s = sk_vfs_pwrite(sf(slot), wbuf, len, off);
	} else if (kind == 2) {
		LX(l, read(lf(slot), lbuf, len));
		s = sk_vfs_read(sf(slot), sbuf, len);
	} else {
		LX(l, pread(lf(slot), lbuf, len, off));
		s = sk_vfs_pread(sf(slot), sbuf, len, off);
	}
	same("rw", l, s);
	if (kind >= 2 && l > 0 && memcmp(lbuf, sbuf, (size_t)l))
		mismatch("data", l, s);
}

static void op_seek_trunc(int slot)
{
	int64_t off = (int64_t)pick(12000) - 1000;
	int whence = (int)pick(3);
	long l, s;

	if (pick(2)) {
		struct stat st;
		long isdir;

		LX(isdir, fstat(lf(slot), &st));
		isdir = isdir == 0 && S_ISDIR(st.st_mode);
		LX(l, lseek(lf(slot), off, whence));
		s = (long)sk_vfs_lseek(sf(slot), off, whence);
		/* Directory offsets are cookies of each filesystem's own. */
		if (!isdir)
			same("lseek", l, s);
	} else if (pick(2)) {
		LX(l, ftruncate(lf(slot), off));
		s = sk_vfs_ftruncate(sf(slot), off);
		same("ftruncate", l, s);
	} else {
		LX(l, truncate(lpath, off));
		s = sk_vfs_truncate(spath, off);
		same("truncate", l, s);
	}
}

static void op_fstat(int slot)
{
	struct stat l;
	struct sk_stat s;
	long lr, sr;

	LX(lr, fstat(lf(slot), &l));
	sr = sk_vfs_fstat(sf(slot), &s);
	stat_same(lr, &l, sr, &s);
}

static void op_stat(void)
{
	struct stat l;
	struct sk_stat s;
	long lr, sr;

	if (pick(2)) {
		LX(lr, stat(lpath, &l));
		sr = sk_vfs_stat(spath, &s);
	} else {
		LX(lr, lstat(lpath, &l));
		sr = sk_vfs_lstat(spath, &s);
	}
	stat_same(lr, &l, sr, &s);
}

static void op_namespace(void)
{
	unsigned kind = pick(7);
	long l, s;

	if (kind == 0) {
		LX(l, mkdir(lpath, 0755));
		s = sk_vfs_mkdir(spath, 0755);
	} else if (kind == 1) {
		LX(l, rmdir(lpath));
		s = sk_vfs_rmdir(spath);
	} else if (kind == 2) {
		LX(l, unlink(lpath));
		s = sk_vfs_unlink(spath);
	} else if (kind == 3) {
		LX(l, rename(lpath, lpath2));
		s = sk_vfs_rename(spath, spath2);
	} else if (kind == 4) {
		LX(l, link(lpath, lpath2));
		s = sk_vfs_link(spath, spath2);
	} else if (kind == 5) {
		/* A relative target, resolved from the link's directory. */
		LX(l, symlink(rel2, lpath));
		s = sk_vfs_symlink(rel2, spath);
	} else {
		uint32_t mode = pick(07777 + 1);

		LX(l, chmod(lpath, mode));
		s = sk_vfs_chmod(spath, mode);
	}
	same("namespace", l, s);
}

static void op_readlink(void)
{
	char lb[64], sb[64];
	size_t len = 1 + pick(40);
	long l, s;

	LX(l, readlink(lpath, lb, len));
	s = sk_vfs_readlink(spath, sb, len);
	same("readlink", l, s);
	if (l > 0 && memcmp(lb, sb, (size_t)l))
		mismatch("readlink data", l, s);
}

/* chdir or fchdir on both sides, then getcwd below the roots must match. */
static void op_chdir(void)
{
	static char lcwd[700], scwd[700];
	size_t lb = strlen(base), sb = strlen("/diff");
	long l, s;

	if (pick(3)) {
		LX(l, chdir(lpath));
		s = sk_vfs_chdir(spath);
	} else {
		int slot = (int)pick(SLOTS);

		LX(l, fchdir(lf(slot)));
		s = sk_vfs_fchdir(sf(slot));
	}
	same("chdir", l, s);
	if (l)
		return;
	LX(l, syscall(SYS_getcwd, lcwd, sizeof(lcwd)));
	s = sk_vfs_getcwd(scwd, sizeof(scwd));
	if (l > 0 && s > 0) {
		same("getcwd len", l - (long)lb, s - (long)sb);
		if (strcmp(lcwd + lb, scwd + sb))
			mismatch("getcwd", l, s);
	} else {
		same("getcwd", l, s);
	}
	LX(l, chdir("/"));
	same("chdir back", l, sk_vfs_chdir("/"));
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Names in the directory open at @slot, sorted, '/'-joined. */
static void op_listing(int slot)
{
	static char lnames[64][8], snames[64][8];
	static _Alignas(8) char dbuf[4096];
	int ln = 0, sn = 0;
	long l, s;

	/* Directory offsets are cookies, not comparable: start over. */
	LX(l, lseek(lf(slot), 0, SEEK_SET));
	same("rewind", l, (long)sk_vfs_lseek(sf(slot), 0, SK_SEEK_SET));
	LX(l, syscall(SYS_getdents64, lf(slot), dbuf, sizeof(dbuf)));
	while (l > 0) {
		for (long off = 0; off < l && ln < 64;) {
			struct sk_dirent *d =
				(struct sk_dirent *)(void *)(dbuf + off);

			strncpy(lnames[ln++], d->name, 7);
			off += d->reclen;
		}
		LX(l, syscall(SYS_getdents64, lf(slot), dbuf, sizeof(dbuf)));
	}
	s = sk_vfs_getdents(sf(slot), dbuf, sizeof(dbuf));
	while (s > 0) {
		for (long off = 0; off < s && sn < 64;) {
			struct sk_dirent *d =
				(struct sk_dirent *)(void *)(dbuf + off);

			strncpy(snames[sn++], d->name, 7);
			off += d->reclen;
		}
		s = sk_vfs_getdents(sf(slot), dbuf, sizeof(dbuf));
	}
	same("getdents", l, s);
	same("entries", ln, sn);
	sk_preempt_disable();
	qsort(lnames, (size_t)ln, sizeof(lnames[0]), name_cmp);
	qsort(snames, (size_t)sn, sizeof(snames[0]), name_cmp);
	sk_preempt_enable();
	for (int i = 0; i < ln; i++)
		if (strcmp(lnames[i], snames[i]))
			mismatch("entry name", i, i);
}

static void run_op(void)
{
	int slot = (int)pick(SLOTS);
	unsigned kind = pick(27);

	gen_paths();
	sk_preempt_disable();
	snprintf(lastop, sizeof(lastop), "kind %u slot %d", kind, slot);
	if (trace)
		printf("seq %d op %d: %s [%s | %s]\n", seq, opno, lastop, rel,
		       rel2);
	sk_preempt_enable();
	if (kind < 4)
		op_open();
	else if (kind < 5)
		slot_close(slot);
	else if (kind < 9)
		op_rw(slot);
	else if (kind < 11)
		op_seek_trunc(slot);
	else if (kind < 12)
		op_fstat(slot);
	else if (kind < 14)
		op_stat();
	else if (kind < 18)
		op_namespace();
	else if (kind < 19)
		op_readlink();
	else if (kind < 20)
		op_listing(slot);
	else if (kind < 21)
		op_chdir();
	else if (kind < 26)
		op_at();
	else
		op_fcntl(slot);
}

/* Make and open this sequence's top directory on both sides. */
static void seq_begin(void)
{
	long l;

	sk_preempt_disable();
	snprintf(ltopdir, sizeof(ltopdir), "%s/s%d", base, seq);
	snprintf(stopdir, sizeof(stopdir), "/diff/s%d", seq);
	sk_preempt_enable();
	LX(l, mkdir(ltopdir, 0755));
	assert_int_equal(l, 0);
	assert_int_equal(sk_vfs_mkdir(stopdir, 0755), 0);
	LX(ltop, open(ltopdir, O_RDONLY | O_DIRECTORY));
	stop = sk_vfs_open(stopdir, SK_O_RDONLY | SK_O_DIRECTORY, 0);
	assert_true(ltop >= 0 && stop >= 0);
}

static void test_diff_random_ops_match_linux_tmpfs(void **state)
{
	long l;

	(void)state;
	/* mkdtemp made the Linux base 0700; a path may climb up to it. */
	assert_int_equal(sk_vfs_mkdir("/diff", 0700), 0);
	for (seq = first_seq; seq < nseqs; seq++) {
		seed = 0x243f6a8885a308d3ull * (uint64_t)(seq + 1);
		seq_begin();
		for (int i = 0; i < SLOTS; i++)
			lfd[i] = sfd[i] = -1;
		for (opno = 0; opno < 400; opno++)
			run_op();
		for (int i = 0; i < SLOTS; i++)
			if (lfd[i] >= 0)
				slot_close(i);
		LX(l, close(ltop));
		same("close top", l, sk_vfs_close(stop));
	}
}

static void cleanup(void)
{
	char cmd[200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if (system(cmd))
		fprintf(stderr, "cleanup of %s failed\n", base);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		sk_test(test_diff_random_ops_match_linux_tmpfs),
	};
	struct statfs fs;
	const char *env = getenv("VFS_DIFF_SEQS");

	strcpy(base, "/dev/shm/skiff-diff-XXXXXX");
	if (statfs("/dev/shm", &fs) || fs.f_type != TMPFS_MAGIC_NR ||
	    !mkdtemp(base)) {
		strcpy(base, "/tmp/skiff-diff-XXXXXX");
		if (!mkdtemp(base) || statfs(base, &fs) ||
		    fs.f_type != TMPFS_MAGIC_NR) {
			printf("no tmpfs to compare with: skipped\n");
			return 77;
		}
	}
	if (env && atoi(env) > 0)
		nseqs = atoi(env);
	/* To replay one failing sequence: its seed depends on it alone. */
	env = getenv("VFS_DIFF_FIRST");
	if (env && atoi(env) > 0)
		first_seq = atoi(env);
	trace = getenv("VFS_DIFF_TRACE") != NULL;
	creat_dir_einval =
		open(base, O_CREAT | O_DIRECTORY | O_RDONLY, 0) < 0 &&
		errno == EINVAL;
	have_fchmodat2 = syscall(452, AT_FDCWD, base, 0700, 0) == 0;
	umask(0);
	atexit(cleanup);
	return vt_main("vfs_diff", tests, SK_ARRAY_LEN(tests));
}
