/* SPDX-License-Identifier: MIT */
/*
 * Shared scaffolding of the lib/sched tests: boot the hosted machine, start
 * the scheduler with a malloc-backed allocator hook, and run a CMocka group
 * on the "main" thread.  The group runs with preemption disabled (CMocka
 * calls printf and malloc); each test body runs preemptible between the
 * st_setup/st_teardown fixtures.  "main" is pinned to vCPU 0 (CMocka's
 * state is thread-local to the vCPU pthread).  Threads the tests start
 * never call libc or assert: they record, and the test body asserts.
 */
#ifndef SCHED_TESTS_HARNESS_H
#define SCHED_TESTS_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sched/cpu.h>
#include <sched/preempt.h>
#include <sched/thread.h>

#ifndef STRESS_SCALE
#define STRESS_SCALE 1
#endif

/* Boot, init the scheduler, run @tests; returns the process status. */
int st_main(const char *name, const struct CMUnitTest *tests, size_t n);

int st_setup(void **state);
int st_teardown(void **state);

#define st_test(fn) cmocka_unit_test_setup_teardown(fn, st_setup, st_teardown)

/* Allocator-hook counters (blocks handed out / returned). */
extern atomic_ulong st_allocs, st_frees;

/* The CPU the caller runs on, read with preemption disabled. */
unsigned st_cpu(void);

/* Create a thread with @attr (NULL: defaults) or fail the test. */
struct sk_thread *st_spawn(const struct sk_thread_attr *attr, sk_thread_fn fn,
			   void *arg);

/* Announce the wait in *@asleep (1, release; skipped if NULL), then sleep
 * until *@go is non-zero (acquire); spurious wakes go back to sleep. */
void st_sleep_until(atomic_uint *asleep, atomic_uint *go);

/* Attributes pinning a thread to one CPU. */
struct sk_thread_attr st_pinned(unsigned cpu, struct sk_cpuset *set);

#endif
