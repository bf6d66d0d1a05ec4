// SPDX-License-Identifier: MIT
/*
 * Tests of struct sk_rwlock: readers share, writers exclude everyone, a
 * waiting writer holds back new readers, a stress where writers keep
 * two counters equal and readers must never see them differ, and the
 * timed calls: timing out and getting in, a writer that gives up letting
 * the readers it held back in, a hand-off that races a writer's timeout,
 * and the stress again with timed callers mixed in.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sched/wait.h>
#include <sync/rwlock.h>

#include "harness.h"
#include "waiter.h"

struct probe {
	struct sk_rwlock *rw;
	int read_ret, write_ret;
};

static void probe_try(unsigned idx, void *p)
{
	(void)idx;
	struct probe *pr = p;

	pr->read_ret = sk_rwlock_try_read_lock(pr->rw);
	if (pr->read_ret == 0)
		sk_rwlock_read_unlock(pr->rw);
	pr->write_ret = sk_rwlock_try_write_lock(pr->rw);
	if (pr->write_ret == 0)
		sk_rwlock_write_unlock(pr->rw);
}

static void test_rwlock_readers_share_writer_excludes(void **state)
{
	(void)state;
	struct sk_rwlock rw = SK_RWLOCK_INIT;
	struct probe pr = { .rw = &rw };

	sk_rwlock_read_lock(&rw);
	th_run(1, probe_try, &pr);
	assert_int_equal(pr.read_ret, 0);
	assert_int_equal(pr.write_ret, -EBUSY);
	sk_rwlock_read_unlock(&rw);

	sk_rwlock_write_lock(&rw);
	th_run(1, probe_try, &pr);
	assert_int_equal(pr.read_ret, -EBUSY);
	assert_int_equal(pr.write_ret, -EBUSY);
	sk_rwlock_write_unlock(&rw);

	th_run(1, probe_try, &pr);
	assert_int_equal(pr.read_ret, 0);
	assert_int_equal(pr.write_ret, 0);
}

static void writer_once(unsigned idx, void *p)
{
	(void)idx;
	struct sk_rwlock *rw = p;

	sk_rwlock_write_lock(rw);
	sk_rwlock_write_unlock(rw);
}

static void test_rwlock_waiting_writer_blocks_new_readers(void **state)
{
	(void)state;
	struct sk_rwlock rw = SK_RWLOCK_INIT;
	struct th_one w;

	sk_rwlock_read_lock(&rw);
	th_start(&w, writer_once, &rw);
	for (;;) {
		sk_mutex_lock(&rw.m);
		unsigned waiting = rw.writers_waiting;

		sk_mutex_unlock(&rw.m);
		if (waiting)
			break;
		th_pause();
	}
	assert_int_equal(sk_rwlock_try_read_lock(&rw), -EBUSY);
	sk_rwlock_read_unlock(&rw);
	th_join(&w);
	assert_int_equal(sk_rwlock_try_read_lock(&rw), 0);
	sk_rwlock_read_unlock(&rw);
}

struct pair {
	struct sk_rwlock rw;
	unsigned long a, b;
	unsigned long iters;
	unsigned long torn[8];
	unsigned long reads[8];
};

static void pair_worker(unsigned idx, void *p)
{
	struct pair *pr = p;

	for (unsigned long i = 0; i < pr->iters; i++) {
		if (idx < 2) {
			sk_rwlock_write_lock(&pr->rw);
			pr->a++;
			if (pr->a % 32 == 0)
				th_yield(); /* readers must wait here */
			pr->b++;
			sk_rwlock_write_unlock(&pr->rw);
		} else {
			sk_rwlock_read_lock(&pr->rw);
			if (pr->a != pr->b)
				pr->torn[idx]++;
			if (pr->reads[idx] % 64 == 0)
				th_yield(); /* writers must wait here */
			pr->reads[idx]++;
			sk_rwlock_read_unlock(&pr->rw);
		}
	}
}

static void test_rwlock_stress_readers_never_see_torn_pair(void **state)
{
	(void)state;
	static struct pair pr;

	pr.iters = 5000ul * STRESS_SCALE;
	th_inject_yields(64);
	th_run(6, pair_worker, &pr);
	th_inject_yields(0);
	assert_int_equal(pr.a, 2 * pr.iters);
	assert_int_equal(pr.b, 2 * pr.iters);
	for (unsigned i = 2; i < 6; i++) {
		assert_int_equal(pr.torn[i], 0);
		assert_int_equal(pr.reads[i], pr.iters);
	}
	assert_int_equal(sk_rwlock_try_write_lock(&pr.rw), 0);
	sk_rwlock_write_unlock(&pr.rw);
}

/* Records on @q (waiters, timed out or not).  Caller owns rw->m. */
static unsigned waitq_len(const struct sk_waitq *q)
{
	unsigned n = 0;

	for (const struct sk_sync_cwaiter *cw = q->head; cw; cw = cw->next)
		n++;
	return n;
}

/* Poll until @q of @rw holds @n records. */
static void rw_wait_queued(struct sk_rwlock *rw, struct sk_waitq *q, unsigned n)
{
	for (;;) {
		sk_mutex_lock(&rw->m);
		unsigned len = waitq_len(q);

		sk_mutex_unlock(&rw->m);
		if (len == n)
			return;
		th_pause();
	}
}

/* A far deadline: a backstop that turns a lost wake into a failure. */
#define RW_BACKSTOP_NS (30ull * 1000000000u)

struct timed {
	struct sk_rwlock *rw;
	uint64_t after_ns; /* deadline relative to the call; 0: in the past */
	int ret;
	int held; /* the lock was held as asked when ret == 0 */
};

static uint64_t timed_deadline(const struct timed *t)
{
	return t->after_ns ? th_deadline(t->after_ns) : 0;
}

static void timed_reader(unsigned idx, void *p)
{
	(void)idx;
	struct timed *t = p;

	t->ret = sk_rwlock_read_lock_until(t->rw, timed_deadline(t));
	if (t->ret == 0) {
		sk_mutex_lock(&t->rw->m); /* the fields' guard */
		t->held = t->rw->nreaders > 0 && !t->rw->writer;
		sk_mutex_unlock(&t->rw->m);
		sk_rwlock_read_unlock(t->rw);
	}
}

static void timed_writer(unsigned idx, void *p)
{
	(void)idx;
	struct timed *t = p;

	t->ret = sk_rwlock_write_lock_until(t->rw, timed_deadline(t));
	if (t->ret == 0) {
		sk_mutex_lock(&t->rw->m);
		t->held = t->rw->writer && t->rw->nreaders == 0;
		sk_mutex_unlock(&t->rw->m);
		sk_rwlock_write_unlock(t->rw);
	}
}

static void rw_assert_idle(struct sk_rwlock *rw)
{
	assert_int_equal(rw->nreaders, 0);
	assert_int_equal(rw->writer, 0);
	assert_int_equal(rw->writers_waiting, 0);
	assert_null(rw->readers.head);
	assert_null(rw->writers.head);
	assert_false(sk_mutex_is_locked(&rw->m));
}

static void test_rwlock_timed_reader_gives_up_while_writer_holds(void **state)
{
	(void)state;
	static struct sk_rwlock rw;
	struct timed past = { .rw = &rw };
	struct timed soon = { .rw = &rw, .after_ns = 1000000 };
	struct timed later = { .rw = &rw, .after_ns = RW_BACKSTOP_NS };
	struct th_one t;

	sk_rwlock_write_lock(&rw);
	th_run(1, timed_reader, &past);
	th_run(1, timed_reader, &soon);
	assert_int_equal(past.ret, -ETIMEDOUT);
	assert_int_equal(soon.ret, -ETIMEDOUT);
	assert_null(rw.readers.head);
	assert_int_equal(rw.nreaders, 0);
	/* A timed reader woken before its deadline gets in. */
	th_start(&t, timed_reader, &later);
	rw_wait_queued(&rw, &rw.readers, 1);
	sk_rwlock_write_unlock(&rw);
	th_join(&t);
	assert_int_equal(later.ret, 0);
	assert_true(later.held);
	rw_assert_idle(&rw);
}

static void test_rwlock_timed_writer_times_out_or_gets_in(void **state)
{
	(void)state;
	static struct sk_rwlock rw;
	struct timed past = { .rw = &rw };
	struct timed soon = { .rw = &rw, .after_ns = 1000000 };
	struct timed later = { .rw = &rw, .after_ns = RW_BACKSTOP_NS };
	struct timed reader = { .rw = &rw };
	struct th_one t;

	sk_rwlock_read_lock(&rw);
	th_run(1, timed_writer, &past);
	th_run(1, timed_writer, &soon);
	assert_int_equal(past.ret, -ETIMEDOUT);
	assert_int_equal(soon.ret, -ETIMEDOUT);
	assert_int_equal(rw.writers_waiting, 0);
	assert_null(rw.writers.head);
	/* No writer waits any more: new readers are not held back. */
	th_run(1, timed_reader, &reader);
	assert_int_equal(reader.ret, 0);
	th_start(&t, timed_writer, &later);
	rw_wait_queued(&rw, &rw.writers, 1);
	sk_rwlock_read_unlock(&rw);
	th_join(&t);
	assert_int_equal(later.ret, 0);
	assert_true(later.held);
	rw_assert_idle(&rw);
}

/*
 * Park one timed writer at a point of its timed wait (pt): the hook
 * holds it there until the test lets it go.
 */
static struct {
	_Atomic(struct sk_thread *) t;
	atomic_int pt, parked, go;
	atomic_int others_timed_out; /* timeouts of every other waiter */
} park;

static void park_hook(enum sk_sync_test_point pt)
{
	if (sk_thread_current() != atomic_load(&park.t)) {
		if (pt == SK_SYNC_PT_WAITQ_TIMED_OUT)
			atomic_fetch_add(&park.others_timed_out, 1);
		return;
	}
	if ((int)pt != atomic_load(&park.pt))
		return;
	atomic_store(&park.parked, 1);
	while (!atomic_load(&park.go))
		th_pause();
}

static void parked_writer(unsigned idx, void *p)
{
	atomic_store(&park.t, sk_thread_current());
	timed_writer(idx, p);
}

static void park_start(struct th_one *t, struct timed *w, int pt)
{
	atomic_store(&park.t, NULL);
	atomic_store(&park.pt, pt);
	atomic_store(&park.parked, 0);
	atomic_store(&park.go, 0);
	atomic_store(&park.others_timed_out, 0);
	sk_sync_test_yield = park_hook;
	th_start(t, parked_writer, w);
	while (!atomic_load(&park.parked))
		th_pause();
}

/*
 * Readers R hold the lock (the test thread), a timed writer W waits and
 * three readers queue behind W.  W times out (parked after its CAS won,
 * so the readers are surely queued) and gives up: as the last waiting
 * writer, with no writer inside, it must let the queued readers in, while
 * the test thread still holds its read lock.
 */
static void test_rwlock_timed_writer_gives_up_readers_get_in(void **state)
{
	(void)state;
	static struct sk_rwlock rw;
	struct timed w = { .rw = &rw, .after_ns = 1000000 };
	struct timed r[3];
	struct th_one wt, rt[3];

	sk_rwlock_read_lock(&rw);
	park_start(&wt, &w, SK_SYNC_PT_WAITQ_CANCELLED);
	for (unsigned i = 0; i < 3; i++) {
		r[i] = (struct timed){ .rw = &rw, .after_ns = RW_BACKSTOP_NS };
		th_start(&rt[i], timed_reader, &r[i]);
	}
	rw_wait_queued(&rw, &rw.readers, 3);
	atomic_store(&park.go, 1);
	for (unsigned i = 0; i < 3; i++)
		th_join(&rt[i]);
	th_join(&wt);
	sk_sync_test_yield = NULL;
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(r[i].ret, 0);
		assert_true(r[i].held);
	}
	assert_int_equal(w.ret, -ETIMEDOUT);
	/* Let in by W, not by their backstop deadline. */
	assert_int_equal(atomic_load(&park.others_timed_out), 0);
	sk_rwlock_read_unlock(&rw);
	rw_assert_idle(&rw);
}

/*
 * The hand-off races the timeout: W's deadline passed and it is parked
 * before its CAS when the last reader leaves and wakes it.  The wake took
 * W, so W must take the lock (0), and its unlock must pass the lock on to
 * the untimed writer W2 queued behind it, then to a queued reader.
 */
static void test_rwlock_timed_writer_keeps_handoff_past_deadline(void **state)
{
	(void)state;
	static struct sk_rwlock rw;
	struct timed w = { .rw = &rw, .after_ns = 1000000 };
	struct timed w2 = { .rw = &rw, .after_ns = RW_BACKSTOP_NS };
	struct timed r = { .rw = &rw, .after_ns = RW_BACKSTOP_NS };
	struct th_one wt, w2t, rt;

	sk_rwlock_read_lock(&rw);
	park_start(&wt, &w, SK_SYNC_PT_WAITQ_TIMED_OUT);
	th_start(&w2t, timed_writer, &w2);
	rw_wait_queued(&rw, &rw.writers, 2);
	th_start(&rt, timed_reader, &r);
	rw_wait_queued(&rw, &rw.readers, 1);
	/*
	 * Wakes W: the hand-off.  W's record now owns rw.m (a morph), so
	 * rw.m stays locked until W is let go.
	 */
	sk_rwlock_read_unlock(&rw);
	atomic_store(&park.go, 1);
	th_join(&wt);
	th_join(&w2t);
	th_join(&rt);
	sk_sync_test_yield = NULL;
	assert_int_equal(w.ret, 0);
	assert_true(w.held);
	assert_int_equal(w2.ret, 0);
	assert_true(w2.held);
	assert_int_equal(r.ret, 0);
	assert_true(r.held);
	assert_int_equal(atomic_load(&park.others_timed_out), 0);
	rw_assert_idle(&rw);
}

/*
 * The torn-pair stress with timed callers mixed in: deadlines 0-30 us
 * ahead, so they keep timing out, giving up and racing the hand-offs.  A
 * lost wake hangs an untimed caller (the test fails on its timeout).
 */
struct tpair {
	struct sk_rwlock rw;
	unsigned long a, b;
	unsigned long iters;
	unsigned long torn[6], entered[6], timeouts[6];
};

static uint64_t tpair_deadline(unsigned idx, unsigned long i)
{
	return th_deadline((i * 7919u + idx * 3001u) % 30000u);
}

static void tpair_write(struct tpair *tp, unsigned idx, unsigned long i)
{
	if (idx == 1) {
		if (sk_rwlock_write_lock_until(&tp->rw,
					       tpair_deadline(idx, i))) {
			tp->timeouts[idx]++;
			return;
		}
	} else {
		sk_rwlock_write_lock(&tp->rw);
	}
	tp->a++;
	if (tp->a % 16 == 0)
		th_yield(); /* readers must wait here */
	tp->b++;
	tp->entered[idx]++;
	sk_rwlock_write_unlock(&tp->rw);
}

static void tpair_read(struct tpair *tp, unsigned idx, unsigned long i)
{
	if (idx >= 4) {
		if (sk_rwlock_read_lock_until(&tp->rw,
					      tpair_deadline(idx, i))) {
			tp->timeouts[idx]++;
			return;
		}
	} else {
		sk_rwlock_read_lock(&tp->rw);
	}
	if (tp->a != tp->b)
		tp->torn[idx]++;
	if (i % 32 == 0)
		th_yield(); /* writers must wait here */
	tp->entered[idx]++;
	sk_rwlock_read_unlock(&tp->rw);
}

static void tpair_worker(unsigned idx, void *p)
{
	struct tpair *tp = p;

	for (unsigned long i = 0; i < tp->iters; i++) {
		if (idx < 2)
			tpair_write(tp, idx, i);
		else
			tpair_read(tp, idx, i);
	}
}

static void test_rwlock_stress_timed_callers_never_torn_or_stuck(void **state)
{
	(void)state;
	static struct tpair tp;

	tp.iters = 10000ul * STRESS_SCALE;
	th_inject_yields(32);
	th_run(6, tpair_worker, &tp);
	th_inject_yields(0);
	th_libc_enter();
	print_message("rwlock timed: writer %lu in %lu timed out, readers "
		      "%lu+%lu in %lu+%lu timed out\n",
		      tp.entered[1], tp.timeouts[1], tp.entered[4],
		      tp.entered[5], tp.timeouts[4], tp.timeouts[5]);
	th_libc_exit();
	assert_int_equal(tp.a, tp.entered[0] + tp.entered[1]);
	assert_int_equal(tp.b, tp.a);
	for (unsigned i = 0; i < 6; i++) {
		assert_int_equal(tp.torn[i], 0);
		assert_int_equal(tp.entered[i] + tp.timeouts[i], tp.iters);
	}
	assert_int_equal(tp.entered[0], tp.iters);
	rw_assert_idle(&tp.rw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TH_TEST(test_rwlock_readers_share_writer_excludes),
		TH_TEST(test_rwlock_waiting_writer_blocks_new_readers),
		TH_TEST(test_rwlock_stress_readers_never_see_torn_pair),
		TH_TEST(test_rwlock_timed_reader_gives_up_while_writer_holds),
		TH_TEST(test_rwlock_timed_writer_times_out_or_gets_in),
		TH_TEST(test_rwlock_timed_writer_gives_up_readers_get_in),
		TH_TEST(test_rwlock_timed_writer_keeps_handoff_past_deadline),
		TH_TEST(test_rwlock_stress_timed_callers_never_torn_or_stuck),
	};

	return TH_MAIN(tests);
}
