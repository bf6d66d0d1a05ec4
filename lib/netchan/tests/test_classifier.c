// SPDX-License-Identifier: MIT
/*
 * The classifier on hand-built frames: IPv4 and IPv6 TCP/UDP flows reach
 * their channels; unknown flows, control segments, fragments, non-IP,
 * malformed and truncated frames reach the slow path with the right
 * reason; a full ring diverts the flow to the slow path without
 * reordering; headers split across chained segments still classify.
 */
#include "harness.h"

#include <errno.h>
#include <string.h>

#include <plat/compiler.h>
#include <rcu/rcu.h>

#include <netchan/classifier.h>

#include "pkt.h"

static struct sk_pbuf_pool pool;
static void *pool_mem;
static struct sk_classifier cls;
static void *slow_slots[64];

struct rec {
	uint8_t reason;
	struct sk_channel *ch;
	uint32_t flow, seq;
};

static struct rec slow_rec[64];
static unsigned nslow;
static unsigned inject_mode; /* 1: give known-flow packets back */

static void ids_of(struct sk_pbuf *p, uint32_t *flow, uint32_t *seq)
{
	uint8_t b[8] = { 0 };

	*flow = *seq = ~0u;
	if (p->flags & SK_PBUF_PARSED && p->flow_cls <= SK_FLOW_CONTROL &&
	    !sk_pbuf_copy_out(p, p->payload_off, b, 8))
		nt_pkt_ids(b, flow, seq);
}

static void slow_fn(void *arg, struct sk_pbuf *p, struct sk_channel *ch)
{
	(void)arg;
	if (nslow < SK_ARRAY_LEN(slow_rec)) {
		slow_rec[nslow].reason = p->slow_reason;
		slow_rec[nslow].ch = ch;
		ids_of(p, &slow_rec[nslow].flow, &slow_rec[nslow].seq);
		nslow++;
	}
	if (inject_mode && ch && sk_channel_inject(ch, p) == 0)
		return;
	if (ch)
		sk_channel_flush(ch);
	sk_pbuf_free(p);
}

struct sink {
	atomic_uint count, bad;
	uint32_t target;
	uint32_t flow;
};

static void sink_fn(void *arg, struct sk_channel *ch, struct sk_pbuf **pkts,
		    unsigned n)
{
	struct sink *s = arg;

	(void)ch;
	for (unsigned i = 0; i < n; i++) {
		unsigned c =
			atomic_load_explicit(&s->count, memory_order_relaxed);
		uint32_t flow, seq;

		ids_of(pkts[i], &flow, &seq);
		if (flow != s->flow || seq != c)
			atomic_fetch_add(&s->bad, 1);
		atomic_store_explicit(&s->count, c + 1, memory_order_relaxed);
		sk_pbuf_free(pkts[i]);
	}
}

static void setup_all(uint32_t buf_len)
{
	struct sk_pbuf_pool_attr pa = { .nbufs = 512, .buf_len = buf_len };
	struct sk_classifier_attr ca = {
		.mem = &nt_hash_mem,
		.slow_slots = slow_slots,
		.slow_nslots = 64,
		.slow_fn = slow_fn,
	};
	size_t len = sk_pbuf_pool_mem_size(&pa);

	pool_mem = sk_test_alloc(len);
	assert_int_equal(sk_pbuf_pool_init(&pool, pool_mem, len, &pa), 0);
	assert_int_equal(sk_classifier_init(&cls, &ca), 0);
	nslow = 0;
	inject_mode = 0;
}

static void teardown_all(void)
{
	assert_int_equal(sk_classifier_fini(&cls), 0);
	assert_int_equal(sk_pbuf_pool_avail(&pool), 512);
	sk_test_free(pool_mem);
}

static struct sk_pbuf *frame(const struct nt_pkt_spec *s)
{
	uint8_t buf[NT_PKT_MAX];
	size_t n = nt_pkt_build(buf, sizeof(buf), s);
	struct sk_pbuf *p;

	assert_true(n > 0);
	assert_int_equal(sk_pbuf_copy_in(&pool, buf, n, &p), 0);
	return p;
}

enum { NFLOWS = 4 };
static struct sk_channel ch[NFLOWS];
static void *ch_slots[NFLOWS][8];
static struct sink sinks[NFLOWS];

static struct nt_pkt_spec flow_spec(unsigned i)
{
	return nt_pkt_flow(i & 1 ? SK_FLOW_IPV6 : SK_FLOW_IPV4,
			   i & 2 ? SK_FLOW_PROTO_UDP : SK_FLOW_PROTO_TCP,
			   i + 1);
}

static void add_flows(uint32_t nslots)
{
	for (unsigned i = 0; i < NFLOWS; i++) {
		struct nt_pkt_spec s = flow_spec(i);
		struct sk_flow_key k = nt_pkt_key(&s);

		memset(&sinks[i], 0, sizeof(sinks[i]));
		sinks[i].flow = i + 1;
		assert_int_equal(sk_channel_init(&ch[i], ch_slots[i], nslots,
						 sink_fn, &sinks[i]),
				 0);
		assert_int_equal(sk_classifier_add(&cls, &ch[i], &k), 0);
	}
}

static void remove_flows(void)
{
	for (unsigned i = 0; i < NFLOWS; i++)
		assert_int_equal(sk_classifier_remove(&cls, &ch[i]), 0);
}

static void test_classifier_ipv4_ipv6_reach_channels(void **state)
{
	struct sk_pbuf *pk[40];
	unsigned n = 0;
	struct nt_pkt_spec s;

	(void)state;
	setup_all(2048);
	add_flows(8);
	for (unsigned r = 0; r < 2; r++)
		for (unsigned i = 0; i < NFLOWS; i++) {
			s = flow_spec(i);
			s.seq = r;
			pk[n++] = frame(&s);
		}
	s = flow_spec(0);
	s.flow_id = 99;
	s.sport = 9; /* unknown flow */
	pk[n++] = frame(&s);
	s = flow_spec(1);
	s.tcp_flags = SK_TCP_FIN | SK_TCP_ACK;
	s.seq = 2;
	pk[n++] = frame(&s);
	s = flow_spec(2);
	s.frag = 1;
	pk[n++] = frame(&s);
	s = flow_spec(3);
	pk[n] = frame(&s);
	sk_pbuf_data(pk[n])[13] = 0x06; /* ARP */
	n++;
	pk[n] = frame(&s);
	sk_pbuf_data(pk[n])[14] = 0x65; /* IP version 6 in an IPv6 frame: ok */
	sk_pbuf_data(pk[n])[14] = 0x45; /* ... version 4: malformed */
	n++;
	pk[n] = frame(&s);
	pk[n]->len -= 3; /* truncated */
	pk[n]->pkt_len -= 3;
	n++;
	assert_int_equal(sk_classifier_rx(&cls, pk, n), n);
	for (unsigned i = 0; i < NFLOWS; i++) {
		assert_int_equal(sk_channel_drain(&ch[i], 0), 2);
		assert_int_equal(atomic_load(&sinks[i].bad), 0);
	}
	assert_int_equal(sk_channel_drain(&cls.slow, 0), 6);
	assert_int_equal(nslow, 6);
	assert_int_equal(slow_rec[0].reason, SK_SLOW_UNKNOWN);
	assert_null(slow_rec[0].ch);
	assert_int_equal(slow_rec[0].flow, 99);
	assert_int_equal(slow_rec[1].reason, SK_SLOW_CONTROL);
	assert_ptr_equal(slow_rec[1].ch, &ch[1]);
	assert_int_equal(slow_rec[1].seq, 2);
	assert_int_equal(slow_rec[2].reason, SK_SLOW_FRAGMENT);
	assert_int_equal(slow_rec[3].reason, SK_SLOW_OTHER);
	assert_int_equal(slow_rec[4].reason, SK_SLOW_MALFORMED);
	assert_int_equal(slow_rec[5].reason, SK_SLOW_TRUNCATED);
	/* The slow packet is done: the flow takes the fast path again. */
	s = flow_spec(1);
	s.seq = 2;
	pk[0] = frame(&s);
	assert_int_equal(sk_classifier_rx(&cls, pk, 1), 1);
	assert_int_equal(sk_channel_drain(&ch[1], 0), 1);
	assert_int_equal(atomic_load(&sinks[1].bad), 0);
	remove_flows();
	teardown_all();
}

static void consumer_fn(void *arg)
{
	struct sk_channel *c = arg;
	struct sink *s = c->arg;

	while (atomic_load(&s->count) < s->target) {
		sk_channel_wait(c, UINT64_MAX);
		sk_channel_drain(c, 0);
	}
}

static void test_classifier_full_ring_slow_keeps_order(void **state)
{
	struct sk_classifier_stats st;
	struct sk_pbuf *pk[20];
	struct sk_thread *t;
	struct nt_pkt_spec s;

	(void)state;
	setup_all(2048);
	add_flows(4);
	inject_mode = 1;
	sinks[0].target = 30;
	s = flow_spec(0);
	for (unsigned i = 0; i < 20; i++) {
		s.seq = i;
		pk[i] = frame(&s);
	}
	/* No consumer yet: 4 fit, the 5th finds the ring full, the rest
	 * follow it to the slow path. */
	assert_int_equal(sk_classifier_rx(&cls, pk, 20), 20);
	sk_classifier_stats_get(&cls, &st);
	assert_int_equal(st.fast, 4);
	assert_int_equal(st.slow[SK_SLOW_RING_FULL], 1);
	assert_int_equal(st.slow[SK_SLOW_ORDER], 15);
	t = sk_test_spawn(1, consumer_fn, &ch[0]);
	/* This thread is the slow path: each packet waits for the ring to
	 * drain, then goes back to the consumer behind it. */
	assert_int_equal(sk_channel_drain(&cls.slow, 0), 16);
	assert_int_equal(atomic_load(&ch[0].slow_pending), 0);
	for (unsigned i = 0; i < 10; i++) {
		s.seq = 20 + i;
		pk[0] = frame(&s);
		while (sk_ring_count(&ch[0].ring) == 4)
			sk_thread_yield(); /* room, so it takes the fast path */
		assert_int_equal(sk_classifier_rx(&cls, pk, 1), 1);
	}
	assert_int_equal(sk_thread_join(t), 0);
	assert_int_equal(atomic_load(&sinks[0].count), 30);
	assert_int_equal(atomic_load(&sinks[0].bad), 0);
	sk_classifier_stats_get(&cls, &st);
	assert_int_equal(st.fast, 14);
	remove_flows();
	teardown_all();
}

static void test_classifier_add_remove_contract(void **state)
{
	struct nt_pkt_spec s = flow_spec(0);
	struct sk_flow_key k = nt_pkt_key(&s), bad = k;
	struct sk_channel extra;
	void *xs[4];
	struct sk_pbuf *p;

	(void)state;
	setup_all(2048);
	add_flows(8);
	assert_int_equal(sk_channel_init(&extra, xs, 4, sink_fn, &sinks[0]), 0);
	assert_int_equal(sk_classifier_add(&cls, &extra, &k), -EEXIST);
	bad.proto = 1;
	assert_int_equal(sk_classifier_add(&cls, &extra, &bad), -EINVAL);
	bad = k;
	bad.src[5] = 1; /* IPv4 with bytes past the address */
	assert_int_equal(sk_classifier_add(&cls, &extra, &bad), -EINVAL);
	assert_int_equal(sk_classifier_add(&cls, &ch[0], &k), -EINVAL);
	assert_int_equal(sk_classifier_remove(&cls, &extra), -ENOENT);
	sk_rcu_read_lock();
	assert_ptr_equal(sk_classifier_lookup(&cls, &k), &ch[0]);
	sk_rcu_read_unlock();
	remove_flows();
	sk_rcu_read_lock();
	assert_null(sk_classifier_lookup(&cls, &k));
	sk_rcu_read_unlock();
	p = frame(&s);
	assert_int_equal(sk_classifier_rx(&cls, &p, 1), 1);
	assert_int_equal(sk_channel_drain(&cls.slow, 0), 1);
	assert_int_equal(slow_rec[0].reason, SK_SLOW_UNKNOWN);
	teardown_all();
}

static void test_classifier_chained_headers_classified(void **state)
{
	struct nt_pkt_spec s = flow_spec(1); /* IPv6 TCP: 74 header bytes */
	struct sk_pbuf *p;

	(void)state;
	setup_all(128); /* 64 data bytes per segment */
	add_flows(8);
	s.payload_len = 300;
	p = frame(&s);
	assert_non_null(p->next);
	assert_int_equal(sk_classifier_rx(&cls, &p, 1), 1);
	assert_int_equal(sk_channel_drain(&ch[1], 0), 1);
	assert_int_equal(atomic_load(&sinks[1].bad), 0);
	remove_flows();
	teardown_all();
}

static void test_classifier_slow_ring_full_refuses_in_order(void **state)
{
	struct sk_pbuf *pk[70];
	struct nt_pkt_spec s = flow_spec(0);
	struct sk_classifier_stats st;

	(void)state;
	setup_all(2048);
	for (unsigned i = 0; i < 70; i++) {
		s.seq = i;
		pk[i] = frame(&s); /* no channel: all slow */
	}
	assert_int_equal(sk_classifier_rx(&cls, pk, 70), 64);
	sk_classifier_stats_get(&cls, &st);
	assert_int_equal(st.refused, 1);
	assert_int_equal(sk_channel_drain(&cls.slow, 0), 64);
	assert_int_equal(sk_classifier_rx(&cls, pk + 64, 6), 6);
	assert_int_equal(sk_channel_drain(&cls.slow, 0), 6);
	for (unsigned i = 0; i < 64; i++)
		assert_int_equal(slow_rec[i].seq, i);
	teardown_all();
}

static void test_classifier_keys_differ_hashes_differ(void **state)
{
	struct nt_pkt_spec s = flow_spec(0);
	struct sk_flow_key k = nt_pkt_key(&s);
	struct sk_classifier other;
	struct sk_classifier_attr ca = {
		.mem = &nt_hash_mem,
		.slow_slots = slow_slots,
		.slow_nslots = 64,
		.slow_fn = slow_fn,
	};

	(void)state;
	setup_all(2048);
	assert_int_equal(sk_classifier_init(&other, &ca), 0);
	assert_int_not_equal(sk_classifier_flow_hash(&cls, &k),
			     sk_classifier_flow_hash(&other, &k));
	assert_int_equal(sk_classifier_fini(&other), 0);
	teardown_all();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		sk_test(test_classifier_ipv4_ipv6_reach_channels),
		sk_test(test_classifier_full_ring_slow_keeps_order),
		sk_test(test_classifier_add_remove_contract),
		sk_test(test_classifier_chained_headers_classified),
		sk_test(test_classifier_slow_ring_full_refuses_in_order),
		sk_test(test_classifier_keys_differ_hashes_differ),
	};

	return nt_main("netchan_classifier", tests, SK_ARRAY_LEN(tests));
}
