/* SPDX-License-Identifier: MIT */
/*
 * The flow classifier: the driver's receive thread hands it bursts of
 * packets; each is parsed, its 5-tuple hashed with SipHash-2-4 under a
 * per-boot random key and looked up, lock-free, in an RCU hash table of
 * channels.  A hit goes into that channel's ring; everything else goes to
 * the slow path, itself a channel consumed by the slow-path thread:
 *
 *   reason        what
 *   UNKNOWN       well-formed TCP/UDP with no channel
 *   CONTROL       TCP SYN, FIN or RST
 *   FRAGMENT      IPv4/IPv6 fragment
 *   OTHER         not TCP/UDP over IP
 *   MALFORMED     the parser said -EINVAL
 *   TRUNCATED     the parser said -ENODATA
 *   RING_FULL     the flow's ring had no room
 *   ORDER         the flow already has packets in the slow path, or its
 *                 channel is being removed: keeps the flow in order
 *
 * A slow packet of a known flow holds a channel reference and counts in
 * the channel's slow_pending, and the classifier sends the flow's later
 * packets to the slow path too until the handler is done with it.  The
 * handler then either gives the packet back to the consumer behind
 * everything queued (sk_channel_inject), or first drains the channel
 * (sk_channel_flush: waits until the consumer processed everything queued)
 * and handles the packet itself.  Either way nothing overtakes queued
 * data.  Injecting needs no wait, so a flow that is in the slow path only
 * to keep its order (ORDER, RING_FULL) costs the slow path a ring push.
 *
 * Adding a channel does not let the flow's later packets overtake its
 * earlier ones still queued in the slow path as UNKNOWN: the new channel
 * starts with slow_pending = 1 (the opening hold), which the slow path
 * drops once it has handled every packet queued before the channel was
 * visible to the driver.
 *
 * Who may run concurrently on one classifier:
 *   rx (one driver thread) || add/remove (any threads) ||
 *   the slow path (one thread: sk_channel_wait/drain on cls->slow)
 */
#ifndef NETCHAN_CLASSIFIER_H
#define NETCHAN_CLASSIFIER_H

#include <stdatomic.h>
#include <stdint.h>

#include <netchan/channel.h>
#include <netchan/flow.h>
#include <netchan/pbuf.h>
#include <netchan/siphash.h>
#include <rcu/hash.h>
#include <sync/mutex.h>

enum sk_classifier_reason {
	SK_SLOW_NONE = 0,
	SK_SLOW_UNKNOWN = 1,
	SK_SLOW_CONTROL = 2,
	SK_SLOW_FRAGMENT = 3,
	SK_SLOW_OTHER = 4,
	SK_SLOW_MALFORMED = 5,
	SK_SLOW_TRUNCATED = 6,
	SK_SLOW_RING_FULL = 7,
	SK_SLOW_ORDER = 8,
	SK_SLOW_REASONS = 9,
};

/*
 * The slow-path handler: owns @p afterwards.  @ch is the flow's channel
 * or NULL; @p->slow_reason says why.  With a channel it must either
 * sk_channel_inject(@ch, @p) or call sk_channel_flush(@ch) before
 * handling @p itself.  Runs on the slow path thread; may block.
 */
typedef void (*sk_classifier_slow_fn)(void *arg, struct sk_pbuf *p,
				      struct sk_channel *ch);

struct sk_classifier_attr {
	const struct sk_rcu_hash_mem_ops *mem; /* bucket arrays; required */
	void **slow_slots; /* slow ring memory; required */
	uint32_t slow_nslots; /* power of two */
	sk_classifier_slow_fn slow_fn; /* required */
	void *slow_arg;
	const struct sk_siphash_key *key; /* NULL: random from the platform */
	unsigned nbuckets; /* initial; 0: 64.  The table grows itself */
};

struct sk_classifier_stats {
	uint64_t rx; /* packets offered */
	uint64_t fast; /* pushed into a flow's channel */
	uint64_t slow[SK_SLOW_REASONS]; /* sent to the slow path, by reason */
	uint64_t refused; /* slow ring full: handed back to the driver */
};

struct sk_classifier {
	struct sk_rcu_hash table;
	struct sk_siphash_key key;
	struct sk_channel slow; /* consumed by the slow-path thread */
	sk_classifier_slow_fn slow_fn;
	void *slow_arg;
	struct sk_mutex open_lock; /* guards opening, open_next */
	struct sk_channel *opening; /* channels holding for the slow path */
	_Atomic uint32_t nopening; /* list length (written under lock) */
	uint32_t slow_seen; /* slow thread: packets it has handled */
	/* Driver-written counters (single writer). */
	_Atomic uint64_t st_rx, st_fast, st_refused;
	_Atomic uint64_t st_slow[SK_SLOW_REASONS];
};

enum { SK_CLASSIFIER_BURST = 32 };

/*
 * sk_classifier_init - an empty classifier.
 * Return: 0; -EINVAL for a missing or bad attribute; -ENOMEM from the
 *         table; the error of sk_siphash_key_random().
 * Context: thread.
 */
int sk_classifier_init(struct sk_classifier *cls,
		       const struct sk_classifier_attr *attr);

/*
 * sk_classifier_fini - tear down an empty classifier; slow packets still
 * queued are handed to the slow handler first.
 * Return: 0; -EBUSY if channels remain.
 * Context: thread, preemption enabled; may block.
 */
int sk_classifier_fini(struct sk_classifier *cls);

/*
 * sk_classifier_flow_hash - the keyed hash of @key.  Context: any.
 */
uint64_t sk_classifier_flow_hash(const struct sk_classifier *cls,
				 const struct sk_flow_key *key);

/*
 * sk_classifier_add - route packets with @key (as received: src is the
 * remote end) to @ch from now on, after the flow's packets already in the
 * slow path (see above).  @ch must be freshly initialised.  Waits for a
 * grace period; callable from the slow-path handler.
 * Return: 0; -EEXIST if the flow has a channel; -EINVAL for bad
 *         arguments (family/proto not IPv4/IPv6 TCP/UDP, nonzero
 *         padding, @ch already in a classifier).
 * Context: thread, preemption enabled; may block.
 */
int sk_classifier_add(struct sk_classifier *cls, struct sk_channel *ch,
		      const struct sk_flow_key *key);

/*
 * sk_classifier_remove - stop routing to @ch.  Diverts the flow to the
 * slow path, waits until the consumer has processed everything queued
 * (drains inline when the caller is the consumer), unhashes it and waits
 * for a grace period: when it returns no producer touches @ch, its ring
 * is empty, and the flow's later packets reach the slow path (as ORDER
 * while the slow path holds references, then UNKNOWN).  The channel
 * cannot be added again without sk_channel_init().
 * Return: 0; -ENOENT if @ch is not in @cls.
 * Context: thread, preemption enabled, not the slow path thread; blocks.
 */
int sk_classifier_remove(struct sk_classifier *cls, struct sk_channel *ch);

/*
 * sk_classifier_lookup - the channel of @key, or NULL.
 * Context: inside sk_rcu_read_lock(); the channel stays valid until the
 * read-side section ends.
 */
struct sk_channel *sk_classifier_lookup(struct sk_classifier *cls,
					const struct sk_flow_key *key);

/*
 * sk_classifier_rx - classify and queue @pkts[0..@n) in order, then wake
 * each consumer that was touched (and the slow path) once.
 * Return: how many were taken (0..@n).  Stops at the first packet the
 * slow ring has no room for: it and the rest stay the caller's, in order.
 * Context: the driver thread, preemption enabled or not.
 */
unsigned sk_classifier_rx(struct sk_classifier *cls, struct sk_pbuf **pkts,
			  unsigned n);

/* sk_classifier_stats_get - relaxed snapshot.  Context: any. */
void sk_classifier_stats_get(const struct sk_classifier *cls,
			     struct sk_classifier_stats *out);

#endif
