// SPDX-License-Identifier: MIT
/*
 * Tests of struct sk_rwlock: readers share, writers exclude everyone, a
 * waiting writer holds back new readers, and a stress where writers keep
 * two counters equal and readers must never see them differ.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sync/rwlock.h>

#include "harness.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		TH_TEST(test_rwlock_readers_share_writer_excludes),
		TH_TEST(test_rwlock_waiting_writer_blocks_new_readers),
		TH_TEST(test_rwlock_stress_readers_never_see_torn_pair),
	};

	return TH_MAIN(tests);
}
