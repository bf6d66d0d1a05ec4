/* SPDX-License-Identifier: MIT */
/*
 * Net channels (Van Jacobson, 2006): a flow's packets travel from the
 * driver's receive thread to the thread that consumes the flow through an
 * SPSC ring, and protocol processing runs in the consumer, on its CPU.
 *
 * Wakes are batched: the producer pushes a whole burst, then wakes the
 * consumer only if the consumer announced it is going to sleep (armed its
 * entry, see netchan/poll.h): one wake per burst at most, none while the
 * consumer is busy draining (OSv woke per packet).
 *
 * Ordering with the slow path: `slow_pending` counts this flow's packets
 * the classifier sent to the slow path (plus 1 while the channel is
 * opening, plus SK_CHANNEL_CLOSING once it is being removed).  While it is
 * non-zero the classifier sends every packet of the flow to the slow path
 * too, and the slow path either injects a packet behind everything queued
 * or waits (sk_channel_flush) until the consumer has processed everything
 * queued before it handles the packet itself: nothing overtakes queued
 * data, either way.
 *
 * Who may run concurrently on one channel:
 *   push/notify (the producer) || drain/wait (the consumer) ||
 *   flush (the slow path) || stats reads (anyone)
 *   inject: the slow path, only while slow_pending != 0 (the classifier
 *   then stops pushing, so the slow path is the single producer).
 */
#ifndef NETCHAN_CHANNEL_H
#define NETCHAN_CHANNEL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <netchan/flow.h>
#include <netchan/pbuf.h>
#include <netchan/poll.h>
#include <netchan/ring.h>
#include <rcu/hash.h>

struct sk_channel;

/*
 * The consumer's processing function: handles @n packets (oldest first)
 * and owns them afterwards (frees or keeps them).
 */
typedef void (*sk_channel_fn)(void *arg, struct sk_channel *ch,
			      struct sk_pbuf **pkts, unsigned n);

enum {
	SK_CHANNEL_BURST = 32, /* packets handed to the function at a time */
	SK_CHANNEL_CLOSING = 1u << 30, /* slow_pending bias once removing */
};

struct sk_channel_stats {
	uint64_t pushed; /* producer: packets queued */
	uint64_t wakes; /* producer: wakes sent */
	uint64_t bursts; /* producer: notify calls (bursts ended) */
	uint64_t processed; /* consumer: packets handed to the function */
};

/*
 * Atomic words besides the ring's (see the tables in channel.c,
 * classifier.c and poll.h for flusher, slow_pending and pe.armed):
 *   processed  consumer only, +n (release) after the function handled n
 *              packets; equals ring.tail once the consumer is idle
 *   refs       1 (owner) + one per slow-path packet holding the channel;
 *              the put that reaches 0 calls release()
 *   consumer   the last thread that waited on the channel or owns its
 *              poll set (relaxed: only compared with the caller)
 *   st_*       single-writer counters, relaxed load + store
 */
struct sk_channel {
	struct sk_ring ring;
	/* Producer's fields (the classifier or a direct producer). */
	SK_CACHE_ALIGNED _Atomic uint64_t st_pushed, st_wakes, st_bursts;
	/* Consumer's fields. */
	SK_CACHE_ALIGNED _Atomic uint32_t processed; /* packets done */
	_Atomic uint64_t st_processed;
	sk_channel_fn fn;
	void *arg;
	/* Shared, rarely written. */
	SK_CACHE_ALIGNED struct sk_poll_entry pe; /* consumer wake-up */
	_Atomic uint32_t slow_pending; /* see above */
	_Atomic(struct sk_thread *) flusher; /* slow path in sk_channel_flush */
	_Atomic uint32_t refs; /* owner's + slow-path packets' */
	void (*release)(struct sk_channel *ch); /* refs reached 0 */
	_Atomic(struct sk_thread *) consumer; /* last waiter / poll owner */
	/* Classifier's fields (set while not in a table). */
	struct sk_rcu_hnode hnode;
	struct sk_flow_key key;
	void *cls; /* the classifier it is in, or NULL */
	struct sk_channel *open_next; /* classifier's opening list */
	uint32_t open_target; /* slow packets to pass before opening */
	uint32_t opening; /* on the opening list */
	void *user; /* the owner's */
};

/*
 * sk_channel_init - an empty channel over caller memory @slots[0..@nslots)
 * that hands packets to @fn(@arg, ...).  One reference (the owner's).
 * Return: 0; -EINVAL for a NULL @fn or an @nslots sk_ring_init refuses.
 * Context: any, before the channel is shared.
 */
int sk_channel_init(struct sk_channel *ch, void **slots, uint32_t nslots,
		    sk_channel_fn fn, void *arg);

/*
 * sk_channel_push_burst - queue up to @n packets without waking anyone.
 * Return: how many fit (the rest are still the caller's).
 * Context: the producer.
 */
unsigned sk_channel_push_burst(struct sk_channel *ch, struct sk_pbuf **pkts,
			       unsigned n);

/*
 * sk_channel_notify - end of a burst: wake the consumer if it armed.
 * Ordering: full fence between the pushes and reading `armed` (pairs with
 *           the fence in sk_poll_entry_arm_).
 * Context: the producer, with preemption disabled from the push through
 * this call if the consumer may exit meanwhile (sk_thread_wake's rule).
 */
void sk_channel_notify(struct sk_channel *ch);

/*
 * sk_channel_send - push_burst + notify, with preemption disabled.
 * Return: as sk_channel_push_burst.
 * Context: the producer, thread.
 */
unsigned sk_channel_send(struct sk_channel *ch, struct sk_pbuf **pkts,
			 unsigned n);

/*
 * sk_channel_drain - hand up to @budget queued packets (0: all present)
 * to the processing function, SK_CHANNEL_BURST at a time, and release a
 * slow path waiting in sk_channel_flush.
 * Return: packets processed.
 * Context: the consumer.
 */
unsigned sk_channel_drain(struct sk_channel *ch, unsigned budget);

/*
 * sk_channel_wait - sleep until the ring is not empty or @deadline_ns
 * (UINT64_MAX: none), for a consumer that serves this channel alone (not
 * in a poll set).  Spurious returns are possible.
 * Return: 0 (something may be queued); -ETIMEDOUT; -EBUSY if the channel
 *         is in a poll set.
 * Context: the consumer, preemption enabled; blocks.
 */
int sk_channel_wait(struct sk_channel *ch, uint64_t deadline_ns);

/*
 * sk_channel_flush - wait until the consumer has processed every packet
 * queued now.  The caller must stop new pushes first (slow_pending != 0,
 * which the classifier's slow path guarantees).  If the caller is the
 * consumer it drains inline instead.
 * Return: 0.
 * Context: thread, preemption enabled; blocks.
 */
int sk_channel_flush(struct sk_channel *ch);

/*
 * sk_channel_inject - queue @p behind everything already queued and wake
 * the consumer; for the slow path, to hand a packet back to the flow's
 * consumer in order.  When the ring is full, waits for the consumer to
 * drain it (sk_channel_flush) and tries again.
 * Return: 0; -EPERM if the slow path does not hold the producer role
 *         (slow_pending == 0); -EPIPE if the channel is being removed or
 *         is removed (flush, then handle the packet another way).
 * Context: the slow path, thread, preemption enabled; may block.
 */
int sk_channel_inject(struct sk_channel *ch, struct sk_pbuf *p);

/*
 * sk_channel_poll_add - let @poll's owner wait on @ch (cookie @user).
 * sk_channel_poll_del - take it out again.
 * Return: 0; -EBUSY if already in a set / -ENOENT if in none.
 * Context: the poll set's owner (which becomes the consumer).
 */
int sk_channel_poll_add(struct sk_poll *poll, struct sk_channel *ch,
			uint64_t user);
int sk_channel_poll_del(struct sk_channel *ch);

/*
 * sk_channel_get / sk_channel_put - take / drop a reference.  The last
 * put calls ch->release (if set).
 * Ordering: put is release, the last one acquire (before release()).
 * Context: any.
 */
void sk_channel_get(struct sk_channel *ch);
void sk_channel_put(struct sk_channel *ch);

/* sk_channel_is_ready - whether packets are queued.  Context: any. */
static inline bool sk_channel_is_ready(const struct sk_channel *ch)
{
	return !sk_ring_is_empty(&ch->ring);
}

/* sk_channel_stats_get - relaxed snapshot of the counters.  Any. */
void sk_channel_stats_get(const struct sk_channel *ch,
			  struct sk_channel_stats *out);

#endif
