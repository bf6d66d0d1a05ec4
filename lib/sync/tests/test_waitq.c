// SPDX-License-Identifier: MIT
/*
 * Tests of struct sk_waitq under the caller's mutex: wake_one moves exactly
 * one waiter (which wakes owning the mutex), wake_all moves the rest, an
 * empty queue reports so, and a stress of hand-offs through a wait queue.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sync/waitq.h>

#include "harness.h"

struct gate {
	struct sk_mutex m;
	struct sk_waitq q;
	unsigned waiting, woke, owned_on_wake; /* m */
};

static void gate_waiter(unsigned idx, void *p)
{
	(void)idx;
	struct gate *g = p;

	sk_mutex_lock(&g->m);
	g->waiting++;
	sk_waitq_wait(&g->q, &g->m);
	if (sk_mutex_is_owned(&g->m))
		g->owned_on_wake++;
	g->woke++;
	sk_mutex_unlock(&g->m);
}

static unsigned gate_read(struct gate *g, unsigned *field)
{
	sk_mutex_lock(&g->m);
	unsigned v = *field;

	sk_mutex_unlock(&g->m);
	return v;
}

static void test_waitq_wake_one_then_all(void **state)
{
	(void)state;
	static struct gate g;
	struct th_one t[4];

	sk_mutex_lock(&g.m);
	assert_true(sk_waitq_is_empty(&g.q));
	assert_false(sk_waitq_wake_one(&g.q));
	assert_int_equal(sk_waitq_wake_all(&g.q), 0);
	sk_mutex_unlock(&g.m);
	for (unsigned i = 0; i < 4; i++)
		th_start(&t[i], gate_waiter, &g);
	while (gate_read(&g, &g.waiting) != 4)
		th_pause();
	sk_mutex_lock(&g.m);
	assert_true(sk_waitq_wake_one(&g.q));
	sk_mutex_unlock(&g.m);
	while (gate_read(&g, &g.woke) != 1)
		th_pause();
	sk_mutex_lock(&g.m);
	assert_int_equal(g.woke, 1);
	assert_int_equal(sk_waitq_wake_all(&g.q), 3);
	assert_true(sk_waitq_is_empty(&g.q));
	sk_mutex_unlock(&g.m);
	for (unsigned i = 0; i < 4; i++)
		th_join(&t[i]);
	assert_int_equal(g.woke, 4);
	assert_int_equal(g.owned_on_wake, 4);
	assert_false(sk_mutex_is_locked(&g.m));
}

/* A baton passed around a ring of threads through one wait queue. */
struct baton {
	struct sk_mutex m;
	struct sk_waitq q;
	unsigned turn, passes, limit, nthreads; /* m */
	unsigned wrong; /* m */
};

static void baton_worker(unsigned idx, void *p)
{
	struct baton *b = p;

	sk_mutex_lock(&b->m);
	while (b->passes < b->limit) {
		if (b->turn != idx) {
			sk_waitq_wait(&b->q, &b->m);
			continue;
		}
		if (!sk_mutex_is_owned(&b->m))
			b->wrong++;
		b->passes++;
		b->turn = (idx + 1) % b->nthreads;
		sk_waitq_wake_all(&b->q);
	}
	sk_waitq_wake_all(&b->q);
	sk_mutex_unlock(&b->m);
}

static void test_waitq_baton_ring_every_pass(void **state)
{
	(void)state;
	static struct baton b;

	b.nthreads = 5;
	b.limit = 3000u * STRESS_SCALE;
	th_inject_yields(64);
	th_run(b.nthreads, baton_worker, &b);
	th_inject_yields(0);
	assert_int_equal(b.passes, b.limit);
	assert_int_equal(b.wrong, 0);
	assert_true(sk_waitq_is_empty(&b.q));
	assert_false(sk_mutex_is_locked(&b.m));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TH_TEST(test_waitq_wake_one_then_all),
		TH_TEST(test_waitq_baton_ring_every_pass),
	};

	return TH_MAIN(tests);
}
