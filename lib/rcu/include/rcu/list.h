/* SPDX-License-Identifier: MIT */
/*
 * An intrusive doubly linked RCU list with a sentinel head.  Readers walk
 * forward inside sk_rcu_read_lock() with sk_rcu_list_for_each(); updaters
 * serialise among themselves (a mutex of the caller's) and free removed
 * entries after a grace period.  Only next links are published to readers;
 * prev links are the updaters'.
 */
#ifndef RCU_LIST_H
#define RCU_LIST_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include <plat/compiler.h>
#include <rcu/rcu.h>

struct sk_rcu_list {
	_Atomic(struct sk_rcu_list *) next; /* readers and updaters */
	struct sk_rcu_list *prev; /* updaters only */
};

/* sk_rcu_list_init - make @head an empty list.  Context: no readers yet. */
static inline void sk_rcu_list_init(struct sk_rcu_list *head)
{
	atomic_init(&head->next, head);
	head->prev = head;
}

/* Link @e between @prev and @next; @e's links are set before publishing. */
static inline void sk_rcu_list_link_(struct sk_rcu_list *e,
				     struct sk_rcu_list *prev,
				     struct sk_rcu_list *next)
{
	sk_rcu_init_pointer(e->next, next);
	e->prev = prev;
	next->prev = e;
	sk_rcu_assign_pointer(prev->next, e); /* readers see @e complete */
}

/*
 * sk_rcu_list_add_head / sk_rcu_list_add_tail - insert @e first / last.
 * Context: updater (caller-serialised); readers may run concurrently.
 */
static inline void sk_rcu_list_add_head(struct sk_rcu_list *head,
					struct sk_rcu_list *e)
{
	sk_rcu_list_link_(e, head, sk_rcu_dereference_protected(head->next));
}

static inline void sk_rcu_list_add_tail(struct sk_rcu_list *head,
					struct sk_rcu_list *e)
{
	sk_rcu_list_link_(e, head->prev, head);
}

/*
 * sk_rcu_list_del - unlink @e.  Its next link stays valid so a reader
 * standing on it carries on; free it (or add it again) only after a grace
 * period.  Context: updater.
 */
static inline void sk_rcu_list_del(struct sk_rcu_list *e)
{
	struct sk_rcu_list *next = sk_rcu_dereference_protected(e->next);

	/* release: a reader that loads @next this way must see its
	 * initialisation too (no release sequence carries the old one) */
	sk_rcu_assign_pointer(e->prev->next, next);
	next->prev = e->prev;
	e->prev = NULL;
}

/*
 * sk_rcu_list_replace - put @new where @old is, in one step for readers.
 * Free @old after a grace period.  Context: updater.
 */
static inline void sk_rcu_list_replace(struct sk_rcu_list *old,
				       struct sk_rcu_list *new)
{
	struct sk_rcu_list *next = sk_rcu_dereference_protected(old->next);

	sk_rcu_init_pointer(new->next, next);
	new->prev = old->prev;
	next->prev = new;
	sk_rcu_assign_pointer(new->prev->next, new);
	old->prev = NULL;
}

/* sk_rcu_list_is_empty - updater view.  Context: updater. */
static inline bool sk_rcu_list_is_empty(const struct sk_rcu_list *head)
{
	return atomic_load_explicit(&head->next, memory_order_relaxed) == head;
}

/*
 * sk_rcu_list_first / sk_rcu_list_next - reader traversal: the entry
 * after @head / @e, or NULL at the end.
 * Context: inside sk_rcu_read_lock().
 */
static inline struct sk_rcu_list *
sk_rcu_list_next(const struct sk_rcu_list *head, struct sk_rcu_list *e)
{
	struct sk_rcu_list *n = sk_rcu_dereference(e->next);

	return n == head ? NULL : n;
}

static inline struct sk_rcu_list *sk_rcu_list_first(struct sk_rcu_list *head)
{
	return sk_rcu_list_next(head, head);
}

/* Iterate @pos (struct sk_rcu_list *) over @head.  Inside the read lock. */
#define sk_rcu_list_for_each(pos, head)              \
	for ((pos) = sk_rcu_list_first(head); (pos); \
	     (pos) = sk_rcu_list_next((head), (pos)))

/* The containing object of list entry @pos. */
#define sk_rcu_list_entry(pos, type, member) SK_CONTAINER_OF(pos, type, member)

#endif
