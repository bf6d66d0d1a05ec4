// SPDX-License-Identifier: MIT
/*
 * Tests of struct sk_rmutex: depth counting, exclusion of other threads at
 * any depth, overflow, and a recursive-locking stress with more threads
 * than CPUs.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sync/mutex.h>

#include "harness.h"

struct probe {
	struct sk_rmutex *r;
	int try_ret;
	unsigned depth_seen;
};

static void other_try(unsigned idx, void *p)
{
	(void)idx;
	struct probe *pr = p;

	pr->try_ret = sk_rmutex_try_lock(pr->r);
	pr->depth_seen = sk_rmutex_depth(pr->r);
	if (pr->try_ret == 0)
		sk_rmutex_unlock(pr->r);
}

static void test_rmutex_depth_counts_locks(void **state)
{
	(void)state;
	struct sk_rmutex r = SK_RMUTEX_INIT;
	struct probe pr = { .r = &r };

	for (unsigned i = 1; i <= 100; i++) {
		sk_rmutex_lock(&r);
		assert_int_equal(sk_rmutex_depth(&r), i);
	}
	assert_int_equal(sk_rmutex_try_lock(&r), 0);
	assert_int_equal(sk_rmutex_lock_until(&r, 0), 0);
	assert_int_equal(sk_rmutex_depth(&r), 102);
	th_run(1, other_try, &pr);
	assert_int_equal(pr.try_ret, -EBUSY);
	assert_int_equal(pr.depth_seen, 0);
	for (unsigned i = 0; i < 101; i++)
		sk_rmutex_unlock(&r);
	assert_true(sk_rmutex_is_locked(&r));
	th_run(1, other_try, &pr);
	assert_int_equal(pr.try_ret, -EBUSY);
	sk_rmutex_unlock(&r);
	assert_false(sk_rmutex_is_locked(&r));
	th_run(1, other_try, &pr);
	assert_int_equal(pr.try_ret, 0);
	assert_int_equal(pr.depth_seen, 1);
}

static void test_rmutex_depth_overflow_eoverflow(void **state)
{
	(void)state;
	struct sk_rmutex r;

	sk_rmutex_init(&r);
	sk_rmutex_lock(&r);
	r.depth = UINT_MAX;
	assert_int_equal(sk_rmutex_try_lock(&r), -EOVERFLOW);
	assert_int_equal(sk_rmutex_lock_until(&r, UINT64_MAX), -EOVERFLOW);
	assert_int_equal(sk_rmutex_depth(&r), UINT_MAX);
	r.depth = 1;
	sk_rmutex_unlock(&r);
	assert_false(sk_rmutex_is_locked(&r));
}

struct nest_arg {
	struct sk_rmutex r;
	unsigned long iters;
	unsigned long counter;
	unsigned bad_depth;
};

static void nest(struct nest_arg *a, unsigned level)
{
	sk_rmutex_lock(&a->r);
	if (sk_rmutex_depth(&a->r) != level)
		a->bad_depth++;
	if (a->counter++ % 64 == 0)
		th_yield(); /* holding it: make the others queue */
	if (level < 4)
		nest(a, level + 1);
	sk_rmutex_unlock(&a->r);
}

static void nest_worker(unsigned idx, void *p)
{
	(void)idx;
	struct nest_arg *a = p;

	for (unsigned long i = 0; i < a->iters; i++)
		nest(a, 1);
}

static void test_rmutex_nested_stress_exact(void **state)
{
	(void)state;
	static struct nest_arg a;
	const unsigned n = 6;

	a.iters = 5000ul * STRESS_SCALE;
	th_inject_yields(64);
	th_run(n, nest_worker, &a);
	th_inject_yields(0);
	assert_int_equal(a.counter, 4ul * n * a.iters);
	assert_int_equal(a.bad_depth, 0);
	assert_false(sk_rmutex_is_locked(&a.r));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TH_TEST(test_rmutex_depth_counts_locks),
		TH_TEST(test_rmutex_depth_overflow_eoverflow),
		TH_TEST(test_rmutex_nested_stress_exact),
	};

	return TH_MAIN(tests);
}
