/* SPDX-License-Identifier: MIT */
/*
 * Intrusive pairing heap keyed by uint64_t (smallest first): O(1) insert
 * and peek, O(log n) amortised pop and remove of any node.  Used for the
 * per-CPU runqueues and timer sets.  No locking: each heap belongs to one
 * CPU and is touched only there with irqs off.
 */
#ifndef SCHED_PHEAP_H
#define SCHED_PHEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sk_pheap_node {
	uint64_t key;
	struct sk_pheap_node *child; /* leftmost child */
	struct sk_pheap_node *next; /* right sibling */
	struct sk_pheap_node *prev; /* left sibling, or parent if leftmost */
};

struct sk_pheap {
	struct sk_pheap_node *root;
};

static inline bool sk_pheap_is_empty(const struct sk_pheap *h)
{
	return h->root == NULL;
}

static inline struct sk_pheap_node *sk_pheap_peek(const struct sk_pheap *h)
{
	return h->root;
}

void sk_pheap_insert(struct sk_pheap *h, struct sk_pheap_node *n);
struct sk_pheap_node *sk_pheap_pop(struct sk_pheap *h);
void sk_pheap_remove(struct sk_pheap *h, struct sk_pheap_node *n);

/*
 * sk_pheap_walk - call @fn on nodes in heap order (parents before children)
 * until it returns true or @limit nodes were visited.
 * Return: the node @fn accepted, or NULL.
 */
struct sk_pheap_node *
sk_pheap_walk(struct sk_pheap *h, unsigned limit,
	      bool (*fn)(struct sk_pheap_node *n, void *arg), void *arg);

#endif
