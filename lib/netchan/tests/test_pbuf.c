// SPDX-License-Identifier: MIT
/*
 * Packet buffers and their pool: set-up errors, exhaustion, headroom and
 * tailroom, chains built and read back, and buffers allocated on one CPU
 * and freed on another by concurrent threads without loss or double use.
 */
#include "harness.h"

#include <errno.h>
#include <string.h>

#include <plat/compiler.h>
#include <plat/cpu.h>

#include <netchan/pbuf.h>

static struct sk_pbuf_pool pool;
static void *pool_mem;

static void pool_make(uint32_t nbufs, uint32_t buf_len)
{
	struct sk_pbuf_pool_attr a = { .nbufs = nbufs,
				       .buf_len = buf_len,
				       .headroom = 64 };
	size_t len = sk_pbuf_pool_mem_size(&a);

	assert_true(len > 0);
	pool_mem = sk_test_alloc(len);
	assert_non_null(pool_mem);
	assert_int_equal(sk_pbuf_pool_init(&pool, pool_mem, len, &a), 0);
}

static void test_pbuf_pool_bad_attr_einval(void **state)
{
	struct sk_pbuf_pool_attr a = { .nbufs = 0, .buf_len = 256 };
	static SK_CACHE_ALIGNED char mem[4096];

	(void)state;
	assert_int_equal(sk_pbuf_pool_mem_size(&a), 0);
	assert_int_equal(sk_pbuf_pool_init(&pool, mem, sizeof(mem), &a),
			 -EINVAL);
	a.nbufs = 4;
	a.buf_len = 16;
	assert_int_equal(sk_pbuf_pool_init(&pool, mem, sizeof(mem), &a),
			 -EINVAL);
	a.buf_len = 256;
	a.headroom = 256;
	assert_int_equal(sk_pbuf_pool_init(&pool, mem, sizeof(mem), &a),
			 -EINVAL);
	a.headroom = 0;
	a.nbufs = 1000;
	assert_int_equal(sk_pbuf_pool_init(&pool, mem, sizeof(mem), &a),
			 -EINVAL);
	a.nbufs = 2;
	assert_int_equal(sk_pbuf_pool_init(&pool, mem + 8, sizeof(mem) - 8, &a),
			 -EINVAL);
}

static void test_pbuf_pool_exhausts_then_recovers(void **state)
{
	struct sk_pbuf *p[200];

	(void)state;
	pool_make(150, 256);
	assert_int_equal(sk_pbuf_pool_avail(&pool), 150);
	for (unsigned i = 0; i < 150; i++) {
		p[i] = sk_pbuf_alloc(&pool);
		assert_non_null(p[i]);
		memset(sk_pbuf_data(p[i]), (int)i, sk_pbuf_tailroom(p[i]));
	}
	assert_null(sk_pbuf_alloc(&pool));
	for (unsigned i = 0; i < 150; i++)
		for (unsigned j = i + 1; j < 150; j++)
			assert_ptr_not_equal(p[i], p[j]);
	for (unsigned i = 0; i < 150; i++)
		sk_pbuf_free(p[i]);
	assert_int_equal(sk_pbuf_pool_avail(&pool), 150);
	sk_test_free(pool_mem);
}

static void test_pbuf_push_pull_put_bounds(void **state)
{
	struct sk_pbuf *p;

	(void)state;
	pool_make(4, 256);
	p = sk_pbuf_alloc(&pool);
	assert_int_equal(sk_pbuf_headroom(p), 64);
	assert_int_equal(sk_pbuf_tailroom(p), 192);
	assert_non_null(sk_pbuf_put(p, 100));
	assert_null(sk_pbuf_put(p, 93));
	assert_non_null(sk_pbuf_push(p, 14));
	assert_int_equal(p->len, 114);
	assert_int_equal(p->pkt_len, 114);
	assert_null(sk_pbuf_push(p, 51));
	assert_non_null(sk_pbuf_pull(p, 34));
	assert_null(sk_pbuf_pull(p, 81));
	assert_int_equal(p->pkt_len, 80);
	sk_pbuf_free(p);
	assert_int_equal(sk_pbuf_pool_avail(&pool), 4);
	sk_test_free(pool_mem);
}

static void test_pbuf_chain_copy_roundtrip(void **state)
{
	uint8_t in[1000], out[1000];
	struct sk_pbuf *p, *q;
	unsigned segs = 0;

	(void)state;
	pool_make(16, 128);
	for (unsigned i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 7);
	assert_int_equal(sk_pbuf_copy_in(&pool, in, sizeof(in), &p), 0);
	assert_int_equal(p->pkt_len, 1000);
	for (q = p; q; q = q->next)
		segs++;
	assert_int_equal(segs, 16); /* 64 bytes of data per segment */
	assert_int_equal(sk_pbuf_copy_out(p, 0, out, 1000), 0);
	assert_memory_equal(in, out, 1000);
	assert_int_equal(sk_pbuf_copy_out(p, 333, out, 400), 0);
	assert_memory_equal(in + 333, out, 400);
	assert_int_equal(sk_pbuf_copy_out(p, 999, out, 2), -EINVAL);
	/* The pool is empty now: a second copy fails and keeps nothing. */
	assert_int_equal(sk_pbuf_copy_in(&pool, in, 10, &q), -ENOMEM);
	sk_pbuf_free(p);
	assert_int_equal(sk_pbuf_pool_avail(&pool), 16);
	assert_int_equal(sk_pbuf_copy_in(&pool, in, 100, &p), 0);
	assert_int_equal(sk_pbuf_copy_in(&pool, in + 100, 100, &q), 0);
	sk_pbuf_chain(p, q);
	assert_int_equal(p->pkt_len, 200);
	assert_int_equal(sk_pbuf_copy_out(p, 0, out, 200), 0);
	assert_memory_equal(in, out, 200);
	sk_pbuf_free(p);
	assert_int_equal(sk_pbuf_pool_avail(&pool), 16);
	sk_test_free(pool_mem);
}

enum { CHURN_THREADS = 4, CHURN_HOLD = 40 };

struct churn {
	unsigned iters;
	atomic_uint bad, ok;
	uint8_t tag;
};

static void churn_fn(void *arg)
{
	struct churn *c = arg;
	struct sk_pbuf *held[CHURN_HOLD];
	uint8_t tag = (uint8_t)atomic_fetch_add(&c->ok, 1);

	for (unsigned it = 0; it < c->iters; it++) {
		unsigned n = 0;

		while (n < CHURN_HOLD && (held[n] = sk_pbuf_alloc(&pool))) {
			*sk_pbuf_put(held[n], 1) = tag;
			n++;
		}
		for (unsigned i = 0; i < n; i++) {
			if (*sk_pbuf_data(held[i]) != tag)
				atomic_fetch_add(&c->bad, 1);
			sk_pbuf_free(held[i]);
		}
		if (it % 16 == 0)
			sk_thread_yield();
	}
}

static void test_pbuf_concurrent_churn_no_loss(void **state)
{
	static struct churn c;
	struct sk_thread *t[CHURN_THREADS];

	(void)state;
	pool_make(256, 128);
	c.iters = NT_STRESS(2000u);
	atomic_store(&c.bad, 0);
	atomic_store(&c.ok, 0);
	for (unsigned i = 0; i < CHURN_THREADS; i++)
		t[i] = sk_test_spawn(i % sk_plat_cpu_count(), churn_fn, &c);
	for (unsigned i = 0; i < CHURN_THREADS; i++)
		assert_int_equal(sk_thread_join(t[i]), 0);
	assert_int_equal(atomic_load(&c.bad), 0);
	assert_int_equal(sk_pbuf_pool_avail(&pool), 256);
	sk_test_free(pool_mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		sk_test(test_pbuf_pool_bad_attr_einval),
		sk_test(test_pbuf_pool_exhausts_then_recovers),
		sk_test(test_pbuf_push_pull_put_bounds),
		sk_test(test_pbuf_chain_copy_roundtrip),
		sk_test(test_pbuf_concurrent_churn_no_loss),
	};

	return nt_main("netchan_pbuf", tests, SK_ARRAY_LEN(tests));
}
