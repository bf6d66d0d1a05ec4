// SPDX-License-Identifier: MIT
/*
 * bench_rcu peer: liburcu urcu-qsbr with its inline fast paths.
 */
#define _GNU_SOURCE
#define _LGPL_SOURCE
#include <stdatomic.h>

#include <urcu/urcu-qsbr.h>

#include "peer.h"

uint64_t peer_qsbr_read_loop(struct peer_obj *_Atomic *pp, uint64_t n)
{
	uint64_t sum = 0;

	for (uint64_t i = 0; i < n; i++) {
		urcu_qsbr_read_lock();
		sum += atomic_load_explicit(pp, memory_order_acquire)->value;
		urcu_qsbr_read_unlock();
	}
	return sum;
}

void peer_qsbr_register(void)
{
	urcu_qsbr_register_thread();
}

void peer_qsbr_unregister(void)
{
	urcu_qsbr_unregister_thread();
}

void peer_qsbr_reader_until(const _Atomic int *stop,
			    struct peer_obj *_Atomic *pp)
{
	while (!atomic_load_explicit(stop, memory_order_relaxed)) {
		(void)peer_qsbr_read_loop(pp, 64);
		urcu_qsbr_quiescent_state();
	}
}

void peer_qsbr_synchronize(void)
{
	urcu_qsbr_synchronize_rcu();
}
