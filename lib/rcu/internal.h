/* SPDX-License-Identifier: MIT */
/*
 * lib/rcu internals: what each backend (gp.c on lib/sched, urcu.c on
 * liburcu) supplies to the code both share (callback.c, hash.c).
 */
#ifndef RCU_INTERNAL_H
#define RCU_INTERNAL_H

#include <stdbool.h>

#include <rcu/rcu.h>

enum { SK_RCU_SHARDS_MAX = 256 };

/* The number of callback shards (<= SK_RCU_SHARDS_MAX).  Constant. */
unsigned sk_rcu_be_shards(void);

/* The caller's shard: its CPU (native), a per-thread pick (liburcu).  A
 * stale answer only costs locality.  Context: any. */
unsigned sk_rcu_be_shard_id(void);

/* Whether the caller may block: preemptible and outside a reader. */
bool sk_rcu_be_may_block(void);

/* Start the callback thread running @fn(@arg).  0 or -errno. */
int sk_rcu_be_thread_start(void (*fn)(void *), void *arg);

/* The backend's counters: gps, expedited, kicks. */
void sk_rcu_be_stats(struct sk_rcu_stats *out);

/* callback.c: the callback side of sk_rcu_init() and sk_rcu_stats_get(). */
int sk_rcu_cb_start(void);
void sk_rcu_cb_stats(struct sk_rcu_stats *out);

#endif
