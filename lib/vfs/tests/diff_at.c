// SPDX-License-Identifier: MIT
/*
 * vfs_diff, the *at() family and fcntl: every call starts from a random
 * place, the same on both sides: an absolute path (with AT_FDCWD or a
 * bad fd, both ignored), the sequence's top directory fd, an fd slot (a
 * file, a directory or closed), or AT_FDCWD after a chdir into the top
 * directory; sometimes with an empty path.  Linux is called through
 * syscall(2), so glibc adds nothing; results, errnos and the stat fields
 * vfs_diff compares must agree.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "diff.h"

_Static_assert(SK_AT_FDCWD == AT_FDCWD && SK_AT_REMOVEDIR == AT_REMOVEDIR &&
		       SK_AT_SYMLINK_NOFOLLOW == AT_SYMLINK_NOFOLLOW &&
		       SK_AT_SYMLINK_FOLLOW == AT_SYMLINK_FOLLOW &&
		       SK_AT_EMPTY_PATH == AT_EMPTY_PATH &&
		       SK_AT_EACCESS == AT_EACCESS &&
		       SK_F_DUPFD_CLOEXEC == F_DUPFD_CLOEXEC &&
		       SK_O_NONBLOCK == O_NONBLOCK && SK_RENAME_NOREPLACE == 1,
	       "skiff *at flags use Linux numbers");

/* Where one path of an *at() call starts, on both sides. */
struct at_src {
	int lfd, sfd;
	const char *lp, *sp;
	bool cwd; /* relative to the cwd, which must be the top directory */
};

static void at_pick(struct at_src *a, int which)
{
	const char *r = which ? rel2 : rel;
	unsigned k = pick(8);
	int slot;

	a->lp = a->sp = pick(16) ? r : "";
	if (k < 2) {
		/* Absolute: the fd is ignored, even a bad one. */
		a->lfd = a->sfd = k ? AT_FDCWD : 999;
		if (a->lp[0]) {
			a->lp = which ? lpath2 : lpath;
			a->sp = which ? spath2 : spath;
		}
	} else if (k < 5) {
		a->lfd = ltop;
		a->sfd = stop;
	} else if (k < 7) {
		slot = (int)pick(SLOTS);
		a->lfd = lf(slot);
		a->sfd = sf(slot);
	} else {
		a->lfd = a->sfd = AT_FDCWD;
	}
	/* Relative to the cwd: make it the same top directory on both. */
	a->cwd = a->lfd == AT_FDCWD && a->lp[0] != '/';
}

static void at_cwd(bool enter)
{
	long l;

	LX(l, chdir(enter ? ltopdir : "/"));
	same("chdir", l, sk_vfs_chdir(enter ? stopdir : "/"));
}

static int rnd_flags(const int *choices, unsigned n)
{
	return choices[pick(n)];
}

static void at_openat(void)
{
	static const int extra[] = { O_CREAT,  O_EXCL,	    O_TRUNC,
				     O_APPEND, O_DIRECTORY, O_NOFOLLOW };
	int flags = (int)pick(3), slot = (int)pick(SLOTS);
	uint32_t mode = pick(0777 + 1);
	struct at_src a;
	long l, s;

	for (unsigned i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		if (pick(3) == 0)
			flags |= extra[i];
	if ((flags & O_CREAT) && (pick(8) || !creat_dir_einval))
		flags &= ~O_DIRECTORY;
	if (lfd[slot] >= 0)
		slot_close(slot);
	at_pick(&a, 0);
	if (a.cwd)
		at_cwd(true);
	LX(l, syscall(SYS_openat, a.lfd, a.lp, flags, mode));
	s = sk_vfs_openat(a.sfd, a.sp, flags, mode);
	if (a.cwd)
		at_cwd(false);
	same("openat", l < 0 ? l : 0, s < 0 ? s : 0);
	if (l >= 0) {
		lfd[slot] = (int)l;
		sfd[slot] = (int)s;
	}
}

static void at_stat(struct at_src *a)
{
	static const int fl[] = { 0, AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH,
				  AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, 0x4 };
	int flags = rnd_flags(fl, 5);
	struct stat l;
	struct sk_stat s;
	long lr, sr;

	LX(lr, syscall(SYS_newfstatat, a->lfd, a->lp, &l, flags));
	sr = sk_vfs_fstatat(a->sfd, a->sp, &s, flags);
	stat_same(lr, &l, sr, &s);
}

static void at_access(struct at_src *a)
{
	static const int fl[] = { 0, AT_EACCESS, AT_SYMLINK_NOFOLLOW,
				  AT_EMPTY_PATH, 0x2 };
	int flags = rnd_flags(fl, 5), mode = (int)pick(9);
	long l;

	LX(l, syscall(SYS_faccessat2, a->lfd, a->lp, mode, flags));
	same("faccessat", l, sk_vfs_faccessat(a->sfd, a->sp, mode, flags));
}

static void at_readlink(struct at_src *a)
{
	char lb[64], sb[64];
	size_t len = 1 + pick(40);
	long l, s;

	LX(l, syscall(SYS_readlinkat, a->lfd, a->lp, lb, len));
	s = sk_vfs_readlinkat(a->sfd, a->sp, sb, len);
	same("readlinkat", l, s);
	if (l > 0 && memcmp(lb, sb, (size_t)l))
		mismatch("readlinkat data", l, s);
}

static void at_times(struct at_src *a)
{
	static const int fl[] = { 0, AT_SYMLINK_NOFOLLOW, 0x4 };
	int flags = rnd_flags(fl, 3);
	struct timespec lt[2];
	struct sk_timespec st[2];
	long l;

	for (int i = 0; i < 2; i++) {
		lt[i].tv_sec = st[i].sec = (int64_t)pick(1u << 30);
		lt[i].tv_nsec = st[i].nsec = (int64_t)pick(1000000000);
	}
	LX(l, syscall(SYS_utimensat, a->lfd, a->lp, lt, flags));
	same("utimensat", l, sk_vfs_utimensat(a->sfd, a->sp, st, flags));
}

/* fchmodat2 (Linux 6.6) takes flags; fchmodat does not. */
enum { SYS_FCHMODAT2_NR = 452 };

static void at_chmod(struct at_src *a, uint32_t mode)
{
	static const int fl[] = { 0, AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH,
				  AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, 0x2 };
	int flags = rnd_flags(fl, 5);
	long l;

	if (have_fchmodat2) {
		LX(l, syscall(SYS_FCHMODAT2_NR, a->lfd, a->lp, mode, flags));
	} else {
		flags = 0;
		LX(l, syscall(SYS_fchmodat, a->lfd, a->lp, mode));
	}
	same("fchmodat", l, sk_vfs_fchmodat(a->sfd, a->sp, mode, flags));
}

/* Calls with one path. */
static void at_one(unsigned kind, struct at_src *a)
{
	static const int ufl[] = { 0, AT_REMOVEDIR, 0x1 };
	uint32_t mode = pick(07777 + 1);
	int flags;
	long l;

	if (kind == 0) {
		at_stat(a);
	} else if (kind == 1) {
		at_access(a);
	} else if (kind == 2) {
		at_readlink(a);
	} else if (kind == 3) {
		LX(l, syscall(SYS_mkdirat, a->lfd, a->lp, 0755));
		same("mkdirat", l, sk_vfs_mkdirat(a->sfd, a->sp, 0755));
	} else if (kind == 4) {
		flags = rnd_flags(ufl, 3);
		LX(l, syscall(SYS_unlinkat, a->lfd, a->lp, flags));
		same("unlinkat", l, sk_vfs_unlinkat(a->sfd, a->sp, flags));
	} else if (kind == 5) {
		const char *t = pick(16) ? rel2 : "";

		LX(l, syscall(SYS_symlinkat, t, a->lfd, a->lp));
		same("symlinkat", l, sk_vfs_symlinkat(t, a->sfd, a->sp));
	} else if (kind == 6) {
		at_chmod(a, mode);
	} else {
		at_times(a);
	}
}

/* Calls with two paths. */
static void at_two(unsigned kind, struct at_src *a, struct at_src *b)
{
	static const int fl[] = { 0, AT_SYMLINK_FOLLOW, AT_EMPTY_PATH, 0x2 };
	int flags;
	long l;

	static const unsigned rfl[] = { 0, 1 /* RENAME_NOREPLACE */, 0x8 };
	unsigned rflags;

	if (kind == 0) {
		rflags = rfl[pick(3)];
		LX(l, syscall(SYS_renameat2, a->lfd, a->lp, b->lfd, b->lp,
			      rflags));
		same("renameat2", l,
		     sk_vfs_renameat2(a->sfd, a->sp, b->sfd, b->sp, rflags));
	} else {
		flags = rnd_flags(fl, 4);
		LX(l, syscall(SYS_linkat, a->lfd, a->lp, b->lfd, b->lp, flags));
		same("linkat", l,
		     sk_vfs_linkat(a->sfd, a->sp, b->sfd, b->sp, flags));
	}
}

void op_at(void)
{
	unsigned kind = pick(11);
	struct at_src a, b;
	bool cwd;

	if (kind == 10) {
		at_openat();
		return;
	}
	at_pick(&a, 0);
	at_pick(&b, 1);
	cwd = a.cwd || (kind >= 8 && b.cwd);
	if (trace) {
		sk_preempt_disable();
		printf("  at %u: %d/%d '%s' '%s', %d/%d '%s' '%s'\n", kind,
		       a.lfd, a.sfd, a.lp, a.sp, b.lfd, b.sfd, b.lp, b.sp);
		sk_preempt_enable();
	}
	if (cwd)
		at_cwd(true);
	if (kind < 8)
		at_one(kind, &a);
	else
		at_two(kind - 8, &a, &b);
	if (cwd)
		at_cwd(false);
}

/* fcntl on @slot (maybe closed); dups land in another slot. */
void op_fcntl(int slot)
{
	static const int setfl[] = { 0, O_APPEND, O_NONBLOCK,
				     O_APPEND | O_NONBLOCK | O_WRONLY,
				     O_CREAT | O_TRUNC };
	int cmd = (int)pick(6), to, arg;
	long l, s;

	if (cmd == 0 || cmd == 1) {
		arg = pick(4) ? (int)pick(40) : -1;
		to = (int)pick(SLOTS);
		if (to == slot)
			return;
		if (lfd[to] >= 0)
			slot_close(to);
		cmd = cmd ? F_DUPFD_CLOEXEC : F_DUPFD;
		LX(l, fcntl(lf(slot), cmd, arg));
		s = sk_vfs_fcntl(sf(slot), cmd, arg);
		same("fcntl dupfd", l < 0 ? l : 0, s < 0 ? s : 0);
		if (l < 0)
			return;
		lfd[to] = (int)l;
		sfd[to] = (int)s;
		LX(l, fcntl(lf(to), F_GETFD));
		same("fcntl getfd", l, sk_vfs_fcntl(sf(to), SK_F_GETFD, 0));
	} else if (cmd == 2) {
		LX(l, fcntl(lf(slot), F_GETFD));
		same("fcntl getfd", l, sk_vfs_fcntl(sf(slot), SK_F_GETFD, 0));
	} else if (cmd == 3) {
		arg = (int)pick(2);
		LX(l, fcntl(lf(slot), F_SETFD, arg));
		same("fcntl setfd", l, sk_vfs_fcntl(sf(slot), SK_F_SETFD, arg));
	} else if (cmd == 4) {
		/* Linux reports the kernel's O_LARGEFILE (0100000; glibc
		 * defines it as 0 on x86-64), which skiff has no use for. */
		LX(l, fcntl(lf(slot), F_GETFL));
		if (l > 0)
			l &= ~0100000L;
		same("fcntl getfl", l, sk_vfs_fcntl(sf(slot), SK_F_GETFL, 0));
	} else {
		arg = setfl[pick(5)];
		LX(l, fcntl(lf(slot), F_SETFL, arg));
		same("fcntl setfl", l, sk_vfs_fcntl(sf(slot), SK_F_SETFL, arg));
	}
}
