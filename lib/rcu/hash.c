// SPDX-License-Identifier: MIT
/*
 * The resizable RCU hash table (rcu/hash.h), shared by both backends.
 * Buckets are singly linked chains of intrusive nodes; each node has two
 * links and each bucket array uses one of them (its "link").  A resize
 * builds the new array through the other link while readers keep walking
 * the old one untouched, publishes it with one release store, and retires
 * the old array: sk_call_rcu clears ht->retiring once no reader can still
 * walk it, and the next resize (or fini) frees it.  Until then no resize
 * may reuse the old array's link, so a resize waits (explicit) or is
 * skipped (automatic).
 *
 * Lock order: resize_lock, then lock.  Memory hooks run under resize_lock
 * only.  Writers publish with release stores; readers load with acquire.
 */
#include <errno.h>
#include <stddef.h>

#include <plat/compiler.h>
#include <rcu/hash.h>
#include <rcu/rcu.h>

struct sk_rcu_htab {
	struct sk_rcu_head rcu; /* retirement */
	struct sk_rcu_hash *ht;
	size_t len; /* bytes, for mem.free */
	unsigned mask; /* buckets - 1 */
	unsigned link; /* which node link this array uses */
	_Atomic(struct sk_rcu_hnode *) buckets[];
};

enum { BUCKETS_DEFAULT = 16, SHRINK_RATIO = 8 };

static bool buckets_ok(unsigned n)
{
	return n >= SK_RCU_HASH_BUCKETS_MIN && n <= SK_RCU_HASH_BUCKETS_MAX &&
	       SK_IS_POW2(n);
}

static struct sk_rcu_htab *tab_alloc(struct sk_rcu_hash *ht, unsigned n,
				     unsigned link)
{
	size_t len = sizeof(struct sk_rcu_htab) +
		     (size_t)n * sizeof(_Atomic(struct sk_rcu_hnode *));
	struct sk_rcu_htab *t = ht->mem.alloc(len, ht->mem.ctx);

	if (!t)
		return NULL;
	t->ht = ht;
	t->len = len;
	t->mask = n - 1;
	t->link = link;
	for (unsigned i = 0; i < n; i++)
		atomic_init(&t->buckets[i], NULL);
	return t;
}

static void tab_free(struct sk_rcu_hash *ht, struct sk_rcu_htab *t)
{
	ht->mem.free(t, t->len, ht->mem.ctx);
}

static unsigned or_default(unsigned v, unsigned d)
{
	return v ? v : d;
}

int sk_rcu_hash_init(struct sk_rcu_hash *ht,
		     const struct sk_rcu_hash_attr *attr)
{
	unsigned n, lo, hi;
	struct sk_rcu_htab *t;

	if (!ht || !attr || !attr->match || !attr->mem || !attr->mem->alloc ||
	    !attr->mem->free)
		return -EINVAL;
	n = or_default(attr->nbuckets, BUCKETS_DEFAULT);
	lo = or_default(attr->min_buckets, BUCKETS_DEFAULT);
	hi = or_default(attr->max_buckets, SK_RCU_HASH_BUCKETS_MAX);
	if (!buckets_ok(n) || !buckets_ok(lo) || !buckets_ok(hi) || lo > hi ||
	    attr->flags & ~(unsigned)SK_RCU_HASH_AUTO_RESIZE)
		return -EINVAL;
	ht->match = attr->match;
	ht->mem = *attr->mem;
	ht->min_buckets = lo;
	ht->max_buckets = hi;
	ht->flags = attr->flags;
	t = tab_alloc(ht, n, 0);
	if (!t)
		return -ENOMEM;
	sk_mutex_init(&ht->lock);
	sk_mutex_init(&ht->resize_lock);
	atomic_init(&ht->count, 0);
	atomic_init(&ht->retiring, 0);
	ht->old = NULL;
	atomic_init(&ht->tab, t);
	return 0;
}

/* Free the retired array once its grace period is over (resize_lock). */
static void old_reap(struct sk_rcu_hash *ht)
{
	/* acquire: pairs with the release in tab_retired */
	while (atomic_load_explicit(&ht->retiring, memory_order_acquire))
		sk_rcu_barrier();
	if (ht->old) {
		tab_free(ht, ht->old);
		ht->old = NULL;
	}
}

int sk_rcu_hash_fini(struct sk_rcu_hash *ht)
{
	struct sk_rcu_htab *t;

	if (!ht)
		return -EINVAL;
	sk_mutex_lock(&ht->resize_lock);
	if (atomic_load_explicit(&ht->count, memory_order_relaxed)) {
		sk_mutex_unlock(&ht->resize_lock);
		return -EBUSY;
	}
	old_reap(ht);
	t = sk_rcu_dereference_protected(ht->tab);
	sk_rcu_init_pointer(ht->tab, NULL);
	sk_mutex_unlock(&ht->resize_lock);
	tab_free(ht, t);
	return 0;
}

struct sk_rcu_hnode *sk_rcu_hash_lookup(struct sk_rcu_hash *ht, uint64_t hash,
					const void *key)
{
	/* acquire loads: pair with the release stores of writers */
	struct sk_rcu_htab *t = sk_rcu_dereference(ht->tab);
	unsigned link = t->link;
	struct sk_rcu_hnode *n = sk_rcu_dereference(t->buckets[hash & t->mask]);

	for (; n; n = sk_rcu_dereference(n->next[link]))
		if (n->hash == hash && ht->match(n, key))
			return n;
	return NULL;
}

/* The link pointing at @node in the current array, or NULL.  (lock) */
static _Atomic(struct sk_rcu_hnode *) *link_to(struct sk_rcu_htab *t,
					       struct sk_rcu_hnode *node)
{
	_Atomic(struct sk_rcu_hnode *) *pp = &t->buckets[node->hash & t->mask];
	struct sk_rcu_hnode *n;

	while ((n = sk_rcu_dereference_protected(*pp)) != node) {
		if (!n)
			return NULL;
		pp = &n->next[t->link];
	}
	return pp;
}

static void auto_resize(struct sk_rcu_hash *ht);

int sk_rcu_hash_insert(struct sk_rcu_hash *ht, struct sk_rcu_hnode *node,
		       uint64_t hash, const void *key)
{
	struct sk_rcu_htab *t;
	_Atomic(struct sk_rcu_hnode *) *b;
	struct sk_rcu_hnode *n;
	size_t count;
	unsigned nb;

	if (!ht || !node)
		return -EINVAL;
	sk_mutex_lock(&ht->lock);
	t = sk_rcu_dereference_protected(ht->tab);
	nb = t->mask + 1u;
	b = &t->buckets[hash & t->mask];
	for (n = sk_rcu_dereference_protected(*b); n;
	     n = sk_rcu_dereference_protected(n->next[t->link])) {
		if (n->hash == hash && ht->match(n, key)) {
			sk_mutex_unlock(&ht->lock);
			return -EEXIST;
		}
	}
	node->hash = hash;
	sk_rcu_init_pointer(node->next[t->link],
			    sk_rcu_dereference_protected(*b));
	sk_rcu_assign_pointer(*b, node); /* readers see the node whole */
	count = atomic_load_explicit(&ht->count, memory_order_relaxed) + 1;
	atomic_store_explicit(&ht->count, count, memory_order_relaxed);
	sk_mutex_unlock(&ht->lock);
	/* @t may be retired and freed once the lock is dropped: use @nb */
	if ((ht->flags & SK_RCU_HASH_AUTO_RESIZE) && count > nb &&
	    nb < ht->max_buckets)
		auto_resize(ht);
	return 0;
}

int sk_rcu_hash_remove(struct sk_rcu_hash *ht, struct sk_rcu_hnode *node)
{
	_Atomic(struct sk_rcu_hnode *) *pp;
	struct sk_rcu_htab *t;
	size_t count;
	unsigned nb;

	if (!ht || !node)
		return -EINVAL;
	sk_mutex_lock(&ht->lock);
	t = sk_rcu_dereference_protected(ht->tab);
	nb = t->mask + 1u;
	pp = link_to(t, node);
	if (!pp) {
		sk_mutex_unlock(&ht->lock);
		return -ENOENT;
	}
	/* release: the successor's contents reach readers through here */
	sk_rcu_assign_pointer(
		*pp, sk_rcu_dereference_protected(node->next[t->link]));
	count = atomic_load_explicit(&ht->count, memory_order_relaxed) - 1;
	atomic_store_explicit(&ht->count, count, memory_order_relaxed);
	sk_mutex_unlock(&ht->lock);
	if ((ht->flags & SK_RCU_HASH_AUTO_RESIZE) &&
	    count < nb / SHRINK_RATIO && nb > ht->min_buckets)
		auto_resize(ht);
	return 0;
}

int sk_rcu_hash_replace(struct sk_rcu_hash *ht, struct sk_rcu_hnode *old,
			struct sk_rcu_hnode *new)
{
	_Atomic(struct sk_rcu_hnode *) *pp;
	struct sk_rcu_htab *t;

	if (!ht || !old || !new || old == new)
		return -EINVAL;
	sk_mutex_lock(&ht->lock);
	t = sk_rcu_dereference_protected(ht->tab);
	pp = link_to(t, old);
	if (!pp) {
		sk_mutex_unlock(&ht->lock);
		return -ENOENT;
	}
	new->hash = old->hash;
	sk_rcu_init_pointer(new->next[t->link],
			    sk_rcu_dereference_protected(old->next[t->link]));
	sk_rcu_assign_pointer(*pp, new); /* readers see @new whole */
	sk_mutex_unlock(&ht->lock);
	return 0;
}

static void tab_retired(struct sk_rcu_head *head)
{
	struct sk_rcu_htab *t = SK_CONTAINER_OF(head, struct sk_rcu_htab, rcu);

	/* release: pairs with the acquire in old_reap */
	atomic_store_explicit(&t->ht->retiring, 0, memory_order_release);
}

/* Link every node of @from into @to, then publish @to.  (both locks) */
static void tab_switch(struct sk_rcu_hash *ht, struct sk_rcu_htab *from,
		       struct sk_rcu_htab *to)
{
	for (unsigned i = 0; i <= from->mask; i++) {
		struct sk_rcu_hnode *n =
			sk_rcu_dereference_protected(from->buckets[i]);

		for (; n;
		     n = sk_rcu_dereference_protected(n->next[from->link])) {
			_Atomic(struct sk_rcu_hnode *) *b =
				&to->buckets[n->hash & to->mask];

			/* relaxed: @to is unpublished; the release below
			 * carries all of it */
			sk_rcu_init_pointer(n->next[to->link],
					    sk_rcu_dereference_protected(*b));
			sk_rcu_init_pointer(*b, n);
		}
	}
	atomic_store_explicit(&ht->retiring, 1, memory_order_relaxed);
	sk_rcu_assign_pointer(ht->tab, to);
}

/* Resize with resize_lock held and no array retiring. */
static int resize_locked(struct sk_rcu_hash *ht, unsigned nbuckets)
{
	struct sk_rcu_htab *cur = sk_rcu_dereference_protected(ht->tab);
	struct sk_rcu_htab *nt;

	if (cur->mask + 1u == nbuckets)
		return 0;
	if (ht->old) {
		tab_free(ht, ht->old);
		ht->old = NULL;
	}
	nt = tab_alloc(ht, nbuckets, 1 - cur->link);
	if (!nt)
		return -ENOMEM;
	sk_mutex_lock(&ht->lock);
	tab_switch(ht, cur, nt);
	sk_mutex_unlock(&ht->lock);
	ht->old = cur;
	sk_call_rcu(&cur->rcu, tab_retired);
	return 0;
}

int sk_rcu_hash_resize(struct sk_rcu_hash *ht, unsigned nbuckets)
{
	int err;

	if (!ht || !buckets_ok(nbuckets))
		return -EINVAL;
	sk_mutex_lock(&ht->resize_lock);
	old_reap(ht);
	err = resize_locked(ht, nbuckets);
	sk_mutex_unlock(&ht->resize_lock);
	return err;
}

/* The bucket count AUTO_RESIZE wants for the current count. */
static unsigned auto_target(struct sk_rcu_hash *ht, unsigned n)
{
	size_t count = atomic_load_explicit(&ht->count, memory_order_relaxed);

	while (count > n && n < ht->max_buckets)
		n *= 2;
	while (count < n / SHRINK_RATIO && n > ht->min_buckets)
		n /= 2;
	return n;
}

static void auto_resize(struct sk_rcu_hash *ht)
{
	struct sk_rcu_htab *t;

	if (sk_mutex_try_lock(&ht->resize_lock))
		return; /* a resize is running: it or the next one will do */
	t = sk_rcu_dereference_protected(ht->tab);
	/* acquire: pairs with the release in tab_retired */
	if (!atomic_load_explicit(&ht->retiring, memory_order_acquire))
		(void)resize_locked(ht, auto_target(ht, t->mask + 1u));
	sk_mutex_unlock(&ht->resize_lock);
}

size_t sk_rcu_hash_count(const struct sk_rcu_hash *ht)
{
	return atomic_load_explicit(&ht->count, memory_order_relaxed);
}

unsigned sk_rcu_hash_buckets(struct sk_rcu_hash *ht)
{
	unsigned n;

	sk_rcu_read_lock();
	n = sk_rcu_dereference(ht->tab)->mask + 1u;
	sk_rcu_read_unlock();
	return n;
}

int sk_rcu_hash_walk(struct sk_rcu_hash *ht, sk_rcu_hash_walk_fn fn, void *arg)
{
	struct sk_rcu_htab *t = sk_rcu_dereference(ht->tab);

	for (unsigned i = 0; i <= t->mask; i++) {
		struct sk_rcu_hnode *n = sk_rcu_dereference(t->buckets[i]);

		for (; n; n = sk_rcu_dereference(n->next[t->link])) {
			int r = fn(n, arg);

			if (r)
				return r;
		}
	}
	return 0;
}
