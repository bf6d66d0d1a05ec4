/* SPDX-License-Identifier: MIT */
/*
 * Scaffolding of the lib/vfs tests: the shared hosted harness
 * (skiff_test/hosted.h) plus lib/mm's page allocator, lib/rcu and the VFS.
 * VFS memory is glibc malloc, wrapped so it is safe to call preemptible,
 * so ASan sees every VFS object.
 */
#ifndef VFS_TESTS_HARNESS_H
#define VFS_TESTS_HARNESS_H

#include <sched/preempt.h>
#include <skiff_test/hosted.h>
#include <vfs/vfs.h>

#ifndef STRESS_SCALE
#define STRESS_SCALE 1
#endif

/* Boot, start lib/sched, lib/mm's pages, lib/rcu, the VFS; run the group. */
int vt_main(const char *name, const struct CMUnitTest *tests, size_t n);

/* Write @len bytes of @buf to a new file @path (mode 0644). */
void vt_put_file(const char *path, const void *buf, size_t len);

#endif
