/* SPDX-License-Identifier: MIT */
/*
 * Scaffolding of the lib/vfs tests: boot the hosted platform, start
 * lib/mm's page allocator, lib/sched, lib/rcu and the VFS, then run a
 * CMocka group on "main".  The group runs with preemption disabled (CMocka
 * calls printf and malloc); bodies run preemptible between vt_setup and
 * vt_teardown.  VFS memory is glibc malloc, wrapped so it is safe to call
 * preemptible, so ASan sees every VFS object.
 */
#ifndef VFS_TESTS_HARNESS_H
#define VFS_TESTS_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sched/preempt.h>
#include <sched/thread.h>
#include <vfs/vfs.h>

#ifndef STRESS_SCALE
#define STRESS_SCALE 1
#endif

/* Run before booting (plain Linux thread), or NULL. */
typedef int (*vt_pre_fn)(int argc, char **argv);

int vt_main(const char *name, const struct CMUnitTest *tests, size_t n);
int vt_setup(void **state);
int vt_teardown(void **state);

#define vt_test(fn) cmocka_unit_test_setup_teardown(fn, vt_setup, vt_teardown)

void *vt_alloc(size_t len);
void vt_free(void *p);

/* Create a thread (pinned to @cpu unless ~0u) or fail the test. */
struct sk_thread *vt_spawn(unsigned cpu, sk_thread_fn fn, void *arg);

/* Write @len bytes of @buf to a new file @path (mode 0644). */
void vt_put_file(const char *path, const void *buf, size_t len);

#endif
