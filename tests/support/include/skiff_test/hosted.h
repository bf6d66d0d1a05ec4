/* SPDX-License-Identifier: MIT */
/*
 * Shared scaffolding for CMocka tests that need a skiff machine: boot the
 * hosted platform, start lib/sched (thread memory from glibc), run an
 * optional per-library init (lib/rcu, lib/vfs...), pin the thread running
 * the CMocka group to vCPU 0 and run the group, then shut down with its
 * result.
 *
 * Two hosted rules every test using this follows:
 * - CMocka and glibc keep per-pthread state, and each vCPU is a pthread:
 *   the group's thread stays on vCPU 0 (it is pinned before the group).
 * - glibc must not be preempted mid-call (a thread preempted holding a
 *   glibc lock would deadlock its vCPU): the group runs with preemption
 *   disabled; test bodies run preemptible between sk_test_setup and
 *   sk_test_teardown and call libc only through sk_test_alloc/free or
 *   with preemption disabled.  Threads a test starts record results in
 *   memory; the test body asserts.
 */
#ifndef SKIFF_TEST_HOSTED_H
#define SKIFF_TEST_HOSTED_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sched/cpu.h>
#include <sched/thread.h>

/* Extra start-up after lib/sched; 0 or a negative errno. */
typedef int (*sk_test_init_fn)(void);

/*
 * sk_test_main - boot, start the scheduler, run @init (may be NULL), run
 * the CMocka group @tests[0..n) and shut down.  Call once, from main().
 * Return: the group's result (number of failed tests) as the process
 *         status; 100 + k if start-up step k failed.
 */
int sk_test_main(const char *name, const struct CMUnitTest *tests, size_t n,
		 sk_test_init_fn init);

/* Per-test setup/teardown: the test body runs preemptible. */
int sk_test_setup(void **state);
int sk_test_teardown(void **state);

#define sk_test(fn) \
	cmocka_unit_test_setup_teardown(fn, sk_test_setup, sk_test_teardown)

/* glibc memory, 64-byte aligned, safe to call preemptible. */
void *sk_test_alloc(size_t len);
void sk_test_free(void *p);

/* The same as allocator hooks (lib/sched, lib/rcu hash, lib/vfs shape). */
void *sk_test_hook_alloc(size_t len, void *ctx);
void sk_test_hook_free(void *p, size_t len, void *ctx);

/* Create a thread (pinned to @cpu unless it is ~0u) or fail the test. */
struct sk_thread *sk_test_spawn(unsigned cpu, sk_thread_fn fn, void *arg);

#endif
