// SPDX-License-Identifier: MIT
/*
 * sk_thread_walk: every live thread reported once with its id, name,
 * state, CPU, class and priority; exited-unjoined threads reported as
 * exited, released ones gone (also when released on another vCPU than
 * the one that registered them); the callback's non-zero value stops
 * the walk; walks racing with creation and exit never report a thread
 * twice and never miss one that lives throughout.
 */
#include "harness.h"

#include <errno.h>
#include <string.h>

#include <plat/time.h>
#include <sched/wait.h>

enum { MAXSEEN = 512, SLEEPERS = 3, CHURNERS = 2 };
enum { WALKS = 200 * STRESS_SCALE, TRIES = 5000 };
enum { CHURN_MIN = 200 * STRESS_SCALE, WALKS_MAX = 1000000 };

static struct sk_thread_info seen[MAXSEEN];
static unsigned nseen;

static int collect(const struct sk_thread_info *ti, void *arg)
{
	(void)arg;
	if (nseen < MAXSEEN)
		seen[nseen] = *ti;
	nseen++;
	return 0;
}

static void walk_all(void)
{
	nseen = 0;
	assert_int_equal(sk_thread_walk(collect, NULL), 0);
	assert_true(nseen <= MAXSEEN);
}

/* How often id @id was reported by the last walk_all; its entry in @out. */
static unsigned count_id(uint64_t id, const struct sk_thread_info **out)
{
	unsigned n = 0;

	for (unsigned i = 0; i < nseen; i++) {
		if (seen[i].id != id)
			continue;
		n++;
		if (out)
			*out = &seen[i];
	}
	return n;
}

static void assert_ids_unique(void)
{
	for (unsigned i = 0; i < nseen; i++)
		assert_int_equal(count_id(seen[i].id, NULL), 1);
}

static atomic_uint release_flag;

/* Block until release_flag is set; never spins. */
static void blocker(void *arg)
{
	(void)arg;
	sk_wait_prepare();
	while (!atomic_load(&release_flag)) {
		sk_wait();
		sk_wait_prepare();
	}
	sk_wait_finish();
}

/* Preemption off from the store to the last wake: a detached thread may
 * exit and be released as soon as it sees the flag (sched/wait.h). */
static void release_all(struct sk_thread **t, unsigned n)
{
	sk_preempt_disable();
	atomic_store(&release_flag, 1);
	for (unsigned i = 0; i < n; i++)
		sk_thread_wake(t[i]);
	sk_preempt_enable();
}

/* Walk until thread @id is reported in @state (bounded); true if seen. */
static bool wait_state(uint64_t id, enum sk_thread_run_state state)
{
	const struct sk_thread_info *ti = NULL;

	for (unsigned k = 0; k < TRIES; k++) {
		walk_all();
		if (count_id(id, &ti) == 1 && ti->state == state)
			return true;
		sk_thread_sleep_for(100000);
	}
	return false;
}

static bool wait_gone(uint64_t id)
{
	for (unsigned k = 0; k < TRIES; k++) {
		walk_all();
		if (count_id(id, NULL) == 0)
			return true;
		sk_thread_sleep_for(100000);
	}
	return false;
}

static void test_walk_reports_every_thread_fields(void **state)
{
	static const char *const names[SLEEPERS] = { "w-fair", "w-prio32",
						     "w-fifo" };
	struct sk_thread *t[SLEEPERS];
	struct sk_cpuset one;
	struct sk_thread_attr a[SLEEPERS] = { { 0 } };
	const struct sk_thread_info *ti = NULL;
	unsigned idles = 0;

	(void)state;
	atomic_store(&release_flag, 0);
	a[1].prio = 32;
	a[2] = st_pinned(1, &one);
	a[2].sched_class = SK_THREAD_FIFO;
	a[2].rt_prio = 7;
	for (unsigned i = 0; i < SLEEPERS; i++) {
		a[i].name = names[i];
		t[i] = st_spawn(&a[i], blocker, NULL);
	}
	for (unsigned i = 0; i < SLEEPERS; i++)
		assert_true(wait_state(sk_thread_id(t[i]), SK_THREAD_SLEEPING));
	walk_all();
	assert_ids_unique();
	for (unsigned i = 0; i < SLEEPERS; i++) {
		assert_int_equal(count_id(sk_thread_id(t[i]), &ti), 1);
		assert_string_equal(ti->name, names[i]);
		assert_int_equal(ti->state, SK_THREAD_SLEEPING);
		assert_false(ti->is_idle);
	}
	count_id(sk_thread_id(t[1]), &ti);
	assert_int_equal(ti->sched_class, SK_THREAD_FAIR);
	assert_int_equal(ti->prio, 32);
	count_id(sk_thread_id(t[2]), &ti);
	assert_int_equal(ti->sched_class, SK_THREAD_FIFO);
	assert_int_equal(ti->prio, 7);
	assert_int_equal(ti->cpu, 1);
	/* the caller: "main", running, on vCPU 0 (the harness pins it) */
	assert_int_equal(count_id(sk_thread_id(sk_thread_current()), &ti), 1);
	assert_string_equal(ti->name, "main");
	assert_int_equal(ti->state, SK_THREAD_RUNNING);
	assert_int_equal(ti->cpu, 0);
	assert_true(ti->cpu_time_ns > 0);
	sk_thread_affinity_get(sk_thread_current(), &one);
	assert_true(sk_cpuset_has(&one, 0));
	assert_false(sk_cpuset_has(&one, 1));
	for (unsigned i = 0; i < nseen; i++)
		idles += (unsigned)(seen[i].is_idle &&
				    !strcmp(seen[i].name, "idle"));
	assert_int_equal(idles, sk_plat_cpu_count());
	release_all(t, SLEEPERS);
	for (unsigned i = 0; i < SLEEPERS; i++)
		assert_int_equal(sk_thread_join(t[i]), 0);
	walk_all(); /* joined: gone at once */
	for (unsigned i = 0; i < nseen; i++)
		assert_true(strncmp(seen[i].name, "w-", 2) != 0);
}

static void nothing(void *arg)
{
	(void)arg;
}

static void test_walk_exited_then_released_leaves(void **state)
{
	struct sk_cpuset one;
	struct sk_thread_attr a = st_pinned(1, &one);
	struct sk_thread *t = st_spawn(&a, nothing, NULL);
	uint64_t id = sk_thread_id(t);

	(void)state;
	assert_true(id > sk_thread_id(sk_thread_current()));
	/* exited, not joined: still listed, as exited */
	assert_true(wait_state(id, SK_THREAD_EXITED));
	assert_int_equal(sk_thread_join(t), 0);
	assert_true(wait_gone(id));
	/* registered on vCPU 0, exits detached on vCPU 1: vCPU 1 hands it
	 * back to vCPU 0 to unlink */
	a.flags = SK_THREAD_DETACHED;
	atomic_store(&release_flag, 0);
	t = st_spawn(&a, blocker, NULL);
	id = sk_thread_id(t);
	assert_true(wait_state(id, SK_THREAD_SLEEPING));
	release_all(&t, 1);
	assert_true(wait_gone(id));
}

static unsigned calls;

static int stop_at_three(const struct sk_thread_info *ti, void *arg)
{
	(void)ti;
	(void)arg;
	return ++calls == 3 ? 42 : 0;
}

static void test_walk_nonzero_stops_bad_input_rejected(void **state)
{
	(void)state;
	calls = 0;
	assert_int_equal(sk_thread_walk(stop_at_three, NULL), 42);
	assert_int_equal(calls, 3);
	assert_int_equal(sk_thread_walk(NULL, NULL), -EINVAL);
}

static atomic_uint churn_stop, churned;

/* Create and end short threads until told to stop, half detached. */
static void churner(void *arg)
{
	unsigned i = 0;

	(void)arg;
	while (!atomic_load(&churn_stop)) {
		struct sk_thread_attr a = { 0 };
		struct sk_thread *t = NULL;

		a.flags = i % 2 ? SK_THREAD_DETACHED : 0;
		if (sk_thread_create(&t, &a, nothing, NULL) == 0 && !(i % 2))
			sk_thread_join(t);
		atomic_fetch_add(&churned, 1);
		i++;
		sk_thread_yield();
	}
}

static void test_walk_races_create_exit_consistent(void **state)
{
	struct sk_thread *stable[SLEEPERS], *ch[CHURNERS];
	unsigned before;

	(void)state;
	atomic_store(&release_flag, 0);
	atomic_store(&churn_stop, 0);
	for (unsigned i = 0; i < SLEEPERS; i++)
		stable[i] = st_spawn(NULL, blocker, NULL);
	for (unsigned i = 0; i < CHURNERS; i++)
		ch[i] = st_spawn(NULL, churner, NULL);
	for (unsigned k = 0; k < TRIES && !atomic_load(&churned); k++)
		sk_thread_sleep_for(100000);
	before = atomic_load(&churned);
	assert_true(before > 0);
	/* at least WALKS walks, and until CHURN_MIN creations raced them */
	for (unsigned w = 0;
	     w < WALKS || atomic_load(&churned) - before < CHURN_MIN; w++) {
		assert_true(w < WALKS_MAX);
		walk_all();
		assert_ids_unique();
		for (unsigned i = 0; i < SLEEPERS; i++)
			assert_int_equal(
				count_id(sk_thread_id(stable[i]), NULL), 1);
		for (unsigned i = 0; i < CHURNERS; i++)
			assert_int_equal(count_id(sk_thread_id(ch[i]), NULL),
					 1);
		sk_thread_yield();
	}
	atomic_store(&churn_stop, 1);
	for (unsigned i = 0; i < CHURNERS; i++)
		assert_int_equal(sk_thread_join(ch[i]), 0);
	release_all(stable, SLEEPERS);
	for (unsigned i = 0; i < SLEEPERS; i++)
		assert_int_equal(sk_thread_join(stable[i]), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		st_test(test_walk_reports_every_thread_fields),
		st_test(test_walk_exited_then_released_leaves),
		st_test(test_walk_nonzero_stops_bad_input_rejected),
		st_test(test_walk_races_create_exit_consistent),
	};

	return st_main("sched_walk", tests, sizeof(tests) / sizeof(tests[0]));
}
