// SPDX-License-Identifier: MIT
/*
 * The whole receive path under load: a driver thread classifies a stream
 * of packets over many IPv4/IPv6 TCP/UDP flows (some with FIN set, so
 * they take the slow path); two consumer threads serve the flows' small
 * channels through poll sets (with a poll timer) and keep removing and
 * re-adding their flows' channels; a slow-path thread hands known-flow
 * packets back with sk_channel_inject and handles the rest itself.  Each
 * flow's state (next expected sequence number) is a plain variable that
 * the consumer and the slow path both update: only the ordering protocol
 * keeps them apart, so a broken protocol shows up as a reordering or loss
 * here, and as a data race under TSan.
 */
#include "harness.h"

#include <errno.h>
#include <string.h>

#include <plat/compiler.h>
#include <plat/cpu.h>
#include <plat/time.h>

#include <netchan/classifier.h>

#include "pkt.h"

enum {
	NFLOWS = 32,
	NCONSUMERS = 2,
	RING = 8,
	POOL_BUFS = 1024,
	SLOW_SLOTS = 64,
	CHURN_EVERY = 64, /* consumer poll rounds between remove/add */
};

#define NPKTS NT_STRESS(500000u)

enum flow_state { ADDED, REMOVED, FREE };

struct flow {
	struct sk_channel ch;
	void *slots[RING];
	uint32_t next_seq; /* consumer or slow path, by the protocol */
	uint32_t sent; /* driver only */
	uint8_t frame[128];
	size_t frame_len;
	uint16_t seq_off, flags_off; /* flags_off 0: UDP */
	enum flow_state state; /* owner consumer only */
	atomic_uint released; /* set by the channel's release */
	struct sk_flow_key key;
};

static struct flow flows[NFLOWS];
static struct sk_classifier cls;
static struct sk_pbuf_pool pool;
static void *slow_slots[SLOW_SLOTS];
static atomic_uint done, errors, injected, churns, refused;

static void account(struct sk_pbuf *p)
{
	const uint8_t *pl = sk_pbuf_data(p) + p->payload_off;
	uint32_t f, seq;

	nt_pkt_ids(pl, &f, &seq);
	if (f >= NFLOWS || seq != flows[f].next_seq)
		atomic_fetch_add_explicit(&errors, 1, memory_order_relaxed);
	else
		flows[f].next_seq++;
	sk_pbuf_free(p);
	atomic_fetch_add_explicit(&done, 1, memory_order_relaxed);
}

static void sink_fn(void *arg, struct sk_channel *ch, struct sk_pbuf **pkts,
		    unsigned n)
{
	(void)arg;
	(void)ch;
	for (unsigned i = 0; i < n; i++)
		account(pkts[i]);
}

static void slow_fn(void *arg, struct sk_pbuf *p, struct sk_channel *ch)
{
	(void)arg;
	if (ch && sk_channel_inject(ch, p) == 0) {
		atomic_fetch_add_explicit(&injected, 1, memory_order_relaxed);
		return;
	}
	if (ch)
		sk_channel_flush(ch); /* being removed: drain, then handle */
	account(p);
}

static void release_fn(struct sk_channel *ch)
{
	struct flow *fl = SK_CONTAINER_OF(ch, struct flow, ch);

	atomic_store_explicit(&fl->released, 1, memory_order_release);
}

static void flow_build(unsigned f)
{
	struct nt_pkt_spec s =
		nt_pkt_flow(f & 1 ? SK_FLOW_IPV6 : SK_FLOW_IPV4,
			    f & 2 ? SK_FLOW_PROTO_UDP : SK_FLOW_PROTO_TCP, f);
	struct sk_flow_info fi;
	struct flow *fl = &flows[f];

	s.payload_len = 16;
	fl->frame_len = nt_pkt_build(fl->frame, sizeof(fl->frame), &s);
	assert_int_equal(sk_flow_parse(fl->frame, fl->frame_len, &fi), 0);
	fl->seq_off = (uint16_t)(fi.payload_off + 4);
	fl->flags_off =
		s.proto == SK_FLOW_PROTO_TCP ? (uint16_t)(fi.l4_off + 13) : 0;
	fl->key = fi.key;
	fl->next_seq = 0;
	fl->sent = 0;
	fl->state = FREE;
}

/* Owner: (re)open flow @f's channel in @ps. */
static void flow_open(struct sk_poll *ps, unsigned f)
{
	struct flow *fl = &flows[f];

	atomic_store(&fl->released, 0);
	if (sk_channel_init(&fl->ch, fl->slots, RING, sink_fn, NULL))
		atomic_fetch_add(&errors, 1000000);
	fl->ch.release = release_fn;
	if (sk_classifier_add(&cls, &fl->ch, &fl->key) ||
	    sk_channel_poll_add(ps, &fl->ch, f))
		atomic_fetch_add(&errors, 1000000);
	fl->state = ADDED;
}

static void flow_close(unsigned f)
{
	struct flow *fl = &flows[f];

	if (sk_classifier_remove(&cls, &fl->ch) || sk_channel_poll_del(&fl->ch))
		atomic_fetch_add(&errors, 1000000);
	fl->state = REMOVED;
	sk_channel_put(&fl->ch);
}

static void churn(struct sk_poll *ps, unsigned c, unsigned round)
{
	unsigned f = (round / CHURN_EVERY * NCONSUMERS + c) % NFLOWS;

	if (f % NCONSUMERS != c)
		f = (f + 1) % NFLOWS;
	for (unsigned g = c; g < NFLOWS; g += NCONSUMERS)
		if (flows[g].state == REMOVED &&
		    atomic_load_explicit(&flows[g].released,
					 memory_order_acquire))
			flow_open(ps, g);
	if (flows[f].state == ADDED) {
		flow_close(f);
		atomic_fetch_add(&churns, 1);
	}
}

static void consumer_fn(void *arg)
{
	unsigned c = (unsigned)(uintptr_t)arg;
	struct sk_poll ps;
	struct sk_poll_entry *rep[NFLOWS + 1];
	struct sk_poll_event ev[NFLOWS + 1];
	struct sk_poll_timer pt;
	unsigned round = 0;

	sk_poll_init(&ps, rep, NFLOWS + 1);
	sk_poll_timer_init(&pt);
	sk_poll_timer_add(&ps, &pt, ~0ull);
	for (unsigned f = c; f < NFLOWS; f += NCONSUMERS)
		flow_open(&ps, f);
	sk_poll_timer_arm(&pt, sk_plat_clock_ns() + 2000000);
	while (atomic_load(&done) < NPKTS) {
		int n = sk_poll_wait(&ps, ev, NFLOWS + 1, UINT64_MAX);

		for (int i = 0; i < n; i++) {
			if (ev[i].kind == SK_POLL_TIMER)
				sk_poll_timer_arm(&pt,
						  sk_plat_clock_ns() + 2000000);
			else
				sk_channel_drain(ev[i].source, 0);
		}
		if (++round % CHURN_EVERY == 0)
			churn(&ps, c, round);
	}
	for (unsigned f = c; f < NFLOWS; f += NCONSUMERS)
		if (flows[f].state == ADDED)
			flow_close(f);
	sk_poll_timer_del(&pt);
}

static void slow_thread_fn(void *arg)
{
	(void)arg;
	while (atomic_load(&done) < NPKTS) {
		sk_channel_wait(&cls.slow, sk_plat_clock_ns() + 2000000);
		sk_channel_drain(&cls.slow, 0);
	}
}

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 32);
}

static struct sk_pbuf *make_pkt(void)
{
	uint32_t r = rng();
	struct flow *fl = &flows[r % NFLOWS];
	struct sk_pbuf *p;
	uint8_t *d;

	while (!(p = sk_pbuf_alloc(&pool)))
		sk_thread_yield();
	d = sk_pbuf_put(p, (uint32_t)fl->frame_len);
	memcpy(d, fl->frame, fl->frame_len);
	memcpy(d + fl->seq_off, &fl->sent, 4);
	fl->sent++;
	if (fl->flags_off && (r >> 8) % 64 == 0)
		d[fl->flags_off] |= SK_TCP_FIN;
	return p;
}

static void driver_fn(void *arg)
{
	uint32_t sent = 0;

	(void)arg;
	while (sent < NPKTS) {
		struct sk_pbuf *pk[SK_CLASSIFIER_BURST];
		unsigned n = 1 + rng() % SK_CLASSIFIER_BURST, k = 0;

		if (n > NPKTS - sent)
			n = NPKTS - sent;
		for (unsigned i = 0; i < n; i++)
			pk[i] = make_pkt();
		while (k < n) {
			unsigned got = sk_classifier_rx(&cls, pk + k, n - k);

			k += got;
			if (k < n) {
				/* Slow ring full: back off, keep the order. */
				atomic_fetch_add(&refused, 1);
				sk_thread_sleep_for(20000);
			}
		}
		sent += n;
	}
}

static void test_stress_flows_ordered_no_loss(void **state)
{
	struct sk_pbuf_pool_attr pa = { .nbufs = POOL_BUFS, .buf_len = 256 };
	struct sk_classifier_attr ca = {
		.mem = &nt_hash_mem,
		.slow_slots = slow_slots,
		.slow_nslots = SLOW_SLOTS,
		.slow_fn = slow_fn,
	};
	struct sk_thread *t[NCONSUMERS + 2];
	struct sk_classifier_stats st;
	size_t len = sk_pbuf_pool_mem_size(&pa);
	void *mem = sk_test_alloc(len);
	uint64_t slow = 0;

	(void)state;
	assert_int_equal(sk_pbuf_pool_init(&pool, mem, len, &pa), 0);
	assert_int_equal(sk_classifier_init(&cls, &ca), 0);
	for (unsigned f = 0; f < NFLOWS; f++)
		flow_build(f);
	for (unsigned c = 0; c < NCONSUMERS; c++)
		t[c] = sk_test_spawn(c, consumer_fn, (void *)(uintptr_t)c);
	t[NCONSUMERS] = sk_test_spawn(~0u, slow_thread_fn, NULL);
	t[NCONSUMERS + 1] = sk_test_spawn(~0u, driver_fn, NULL);
	for (unsigned i = 0; i < NCONSUMERS + 2; i++)
		assert_int_equal(sk_thread_join(t[i]), 0);
	sk_classifier_stats_get(&cls, &st);
	for (unsigned r = 0; r < SK_SLOW_REASONS; r++)
		slow += st.slow[r];
	print_message("rx %llu fast %llu slow %llu (unknown %llu control "
		      "%llu ring-full %llu order %llu) injected %u churns %u "
		      "refused %u errors %u done %u\n",
		      (unsigned long long)st.rx, (unsigned long long)st.fast,
		      (unsigned long long)slow,
		      (unsigned long long)st.slow[SK_SLOW_UNKNOWN],
		      (unsigned long long)st.slow[SK_SLOW_CONTROL],
		      (unsigned long long)st.slow[SK_SLOW_RING_FULL],
		      (unsigned long long)st.slow[SK_SLOW_ORDER],
		      atomic_load(&injected), atomic_load(&churns),
		      atomic_load(&refused), atomic_load(&errors),
		      atomic_load(&done));
	assert_int_equal(atomic_load(&errors), 0);
	assert_int_equal(atomic_load(&done), NPKTS);
	assert_int_equal(st.rx, NPKTS);
	assert_int_equal(st.fast + slow, NPKTS);
	for (unsigned f = 0; f < NFLOWS; f++) {
		assert_int_equal(flows[f].next_seq, flows[f].sent);
		assert_int_equal(atomic_load(&flows[f].released), 1);
	}
	/* Every path was taken. */
	assert_true(st.fast > 0);
	assert_true(st.slow[SK_SLOW_CONTROL] > 0);
	assert_true(st.slow[SK_SLOW_UNKNOWN] > 0);
	assert_true(atomic_load(&churns) > 0);
	assert_int_equal(sk_classifier_fini(&cls), 0);
	assert_int_equal(sk_pbuf_pool_avail(&pool), POOL_BUFS);
	sk_test_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		sk_test(test_stress_flows_ordered_no_loss),
	};

	return nt_main("netchan_stress", tests, SK_ARRAY_LEN(tests));
}
