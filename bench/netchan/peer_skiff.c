// SPDX-License-Identifier: MIT
/*
 * bench_netchan: the skiff SPSC ring (netchan/ring.h) in the queue
 * benchmark template.
 */
#define _GNU_SOURCE
#include "qbench_common.h"

#include <netchan/ring.h>

static struct sk_ring *skiff_setup(uint32_t size)
{
	struct sk_ring *r = aligned_alloc(64, sizeof(*r));
	void **slots = aligned_alloc(64, size * sizeof(void *));

	if (!r || !slots || sk_ring_init(r, slots, size))
		qb_fail("skiff ring set-up");
	return r;
}

#define QB_NAME skiff
#define QB_TYPE struct sk_ring
#define QB_SETUP(size) skiff_setup(size)
#define QB_PUSH(q, objs, n) sk_ring_push_burst((q), (objs), (n))
#define QB_POP(q, objs, n) sk_ring_pop_burst((q), (objs), (n))
#define QB_OBJ(i) ((void *)(uintptr_t)((i) + 1))
#define QB_VAL(o) ((uint64_t)(uintptr_t)(o))
#include "qbench.h"
