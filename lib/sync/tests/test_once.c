// SPDX-License-Identifier: MIT
/*
 * Tests of struct sk_once: many concurrent callers run the function once
 * and all see its effect; a failing function leaves the flag not-done and
 * passes its error on.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sync/once.h>

#include "harness.h"

struct once_arg {
	struct sk_once once;
	atomic_uint runs;
	unsigned value;
	unsigned bad[8];
};

static int once_init(void *p)
{
	struct once_arg *a = p;

	atomic_fetch_add(&a->runs, 1);
	th_yield();
	a->value = 42;
	return 0;
}

static void once_caller(unsigned idx, void *p)
{
	struct once_arg *a = p;

	if (sk_once(&a->once, once_init, a) != 0 || a->value != 42)
		a->bad[idx]++;
}

static void test_once_concurrent_callers_run_once(void **state)
{
	(void)state;
	for (unsigned round = 0; round < 50 * STRESS_SCALE; round++) {
		struct once_arg a = { .once = SK_ONCE_INIT };

		th_run(8, once_caller, &a);
		assert_int_equal(atomic_load(&a.runs), 1);
		for (unsigned i = 0; i < 8; i++)
			assert_int_equal(a.bad[i], 0);
		assert_true(sk_once_is_done(&a.once));
	}
}

static int once_fail(void *p)
{
	(*(unsigned *)p)++;
	return -EIO;
}

static int once_ok(void *p)
{
	(*(unsigned *)p)++;
	return 0;
}

static void test_once_failure_retried_error_returned(void **state)
{
	(void)state;
	struct sk_once o = SK_ONCE_INIT;
	unsigned calls = 0;

	assert_false(sk_once_is_done(&o));
	assert_int_equal(sk_once(&o, once_fail, &calls), -EIO);
	assert_false(sk_once_is_done(&o));
	assert_int_equal(sk_once(&o, once_ok, &calls), 0);
	assert_int_equal(sk_once(&o, once_ok, &calls), 0);
	assert_int_equal(calls, 2);
	assert_true(sk_once_is_done(&o));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TH_TEST(test_once_concurrent_callers_run_once),
		TH_TEST(test_once_failure_retried_error_returned),
	};

	return TH_MAIN(tests);
}
