// SPDX-License-Identifier: MIT
/*
 * The RCU API one call at a time: nesting, pointers, synchronize and
 * expedited synchronize waiting for a reader, call_rcu ordering and
 * barrier, back-pressure.  Runs on both backends.
 */
#include "rt.h"

#include <errno.h>

#include <rcu/rcu.h>

static void test_api_nesting_is_held(void **state)
{
	(void)state;
	assert_false(sk_rcu_read_is_held());
	sk_rcu_read_lock();
	sk_rcu_read_lock();
	assert_true(sk_rcu_read_is_held());
	sk_rcu_read_unlock();
	assert_true(sk_rcu_read_is_held());
	sk_rcu_read_unlock();
	assert_false(sk_rcu_read_is_held());
}

struct box {
	int value;
};

static void test_api_assign_dereference_publishes(void **state)
{
	static struct box a = { 1 }, b = { 2 };
	_Atomic(struct box *) p;
	struct box *got;

	(void)state;
	sk_rcu_init_pointer(p, &a);
	sk_rcu_read_lock();
	got = sk_rcu_dereference(p);
	assert_int_equal(got->value, 1);
	sk_rcu_read_unlock();
	sk_rcu_assign_pointer(p, &b);
	assert_ptr_equal(sk_rcu_access_pointer(p), &b);
	sk_synchronize_rcu();
	assert_ptr_equal(sk_rcu_dereference_protected(p), &b);
}

/* A reader pinned to CPU 1 that holds its section until told. */
struct holder {
	atomic_int inside, release;
};

static void hold_reader(void *arg)
{
	struct holder *h = arg;

	sk_rcu_read_lock();
	atomic_store(&h->inside, 1);
	while (!atomic_load(&h->release))
		;
	sk_rcu_read_unlock();
}

struct syncer {
	void (*wait)(void);
	atomic_int done;
};

static void run_syncer(void *arg)
{
	struct syncer *s = arg;

	s->wait();
	atomic_store(&s->done, 1);
}

static void check_waits_for_reader(void (*wait)(void))
{
	struct holder h = { 0 };
	struct syncer s = { .wait = wait };
	struct rt_thread *r, *w;

	r = rt_spawn(1, hold_reader, &h);
	assert_non_null(r);
	while (!atomic_load(&h.inside))
		rt_yield();
	w = rt_spawn(0, run_syncer, &s);
	assert_non_null(w);
	/* Time only gives a broken grace period the chance to end early. */
	rt_sleep_ns(20000000);
	assert_int_equal(atomic_load(&s.done), 0);
	atomic_store(&h.release, 1);
	rt_join(r);
	rt_join(w);
	assert_int_equal(atomic_load(&s.done), 1);
}

static void test_api_synchronize_waits_for_reader(void **state)
{
	(void)state;
	check_waits_for_reader(sk_synchronize_rcu);
}

static void test_api_expedited_waits_for_reader(void **state)
{
	(void)state;
	check_waits_for_reader(sk_synchronize_rcu_expedited);
}

struct cbobj {
	struct sk_rcu_head rh;
	atomic_int *order;
	int seq;
	int ran_at;
};

static void cb_record(struct sk_rcu_head *h)
{
	struct cbobj *o = (struct cbobj *)(void *)h;

	o->ran_at = atomic_fetch_add(o->order, 1);
}

static void test_api_call_rcu_waits_for_reader_then_runs(void **state)
{
	struct holder h = { 0 };
	struct cbobj o[3];
	atomic_int order = 0;
	struct rt_thread *r;

	(void)state;
	r = rt_spawn(1, hold_reader, &h);
	assert_non_null(r);
	while (!atomic_load(&h.inside))
		rt_yield();
	for (int i = 0; i < 3; i++) {
		o[i].order = &order;
		o[i].seq = i;
		o[i].ran_at = -1;
		sk_call_rcu(&o[i].rh, cb_record);
	}
	rt_sleep_ns(20000000);
	assert_int_equal(atomic_load(&order), 0); /* reader still inside */
	atomic_store(&h.release, 1);
	rt_join(r);
	sk_rcu_barrier();
	assert_int_equal(atomic_load(&order), 3);
	for (int i = 0; i < 3; i++) /* one CPU's callbacks run in order */
		assert_int_equal(o[i].ran_at, i);
}

static atomic_int cb_count;

static void cb_count_fn(struct sk_rcu_head *h)
{
	(void)h;
	atomic_fetch_add(&cb_count, 1);
}

static void test_api_barrier_runs_everything_queued(void **state)
{
	enum { N = 1000 };
	struct sk_rcu_head *heads = rt_alloc(N * sizeof(*heads));
	struct sk_rcu_stats before, after;

	(void)state;
	assert_non_null(heads);
	assert_int_equal(sk_rcu_stats_get(&before), 0);
	atomic_store(&cb_count, 0);
	for (int i = 0; i < N; i++)
		sk_call_rcu(&heads[i], cb_count_fn);
	sk_rcu_barrier();
	assert_int_equal(atomic_load(&cb_count), N);
	assert_int_equal(sk_rcu_stats_get(&after), 0);
	assert_true(after.cbs_queued - before.cbs_queued == N);
	assert_true(after.cbs_invoked == after.cbs_queued);
	sk_rcu_barrier(); /* nothing queued: returns */
	rt_free(heads);
	assert_int_equal(sk_rcu_stats_get(NULL), -EINVAL);
}

/* Nobody waits: the callback thread's gathering pause must still end and
 * run the callbacks (liveness; the bound is only there to fail, not hang). */
static void test_api_call_rcu_runs_without_barrier(void **state)
{
	enum { N = 3, POLLS = 10000 };
	struct sk_rcu_head heads[N];
	int polls = 0;

	(void)state;
	sk_rcu_barrier();
	atomic_store(&cb_count, 0);
	for (int i = 0; i < N; i++)
		sk_call_rcu(&heads[i], cb_count_fn);
	while (atomic_load(&cb_count) < N && polls++ < POLLS)
		rt_sleep_ns(1000000);
	assert_int_equal(atomic_load(&cb_count), N);
}

/* Back-pressure: a reader blocks grace periods until the pusher, over
 * SK_RCU_CB_HIGH queued callbacks, is held back; the pusher must then
 * wait until all of them ran. */
struct bp {
	struct holder h;
	uint64_t throttled0;
};

static void bp_reader(void *arg)
{
	struct bp *b = arg;
	struct sk_rcu_stats st;

	sk_rcu_read_lock();
	atomic_store(&b->h.inside, 1);
	do
		sk_rcu_stats_get(&st);
	while (st.throttled == b->throttled0);
	sk_rcu_read_unlock();
}

static void test_api_call_rcu_over_mark_blocks_until_run(void **state)
{
	enum { N = 2 * SK_RCU_CB_HIGH };
	struct sk_rcu_head *heads = rt_alloc(N * sizeof(*heads));
	struct bp b = { 0 };
	struct sk_rcu_stats st0, st1;
	struct rt_thread *r;
	int max_out = 0, after_block = -1;

	(void)state;
	assert_non_null(heads);
	sk_rcu_barrier();
	atomic_store(&cb_count, 0);
	assert_int_equal(sk_rcu_stats_get(&st0), 0);
	b.throttled0 = st0.throttled;
	r = rt_spawn(1, bp_reader, &b);
	assert_non_null(r);
	while (!atomic_load(&b.h.inside))
		rt_yield();
	for (int i = 0; i < N; i++) {
		int out;

		sk_call_rcu(&heads[i], cb_count_fn);
		out = i + 1 - atomic_load(&cb_count);
		max_out = out > max_out ? out : max_out;
		if (i == SK_RCU_CB_HIGH)
			after_block = out;
	}
	rt_join(r);
	sk_rcu_barrier();
	assert_int_equal(sk_rcu_stats_get(&st1), 0);
	assert_true(st1.throttled > st0.throttled);
	assert_int_equal(after_block, 0);
	assert_true(max_out <= SK_RCU_CB_HIGH);
	assert_int_equal(atomic_load(&cb_count), N);
	rt_free(heads);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		rt_test(test_api_nesting_is_held),
		rt_test(test_api_assign_dereference_publishes),
		rt_test(test_api_synchronize_waits_for_reader),
		rt_test(test_api_expedited_waits_for_reader),
		rt_test(test_api_call_rcu_waits_for_reader_then_runs),
		rt_test(test_api_barrier_runs_everything_queued),
		rt_test(test_api_call_rcu_runs_without_barrier),
		rt_test(test_api_call_rcu_over_mark_blocks_until_run),
	};

	return rt_main("rcu_api", tests, sizeof(tests) / sizeof(tests[0]));
}
