// SPDX-License-Identifier: MIT
/*
 * Tests of struct sk_sem: counting, try_down on zero, timed down timing
 * out, overflow refused, and producers/consumers where every up is matched
 * by exactly one down.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sync/sem.h>

#include "harness.h"

static void test_sem_count_down_up(void **state)
{
	(void)state;
	struct sk_sem s;

	sk_sem_init(&s, 2);
	assert_int_equal(sk_sem_try_down(&s), 0);
	sk_sem_down(&s);
	assert_int_equal(sk_sem_count(&s), 0);
	assert_int_equal(sk_sem_try_down(&s), -EAGAIN);
	assert_int_equal(sk_sem_down_until(&s, th_deadline(1000000)),
			 -ETIMEDOUT);
	assert_int_equal(sk_sem_down_until(&s, 0), -ETIMEDOUT);
	assert_int_equal(sk_sem_up(&s), 0);
	assert_int_equal(sk_sem_down_until(&s, 0), 0);
	assert_int_equal(sk_sem_count(&s), 0);
}

static void test_sem_up_at_max_eoverflow(void **state)
{
	(void)state;
	struct sk_sem s = SK_SEM_INIT(ULONG_MAX);

	assert_int_equal(sk_sem_up(&s), -EOVERFLOW);
	assert_int_equal(sk_sem_count(&s), ULONG_MAX);
}

struct pc {
	struct sk_sem items;
	unsigned long per_thread;
	unsigned long downs[8];
	unsigned long timeouts[8];
	int up_err[8];
};

static void pc_worker(unsigned idx, void *p)
{
	struct pc *pc = p;

	for (unsigned long i = 0; i < pc->per_thread; i++) {
		if (idx < 3) {
			if (sk_sem_up(&pc->items) != 0)
				pc->up_err[idx]++;
			continue;
		}
		/* Consumers: some timed, retried until they get a unit. */
		while (sk_sem_down_until(
			&pc->items, th_deadline(idx == 3 ? 5000 : 1000000)))
			pc->timeouts[idx]++;
		pc->downs[idx]++;
	}
}

static void test_sem_producers_consumers_balanced(void **state)
{
	(void)state;
	static struct pc pc;
	unsigned long downs = 0;

	pc.per_thread = 10000ul * STRESS_SCALE;
	th_inject_yields(64);
	th_run(6, pc_worker, &pc);
	th_inject_yields(0);
	for (unsigned i = 3; i < 6; i++)
		downs += pc.downs[i];
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(pc.up_err[i], 0);
	assert_int_equal(downs, 3 * pc.per_thread);
	assert_int_equal(sk_sem_count(&pc.items), 0);
	assert_null(pc.items.nonzero.head);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TH_TEST(test_sem_count_down_up),
		TH_TEST(test_sem_up_at_max_eoverflow),
		TH_TEST(test_sem_producers_consumers_balanced),
	};

	return TH_MAIN(tests);
}
