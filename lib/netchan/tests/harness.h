/* SPDX-License-Identifier: MIT */
/*
 * Scaffolding of the lib/netchan tests that need the skiff machine: boot
 * the hosted platform, start lib/sched and lib/rcu, and run a CMocka group
 * on "main".  The group runs with preemption disabled (CMocka calls printf
 * and malloc); test bodies run preemptible between nt_setup/nt_teardown.
 * Threads the tests start record results in memory; bodies assert.
 */
#ifndef NETCHAN_TESTS_HARNESS_H
#define NETCHAN_TESTS_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <rcu/hash.h>
#include <sched/preempt.h>
#include <sched/thread.h>

#include "scale.h"

int nt_main(const char *name, const struct CMUnitTest *tests, size_t n);
int nt_setup(void **state);
int nt_teardown(void **state);

#define nt_test(fn) cmocka_unit_test_setup_teardown(fn, nt_setup, nt_teardown)

/* malloc/free safe to call preemptible (wrapped in preempt_disable). */
void *nt_alloc(size_t len);
void nt_free(void *p);

/* Bucket memory for RCU hash tables. */
extern const struct sk_rcu_hash_mem_ops nt_hash_mem;

/* Create a thread (pinned to @cpu unless it is ~0u) or fail the test. */
struct sk_thread *nt_spawn(unsigned cpu, sk_thread_fn fn, void *arg);

#endif
