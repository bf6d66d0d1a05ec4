// SPDX-License-Identifier: MIT
/*
 * The RCU hash table under fire: readers look up keys while two writers
 * insert and remove their own keys, a resizer keeps changing the bucket
 * count (and AUTO_RESIZE adds its own resizes).  Stable keys, inserted
 * first and never removed, must always be found.  A volatile key's node
 * must be live, hold that key, and never be one whose removal had already
 * finished its grace period (the call_rcu callback records that) when the
 * lookup began.
 */
#include "hobj.h"

#include <errno.h>

enum {
	STABLE = 256,
	PER_WRITER = 128,
	WRITERS = 2,
	READERS = 3,
	KEYS = STABLE + WRITERS * PER_WRITER,
	WRITER_OPS = 6000 * STRESS_SCALE,
	RESIZES = 60 * STRESS_SCALE,
};

enum bad_kind {
	BAD_NONE = 0,
	BAD_MISSED_STABLE = 1,
	BAD_DEAD = 2,
	BAD_WRONG_KEY = 3,
	BAD_STALE = 4,
	BAD_WRITER = 5,
};

static struct sk_rcu_hash ht;
static atomic_uint_least64_t gen_next;
static atomic_uint_least64_t removed_gen[KEYS]; /* gp over for <= this */
static atomic_int stop, first_bad;
static atomic_uint_least64_t bad, lookups, resizes;

static void note_bad(enum bad_kind k)
{
	int none = BAD_NONE;

	atomic_fetch_add(&bad, 1);
	atomic_compare_exchange_strong(&first_bad, &none, (int)k);
}

static void removed_cb(struct sk_rcu_head *h)
{
	struct hobj *o = SK_CONTAINER_OF(h, struct hobj, rh);
	uint64_t cur = atomic_load(&removed_gen[o->key]);

	while (cur < o->gen && !atomic_compare_exchange_weak(
				       &removed_gen[o->key], &cur, o->gen))
		;
	hobj_kill(o);
}

static enum bad_kind check_key(uint64_t k)
{
	/* acquire: pairs with the seq_cst CAS in removed_cb */
	uint64_t over =
		atomic_load_explicit(&removed_gen[k], memory_order_acquire);
	enum bad_kind res = BAD_NONE;
	struct sk_rcu_hnode *n;

	sk_rcu_read_lock();
	n = sk_rcu_hash_lookup(&ht, hobj_hash(k), &k);
	if (!n) {
		res = k < STABLE ? BAD_MISSED_STABLE : BAD_NONE;
	} else {
		const volatile struct hobj *o = hobj_of(n);

		for (unsigned i = 0; i < 16 && !res; i++) {
			if (o->magic != HOBJ_LIVE)
				res = BAD_DEAD;
			else if (o->key != k)
				res = BAD_WRONG_KEY;
			else if (k >= STABLE && o->gen <= over)
				res = BAD_STALE;
		}
	}
	sk_rcu_read_unlock();
	return res;
}

static void reader(void *arg)
{
	uint64_t seed = (uintptr_t)arg * 31 + 17, n = 0;

	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		enum bad_kind k = check_key(rt_rand(&seed) % KEYS);

		if (k)
			note_bad(k);
		n++;
	}
	atomic_fetch_add(&lookups, n);
}

static void writer(void *arg)
{
	uint64_t base = STABLE + (uintptr_t)arg * PER_WRITER;
	struct hobj *mine[PER_WRITER] = { 0 };
	uint64_t seed = (uintptr_t)arg * 7 + 5;

	for (unsigned i = 0; i < WRITER_OPS; i++) {
		unsigned j = (unsigned)(rt_rand(&seed) % PER_WRITER);
		uint64_t k = base + j;

		if (mine[j]) {
			if (sk_rcu_hash_remove(&ht, &mine[j]->hn))
				note_bad(BAD_WRITER);
			sk_call_rcu(&mine[j]->rh, removed_cb);
			mine[j] = NULL;
			continue;
		}
		mine[j] = hobj_new(k, atomic_fetch_add(&gen_next, 1) + 1);
		if (!mine[j] ||
		    sk_rcu_hash_insert(&ht, &mine[j]->hn, hobj_hash(k), &k))
			note_bad(BAD_WRITER);
	}
	for (unsigned j = 0; j < PER_WRITER; j++) {
		if (!mine[j])
			continue;
		if (sk_rcu_hash_remove(&ht, &mine[j]->hn))
			note_bad(BAD_WRITER);
		sk_call_rcu(&mine[j]->rh, removed_cb);
	}
}

static void resizer(void *arg)
{
	static const unsigned sizes[] = { 4, 1024, 16, 256, 2, 64, 512 };

	(void)arg;
	for (unsigned i = 0; i < RESIZES; i++) {
		if (sk_rcu_hash_resize(&ht, sizes[i % SK_ARRAY_LEN(sizes)]))
			note_bad(BAD_WRITER);
		atomic_fetch_add(&resizes, 1);
	}
}

static void test_hash_stress_lookups_never_miss_or_stale(void **state)
{
	struct sk_rcu_hash_attr a = {
		.match = hobj_match,
		.mem = &hobj_mem,
		.nbuckets = 8,
		.min_buckets = 2,
		.flags = SK_RCU_HASH_AUTO_RESIZE,
	};
	struct rt_thread *r[READERS], *w[WRITERS], *z;
	struct hobj *stable[STABLE];

	(void)state;
	assert_int_equal(sk_rcu_hash_init(&ht, &a), 0);
	for (uint64_t k = 0; k < STABLE; k++) {
		stable[k] = hobj_new(k, 0);
		assert_non_null(stable[k]);
		assert_int_equal(sk_rcu_hash_insert(&ht, &stable[k]->hn,
						    hobj_hash(k), &k),
				 0);
	}
	for (unsigned i = 0; i < READERS; i++)
		assert_non_null(r[i] = rt_spawn(RT_ANY_CPU, reader,
						(void *)(uintptr_t)i));
	for (unsigned i = 0; i < WRITERS; i++)
		assert_non_null(w[i] = rt_spawn(RT_ANY_CPU, writer,
						(void *)(uintptr_t)i));
	assert_non_null(z = rt_spawn(RT_ANY_CPU, resizer, NULL));
	for (unsigned i = 0; i < WRITERS; i++)
		rt_join(w[i]);
	rt_join(z);
	atomic_store(&stop, 1);
	for (unsigned i = 0; i < READERS; i++)
		rt_join(r[i]);
	sk_rcu_barrier();
	assert_int_equal(atomic_load(&first_bad), BAD_NONE);
	assert_int_equal(atomic_load(&bad), 0);
	assert_true(atomic_load(&lookups) > 0);
	assert_int_equal(atomic_load(&resizes), RESIZES);
	assert_int_equal(sk_rcu_hash_count(&ht), STABLE);
	for (uint64_t k = 0; k < STABLE; k++)
		assert_int_equal(sk_rcu_hash_remove(&ht, &stable[k]->hn), 0);
	sk_synchronize_rcu();
	for (uint64_t k = 0; k < STABLE; k++)
		hobj_kill(stable[k]);
	assert_int_equal(sk_rcu_hash_fini(&ht), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		rt_test(test_hash_stress_lookups_never_miss_or_stale),
	};

	return rt_main("rcu_hash_stress", tests,
		       sizeof(tests) / sizeof(tests[0]));
}
