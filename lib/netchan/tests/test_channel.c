// SPDX-License-Identifier: MIT
/*
 * Channels and poll sets: one wake per burst and none while the consumer
 * is awake, waits with deadlines, the slow path's flush, inject's producer
 * role, and a poll set over several channels and a timer (level
 * triggering, deletion).  Packets here are tagged pointers: the channel
 * never looks inside them.
 */
#include "harness.h"

#include <errno.h>

#include <plat/compiler.h>
#include <plat/cpu.h>
#include <plat/time.h>

#include <netchan/channel.h>
#include <netchan/poll.h>

#define PKT(i) ((struct sk_pbuf *)(uintptr_t)((i) + 1))

struct sink {
	atomic_uint count; /* packets seen */
	atomic_uint bad; /* out of order */
	atomic_uint stop;
	uint32_t target;
};

static void sink_fn(void *arg, struct sk_channel *ch, struct sk_pbuf **pkts,
		    unsigned n)
{
	struct sink *s = arg;

	(void)ch;
	for (unsigned i = 0; i < n; i++) {
		unsigned c =
			atomic_load_explicit(&s->count, memory_order_relaxed);

		if (pkts[i] != PKT(c))
			atomic_fetch_add(&s->bad, 1);
		atomic_store_explicit(&s->count, c + 1, memory_order_relaxed);
	}
}

static struct sk_channel ch;
static void *slots[256];
static struct sink sink;

static void sink_reset(uint32_t target)
{
	atomic_store(&sink.count, 0);
	atomic_store(&sink.bad, 0);
	atomic_store(&sink.stop, 0);
	sink.target = target;
	assert_int_equal(sk_channel_init(&ch, slots, 256, sink_fn, &sink), 0);
}

/* Consumer thread: wait, drain, until target packets or told to stop. */
static void consumer_fn(void *arg)
{
	(void)arg;
	while (atomic_load(&sink.count) < sink.target &&
	       !atomic_load(&sink.stop)) {
		sk_channel_wait(&ch, UINT64_MAX);
		sk_channel_drain(&ch, 0);
	}
}

static void wait_armed(struct sk_channel *c)
{
	while (!atomic_load(&c->pe.armed))
		sk_thread_yield();
}

static void test_channel_burst_wakes_once(void **state)
{
	enum { BURSTS = 20, BURST = 32 };
	struct sk_channel_stats st;
	struct sk_thread *t;
	unsigned next = 0;

	(void)state;
	sink_reset(BURSTS * BURST);
	t = sk_test_spawn(1, consumer_fn, NULL);
	for (unsigned b = 0; b < BURSTS; b++) {
		struct sk_pbuf *pk[BURST];

		for (unsigned i = 0; i < BURST; i++)
			pk[i] = PKT(next + i);
		wait_armed(&ch); /* the consumer announced it sleeps */
		assert_int_equal(sk_channel_send(&ch, pk, BURST), BURST);
		next += BURST;
	}
	assert_int_equal(sk_thread_join(t), 0);
	sk_channel_stats_get(&ch, &st);
	assert_int_equal(atomic_load(&sink.count), BURSTS * BURST);
	assert_int_equal(atomic_load(&sink.bad), 0);
	assert_int_equal(st.bursts, BURSTS);
	assert_int_equal(st.wakes, BURSTS);
	assert_int_equal(st.pushed, BURSTS * BURST);
	assert_int_equal(st.processed, BURSTS * BURST);
}

static void test_channel_awake_consumer_no_wake(void **state)
{
	struct sk_channel_stats st;

	(void)state;
	sink_reset(100);
	for (unsigned i = 0; i < 100; i++) {
		struct sk_pbuf *p = PKT(i);

		assert_int_equal(sk_channel_send(&ch, &p, 1), 1);
	}
	assert_int_equal(sk_channel_drain(&ch, 30), 30);
	assert_int_equal(sk_channel_drain(&ch, 0), 70);
	sk_channel_stats_get(&ch, &st);
	assert_int_equal(st.wakes, 0);
	assert_int_equal(st.bursts, 100);
	assert_int_equal(atomic_load(&sink.bad), 0);
}

static void test_channel_wait_deadline_etimedout(void **state)
{
	struct sk_pbuf *p = PKT(0);

	(void)state;
	sink_reset(1);
	assert_int_equal(sk_channel_wait(&ch, sk_plat_clock_ns() + 1000000),
			 -ETIMEDOUT);
	assert_int_equal(sk_channel_send(&ch, &p, 1), 1);
	assert_int_equal(sk_channel_wait(&ch, 0), 0);
	assert_int_equal(sk_channel_drain(&ch, 0), 1);
}

static void test_channel_flush_waits_for_consumer(void **state)
{
	struct sk_thread *t;

	(void)state;
	sink_reset(1000);
	for (unsigned i = 0; i < 200; i++) {
		struct sk_pbuf *p = PKT(i);

		assert_int_equal(sk_channel_push_burst(&ch, &p, 1), 1);
	}
	/* Nobody was told: the consumer starts with 200 queued. */
	t = sk_test_spawn(1, consumer_fn, NULL);
	atomic_store(&ch.slow_pending, 1); /* as the classifier would */
	assert_int_equal(sk_channel_flush(&ch), 0);
	assert_int_equal(atomic_load(&sink.count), 200);
	atomic_store(&sink.stop, 1);
	{
		struct sk_pbuf *p = PKT(200);

		assert_int_equal(sk_channel_inject(&ch, p), 0);
	}
	assert_int_equal(sk_thread_join(t), 0);
	assert_int_equal(atomic_load(&sink.bad), 0);
}

static void test_channel_inject_role_and_full_ring(void **state)
{
	(void)state;
	sink_reset(1000);
	assert_int_equal(sk_channel_inject(&ch, PKT(0)), -EPERM);
	atomic_store(&ch.slow_pending, SK_CHANNEL_CLOSING);
	assert_int_equal(sk_channel_inject(&ch, PKT(0)), -EPIPE);
	atomic_store(&ch.slow_pending, 1);
	for (unsigned i = 0; i < 256; i++)
		assert_int_equal(sk_channel_inject(&ch, PKT(i)), 0);
	/* Full: this thread is the consumer, so inject drains inline. */
	assert_int_equal(sk_channel_wait(&ch, 0), 0);
	assert_int_equal(sk_channel_inject(&ch, PKT(256)), 0);
	assert_int_equal(atomic_load(&sink.count), 256);
	assert_int_equal(sk_channel_drain(&ch, 0), 1);
	assert_int_equal(atomic_load(&sink.bad), 0);
}

/* Poll set: 4 channels fed by a producer thread, plus a timer. */
static struct sk_channel pch[4];
static void *pslots[4][16];
static struct sink psink[4];
static atomic_uint pgo;

static void poll_producer(void *arg)
{
	unsigned which = (unsigned)(uintptr_t)arg;

	while (!atomic_load(&pgo))
		sk_thread_yield();
	for (unsigned i = 0; i < 3; i++) {
		struct sk_pbuf *p = PKT(i);

		sk_channel_send(&pch[which], &p, 1);
	}
}

static unsigned poll_collect(struct sk_poll *ps, uint64_t deadline,
			     unsigned *mask)
{
	struct sk_poll_event ev[8];
	int n = sk_poll_wait(ps, ev, 8, deadline);

	*mask = 0;
	if (n < 0)
		return 0;
	for (int i = 0; i < n; i++)
		*mask |= 1u << ev[i].user;
	return (unsigned)n;
}

static void test_poll_channels_and_timer_ready(void **state)
{
	struct sk_poll ps;
	struct sk_poll_entry *rep[8];
	struct sk_poll_timer pt;
	struct sk_thread *t;
	unsigned mask = 0, seen = 0;

	(void)state;
	assert_int_equal(sk_poll_init(&ps, rep, 8), 0);
	for (unsigned i = 0; i < 4; i++) {
		atomic_store(&psink[i].count, 0);
		assert_int_equal(sk_channel_init(&pch[i], pslots[i], 16,
						 sink_fn, &psink[i]),
				 0);
		assert_int_equal(sk_channel_poll_add(&ps, &pch[i], i), 0);
	}
	assert_int_equal(sk_channel_poll_add(&ps, &pch[0], 0), -EBUSY);
	sk_poll_timer_init(&pt);
	assert_int_equal(sk_poll_timer_add(&ps, &pt, 7), 0);
	assert_int_equal(sk_poll_wait(&ps, (struct sk_poll_event[1]){ { 0 } },
				      1, sk_plat_clock_ns() + 1000000),
			 -ETIMEDOUT);
	atomic_store(&pgo, 0);
	t = sk_test_spawn(1, poll_producer, (void *)(uintptr_t)2);
	atomic_store(&pgo, 1);
	while (!(seen & 4)) {
		poll_collect(&ps, UINT64_MAX, &mask);
		assert_int_equal(mask & ~4u, 0);
		seen |= mask;
	}
	assert_int_equal(sk_thread_join(t), 0);
	/* Level-triggered: still reported while packets are queued. */
	poll_collect(&ps, UINT64_MAX, &mask);
	assert_int_equal(mask, 4);
	assert_int_equal(sk_channel_drain(&pch[2], 0), 3);
	assert_int_equal(atomic_load(&psink[2].count), 3);
	assert_int_equal(sk_poll_timer_arm(&pt, sk_plat_clock_ns() + 2000000),
			 0);
	poll_collect(&ps, UINT64_MAX, &mask);
	assert_int_equal(mask, 1u << 7);
	/* Deleted channels are no longer reported. */
	assert_int_equal(sk_channel_poll_del(&pch[1]), 0);
	assert_int_equal(sk_channel_poll_del(&pch[1]), -ENOENT);
	sk_channel_send(&pch[1], (struct sk_pbuf *[1]){ PKT(0) }, 1);
	assert_int_equal(poll_collect(&ps, sk_plat_clock_ns() + 1000000, &mask),
			 0);
	assert_int_equal(sk_poll_timer_del(&pt), 0);
	for (unsigned i = 0; i < 4; i++)
		if (i != 1)
			assert_int_equal(sk_channel_poll_del(&pch[i]), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		sk_test(test_channel_burst_wakes_once),
		sk_test(test_channel_awake_consumer_no_wake),
		sk_test(test_channel_wait_deadline_etimedout),
		sk_test(test_channel_flush_waits_for_consumer),
		sk_test(test_channel_inject_role_and_full_ring),
		sk_test(test_poll_channels_and_timer_ready),
	};

	return nt_main("netchan_channel", tests, SK_ARRAY_LEN(tests));
}
