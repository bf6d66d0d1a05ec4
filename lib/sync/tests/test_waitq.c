// SPDX-License-Identifier: MIT
/*
 * Tests of struct sk_waitq under the caller's mutex: wake_one moves exactly
 * one waiter (which wakes owning the mutex), wake_all moves the rest, an
 * empty queue reports so, a stress of hand-offs through a wait queue, and
 * the timed wait: past deadlines, wakes before the deadline, the scripted
 * timeout-versus-wake races, wake_all past a timed-out record, and a
 * stress where a waker wakes as the deadlines pass and every wake must
 * match exactly one 0 return.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <plat/time.h>
#include <sched/wait.h>
#include <sync/waitq.h>

#include "harness.h"
#include "waiter.h"

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

/* Is a record of thread @t on @q?  Caller owns the queue's mutex. */
static bool waitq_lists(const struct sk_waitq *q, const struct sk_thread *t)
{
	for (const struct sk_sync_cwaiter *cw = q->head; cw; cw = cw->next)
		if (cw->w.thread == t)
			return true;
	return false;
}

static void test_waitq_wait_until_past_deadline_etimedout_owning(void **state)
{
	(void)state;
	struct sk_mutex m = SK_MUTEX_INIT;
	struct sk_waitq q = SK_WAITQ_INIT;

	sk_mutex_lock(&m);
	assert_int_equal(sk_waitq_wait_until(&q, &m, 0), -ETIMEDOUT);
	assert_true(sk_mutex_is_owned(&m));
	assert_int_equal(sk_waitq_wait_until(&q, &m, sk_plat_clock_ns()),
			 -ETIMEDOUT);
	assert_true(sk_mutex_is_owned(&m));
	/* Queued, released m, slept, timed out, relocked, left the list. */
	assert_int_equal(sk_waitq_wait_until(&q, &m, th_deadline(1000000)),
			 -ETIMEDOUT);
	assert_true(sk_mutex_is_owned(&m));
	assert_null(q.head);
	assert_null(q.tail);
	assert_true(sk_waitq_is_empty(&q));
	assert_false(sk_waitq_wake_one(&q));
	sk_mutex_unlock(&m);
	assert_false(sk_mutex_is_locked(&m));
}

/*
 * A timed waiter, and a hook that parks it at one point of the timed
 * wait (pt) until the test lets it go.
 */
struct tw1 {
	struct sk_mutex m;
	struct sk_waitq q;
	uint64_t after_ns; /* deadline, relative to the start of the wait */
	unsigned listed; /* m: waiters on q */
	int ret, owned, still_listed; /* m */
	_Atomic(struct sk_thread *) parked_t;
	atomic_int pt, parked, go;
};

static struct tw1 tw1;

static void tw1_hook(enum sk_sync_test_point pt)
{
	if (sk_thread_current() != atomic_load(&tw1.parked_t) ||
	    (int)pt != atomic_load(&tw1.pt))
		return;
	atomic_store(&tw1.parked, 1);
	while (!atomic_load(&tw1.go))
		th_pause();
}

static void tw1_waiter(unsigned idx, void *p)
{
	(void)idx;
	(void)p;
	struct sk_thread *me = sk_thread_current();

	atomic_store(&tw1.parked_t, me);
	sk_mutex_lock(&tw1.m);
	tw1.listed++;
	int ret =
		sk_waitq_wait_until(&tw1.q, &tw1.m, th_deadline(tw1.after_ns));

	tw1.ret = ret;
	tw1.owned = sk_mutex_is_owned(&tw1.m);
	tw1.still_listed = waitq_lists(&tw1.q, me);
	sk_mutex_unlock(&tw1.m);
}

/* An untimed waiter on the same queue (struct gate's fields). */
static void tw1_plain(unsigned idx, void *p)
{
	(void)idx;
	struct gate *g = p;

	sk_mutex_lock(&tw1.m);
	tw1.listed++;
	sk_waitq_wait(&tw1.q, &tw1.m);
	if (sk_mutex_is_owned(&tw1.m))
		g->owned_on_wake++;
	g->woke++;
	sk_mutex_unlock(&tw1.m);
}

static unsigned tw1_listed(void)
{
	sk_mutex_lock(&tw1.m);
	unsigned v = tw1.listed;

	sk_mutex_unlock(&tw1.m);
	return v;
}

/* Start the timed waiter; with a hook point, wait until it parks there. */
static void tw1_start(struct th_one *t, uint64_t after_ns, int pt)
{
	tw1 = (struct tw1){ .after_ns = after_ns, .ret = 1 };
	atomic_store(&tw1.pt, pt);
	sk_sync_test_yield = pt >= 0 ? tw1_hook : NULL;
	th_start(t, tw1_waiter, NULL);
	if (pt >= 0)
		while (!atomic_load(&tw1.parked))
			th_pause();
	else
		while (tw1_listed() != 1)
			th_pause();
}

static void tw1_finish(struct th_one *t)
{
	atomic_store(&tw1.go, 1);
	th_join(t);
	sk_sync_test_yield = NULL;
	assert_true(tw1.owned);
	assert_false(tw1.still_listed);
	assert_false(sk_mutex_is_locked(&tw1.m));
}

static void test_waitq_wait_until_woken_before_deadline_returns_0(void **state)
{
	(void)state;
	struct th_one w;

	tw1_start(&w, 60ull * 1000000000u, -1);
	sk_mutex_lock(&tw1.m);
	assert_true(sk_waitq_wake_one(&tw1.q));
	assert_true(sk_waitq_is_empty(&tw1.q));
	sk_mutex_unlock(&tw1.m);
	tw1_finish(&w);
	assert_int_equal(tw1.ret, 0);
}

/*
 * The deadline passed and the waiter is parked before its CAS; a wake
 * takes it.  The wake reported true, so the waiter must return 0.
 */
static void test_waitq_timeout_loses_to_wake_returns_0(void **state)
{
	(void)state;
	struct th_one w;

	tw1_start(&w, 1000000, SK_SYNC_PT_WAITQ_TIMED_OUT);
	sk_mutex_lock(&tw1.m);
	assert_true(sk_waitq_wake_one(&tw1.q));
	assert_null(tw1.q.head);
	sk_mutex_unlock(&tw1.m);
	tw1_finish(&w);
	assert_int_equal(tw1.ret, 0);
}

/*
 * The waiter won its CAS (timed out) and is parked before relocking; an
 * untimed waiter is queued behind it.  wake_one must skip (reap) the
 * timed-out record and wake the second; the first returns -ETIMEDOUT.
 */
static void test_waitq_timeout_wins_wake_goes_to_next(void **state)
{
	(void)state;
	static struct gate g;
	struct th_one w, next;

	tw1_start(&w, 1000000, SK_SYNC_PT_WAITQ_CANCELLED);
	th_start(&next, tw1_plain, &g);
	while (tw1_listed() != 2)
		th_pause();
	sk_mutex_lock(&tw1.m);
	assert_true(waitq_lists(&tw1.q, atomic_load(&tw1.parked_t)));
	assert_false(sk_waitq_is_empty(&tw1.q)); /* the untimed one */
	assert_true(sk_waitq_wake_one(&tw1.q));
	assert_null(tw1.q.head); /* the timed-out record was reaped */
	assert_false(sk_waitq_wake_one(&tw1.q));
	sk_mutex_unlock(&tw1.m);
	th_join(&next);
	assert_int_equal(g.woke, 1);
	assert_int_equal(g.owned_on_wake, 1);
	tw1_finish(&w);
	assert_int_equal(tw1.ret, -ETIMEDOUT);
}

/* Timed out, nobody wakes: it leaves the list itself before returning. */
static void test_waitq_timeout_unwoken_leaves_queue(void **state)
{
	(void)state;
	struct th_one w;

	tw1_start(&w, 1000000, SK_SYNC_PT_WAITQ_CANCELLED);
	sk_mutex_lock(&tw1.m);
	assert_non_null(tw1.q.head);
	assert_true(sk_waitq_is_empty(&tw1.q)); /* it no longer waits */
	sk_mutex_unlock(&tw1.m);
	tw1_finish(&w);
	assert_int_equal(tw1.ret, -ETIMEDOUT);
	assert_null(tw1.q.head);
	assert_null(tw1.q.tail);
}

/*
 * wake_all with five waiters (untimed and timed with far deadlines) and,
 * at the head, a timed-out record whose waiter has not relocked yet: it
 * must report exactly the five, each of which returns once, owning m.
 */
static void crowd_waiter_timed(unsigned idx, void *p)
{
	(void)idx;
	struct gate *g = p;

	sk_mutex_lock(&tw1.m);
	tw1.listed++;
	int ret = sk_waitq_wait_until(&tw1.q, &tw1.m,
				      th_deadline(60ull * 1000000000u));

	if (ret == 0 && sk_mutex_is_owned(&tw1.m))
		g->owned_on_wake++;
	g->woke++;
	sk_mutex_unlock(&tw1.m);
}

static void test_waitq_wake_all_wakes_each_once(void **state)
{
	(void)state;
	static struct gate g;
	struct th_one w, t[5];

	tw1_start(&w, 1000000, SK_SYNC_PT_WAITQ_CANCELLED);
	for (unsigned i = 0; i < 5; i++)
		th_start(&t[i], i % 2 ? crowd_waiter_timed : tw1_plain, &g);
	while (tw1_listed() != 6)
		th_pause();
	sk_mutex_lock(&tw1.m);
	assert_int_equal(sk_waitq_wake_all(&tw1.q), 5);
	assert_null(tw1.q.head);
	assert_int_equal(sk_waitq_wake_all(&tw1.q), 0);
	sk_mutex_unlock(&tw1.m);
	for (unsigned i = 0; i < 5; i++)
		th_join(&t[i]);
	assert_int_equal(g.woke, 5);
	assert_int_equal(g.owned_on_wake, 5);
	tw1_finish(&w);
	assert_int_equal(tw1.ret, -ETIMEDOUT);
}

/*
 * Timeout against wake under stress.  Waiters wait with deadlines 5-45 us
 * ahead; a waker reads the deadline of the oldest waiter, spins until
 * about that moment (-2 to +80 us) and calls wake_one.  Every
 * wake_one that returned true must match exactly one 0 return, every
 * waiter must own m on return and be off the queue after a timeout.
 */
enum { RACE_WAITERS = 3 };

struct race {
	struct sk_mutex m;
	struct sk_waitq q;
	unsigned rounds;
	struct sk_thread *thread[RACE_WAITERS]; /* m */
	uint64_t deadline[RACE_WAITERS]; /* m */
	unsigned long zeros[RACE_WAITERS], timeouts[RACE_WAITERS]; /* m */
	unsigned long not_owned, not_gone, bad_ret; /* m */
	unsigned long wakes, misses; /* m: wake_one true, false */
	unsigned done; /* m: waiters finished */
};

static atomic_ulong race_points[4]; /* the four WAITQ test points */

static void race_hook(enum sk_sync_test_point pt)
{
	if (pt < SK_SYNC_PT_WAITQ_TIMED_OUT)
		return;
	unsigned long n = atomic_fetch_add(
		&race_points[pt - SK_SYNC_PT_WAITQ_TIMED_OUT], 1);

	if (n % 4 == 0)
		th_yield(); /* widen the window now and then */
}

static void race_waiter(unsigned idx, struct race *r)
{
	struct sk_thread *me = sk_thread_current();

	sk_mutex_lock(&r->m);
	r->thread[idx] = me;
	for (unsigned i = 0; i < r->rounds; i++) {
		uint64_t d = th_deadline(5000 +
					 (i * 7919u + idx * 104729u) % 40000u);

		r->deadline[idx] = d;
		int ret = sk_waitq_wait_until(&r->q, &r->m, d);

		r->not_owned += !sk_mutex_is_owned(&r->m);
		if (ret == 0) {
			r->zeros[idx]++;
		} else if (ret == -ETIMEDOUT) {
			r->timeouts[idx]++;
			r->not_gone += waitq_lists(&r->q, me);
		} else {
			r->bad_ret++;
		}
	}
	r->done++;
	sk_mutex_unlock(&r->m);
}

/* Deadline of the oldest waiter still waiting, 0 if none.  Owns m. */
static uint64_t race_head_deadline(struct race *r)
{
	for (struct sk_sync_cwaiter *cw = r->q.head; cw; cw = cw->next) {
		if (atomic_load_explicit(&cw->w.state, memory_order_relaxed) !=
		    SK_SYNC_W_COND)
			continue;
		for (unsigned i = 0; i < RACE_WAITERS; i++)
			if (r->thread[i] == cw->w.thread)
				return r->deadline[i];
	}
	return 0;
}

static void race_waker(struct race *r)
{
	/* Late ones too: the port's futex timeouts fire up to 50 us late. */
	static const int64_t jitter_ns[] = { -2000, 0,	   1000,  5000,
					     20000, 40000, 60000, 80000 };
	unsigned k = 0;

	sk_mutex_lock(&r->m);
	while (r->done < RACE_WAITERS) {
		uint64_t d = race_head_deadline(r);

		sk_mutex_unlock(&r->m);
		if (d) {
			d += (uint64_t)jitter_ns[k++ % 8];
			while (sk_plat_clock_ns() < d)
				th_yield();
		} else {
			th_yield();
		}
		sk_mutex_lock(&r->m);
		if (sk_waitq_wake_one(&r->q))
			r->wakes++;
		else
			r->misses++;
	}
	sk_mutex_unlock(&r->m);
}

static void race_worker(unsigned idx, void *p)
{
	if (idx == RACE_WAITERS)
		race_waker(p);
	else
		race_waiter(idx, p);
}

static void test_waitq_stress_timeout_races_wake_exact(void **state)
{
	(void)state;
	static struct race r;
	unsigned long zeros = 0, timeouts = 0;

	r.rounds = 2000u * STRESS_SCALE;
	sk_sync_test_yield = race_hook;
	th_run(RACE_WAITERS + 1, race_worker, &r);
	sk_sync_test_yield = NULL;
	for (unsigned i = 0; i < RACE_WAITERS; i++) {
		zeros += r.zeros[i];
		timeouts += r.timeouts[i];
	}
	th_libc_enter();
	print_message("waitq race: %lu woken, %lu timed out, %lu empty wakes, "
		      "%lu woken after timeout, %lu reaped\n",
		      zeros, timeouts, r.misses, atomic_load(&race_points[2]),
		      atomic_load(&race_points[3]));
	th_libc_exit();
	assert_int_equal(zeros, r.wakes);
	assert_int_equal(zeros + timeouts, RACE_WAITERS * r.rounds);
	assert_int_equal(r.not_owned, 0);
	assert_int_equal(r.not_gone, 0);
	assert_int_equal(r.bad_ret, 0);
	assert_null(r.q.head);
	assert_false(sk_mutex_is_locked(&r.m));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TH_TEST(test_waitq_wake_one_then_all),
		TH_TEST(test_waitq_baton_ring_every_pass),
		TH_TEST(test_waitq_wait_until_past_deadline_etimedout_owning),
		TH_TEST(test_waitq_wait_until_woken_before_deadline_returns_0),
		TH_TEST(test_waitq_timeout_loses_to_wake_returns_0),
		TH_TEST(test_waitq_timeout_wins_wake_goes_to_next),
		TH_TEST(test_waitq_timeout_unwoken_leaves_queue),
		TH_TEST(test_waitq_wake_all_wakes_each_once),
		TH_TEST(test_waitq_stress_timeout_races_wake_exact),
	};

	return TH_MAIN(tests);
}
