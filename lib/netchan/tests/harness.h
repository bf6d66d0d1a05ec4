/* SPDX-License-Identifier: MIT */
/*
 * Scaffolding of the lib/netchan tests that need the skiff machine: the
 * shared hosted harness (skiff_test/hosted.h) plus lib/rcu, which the
 * classifier needs, and bucket memory for RCU hash tables.
 */
#ifndef NETCHAN_TESTS_HARNESS_H
#define NETCHAN_TESTS_HARNESS_H

#include <stdatomic.h>

#include <rcu/hash.h>
#include <sched/preempt.h>
#include <skiff_test/hosted.h>

#include "scale.h"

/* Boot, start lib/sched and lib/rcu, run the group. */
int nt_main(const char *name, const struct CMUnitTest *tests, size_t n);

/* Bucket memory for RCU hash tables. */
extern const struct sk_rcu_hash_mem_ops nt_hash_mem;

#endif
