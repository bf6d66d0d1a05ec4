// SPDX-License-Identifier: MIT
/*
 * Basic life of threads: create, run, yield, sleep, join.
 */
#include "harness.h"

#include <plat/time.h>
#include <sched/wait.h>

static atomic_uint ran;

static void bump(void *arg)
{
	(void)arg;
	atomic_fetch_add(&ran, 1);
}

static void test_smoke_create_join_runs(void **state)
{
	struct sk_thread *t[8];

	(void)state;
	for (unsigned i = 0; i < 8; i++)
		t[i] = st_spawn(NULL, bump, NULL);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(sk_thread_join(t[i]), 0);
	assert_int_equal(atomic_load(&ran), 8);
}

static void test_smoke_sleep_not_early(void **state)
{
	uint64_t t0 = sk_plat_clock_ns();

	(void)state;
	sk_thread_sleep_for(2000000);
	assert_true(sk_plat_clock_ns() >= t0 + 2000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		st_test(test_smoke_create_join_runs),
		st_test(test_smoke_sleep_not_early),
	};

	return st_main("sched_smoke", tests, sizeof(tests) / sizeof(tests[0]));
}
