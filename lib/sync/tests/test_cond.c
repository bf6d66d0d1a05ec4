// SPDX-License-Identifier: MIT
/*
 * Tests of struct sk_cond: producer/consumer delivering every item exactly
 * once (signals with and without the mutex held, so both the morph and
 * the plain wake run), timed waits that time out, timed waits racing with
 * signals without losing one, signal waking one, broadcast waking all.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <sched/wait.h>
#include <sync/cond.h>

#include "harness.h"
#include "waiter.h"

enum { RING = 8, PRODUCERS = 3, CONSUMERS = 3 };

struct pc {
	struct sk_mutex m;
	struct sk_cond not_empty, not_full;
	unsigned ring[RING];
	unsigned head, len; /* m */
	unsigned per_producer;
	unsigned consumed; /* m */
	unsigned char *seen; /* m */
	unsigned dup; /* m */
};

static void pc_producer(unsigned idx, void *p)
{
	struct pc *pc = p;

	for (unsigned i = 0; i < pc->per_producer; i++) {
		sk_mutex_lock(&pc->m);
		while (pc->len == RING)
			sk_cond_wait(&pc->not_full, &pc->m);
		pc->ring[(pc->head + pc->len++) % RING] =
			idx * pc->per_producer + i;
		if (idx % 2 == 0) {
			sk_cond_signal(&pc->not_empty); /* morph */
			sk_mutex_unlock(&pc->m);
		} else {
			sk_mutex_unlock(&pc->m);
			sk_cond_signal(&pc->not_empty); /* plain wake */
		}
	}
}

static void pc_consumer(unsigned idx, void *p)
{
	(void)idx;
	struct pc *pc = p;
	unsigned total = PRODUCERS * pc->per_producer;

	sk_mutex_lock(&pc->m);
	for (;;) {
		while (pc->len == 0 && pc->consumed < total)
			sk_cond_wait(&pc->not_empty, &pc->m);
		if (pc->len == 0)
			break;
		unsigned item = pc->ring[pc->head];

		pc->head = (pc->head + 1) % RING;
		pc->len--;
		if (pc->seen[item]++)
			pc->dup++;
		if (++pc->consumed == total)
			sk_cond_broadcast(&pc->not_empty);
		sk_cond_signal(&pc->not_full);
	}
	sk_mutex_unlock(&pc->m);
}

static void pc_worker(unsigned idx, void *p)
{
	if (idx < PRODUCERS)
		pc_producer(idx, p);
	else
		pc_consumer(idx - PRODUCERS, p);
}

static void test_cond_producer_consumer_each_item_once(void **state)
{
	(void)state;
	static struct pc pc;
	static unsigned char seen[PRODUCERS * 20000 * 4];

	pc.per_producer = 5000u * (STRESS_SCALE > 4 ? 4 : STRESS_SCALE);
	pc.seen = seen;
	th_inject_yields(64);
	th_run(PRODUCERS + CONSUMERS, pc_worker, &pc);
	th_inject_yields(0);
	assert_int_equal(pc.consumed, PRODUCERS * pc.per_producer);
	assert_int_equal(pc.dup, 0);
	for (unsigned i = 0; i < PRODUCERS * pc.per_producer; i++)
		assert_int_equal(seen[i], 1);
	assert_null(pc.not_empty.head);
	assert_null(pc.not_full.head);
	assert_false(sk_mutex_is_locked(&pc.m));
}

static void test_cond_wait_until_no_signal_etimedout(void **state)
{
	(void)state;
	struct sk_mutex m = SK_MUTEX_INIT;
	struct sk_cond c = SK_COND_INIT;

	sk_mutex_lock(&m);
	assert_int_equal(sk_cond_wait_until(&c, &m, th_deadline(1000000)),
			 -ETIMEDOUT);
	assert_true(sk_mutex_is_owned(&m));
	assert_int_equal(sk_cond_wait_until(&c, &m, 0), -ETIMEDOUT);
	assert_true(sk_mutex_is_owned(&m));
	assert_null(c.head);
	sk_mutex_unlock(&m);
	assert_false(sk_mutex_is_locked(&m));
}

/*
 * One token at a time; timed waiters only take a token when their wait
 * returned 0 (signalled), untimed ones re-test in a loop.  A signal spent
 * on a waiter that then reports a timeout would strand the token with the
 * untimed waiters asleep: the test would hang and fail on its timeout.
 */
struct race {
	struct sk_mutex m;
	struct sk_cond c, consumed_c;
	unsigned tokens, done, rounds; /* m */
	unsigned long got[8], timeouts[8]; /* m */
};

static void race_waiter(unsigned idx, void *p)
{
	struct race *r = p;

	sk_mutex_lock(&r->m);
	while (!r->done) {
		if (idx % 2 == 0) {
			while (r->tokens == 0 && !r->done)
				sk_cond_wait(&r->c, &r->m);
		} else {
			uint64_t d = th_deadline((r->rounds * 7919u) % 20000);

			if (sk_cond_wait_until(&r->c, &r->m, d) != 0) {
				r->timeouts[idx]++;
				continue;
			}
		}
		if (r->tokens > 0) {
			r->tokens--;
			r->got[idx]++;
			sk_cond_signal(&r->consumed_c);
		}
	}
	sk_mutex_unlock(&r->m);
}

static void race_signaller(struct race *r, unsigned rounds)
{
	sk_mutex_lock(&r->m);
	for (unsigned i = 0; i < rounds; i++) {
		r->tokens = 1;
		r->rounds = i;
		if (i % 2) {
			sk_cond_signal(&r->c); /* morph */
		} else {
			sk_mutex_unlock(&r->m);
			sk_cond_signal(&r->c); /* plain wake */
			sk_mutex_lock(&r->m);
		}
		while (r->tokens != 0)
			sk_cond_wait(&r->consumed_c, &r->m);
	}
	r->done = 1;
	sk_cond_broadcast(&r->c);
	sk_mutex_unlock(&r->m);
}

static void race_worker(unsigned idx, void *p)
{
	if (idx == 0)
		race_signaller(p, 4000u * STRESS_SCALE);
	else
		race_waiter(idx, p);
}

static void test_cond_timed_wait_races_signal_none_lost(void **state)
{
	(void)state;
	static struct race r;
	unsigned long got = 0;

	th_inject_yields(16);
	th_run(7, race_worker, &r);
	th_inject_yields(0);
	for (unsigned i = 0; i < 8; i++)
		got += r.got[i];
	assert_int_equal(r.tokens, 0);
	assert_true(got > 0);
	assert_null(r.c.head);
	assert_false(sk_mutex_is_locked(&r.m));
}

struct crowd {
	struct sk_mutex m;
	struct sk_cond c;
	unsigned waiting, returns, permits, all; /* m */
};

static void crowd_waiter(unsigned idx, void *p)
{
	(void)idx;
	struct crowd *cr = p;

	sk_mutex_lock(&cr->m);
	cr->waiting++;
	while (cr->permits == 0 && !cr->all) {
		sk_cond_wait(&cr->c, &cr->m);
		cr->returns++;
	}
	if (cr->permits > 0)
		cr->permits--;
	sk_mutex_unlock(&cr->m);
}

/* Poll @field (under m) until it equals @want; return cr->returns. */
static unsigned crowd_wait_for(struct crowd *cr, unsigned *field, unsigned want)
{
	for (;;) {
		sk_mutex_lock(&cr->m);
		unsigned v = *field, ret = cr->returns;

		sk_mutex_unlock(&cr->m);
		if (v == want)
			return ret;
		th_pause();
	}
}

static void test_cond_signal_wakes_one_broadcast_all(void **state)
{
	(void)state;
	static struct crowd cr;
	struct th_one t[5];

	for (unsigned i = 0; i < 5; i++)
		th_start(&t[i], crowd_waiter, &cr);
	/* Each counted itself under m, so each is on the list. */
	crowd_wait_for(&cr, &cr.waiting, 5);
	sk_mutex_lock(&cr.m);
	cr.permits = 1;
	sk_cond_signal(&cr.c);
	sk_mutex_unlock(&cr.m);
	assert_int_equal(crowd_wait_for(&cr, &cr.permits, 0), 1);
	sk_mutex_lock(&cr.m);
	cr.all = 1;
	sk_cond_broadcast(&cr.c);
	sk_mutex_unlock(&cr.m);
	for (unsigned i = 0; i < 5; i++)
		th_join(&t[i]);
	assert_int_equal(cr.returns, 5);
	assert_null(cr.c.head);
}

/*
 * Timeout versus signal, scripted: the waiter's deadline passes, and the
 * hook parks it before it can leave the list while the main thread
 * signals.  The signal took the waiter, so the waiter must report it (0),
 * own the mutex, and no signal may be lost.
 */
struct tvs {
	struct sk_mutex m;
	struct sk_cond c;
	struct sk_thread *w_t;
	atomic_int timed_out, go;
	int ret, owned;
};

static struct tvs tv;

static void tvs_hook(enum sk_sync_test_point pt)
{
	if (sk_thread_current() != tv.w_t || pt != SK_SYNC_PT_COND_TIMED_OUT)
		return;
	atomic_store(&tv.timed_out, 1);
	while (!atomic_load(&tv.go))
		th_pause();
}

static void tvs_waiter(unsigned idx, void *p)
{
	(void)idx;
	(void)p;
	tv.w_t = sk_thread_current();
	sk_mutex_lock(&tv.m);
	tv.ret = sk_cond_wait_until(&tv.c, &tv.m, th_deadline(1000000));
	tv.owned = sk_mutex_is_owned(&tv.m);
	sk_mutex_unlock(&tv.m);
}

static void tvs_run(int morph)
{
	struct th_one w;

	tv = (struct tvs){ .ret = 1 };
	sk_sync_test_yield = tvs_hook;
	th_start(&w, tvs_waiter, NULL);
	while (!atomic_load(&tv.timed_out))
		th_pause();
	if (morph) {
		sk_mutex_lock(&tv.m);
		sk_cond_signal(&tv.c);
		sk_mutex_unlock(&tv.m);
	} else {
		sk_cond_signal(&tv.c);
	}
	assert_null(tv.c.head); /* the signal took it off the list */
	atomic_store(&tv.go, 1);
	th_join(&w);
	sk_sync_test_yield = NULL;
	assert_int_equal(tv.ret, 0);
	assert_true(tv.owned);
	assert_false(sk_mutex_is_locked(&tv.m));
}

static void test_cond_timeout_loses_to_morph_returns_signalled(void **state)
{
	(void)state;
	tvs_run(1);
}

static void test_cond_timeout_loses_to_wake_returns_signalled(void **state)
{
	(void)state;
	tvs_run(0);
}

/* The timed-out waiter leaves first: the signal goes to the next one. */
static void test_cond_timeout_wins_signal_goes_to_next(void **state)
{
	(void)state;
	static struct crowd cr;
	struct th_one w, next;

	tv = (struct tvs){ .ret = 1 };
	sk_sync_test_yield = tvs_hook;
	th_start(&w, tvs_waiter, NULL);
	while (!atomic_load(&tv.timed_out))
		th_pause();
	atomic_store(&tv.go, 1);
	th_join(&w);
	sk_sync_test_yield = NULL;
	assert_int_equal(tv.ret, -ETIMEDOUT);
	assert_true(tv.owned);
	assert_null(tv.c.head);

	th_start(&next, crowd_waiter, &cr);
	crowd_wait_for(&cr, &cr.waiting, 1);
	sk_mutex_lock(&cr.m);
	cr.permits = 1;
	sk_cond_signal(&cr.c);
	sk_mutex_unlock(&cr.m);
	th_join(&next);
	assert_int_equal(cr.returns, 1);
	assert_int_equal(cr.permits, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TH_TEST(test_cond_producer_consumer_each_item_once),
		TH_TEST(test_cond_wait_until_no_signal_etimedout),
		TH_TEST(test_cond_timed_wait_races_signal_none_lost),
		TH_TEST(test_cond_signal_wakes_one_broadcast_all),
		TH_TEST(test_cond_timeout_loses_to_morph_returns_signalled),
		TH_TEST(test_cond_timeout_loses_to_wake_returns_signalled),
		TH_TEST(test_cond_timeout_wins_signal_goes_to_next),
	};

	return TH_MAIN(tests);
}
