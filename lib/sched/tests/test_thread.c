// SPDX-License-Identifier: MIT
/*
 * Thread life cycle: join/detach/exit racing across vCPUs, caller-provided
 * stacks, bad attributes and thread slots.  Threads block or yield, never
 * spin, so this also runs under ThreadSanitizer.
 */
#include "harness.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <plat/time.h>
#include <sched/wait.h>

enum { RACERS = 2000 * STRESS_SCALE };

static atomic_uint exits;

static void quick_fn(void *arg)
{
	uintptr_t mode = (uintptr_t)arg;

	if (mode % 3 == 1)
		sk_thread_yield();
	else if (mode % 3 == 2)
		sk_thread_sleep_for(mode % 50 * 1000);
	atomic_fetch_add(&exits, 1);
	if (mode % 5 == 0)
		sk_thread_exit(); /* explicit exit instead of returning */
}

static void test_thread_join_detach_exit_race(void **state)
{
	static struct sk_thread *t[64];
	unsigned made = 0, joined = 0;
	uint64_t spin_until;

	(void)state;
	atomic_store(&exits, 0);
	for (unsigned i = 0; i < RACERS; i += 64) {
		for (unsigned k = 0; k < 64; k++) {
			struct sk_thread_attr a = { 0 };

			/* every 4th starts detached, every 4th+1 is detached
			 * while it may be exiting */
			if (k % 4 == 0)
				a.flags = SK_THREAD_DETACHED;
			assert_int_equal(
				sk_thread_create(&t[k], &a, quick_fn,
						 (void *)(uintptr_t)(i + k)),
				0);
			made++;
			if (k % 4 == 1)
				assert_int_equal(sk_thread_detach(t[k]), 0);
		}
		for (unsigned k = 0; k < 64; k++) {
			if (k % 4 >= 2) {
				assert_int_equal(sk_thread_join(t[k]), 0);
				joined++;
			}
		}
	}
	spin_until = sk_plat_clock_ns();
	while (atomic_load(&exits) < made) {
		sk_thread_sleep_for(1000000);
		assert_true(sk_plat_clock_ns() - spin_until < 60000000000ull);
	}
	assert_int_equal(atomic_load(&exits), made);
	assert_int_equal(joined, made / 2);
}

static void test_thread_bad_uses_rejected(void **state)
{
	static char small[4096];
	struct sk_thread_attr a = { 0 };
	struct sk_cpuset none;
	struct sk_thread *t;

	(void)state;
	a.stack = small;
	a.stack_len = sizeof(small);
	assert_int_equal(sk_thread_create(&t, &a, quick_fn, NULL), -EINVAL);
	a = (struct sk_thread_attr){ .prio = SK_THREAD_PRIO_MAX + 1 };
	assert_int_equal(sk_thread_create(&t, &a, quick_fn, NULL), -EINVAL);
	a = (struct sk_thread_attr){ .sched_class = SK_THREAD_FIFO };
	assert_int_equal(sk_thread_create(&t, &a, quick_fn, NULL), -EINVAL);
	a = (struct sk_thread_attr){ .sched_class = 7 };
	assert_int_equal(sk_thread_create(&t, &a, quick_fn, NULL), -EINVAL);
	sk_cpuset_zero(&none);
	sk_cpuset_add(&none, SK_PLAT_CPUS_MAX - 1); /* no such vCPU here */
	a = (struct sk_thread_attr){ .affinity = &none };
	assert_int_equal(sk_thread_create(&t, &a, quick_fn, NULL), -EINVAL);
	assert_int_equal(sk_thread_create(&t, NULL, NULL, NULL), -EINVAL);
	assert_int_equal(sk_thread_join(sk_thread_current()), -EINVAL);
	t = st_spawn(NULL, quick_fn, (void *)3);
	assert_int_equal(sk_thread_detach(t), 0);
	assert_int_equal(sk_thread_detach(t), -EINVAL);
	assert_int_equal(sk_thread_join(t), -EINVAL);
	assert_int_equal(sk_thread_set_prio(0), -EINVAL);
}

struct stack_probe {
	void *lo, *hi;
	int inside;
	char name[SK_THREAD_NAME_LEN];
	void *slot;
	unsigned key;
};

static void probe_fn(void *arg)
{
	struct stack_probe *p = arg;
	char here;

	p->inside = (void *)&here >= p->lo && (void *)&here < p->hi;
	strcpy(p->name, sk_thread_name(sk_thread_current()));
	sk_thread_slot_set(p->key, p);
	p->slot = sk_thread_slot_get(p->key);
}

static void test_thread_caller_stack_and_slots(void **state)
{
	size_t len = SK_THREAD_STACK_MIN;
	struct stack_probe p = { 0 };
	struct sk_thread_attr a = { 0 };
	struct sk_thread *t;
	void *stack;

	(void)state;
	sk_preempt_disable(); /* glibc's malloc must not be preempted */
	stack = aligned_alloc(64, len);
	sk_preempt_enable();
	assert_non_null(stack);
	assert_int_equal(sk_thread_slot_key_alloc(&p.key), 0);
	a.stack = stack;
	a.stack_len = len;
	a.name = "a-rather-long-thread-name-that-gets-cut";
	p.lo = stack;
	p.hi = (char *)stack + len;
	for (unsigned round = 0; round < 3; round++) { /* reuse at once */
		t = st_spawn(&a, probe_fn, &p);
		assert_int_equal(sk_thread_join(t), 0);
		assert_true(p.inside);
		assert_ptr_equal(p.slot, &p);
	}
	assert_int_equal(strlen(p.name), SK_THREAD_NAME_LEN - 1);
	assert_null(sk_thread_slot_get(p.key)); /* main's own slot */
	sk_preempt_disable();
	free(stack);
	sk_preempt_enable();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		st_test(test_thread_join_detach_exit_race),
		st_test(test_thread_bad_uses_rejected),
		st_test(test_thread_caller_stack_and_slots),
	};

	return st_main("sched_thread", tests, sizeof(tests) / sizeof(tests[0]));
}
