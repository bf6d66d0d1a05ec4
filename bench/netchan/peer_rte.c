// SPDX-License-Identifier: MIT
/*
 * bench_netchan: DPDK's rte_ring in single-producer/single-consumer mode
 * (RING_F_SP_ENQ | RING_F_SC_DEQ), set up with rte_ring_init() on our own
 * memory so no EAL start-up is needed.  Compiled with DPDK's own flags
 * and without the project's warnings (DPDK's headers are not C11
 * -Wpedantic clean); only this wrapper, not skiff code.
 */
#define _GNU_SOURCE
#include "qbench_common.h"

#include <rte_ring.h>

static struct rte_ring *rte_setup(unsigned size)
{
	ssize_t len = rte_ring_get_memsize(size);
	struct rte_ring *r;

	if (len < 0)
		qb_fail("rte_ring_get_memsize");
	r = aligned_alloc(64, ((size_t)len + 63) & ~(size_t)63);
	if (!r ||
	    rte_ring_init(r, "bench", size, RING_F_SP_ENQ | RING_F_SC_DEQ))
		qb_fail("rte_ring_init");
	return r;
}

int qb_have_rte(void)
{
	return 1;
}

#define QB_NAME rte
#define QB_TYPE struct rte_ring
#define QB_SETUP(size) rte_setup(size)
#define QB_PUSH(q, objs, n) rte_ring_sp_enqueue_burst((q), (objs), (n), NULL)
#define QB_POP(q, objs, n) rte_ring_sc_dequeue_burst((q), (objs), (n), NULL)
#define QB_OBJ(i) ((void *)(uintptr_t)((i) + 1))
#define QB_VAL(o) ((uint64_t)(uintptr_t)(o))
#include "qbench.h"
