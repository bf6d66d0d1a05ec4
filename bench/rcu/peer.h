/* SPDX-License-Identifier: MIT */
/*
 * The liburcu peers of bench_rcu, one flavour per file because each
 * flavour's inline fast paths (_LGPL_SOURCE) claim the same macro names.
 */
#ifndef BENCH_RCU_PEER_H
#define BENCH_RCU_PEER_H

#include <stdint.h>

struct peer_obj {
	uint64_t value;
	uint64_t pad[7];
};

/* Each returns the sum it read, so the loop cannot be optimised away. */
uint64_t peer_memb_read_loop(struct peer_obj *_Atomic *pp, uint64_t n);
uint64_t peer_qsbr_read_loop(struct peer_obj *_Atomic *pp, uint64_t n);

/* Register / unregister the calling thread with a flavour. */
void peer_memb_register(void);
void peer_memb_unregister(void);
void peer_qsbr_register(void);
void peer_qsbr_unregister(void);

/* A reader loop until *stop: memb read sections; qsbr ones with a
 * quiescent state every 64 sections (what an application would do). */
void peer_memb_reader_until(const _Atomic int *stop,
			    struct peer_obj *_Atomic *pp);
void peer_qsbr_reader_until(const _Atomic int *stop,
			    struct peer_obj *_Atomic *pp);

void peer_memb_synchronize(void);
void peer_qsbr_synchronize(void);

/* call_rcu @n callbacks (each bumps a counter), then rcu_barrier. */
void peer_memb_call_rcu_batch(uint64_t n);

#endif
