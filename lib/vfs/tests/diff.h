/* SPDX-License-Identifier: MIT */
/*
 * vfs_diff internals shared by test_diff.c (the driver and the plain
 * calls) and diff_at.c (the *at() family and fcntl): the paths of the
 * current operation on both sides, the fd slots, the random source and
 * the comparisons.
 */
#ifndef VFS_TESTS_DIFF_H
#define VFS_TESTS_DIFF_H

#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>

#include "harness.h"

enum { SLOTS = 6, MAXIO = 6000 };

/* @var = the Linux call's result, or -errno. */
#define LX(var, call)                 \
	do {                          \
		sk_preempt_disable(); \
		var = (long)(call);   \
		if (var < 0)          \
			var = -errno; \
		sk_preempt_enable();  \
	} while (0)

extern char base[128];
extern int seq, opno, creat_dir_einval, trace;
extern int have_fchmodat2; /* this kernel has fchmodat2(2) */
/* This operation's paths: Linux (l) and skiff (s), absolute, and the
 * same below the sequence's top directory (rel). */
extern char lpath[600], spath[600], lpath2[600], spath2[600];
extern char rel[256], rel2[256];
extern int lfd[SLOTS], sfd[SLOTS];
/* The sequence's top directory, open on both sides. */
extern int ltop, stop;
extern char ltopdir[200], stopdir[200];

uint64_t rnd(void);
unsigned pick(unsigned n);
void mismatch(const char *what, long l, long s);
void same(const char *what, long l, long s);
void stat_same(long lr, const struct stat *l, long sr, const struct sk_stat *s);
int lf(int slot);
int sf(int slot);
void slot_close(int slot);

/* diff_at.c */
void op_at(void);
void op_fcntl(int slot);

#endif
