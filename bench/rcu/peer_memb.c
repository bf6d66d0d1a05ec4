// SPDX-License-Identifier: MIT
/*
 * bench_rcu peer: liburcu urcu-memb with its inline fast paths.  Only the
 * benchmark inlines liburcu (LGPL) code; the libraries never do.
 */
#define _GNU_SOURCE
#define _LGPL_SOURCE
#include <stdatomic.h>
#include <stdlib.h>

#include <urcu/urcu-memb.h>

#include "peer.h"

uint64_t peer_memb_read_loop(struct peer_obj *_Atomic *pp, uint64_t n)
{
	uint64_t sum = 0;

	for (uint64_t i = 0; i < n; i++) {
		urcu_memb_read_lock();
		sum += atomic_load_explicit(pp, memory_order_acquire)->value;
		urcu_memb_read_unlock();
	}
	return sum;
}

void peer_memb_register(void)
{
	urcu_memb_register_thread();
}

void peer_memb_unregister(void)
{
	urcu_memb_unregister_thread();
}

void peer_memb_reader_until(const _Atomic int *stop,
			    struct peer_obj *_Atomic *pp)
{
	while (!atomic_load_explicit(stop, memory_order_relaxed))
		(void)peer_memb_read_loop(pp, 64);
}

void peer_memb_synchronize(void)
{
	urcu_memb_synchronize_rcu();
}

static atomic_uint_least64_t cb_count;

struct cb_box {
	struct rcu_head rh;
};

static void cb_bump(struct rcu_head *h)
{
	(void)h;
	atomic_fetch_add_explicit(&cb_count, 1, memory_order_relaxed);
}

void peer_memb_call_rcu_batch(uint64_t n)
{
	struct cb_box *b = calloc(n, sizeof(*b));

	if (!b)
		abort();
	urcu_memb_register_thread();
	for (uint64_t i = 0; i < n; i++)
		urcu_memb_call_rcu(&b[i].rh, cb_bump);
	urcu_memb_unregister_thread();
	urcu_memb_barrier();
	free(b);
}
