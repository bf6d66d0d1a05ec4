// SPDX-License-Identifier: MIT
/*
 * The pairing heap against a brute-force model: random inserts, pops and
 * removals of arbitrary nodes, and walks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include <sched/pheap.h>

enum { N = 2000 };

static struct sk_pheap_node nodes[N];
static int in_heap[N];

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint64_t model_min(void)
{
	uint64_t m = UINT64_MAX;

	for (unsigned i = 0; i < N; i++)
		if (in_heap[i] && nodes[i].key < m)
			m = nodes[i].key;
	return m;
}

static bool count_node(struct sk_pheap_node *n, void *arg)
{
	(void)n;
	(*(unsigned *)arg)++;
	return false;
}

static void test_pheap_random_ops_match_model(void **state)
{
	struct sk_pheap h = { NULL };
	uint64_t s = 88172645463325252ull;
	unsigned live = 0;

	(void)state;
	for (unsigned step = 0; step < 40000; step++) {
		unsigned i = (unsigned)(rnd(&s) % N), op = rnd(&s) % 3, seen;

		if (!in_heap[i] && op != 2) {
			nodes[i].key = rnd(&s) % 1000;
			sk_pheap_insert(&h, &nodes[i]);
			in_heap[i] = 1;
			live++;
		} else if (in_heap[i] && op == 0) {
			sk_pheap_remove(&h, &nodes[i]);
			in_heap[i] = 0;
			live--;
		} else if (op == 2 && live) {
			struct sk_pheap_node *n = sk_pheap_pop(&h);

			assert_non_null(n);
			assert_int_equal(
				n->key, model_min() == UINT64_MAX ? 0 : n->key);
			assert_true(n->key <= model_min());
			in_heap[n - nodes] = 0;
			live--;
		}
		if (live)
			assert_int_equal(sk_pheap_peek(&h)->key, model_min());
		else
			assert_true(sk_pheap_is_empty(&h));
		if (step % 997 == 0) {
			seen = 0;
			sk_pheap_walk(&h, UINT32_MAX, count_node, &seen);
			assert_int_equal(seen, live);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pheap_random_ops_match_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
