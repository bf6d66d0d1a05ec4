// SPDX-License-Identifier: MIT
/*
 * bench_netchan: liburcu's wait-free concurrent queue (urcu/wfcqueue.h)
 * in the queue benchmark template.  It is intrusive and unbounded: each
 * object is a node, enqueue is one xchg, and the single consumer uses the
 * blocking dequeue without a lock.  Bursts are loops (wfcqueue has no
 * batch enqueue short of splicing a second queue).
 */
#define _GNU_SOURCE
#define _LGPL_SOURCE
#include "qbench_common.h"

#include <urcu/wfcqueue.h>

struct wfq {
	struct cds_wfcq_head head;
	struct cds_wfcq_tail tail;
};

struct wnode {
	struct cds_wfcq_node node;
	uint64_t v;
};

static struct wnode *nodes;
static uint64_t nnodes;

/* The template sends objects 0..n-1: have n distinct nodes ready. */
void qb_wfcq_prepare(uint64_t n);

void qb_wfcq_prepare(uint64_t n)
{
	free(nodes);
	nodes = calloc(n, sizeof(*nodes));
	if (!nodes)
		qb_fail("wfcq nodes");
	nnodes = n;
	for (uint64_t i = 0; i < n; i++) {
		cds_wfcq_node_init(&nodes[i].node);
		nodes[i].v = i + 1;
	}
}

static struct wfq *wfq_setup(unsigned size)
{
	struct wfq *q = aligned_alloc(64, 128);

	(void)size;
	if (!q)
		qb_fail("wfcq set-up");
	cds_wfcq_init(&q->head, &q->tail);
	return q;
}

static unsigned wfq_push(struct wfq *q, void *const *objs, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct cds_wfcq_node *nd = objs[i];

		cds_wfcq_node_init(nd);
		cds_wfcq_enqueue(&q->head, &q->tail, nd);
	}
	return n;
}

static unsigned wfq_pop(struct wfq *q, void **objs, unsigned n)
{
	unsigned k = 0;

	while (k < n) {
		struct cds_wfcq_node *nd =
			__cds_wfcq_dequeue_blocking(&q->head, &q->tail);

		if (!nd)
			break;
		objs[k++] = nd;
	}
	return k;
}

#define QB_NAME wfcq
#define QB_TYPE struct wfq
#define QB_SETUP(size) wfq_setup(size)
#define QB_PUSH(q, objs, n) wfq_push((q), (objs), (n))
#define QB_POP(q, objs, n) wfq_pop((q), (objs), (n))
#define QB_OBJ(i) ((void *)&nodes[(i) % nnodes].node)
#define QB_VAL(o) (((struct wnode *)(void *)(o))->v)
#include "qbench.h"
