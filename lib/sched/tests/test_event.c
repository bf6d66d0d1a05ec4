// SPDX-License-Identifier: MIT
/*
 * Timed waits and waiting on several events at once with a deadline.
 */
#include "harness.h"

#include <errno.h>

#include <plat/time.h>
#include <sched/event.h>
#include <sched/wait.h>

static void test_wake_wait_until_times_out(void **state)
{
	uint64_t t0 = sk_plat_clock_ns();
	int ret;

	(void)state;
	sk_wait_prepare();
	ret = sk_wait_until(t0 + 3000000);
	assert_int_equal(ret, -ETIMEDOUT);
	assert_true(sk_plat_clock_ns() >= t0 + 3000000);
	sk_wait_prepare();
	assert_int_equal(sk_wait_until(t0), -ETIMEDOUT); /* already past */
}

struct signaller {
	struct sk_event *ev;
	uint64_t delay_ns;
};

static void signal_later(void *arg)
{
	struct signaller *s = arg;

	sk_thread_sleep_for(s->delay_ns);
	sk_preempt_disable();
	sk_event_signal(s->ev);
	sk_preempt_enable();
}

static void test_wake_wait_any_returns_signalled(void **state)
{
	struct sk_event ev[3];
	struct sk_event *evs[3] = { &ev[0], &ev[1], &ev[2] };
	struct signaller s = { &ev[2], 2000000 };
	struct sk_cpuset set;
	struct sk_thread_attr a = st_pinned(1, &set);
	struct sk_thread *t;

	(void)state;
	for (unsigned i = 0; i < 3; i++)
		sk_event_init(&ev[i]);
	t = st_spawn(&a, signal_later, &s);
	assert_int_equal(sk_event_wait_any(evs, 3, UINT64_MAX), 2);
	assert_int_equal(sk_thread_join(t), 0);
	assert_true(sk_event_is_set(&ev[2]));
	assert_false(sk_event_is_set(&ev[0]));
	sk_event_clear(&ev[2]);
	assert_int_equal(
		sk_event_wait_any(evs, 3, sk_plat_clock_ns() + 2000000),
		-ETIMEDOUT);
	sk_event_signal(&ev[1]);
	assert_int_equal(sk_event_wait_any(evs, 3, 0), 1);
	assert_int_equal(sk_event_wait_any(evs, 0, 0), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		st_test(test_wake_wait_until_times_out),
		st_test(test_wake_wait_any_returns_signalled),
	};

	return st_main("sched_event", tests, sizeof(tests) / sizeof(tests[0]));
}
