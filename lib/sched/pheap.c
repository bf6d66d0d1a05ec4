// SPDX-License-Identifier: MIT
/*
 * Pairing heap (Fredman, Sedgewick, Sleator, Tarjan 1986) with the usual
 * two-pass merge, in the child/sibling/back-pointer representation that
 * allows removing an arbitrary node.
 */
#include <sched/pheap.h>

static struct sk_pheap_node *meld(struct sk_pheap_node *a,
				  struct sk_pheap_node *b)
{
	struct sk_pheap_node *t;

	if (!a)
		return b;
	if (!b)
		return a;
	if (b->key < a->key) {
		t = a;
		a = b;
		b = t;
	}
	b->prev = a;
	b->next = a->child;
	if (a->child)
		a->child->prev = b;
	a->child = b;
	a->next = NULL;
	a->prev = NULL;
	return a;
}

/* Merge a sibling list pairwise left to right, then right to left. */
static struct sk_pheap_node *merge_pairs(struct sk_pheap_node *first)
{
	struct sk_pheap_node *pairs = NULL, *a, *b, *rest, *m;

	while (first) {
		a = first;
		b = a->next;
		rest = b ? b->next : NULL;
		a->next = a->prev = NULL;
		if (b)
			b->next = b->prev = NULL;
		m = meld(a, b);
		m->next = pairs; /* stack of melded pairs, rightmost on top */
		pairs = m;
		first = rest;
	}
	m = NULL;
	while (pairs) {
		a = pairs;
		pairs = a->next;
		a->next = NULL;
		m = meld(m, a);
	}
	return m;
}

void sk_pheap_insert(struct sk_pheap *h, struct sk_pheap_node *n)
{
	n->child = n->next = n->prev = NULL;
	h->root = meld(h->root, n);
}

struct sk_pheap_node *sk_pheap_pop(struct sk_pheap *h)
{
	struct sk_pheap_node *r = h->root;

	if (!r)
		return NULL;
	h->root = merge_pairs(r->child);
	if (h->root)
		h->root->prev = NULL;
	r->child = r->next = r->prev = NULL;
	return r;
}

void sk_pheap_remove(struct sk_pheap *h, struct sk_pheap_node *n)
{
	struct sk_pheap_node *sub;

	if (n == h->root) {
		sk_pheap_pop(h);
		return;
	}
	if (n->prev->child == n)
		n->prev->child = n->next;
	else
		n->prev->next = n->next;
	if (n->next)
		n->next->prev = n->prev;
	sub = merge_pairs(n->child);
	n->child = n->next = n->prev = NULL;
	h->root = meld(h->root, sub);
}

struct sk_pheap_node *
sk_pheap_walk(struct sk_pheap *h, unsigned limit,
	      bool (*fn)(struct sk_pheap_node *n, void *arg), void *arg)
{
	struct sk_pheap_node *n = h->root;

	/* Iterative pre-order walk using the back pointers: no stack. */
	while (n && limit--) {
		if (fn(n, arg))
			return n;
		if (n->child) {
			n = n->child;
			continue;
		}
		while (n && !n->next) {
			/* climb: prev of a leftmost child is its parent */
			while (n->prev && n->prev->child != n)
				n = n->prev;
			n = n->prev;
		}
		if (n)
			n = n->next;
	}
	return NULL;
}
