// SPDX-License-Identifier: MIT
/*
 * CPU sets wider than 64: on a machine with 70 vCPUs, threads pinned to
 * vCPUs above 63, or to a set spanning the 64-bit word boundary, run only
 * there; a thread moves itself across the boundary.
 */
#include "harness.h"

#include <plat/cpu.h>

struct seen {
	unsigned allowed_lo, allowed_hi;
	unsigned bad;
	unsigned hits[2];
};

static void wide_fn(void *arg)
{
	struct seen *s = arg;

	for (unsigned i = 0; i < 200; i++) {
		unsigned c = st_cpu();

		if (c != s->allowed_lo && c != s->allowed_hi)
			s->bad++;
		else
			s->hits[c == s->allowed_hi]++;
		if (i % 10 == 0)
			sk_thread_sleep_for(20000);
		else
			sk_thread_yield();
	}
}

static void test_wide_affinity_above_64_respected(void **state)
{
	struct seen s[3] = { { .allowed_lo = 66, .allowed_hi = 66 },
			     { .allowed_lo = 63, .allowed_hi = 64 },
			     { .allowed_lo = 69, .allowed_hi = 69 } };
	struct sk_cpuset set[3];
	struct sk_thread *t[3];

	(void)state;
	assert_int_equal(sk_plat_cpu_count(), 70);
	for (unsigned i = 0; i < 3; i++) {
		struct sk_thread_attr a = { .affinity = &set[i] };

		sk_cpuset_zero(&set[i]);
		sk_cpuset_add(&set[i], s[i].allowed_lo);
		sk_cpuset_add(&set[i], s[i].allowed_hi);
		t[i] = st_spawn(&a, wide_fn, &s[i]);
	}
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(sk_thread_join(t[i]), 0);
		assert_int_equal(s[i].bad, 0);
	}
}

static void hop_fn(void *arg)
{
	unsigned *out = arg;
	struct sk_cpuset set;

	for (unsigned i = 0; i < 20; i++) {
		unsigned want = i % 2 ? 65 : 3;

		sk_cpuset_zero(&set);
		sk_cpuset_add(&set, want);
		sk_thread_set_affinity(&set);
		if (st_cpu() == want)
			out[0]++;
	}
}

static void test_wide_hop_across_word_boundary(void **state)
{
	unsigned ok = 0;
	struct sk_thread *t;

	(void)state;
	t = st_spawn(NULL, hop_fn, &ok);
	assert_int_equal(sk_thread_join(t), 0);
	assert_int_equal(ok, 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		st_test(test_wide_affinity_above_64_respected),
		st_test(test_wide_hop_across_word_boundary),
	};

	return st_main("sched_wide", tests, sizeof(tests) / sizeof(tests[0]));
}
