/* SPDX-License-Identifier: MIT */
/*
 * A resizable RCU hash table with intrusive nodes.  Lookups are lock-free
 * inside sk_rcu_read_lock(); inserts, removals and resizes are serialised
 * by a mutex inside the table.  Keys are the caller's: it passes a 64-bit
 * hash and a match callback, and embeds struct sk_rcu_hnode in its
 * objects.  A lookup that runs during any insert, removal or resize never
 * misses a key that stays present throughout it, and never returns a node
 * whose removal finished a grace period before the lookup began.
 *
 * Each node has two links, one per table generation: a resize links every
 * node into the new bucket array through the link the current array does
 * not use, publishes the new array, and retires the old one after a grace
 * period.  Readers keep walking whichever array they loaded, intact.
 * docs/rcu.md has the details.
 */
#ifndef RCU_HASH_H
#define RCU_HASH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rcu/rcu.h>
#include <sync/mutex.h>

/* Embed in each object stored in a table.  Fields are lib/rcu's. */
struct sk_rcu_hnode {
	_Atomic(struct sk_rcu_hnode *) next[2]; /* one per table generation */
	uint64_t hash;
};

/*
 * Return true if @node holds @key.  Called inside a read-side section
 * (lookups) or under the table's mutex (inserts); must not block.
 */
typedef bool (*sk_rcu_hash_match_fn)(const struct sk_rcu_hnode *node,
				     const void *key);

/*
 * Memory for bucket arrays, aligned to 16.  Called in thread context,
 * preemptible, holding only the table's resize mutex; may block.
 */
struct sk_rcu_hash_mem_ops {
	void *(*alloc)(size_t len, void *ctx);
	void (*free)(void *p, size_t len, void *ctx);
	void *ctx;
};

enum sk_rcu_hash_flags {
	/* grow at more than 1 node per bucket, shrink below 1/8 */
	SK_RCU_HASH_AUTO_RESIZE = 1 << 0,
};

enum {
	SK_RCU_HASH_BUCKETS_MIN = 1,
	SK_RCU_HASH_BUCKETS_MAX = 1u << 30,
};

/*
 * Creation attributes.  @nbuckets, @min_buckets and @max_buckets are
 * powers of two (0 means 16, 16 and SK_RCU_HASH_BUCKETS_MAX).
 */
struct sk_rcu_hash_attr {
	sk_rcu_hash_match_fn match; /* required */
	const struct sk_rcu_hash_mem_ops *mem; /* required; copied */
	unsigned nbuckets;
	unsigned min_buckets; /* AUTO_RESIZE never goes below */
	unsigned max_buckets; /* ... nor above */
	unsigned flags; /* enum sk_rcu_hash_flags */
};

struct sk_rcu_htab;

/* A table.  Fields are lib/rcu's; "lock" guards what it names. */
struct sk_rcu_hash {
	_Atomic(struct sk_rcu_htab *) tab; /* published: readers */
	struct sk_mutex lock; /* writers */
	struct sk_mutex resize_lock; /* resizes; taken before lock */
	atomic_size_t count; /* lock (written); any (read) */
	atomic_uint retiring; /* old's grace period has not ended */
	struct sk_rcu_htab *old; /* resize_lock: retired array, not freed */
	sk_rcu_hash_match_fn match;
	struct sk_rcu_hash_mem_ops mem;
	unsigned min_buckets, max_buckets, flags;
};

/*
 * sk_rcu_hash_init - set up an empty table with its first bucket array.
 * Return: 0; -EINVAL for a missing callback or a bucket count that is not
 *         a power of two in range (or min > max); -ENOMEM if the bucket
 *         array cannot be had.
 * Context: thread.
 */
int sk_rcu_hash_init(struct sk_rcu_hash *ht,
		     const struct sk_rcu_hash_attr *attr);

/*
 * sk_rcu_hash_fini - free the bucket arrays of an empty table.  Waits for
 * a retired array's grace period (sk_rcu_barrier) if one is pending.
 * Return: 0; -EBUSY if nodes remain (the table is untouched).
 * Context: thread, preemption enabled; may block.
 */
int sk_rcu_hash_fini(struct sk_rcu_hash *ht);

/*
 * sk_rcu_hash_lookup - the node with @hash that @match says holds @key.
 * Return: the node, valid until sk_rcu_read_unlock(); NULL if none.
 * Context: inside sk_rcu_read_lock().
 */
struct sk_rcu_hnode *sk_rcu_hash_lookup(struct sk_rcu_hash *ht, uint64_t hash,
					const void *key);

/*
 * sk_rcu_hash_insert - add @node with @hash unless a node holding @key
 * (by @match) is present.  Readers see @node's initialisation.  With
 * AUTO_RESIZE may grow the table (no grace-period wait).
 * Return: 0; -EEXIST if @key is present (nothing changes); -EINVAL for
 *         NULL arguments.
 * Context: thread, preemption enabled; takes the table mutex.
 */
int sk_rcu_hash_insert(struct sk_rcu_hash *ht, struct sk_rcu_hnode *node,
		       uint64_t hash, const void *key);

/*
 * sk_rcu_hash_remove - unlink @node.  Readers may still hold it: free it,
 * or insert it again, only after a grace period (sk_call_rcu,
 * sk_synchronize_rcu): a reader standing on it still follows its links.
 * Return: 0; -ENOENT if @node is not in the table; -EINVAL for NULL.
 * Context: thread, preemption enabled; takes the table mutex.
 */
int sk_rcu_hash_remove(struct sk_rcu_hash *ht, struct sk_rcu_hnode *node);

/*
 * sk_rcu_hash_replace - put @new in @old's place in one step: a reader
 * finds one or the other, never neither.  @new must hold the same key
 * and gets @old's hash.  Free @old after a grace period.
 * Return: 0; -ENOENT if @old is not in the table; -EINVAL for NULL.
 * Context: thread, preemption enabled; takes the table mutex.
 */
int sk_rcu_hash_replace(struct sk_rcu_hash *ht, struct sk_rcu_hnode *old,
			struct sk_rcu_hnode *new);

/*
 * sk_rcu_hash_resize - rebuild the table with @nbuckets buckets.  Readers
 * go on undisturbed; writers wait for the rebuild (not for the grace
 * period, unless a previous array is still retiring).
 * Return: 0; -EINVAL if @nbuckets is not a power of two in range;
 *         -ENOMEM (the table is unchanged).
 * Context: thread, preemption enabled; may block.
 */
int sk_rcu_hash_resize(struct sk_rcu_hash *ht, unsigned nbuckets);

/* sk_rcu_hash_count - nodes in the table (snapshot).  Context: any. */
size_t sk_rcu_hash_count(const struct sk_rcu_hash *ht);

/* sk_rcu_hash_buckets - buckets in the current array.  Context: any. */
unsigned sk_rcu_hash_buckets(struct sk_rcu_hash *ht);

/* Called for each node by sk_rcu_hash_walk(); non-zero stops the walk. */
typedef int (*sk_rcu_hash_walk_fn)(struct sk_rcu_hnode *node, void *arg);

/*
 * sk_rcu_hash_walk - call @fn on every node of the array current at the
 * call.  Nodes present throughout the walk are visited exactly once.
 * Return: 0, or the first non-zero value @fn returned.
 * Context: inside sk_rcu_read_lock() (@fn must not block), or holding no
 *          lock with the caller excluding writers itself.
 */
int sk_rcu_hash_walk(struct sk_rcu_hash *ht, sk_rcu_hash_walk_fn fn, void *arg);

#endif
