// SPDX-License-Identifier: MIT
/*
 * The RCU list: single-threaded semantics, then readers walking while a
 * writer adds, deletes and replaces entries and frees them via call_rcu.
 * Two pinned entries are never removed: every walk must see both, and
 * no walk may meet a freed (poisoned) entry.  Runs on both backends.
 */
#include "rt.h"

#include <plat/compiler.h>
#include <rcu/list.h>
#include <rcu/rcu.h>

struct item {
	uint64_t magic;
	int value;
	struct sk_rcu_list link;
	struct sk_rcu_head rh;
};

static const uint64_t LIVE = 0x11fe11fe11fe11feull;
static const uint64_t DEAD = 0xdeadbeefdeadbeefull;

static int collect(struct sk_rcu_list *head, int *out, int max)
{
	struct sk_rcu_list *pos;
	int n = 0;

	sk_rcu_read_lock();
	sk_rcu_list_for_each(pos, head) {
		if (n < max)
			out[n] = sk_rcu_list_entry(pos, struct item, link)
					 ->value;
		n++;
	}
	sk_rcu_read_unlock();
	return n;
}

static void test_list_ops_keep_order(void **state)
{
	struct sk_rcu_list head;
	struct item a = { .magic = LIVE, .value = 1 },
		    b = { .magic = LIVE, .value = 2 },
		    c = { .magic = LIVE, .value = 3 };
	struct item d = { .magic = LIVE, .value = 4 };
	int v[8];

	(void)state;
	sk_rcu_list_init(&head);
	assert_true(sk_rcu_list_is_empty(&head));
	assert_int_equal(collect(&head, v, 8), 0);
	sk_rcu_list_add_head(&head, &a.link);
	sk_rcu_list_add_tail(&head, &b.link);
	sk_rcu_list_add_head(&head, &c.link);
	assert_int_equal(collect(&head, v, 8), 3);
	assert_int_equal(v[0], 3);
	assert_int_equal(v[1], 1);
	assert_int_equal(v[2], 2);
	sk_rcu_list_del(&a.link);
	sk_rcu_list_replace(&b.link, &d.link);
	assert_int_equal(collect(&head, v, 8), 2);
	assert_int_equal(v[0], 3);
	assert_int_equal(v[1], 4);
	sk_rcu_list_del(&c.link);
	sk_rcu_list_del(&d.link);
	assert_true(sk_rcu_list_is_empty(&head));
}

enum { MOVABLE = 32, WALKS_MIN = 1, UPDATES = 20000 * STRESS_SCALE };

static struct sk_rcu_list shared;
static struct item pin_first = { .magic = 0x11fe11fe11fe11feull, .value = -1 };
static struct item pin_last = { .magic = 0x11fe11fe11fe11feull, .value = -2 };
static atomic_int stop;
static atomic_uint_least64_t bad, walks, freed;

static void item_free_cb(struct sk_rcu_head *h)
{
	struct item *it = SK_CONTAINER_OF(h, struct item, rh);

	it->magic = DEAD;
	rt_free(it);
	atomic_fetch_add(&freed, 1);
}

static void walker(void *arg)
{
	uint64_t n = 0;

	(void)arg;
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		struct sk_rcu_list *pos;
		int seen_first = 0, seen_last = 0, len = 0;

		sk_rcu_read_lock();
		sk_rcu_list_for_each(pos, &shared) {
			const volatile struct item *it =
				sk_rcu_list_entry(pos, struct item, link);

			if (it->magic != LIVE || ++len > MOVABLE + 2)
				break;
			seen_first += it->value == -1;
			seen_last += it->value == -2;
		}
		sk_rcu_read_unlock();
		if (seen_first != 1 || seen_last != 1)
			atomic_fetch_add(&bad, 1);
		n++;
	}
	atomic_fetch_add(&walks, n);
}

/* The writer: at most MOVABLE movable items, added anywhere around the
 * pinned ones, deleted or replaced at random. */
static void list_writer(void *arg)
{
	struct item *live[MOVABLE] = { 0 };
	uint64_t seed = 12345;

	(void)arg;
	for (unsigned i = 0; i < UPDATES; i++) {
		unsigned k = (unsigned)(rt_rand(&seed) % MOVABLE);
		struct item *it = rt_alloc(sizeof(*it));

		if (!it) {
			atomic_fetch_add(&bad, 1);
			break;
		}
		it->magic = LIVE;
		it->value = (int)i;
		if (!live[k]) {
			if (rt_rand(&seed) & 1)
				sk_rcu_list_add_head(&shared, &it->link);
			else
				sk_rcu_list_add_tail(&shared, &it->link);
			live[k] = it;
			continue;
		}
		if (rt_rand(&seed) & 1) {
			sk_rcu_list_replace(&live[k]->link, &it->link);
		} else {
			sk_rcu_list_del(&live[k]->link);
			rt_free(it);
			it = NULL;
		}
		sk_call_rcu(&live[k]->rh, item_free_cb);
		live[k] = it;
	}
	for (unsigned k = 0; k < MOVABLE; k++) {
		if (!live[k])
			continue;
		sk_rcu_list_del(&live[k]->link);
		sk_call_rcu(&live[k]->rh, item_free_cb);
	}
}

static void test_list_walkers_see_pinned_never_freed(void **state)
{
	struct rt_thread *w[3], *u;

	(void)state;
	sk_rcu_list_init(&shared);
	sk_rcu_list_add_head(&shared, &pin_first.link);
	sk_rcu_list_add_tail(&shared, &pin_last.link);
	for (unsigned i = 0; i < 3; i++) {
		w[i] = rt_spawn(RT_ANY_CPU, walker, NULL);
		assert_non_null(w[i]);
	}
	u = rt_spawn(RT_ANY_CPU, list_writer, NULL);
	assert_non_null(u);
	rt_join(u);
	atomic_store(&stop, 1);
	for (unsigned i = 0; i < 3; i++)
		rt_join(w[i]);
	sk_rcu_barrier();
	assert_int_equal(atomic_load(&bad), 0);
	assert_true(atomic_load(&walks) >= WALKS_MIN);
	assert_int_equal(collect(&shared, (int[2]){ 0 }, 0), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		rt_test(test_list_ops_keep_order),
		rt_test(test_list_walkers_see_pinned_never_freed),
	};

	return rt_main("rcu_list", tests, sizeof(tests) / sizeof(tests[0]));
}
