// SPDX-License-Identifier: MIT
/*
 * The SPSC ring on plain pthreads: set-up errors, bursts, wrap-around of
 * the free-running indices, and a producer/consumer stress that checks
 * order and loss (run under TSan in CI: the release/acquire pairs are
 * what makes the slot contents visible).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <netchan/ring.h>

#include "scale.h"

static void *slots[64];

static void test_ring_bad_size_einval(void **state)
{
	struct sk_ring r;

	(void)state;
	assert_int_equal(sk_ring_init(&r, slots, 0), -EINVAL);
	assert_int_equal(sk_ring_init(&r, slots, 1), -EINVAL);
	assert_int_equal(sk_ring_init(&r, slots, 48), -EINVAL);
	assert_int_equal(sk_ring_init(&r, NULL, 64), -EINVAL);
	assert_int_equal(sk_ring_init(&r, slots, 64), 0);
	assert_int_equal(sk_ring_size(&r), 64);
}

static void test_ring_layout_separate_lines(void **state)
{
	(void)state;
	assert_true(offsetof(struct sk_ring, tail) -
			    offsetof(struct sk_ring, head) >=
		    64);
	assert_int_equal(offsetof(struct sk_ring, tail) % 64, 0);
}

static void test_ring_burst_partial_when_full(void **state)
{
	struct sk_ring r;
	void *in[100], *out[100];

	(void)state;
	for (uintptr_t i = 0; i < 100; i++)
		in[i] = (void *)(i + 1);
	assert_int_equal(sk_ring_init(&r, slots, 64), 0);
	assert_int_equal(sk_ring_push_burst(&r, in, 40), 40);
	assert_int_equal(sk_ring_push_burst(&r, in + 40, 40), 24);
	assert_false(sk_ring_push(&r, in[99]));
	assert_int_equal(sk_ring_count(&r), 64);
	assert_int_equal(sk_ring_pop_burst(&r, out, 100), 64);
	for (unsigned i = 0; i < 64; i++)
		assert_ptr_equal(out[i], in[i]);
	assert_true(sk_ring_is_empty(&r));
	assert_int_equal(sk_ring_pop_burst(&r, out, 1), 0);
}

static void test_ring_index_wrap_keeps_order(void **state)
{
	struct sk_ring r;
	uintptr_t next_in = 1, next_out = 1;

	(void)state;
	assert_int_equal(sk_ring_init(&r, slots, 8), 0);
	/* Start near the 32-bit wrap of the free-running indices. */
	atomic_store(&r.head, UINT32_MAX - 20);
	atomic_store(&r.tail, UINT32_MAX - 20);
	r.cached_head = r.cached_tail = UINT32_MAX - 20;
	for (unsigned round = 0; round < 100; round++) {
		void *buf[8];
		unsigned n = round % 7 + 1, k;

		for (unsigned i = 0; i < n; i++)
			buf[i] = (void *)next_in++;
		k = sk_ring_push_burst(&r, buf, n);
		next_in -= n - k;
		k = sk_ring_pop_burst(&r, buf, round % 5 + 1);
		for (unsigned i = 0; i < k; i++)
			assert_ptr_equal(buf[i], (void *)next_out++);
	}
	assert_true(next_out > 100);
}

struct stress {
	struct sk_ring ring;
	void *slots[256];
	uint64_t n;
	unsigned burst;
	uint64_t bad, got;
};

static void *stress_producer(void *arg)
{
	struct stress *s = arg;
	uint64_t next = 1;

	while (next <= s->n) {
		void *buf[32];
		unsigned want = s->burst;

		if (want > s->n - next + 1)
			want = (unsigned)(s->n - next + 1);
		for (unsigned i = 0; i < want; i++)
			buf[i] = (void *)(uintptr_t)(next + i);
		next += sk_ring_push_burst(&s->ring, buf, want);
	}
	return NULL;
}

static void run_stress(unsigned burst)
{
	static struct stress s;
	pthread_t t;
	uint64_t expect = 1;

	assert_int_equal(sk_ring_init(&s.ring, s.slots, 256), 0);
	s.n = NT_STRESS(1000000ull);
	s.burst = burst;
	s.bad = 0;
	assert_int_equal(pthread_create(&t, NULL, stress_producer, &s), 0);
	while (expect <= s.n) {
		void *buf[32];
		unsigned k = sk_ring_pop_burst(&s.ring, buf, burst);

		for (unsigned i = 0; i < k; i++)
			if (buf[i] != (void *)(uintptr_t)expect++)
				s.bad++;
	}
	pthread_join(t, NULL);
	assert_int_equal(s.bad, 0);
	assert_true(sk_ring_is_empty(&s.ring));
}

static void test_ring_stress_single_in_order(void **state)
{
	(void)state;
	run_stress(1);
}

static void test_ring_stress_burst_in_order(void **state)
{
	(void)state;
	run_stress(32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_bad_size_einval),
		cmocka_unit_test(test_ring_layout_separate_lines),
		cmocka_unit_test(test_ring_burst_partial_when_full),
		cmocka_unit_test(test_ring_index_wrap_keeps_order),
		cmocka_unit_test(test_ring_stress_single_in_order),
		cmocka_unit_test(test_ring_stress_burst_in_order),
	};

	return cmocka_run_group_tests_name("netchan_ring", tests, NULL, NULL);
}
