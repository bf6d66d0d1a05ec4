// SPDX-License-Identifier: MIT
/*
 * The RCU hash table one call at a time: bad attributes, insert, lookup,
 * duplicate, remove, replace, collisions, explicit and automatic resize,
 * walk, fini.  Runs on both backends.
 */
#include "hobj.h"

#include <errno.h>

static struct sk_rcu_hash ht;

static void hobj_free_cb(struct sk_rcu_head *h)
{
	hobj_kill(SK_CONTAINER_OF(h, struct hobj, rh));
}

static int setup_table(unsigned nbuckets, unsigned flags)
{
	struct sk_rcu_hash_attr a = {
		.match = hobj_match,
		.mem = &hobj_mem,
		.nbuckets = nbuckets,
		.min_buckets = 4,
		.flags = flags,
	};

	return sk_rcu_hash_init(&ht, &a);
}

static struct hobj *find(uint64_t key, uint64_t (*hash)(uint64_t))
{
	struct sk_rcu_hnode *n;

	sk_rcu_read_lock();
	n = sk_rcu_hash_lookup(&ht, hash(key), &key);
	sk_rcu_read_unlock();
	return n ? hobj_of(n) : NULL;
}

static void empty_table(void)
{
	for (uint64_t k = 0; k < 4096; k++) {
		struct hobj *o = find(k, hobj_hash);

		if (o) {
			assert_int_equal(sk_rcu_hash_remove(&ht, &o->hn), 0);
			sk_synchronize_rcu();
			hobj_kill(o);
		}
	}
	assert_int_equal(sk_rcu_hash_fini(&ht), 0);
}

static void test_hash_bad_attr_einval(void **state)
{
	struct sk_rcu_hash_attr a = { .match = hobj_match, .mem = &hobj_mem };
	struct sk_rcu_hash_mem_ops half = { .alloc = hobj_mem.alloc };

	(void)state;
	assert_int_equal(sk_rcu_hash_init(NULL, &a), -EINVAL);
	assert_int_equal(sk_rcu_hash_init(&ht, NULL), -EINVAL);
	a.nbuckets = 12;
	assert_int_equal(sk_rcu_hash_init(&ht, &a), -EINVAL);
	a.nbuckets = 16;
	a.min_buckets = 64;
	a.max_buckets = 32;
	assert_int_equal(sk_rcu_hash_init(&ht, &a), -EINVAL);
	a.min_buckets = a.max_buckets = 0;
	a.flags = 0x80;
	assert_int_equal(sk_rcu_hash_init(&ht, &a), -EINVAL);
	a.flags = 0;
	a.match = NULL;
	assert_int_equal(sk_rcu_hash_init(&ht, &a), -EINVAL);
	a.match = hobj_match;
	a.mem = &half;
	assert_int_equal(sk_rcu_hash_init(&ht, &a), -EINVAL);
}

static void test_hash_insert_lookup_remove_replace(void **state)
{
	struct hobj *a = hobj_new(7, 1), *dup = hobj_new(7, 2);
	struct hobj *b = hobj_new(7, 3);
	uint64_t k = 7;

	(void)state;
	assert_int_equal(setup_table(16, 0), 0);
	assert_null(find(7, hobj_hash));
	assert_int_equal(sk_rcu_hash_insert(&ht, &a->hn, hobj_hash(7), &k), 0);
	assert_ptr_equal(find(7, hobj_hash), a);
	assert_int_equal(sk_rcu_hash_insert(&ht, &dup->hn, hobj_hash(7), &k),
			 -EEXIST);
	assert_int_equal(sk_rcu_hash_count(&ht), 1);
	assert_int_equal(sk_rcu_hash_replace(&ht, &a->hn, &b->hn), 0);
	assert_ptr_equal(find(7, hobj_hash), b);
	assert_int_equal(sk_rcu_hash_replace(&ht, &a->hn, &dup->hn), -ENOENT);
	assert_int_equal(sk_rcu_hash_remove(&ht, &a->hn), -ENOENT);
	assert_int_equal(sk_rcu_hash_fini(&ht), -EBUSY);
	assert_int_equal(sk_rcu_hash_remove(&ht, &b->hn), 0);
	assert_null(find(7, hobj_hash));
	assert_int_equal(sk_rcu_hash_count(&ht), 0);
	assert_int_equal(sk_rcu_hash_insert(NULL, &a->hn, 0, &k), -EINVAL);
	assert_int_equal(sk_rcu_hash_insert(&ht, NULL, 0, &k), -EINVAL);
	assert_int_equal(sk_rcu_hash_remove(&ht, NULL), -EINVAL);
	assert_int_equal(sk_rcu_hash_replace(&ht, &b->hn, &b->hn), -EINVAL);
	sk_synchronize_rcu();
	hobj_kill(a);
	hobj_kill(b);
	hobj_kill(dup);
	assert_int_equal(sk_rcu_hash_fini(&ht), 0);
}

static uint64_t same_hash(uint64_t key)
{
	(void)key;
	return 42;
}

static void test_hash_collisions_all_found(void **state)
{
	struct hobj *o[64];

	(void)state;
	assert_int_equal(setup_table(16, 0), 0);
	for (uint64_t k = 0; k < 64; k++) {
		o[k] = hobj_new(k, k);
		assert_non_null(o[k]);
		assert_int_equal(
			sk_rcu_hash_insert(&ht, &o[k]->hn, same_hash(k), &k),
			0);
	}
	for (uint64_t k = 0; k < 64; k++)
		assert_ptr_equal(find(k, same_hash), o[k]);
	for (uint64_t k = 0; k < 64; k += 2)
		assert_int_equal(sk_rcu_hash_remove(&ht, &o[k]->hn), 0);
	for (uint64_t k = 0; k < 64; k++)
		assert_ptr_equal(find(k, same_hash), k % 2 ? o[k] : NULL);
	for (uint64_t k = 1; k < 64; k += 2)
		assert_int_equal(sk_rcu_hash_remove(&ht, &o[k]->hn), 0);
	sk_synchronize_rcu();
	for (uint64_t k = 0; k < 64; k++)
		hobj_kill(o[k]);
	assert_int_equal(sk_rcu_hash_fini(&ht), 0);
}

static int count_node(struct sk_rcu_hnode *n, void *arg)
{
	unsigned *seen = arg;

	seen[hobj_of(n)->key]++;
	return 0;
}

static int stop_at_5(struct sk_rcu_hnode *n, void *arg)
{
	(void)arg;
	return hobj_of(n)->key == 5 ? 55 : 0;
}

static void check_all_once(unsigned n)
{
	unsigned seen[1024] = { 0 };

	sk_rcu_read_lock();
	assert_int_equal(sk_rcu_hash_walk(&ht, count_node, seen), 0);
	sk_rcu_read_unlock();
	for (unsigned k = 0; k < n; k++)
		assert_int_equal(seen[k], 1);
	for (unsigned k = 0; k < n; k++)
		assert_non_null(find(k, hobj_hash));
}

static void test_hash_resize_keeps_every_key(void **state)
{
	static const unsigned sizes[] = { 1024, 2, 64, 1, 16 };
	int r;

	(void)state;
	assert_int_equal(setup_table(16, 0), 0);
	for (uint64_t k = 0; k < 1000; k++) {
		struct hobj *o = hobj_new(k, k);

		assert_non_null(o);
		assert_int_equal(
			sk_rcu_hash_insert(&ht, &o->hn, hobj_hash(k), &k), 0);
	}
	assert_int_equal(sk_rcu_hash_buckets(&ht), 16);
	for (unsigned i = 0; i < SK_ARRAY_LEN(sizes); i++) {
		assert_int_equal(sk_rcu_hash_resize(&ht, sizes[i]), 0);
		assert_int_equal(sk_rcu_hash_buckets(&ht), sizes[i]);
		check_all_once(1000);
	}
	assert_int_equal(sk_rcu_hash_resize(&ht, 3), -EINVAL);
	assert_int_equal(sk_rcu_hash_resize(&ht, 0), -EINVAL);
	sk_rcu_read_lock();
	r = sk_rcu_hash_walk(&ht, stop_at_5, NULL);
	sk_rcu_read_unlock();
	assert_int_equal(r, 55);
	empty_table();
}

static void test_hash_auto_resize_grows_and_shrinks(void **state)
{
	(void)state;
	assert_int_equal(setup_table(4, SK_RCU_HASH_AUTO_RESIZE), 0);
	for (uint64_t k = 0; k < 1000; k++) {
		struct hobj *o = hobj_new(k, k);

		assert_non_null(o);
		assert_int_equal(
			sk_rcu_hash_insert(&ht, &o->hn, hobj_hash(k), &k), 0);
		if (k % 64 == 0)
			sk_rcu_barrier(); /* let retired arrays go */
	}
	sk_rcu_barrier();
	{ /* one more insert past the mark triggers any pending growth */
		uint64_t k = 1000;
		struct hobj *o = hobj_new(k, k);

		assert_int_equal(
			sk_rcu_hash_insert(&ht, &o->hn, hobj_hash(k), &k), 0);
	}
	assert_true(sk_rcu_hash_buckets(&ht) >= 512);
	check_all_once(1001);
	for (uint64_t k = 0; k <= 1000; k++) {
		struct hobj *o = find(k, hobj_hash);

		assert_non_null(o);
		if (k == 1000)
			sk_rcu_barrier(); /* the last removal may shrink */
		assert_int_equal(sk_rcu_hash_remove(&ht, &o->hn), 0);
		sk_call_rcu(&o->rh, hobj_free_cb);
		if (k % 64 == 0)
			sk_rcu_barrier();
	}
	assert_int_equal(sk_rcu_hash_buckets(&ht), 4);
	assert_int_equal(sk_rcu_hash_fini(&ht), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		rt_test(test_hash_bad_attr_einval),
		rt_test(test_hash_insert_lookup_remove_replace),
		rt_test(test_hash_collisions_all_found),
		rt_test(test_hash_resize_keeps_every_key),
		rt_test(test_hash_auto_resize_grows_and_shrinks),
	};

	return rt_main("rcu_hash", tests, sizeof(tests) / sizeof(tests[0]));
}
