// SPDX-License-Identifier: MIT
/*
 * The flow classifier (netchan/classifier.h): parse, keyed hash, RCU
 * lookup, push or divert, then one notify per touched channel.
 *
 * channel.slow_pending (per flow):
 *   0                 packets may take the fast path (the driver pushes)
 *   1..CLOSING-1      that many of the flow's packets wait in the slow
 *                     path; the driver diverts the rest (ORDER) and the
 *                     slow path holds the producer role (inject)
 *   >= CLOSING        being removed or removed: always divert, no inject
 * The driver increments (relaxed: the packet itself carries the edge
 * through the slow ring's release/acquire); the slow path decrements with
 * release after the handler, and the driver's acquire load of 0 takes the
 * producer role back with everything the handler pushed.
 */
#include <errno.h>
#include <string.h>

#include <plat/assert.h>
#include <rcu/rcu.h>

#include <netchan/classifier.h>

enum { HDR_COPY = 256, NBUCKETS_DEFAULT = 64 };

static bool chan_match(const struct sk_rcu_hnode *node, const void *key)
{
	const struct sk_channel *ch =
		(const struct sk_channel
			 *)(const void *)((const char *)node -
					  offsetof(struct sk_channel, hnode));

	return memcmp(&ch->key, key, sizeof(ch->key)) == 0;
}

static inline void stat_add(_Atomic uint64_t *c, uint64_t n)
{
	atomic_store_explicit(c,
			      atomic_load_explicit(c, memory_order_relaxed) + n,
			      memory_order_relaxed);
}

/* Drop the opening hold of channels whose target the slow path has
 * reached: every packet queued before they became visible is handled. */
static void open_release(struct sk_classifier *cls)
{
	struct sk_channel **pp;

	if (!atomic_load_explicit(&cls->nopening, memory_order_relaxed))
		return;
	sk_mutex_lock(&cls->open_lock);
	pp = &cls->opening;
	while (*pp) {
		struct sk_channel *ch = *pp;

		if ((int32_t)(cls->slow_seen - ch->open_target) < 0) {
			pp = &ch->open_next;
			continue;
		}
		*pp = ch->open_next;
		ch->opening = 0;
		atomic_store_explicit(
			&cls->nopening,
			atomic_load_explicit(&cls->nopening,
					     memory_order_relaxed) -
				1,
			memory_order_relaxed);
		/* release: the slow path's handling of the flow's earlier
		 * packets before the driver's acquire load of 0. */
		atomic_fetch_sub_explicit(&ch->slow_pending, 1,
					  memory_order_release);
	}
	sk_mutex_unlock(&cls->open_lock);
}

/* The slow channel's processing function, on the slow-path thread. */
static void slow_process(void *arg, struct sk_channel *slow,
			 struct sk_pbuf **pkts, unsigned n)
{
	struct sk_classifier *cls = arg;

	(void)slow;
	for (unsigned i = 0; i < n; i++) {
		struct sk_pbuf *p = pkts[i];
		struct sk_channel *ch = p->slow_chan;

		open_release(cls);
		cls->slow_seen++;
		p->slow_chan = NULL;
		cls->slow_fn(cls->slow_arg, p, ch);
		if (!ch)
			continue;
		/* release: the handler's work (an inject) before the
		 * driver's acquire load that sees the count drop. */
		atomic_fetch_sub_explicit(&ch->slow_pending, 1,
					  memory_order_release);
		sk_channel_put(ch);
	}
}

int sk_classifier_init(struct sk_classifier *cls,
		       const struct sk_classifier_attr *attr)
{
	struct sk_rcu_hash_attr ha = { 0 };
	int err;

	if (!cls || !attr || !attr->mem || !attr->slow_slots || !attr->slow_fn)
		return -EINVAL;
	memset(cls, 0, sizeof(*cls));
	if (attr->key) {
		cls->key = *attr->key;
	} else {
		err = sk_siphash_key_random(&cls->key);
		if (err)
			return err;
	}
	err = sk_channel_init(&cls->slow, attr->slow_slots, attr->slow_nslots,
			      slow_process, cls);
	if (err)
		return err;
	cls->slow_fn = attr->slow_fn;
	cls->slow_arg = attr->slow_arg;
	sk_mutex_init(&cls->open_lock);
	atomic_init(&cls->nopening, 0);
	ha.match = chan_match;
	ha.mem = attr->mem;
	ha.nbuckets = attr->nbuckets ? attr->nbuckets : NBUCKETS_DEFAULT;
	ha.flags = SK_RCU_HASH_AUTO_RESIZE;
	return sk_rcu_hash_init(&cls->table, &ha);
}

int sk_classifier_fini(struct sk_classifier *cls)
{
	if (sk_rcu_hash_count(&cls->table))
		return -EBUSY;
	sk_channel_drain(&cls->slow, 0);
	SK_ASSERT(!cls->opening, "no channel, so none is opening");
	return sk_rcu_hash_fini(&cls->table);
}

uint64_t sk_classifier_flow_hash(const struct sk_classifier *cls,
				 const struct sk_flow_key *key)
{
	return sk_siphash(&cls->key, key, sizeof(*key));
}

static bool key_is_valid(const struct sk_flow_key *k)
{
	static const uint8_t zero[12];

	if (k->zero_[0] || k->zero_[1])
		return false;
	if (k->proto != SK_FLOW_PROTO_TCP && k->proto != SK_FLOW_PROTO_UDP)
		return false;
	if (k->family == SK_FLOW_IPV6)
		return true;
	return k->family == SK_FLOW_IPV4 && !memcmp(k->src + 4, zero, 12) &&
	       !memcmp(k->dst + 4, zero, 12);
}

/* Hold @ch until the slow path has handled @target packets. */
static void open_hold(struct sk_classifier *cls, struct sk_channel *ch,
		      uint32_t target)
{
	sk_mutex_lock(&cls->open_lock);
	ch->open_target = target;
	ch->open_next = cls->opening;
	ch->opening = 1;
	cls->opening = ch;
	atomic_store_explicit(
		&cls->nopening,
		atomic_load_explicit(&cls->nopening, memory_order_relaxed) + 1,
		memory_order_relaxed);
	sk_mutex_unlock(&cls->open_lock);
}

static void open_cancel(struct sk_classifier *cls, struct sk_channel *ch)
{
	sk_mutex_lock(&cls->open_lock);
	if (ch->opening) {
		struct sk_channel **pp = &cls->opening;

		while (*pp != ch)
			pp = &(*pp)->open_next;
		*pp = ch->open_next;
		ch->opening = 0;
		atomic_store_explicit(
			&cls->nopening,
			atomic_load_explicit(&cls->nopening,
					     memory_order_relaxed) -
				1,
			memory_order_relaxed);
	}
	sk_mutex_unlock(&cls->open_lock);
}

int sk_classifier_add(struct sk_classifier *cls, struct sk_channel *ch,
		      const struct sk_flow_key *key)
{
	uint32_t target;
	int err;

	if (!cls || !ch || !key || !key_is_valid(key) || ch->cls)
		return -EINVAL;
	ch->key = *key;
	ch->cls = cls;
	atomic_store_explicit(&ch->slow_pending, 1, memory_order_relaxed);
	err = sk_rcu_hash_insert(&cls->table, &ch->hnode,
				 sk_classifier_flow_hash(cls, key), &ch->key);
	if (err) {
		atomic_store_explicit(&ch->slow_pending, 0,
				      memory_order_relaxed);
		ch->cls = NULL;
		return err;
	}
	/* After a grace period every packet the driver classified without
	 * seeing the channel is in the slow ring, before this head. */
	sk_synchronize_rcu();
	/* acquire: pairs with the driver's release of the slow ring head. */
	target = atomic_load_explicit(&cls->slow.ring.head,
				      memory_order_acquire);
	/* acquire: pairs with the release in sk_channel_drain, so the slow
	 * path's handling of those packets happens before our release. */
	if ((int32_t)(atomic_load_explicit(&cls->slow.processed,
					   memory_order_acquire) -
		      target) >= 0)
		/* release: to the driver's acquire load of 0. */
		atomic_fetch_sub_explicit(&ch->slow_pending, 1,
					  memory_order_release);
	else
		open_hold(cls, ch, target);
	return 0;
}

int sk_classifier_remove(struct sk_classifier *cls, struct sk_channel *ch)
{
	if (!cls || !ch || ch->cls != cls)
		return -ENOENT;
	atomic_fetch_add_explicit(&ch->slow_pending, SK_CHANNEL_CLOSING,
				  memory_order_relaxed);
	/* A driver (or inject) that read slow_pending before the bias has
	 * finished its push once every read-side section has ended. */
	sk_synchronize_rcu();
	sk_channel_flush(ch);
	sk_rcu_hash_remove(&cls->table, &ch->hnode);
	sk_synchronize_rcu();
	open_cancel(cls, ch);
	ch->cls = NULL;
	return 0;
}

struct sk_channel *sk_classifier_lookup(struct sk_classifier *cls,
					const struct sk_flow_key *key)
{
	struct sk_rcu_hnode *n = sk_rcu_hash_lookup(
		&cls->table, sk_classifier_flow_hash(cls, key), key);

	return n ? SK_CONTAINER_OF(n, struct sk_channel, hnode) : NULL;
}

static int parse_pbuf(const struct sk_pbuf *p, struct sk_flow_info *fi)
{
	uint8_t hdr[HDR_COPY];
	size_t n;
	int err = sk_flow_parse_prefix(sk_pbuf_data(p), p->len, p->pkt_len, fi);

	if (err != -ENODATA || !p->next || p->len >= p->pkt_len)
		return err;
	n = p->pkt_len < HDR_COPY ? p->pkt_len : HDR_COPY;
	if (n <= p->len || sk_pbuf_copy_out(p, 0, hdr, n))
		return err;
	return sk_flow_parse_prefix(hdr, n, p->pkt_len, fi);
}

static void record(struct sk_pbuf *p, const struct sk_flow_info *fi)
{
	p->flags |= SK_PBUF_PARSED;
	p->flow_cls = (uint8_t)fi->cls;
	p->tcp_flags = fi->tcp_flags;
	p->l3_off = fi->l3_off;
	p->l4_off = fi->l4_off;
	p->payload_off = fi->payload_off;
}

/* Inside a read-side section.  Returns the flow's channel (or NULL) and
 * in *reason SK_SLOW_NONE for the fast path or why not. */
static struct sk_channel *classify(struct sk_classifier *cls, struct sk_pbuf *p,
				   unsigned *reason)
{
	struct sk_flow_info fi;
	struct sk_rcu_hnode *n;
	int err = parse_pbuf(p, &fi);

	record(p, &fi);
	if (err) {
		*reason =
			err == -ENODATA ? SK_SLOW_TRUNCATED : SK_SLOW_MALFORMED;
		return NULL;
	}
	if (fi.cls == SK_FLOW_OTHER || fi.cls == SK_FLOW_FRAGMENT) {
		*reason = fi.cls == SK_FLOW_OTHER ? SK_SLOW_OTHER
						  : SK_SLOW_FRAGMENT;
		return NULL;
	}
	p->flow_hash = sk_classifier_flow_hash(cls, &fi.key);
	n = sk_rcu_hash_lookup(&cls->table, p->flow_hash, &fi.key);
	if (fi.cls == SK_FLOW_CONTROL)
		*reason = SK_SLOW_CONTROL;
	else
		*reason = n ? SK_SLOW_NONE : SK_SLOW_UNKNOWN;
	return n ? SK_CONTAINER_OF(n, struct sk_channel, hnode) : NULL;
}

/* Queue @p on the slow path.  Return: false if the slow ring is full
 * (nothing changed). */
static bool to_slow(struct sk_classifier *cls, struct sk_pbuf *p,
		    struct sk_channel *ch, unsigned reason)
{
	p->slow_reason = (uint8_t)reason;
	p->slow_chan = ch;
	if (ch) {
		atomic_fetch_add_explicit(&ch->slow_pending, 1,
					  memory_order_relaxed);
		sk_channel_get(ch);
	}
	if (sk_channel_push_burst(&cls->slow, &p, 1)) {
		stat_add(&cls->st_slow[reason], 1);
		return true;
	}
	if (ch) {
		atomic_fetch_sub_explicit(&ch->slow_pending, 1,
					  memory_order_relaxed);
		sk_channel_put(ch);
	}
	p->slow_chan = NULL;
	stat_add(&cls->st_refused, 1);
	return false;
}

static void touch(struct sk_channel **touched, unsigned *nt,
		  struct sk_channel *ch)
{
	for (unsigned i = 0; i < *nt; i++)
		if (touched[i] == ch)
			return;
	touched[(*nt)++] = ch;
}

/* Try the flow's ring.  Return: SK_SLOW_NONE if pushed, else why not. */
static unsigned try_fast(struct sk_channel *ch, struct sk_pbuf *p)
{
	/* acquire: pairs with the slow path's release decrement, so its
	 * injected packets and ring indices are ours again. */
	if (atomic_load_explicit(&ch->slow_pending, memory_order_acquire))
		return SK_SLOW_ORDER;
	if (sk_channel_push_burst(ch, &p, 1) == 0)
		return SK_SLOW_RING_FULL;
	return SK_SLOW_NONE;
}

static unsigned rx_chunk(struct sk_classifier *cls, struct sk_pbuf **pkts,
			 unsigned n)
{
	struct sk_channel *touched[SK_CLASSIFIER_BURST];
	unsigned nt = 0, nfast = 0, i;
	bool slow = false;

	sk_rcu_read_lock();
	for (i = 0; i < n; i++) {
		unsigned reason;
		struct sk_channel *ch = classify(cls, pkts[i], &reason);

		if (reason == SK_SLOW_NONE) {
			reason = try_fast(ch, pkts[i]);
			if (reason == SK_SLOW_NONE) {
				touch(touched, &nt, ch);
				nfast++;
				continue;
			}
		}
		if (!to_slow(cls, pkts[i], ch, reason))
			break;
		slow = true;
	}
	for (unsigned t = 0; t < nt; t++)
		sk_channel_notify(touched[t]);
	if (slow)
		sk_channel_notify(&cls->slow);
	sk_rcu_read_unlock();
	stat_add(&cls->st_rx, i);
	stat_add(&cls->st_fast, nfast);
	return i;
}

unsigned sk_classifier_rx(struct sk_classifier *cls, struct sk_pbuf **pkts,
			  unsigned n)
{
	unsigned done = 0;

	while (done < n) {
		unsigned chunk = n - done;
		unsigned k;

		if (chunk > SK_CLASSIFIER_BURST)
			chunk = SK_CLASSIFIER_BURST;
		k = rx_chunk(cls, pkts + done, chunk);
		done += k;
		if (k < chunk)
			break;
	}
	return done;
}

void sk_classifier_stats_get(const struct sk_classifier *cls,
			     struct sk_classifier_stats *out)
{
	out->rx = atomic_load_explicit(&cls->st_rx, memory_order_relaxed);
	out->fast = atomic_load_explicit(&cls->st_fast, memory_order_relaxed);
	out->refused =
		atomic_load_explicit(&cls->st_refused, memory_order_relaxed);
	for (unsigned r = 0; r < SK_SLOW_REASONS; r++)
		out->slow[r] = atomic_load_explicit(&cls->st_slow[r],
						    memory_order_relaxed);
}
