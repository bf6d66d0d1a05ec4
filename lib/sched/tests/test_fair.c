// SPDX-License-Identifier: MIT
/*
 * Fair share on one vCPU: equal hogs split the CPU evenly, priorities act
 * as weights, the RT FIFO class runs ahead of fair threads, and a hog does
 * not starve anyone.  Shares are measured as the CPU time each thread was
 * given (sk_thread_cpu_time_ns), over a bounded run; nothing asserts how
 * long anything took.  Pure CPU loops: not a TSan test (see docs).
 */
#include "harness.h"

#include <plat/time.h>
#include <sched/wait.h>

struct hog {
	atomic_uint *stop;
	atomic_ulong progress;
	uint64_t cpu_ns; /* own CPU time at exit */
};

static void hog_fn(void *arg)
{
	struct hog *h = arg;

	while (!atomic_load_explicit(h->stop, memory_order_relaxed))
		atomic_fetch_add_explicit(&h->progress, 1,
					  memory_order_relaxed);
	h->cpu_ns = sk_thread_cpu_time_ns(sk_thread_current());
}

/* Run hogs with priorities @prio[] for @run_ns; fill their CPU times. */
static void run_hogs(const unsigned *prio, unsigned n, uint64_t run_ns,
		     struct hog *h)
{
	struct sk_thread *t[4];
	atomic_uint stop = 0;

	for (unsigned i = 0; i < n; i++) {
		struct sk_thread_attr a = { .prio = prio[i] };

		h[i].stop = &stop;
		atomic_init(&h[i].progress, 0);
		t[i] = st_spawn(&a, hog_fn, &h[i]);
	}
	sk_thread_sleep_for(run_ns);
	atomic_store(&stop, 1);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(sk_thread_join(t[i]), 0);
}

/*
 * The ratio of CPU time between two hogs, median of ROUNDS rounds.  The
 * vCPU is a host thread on a shared machine: when the host deschedules it,
 * the running hog is charged for the gap (the scheduler cannot see steal
 * time), and one such lump late in a round can skew that round.  A broken
 * fair share skews every round.  Bounds: 10 % either way for equal hogs (a
 * host descheduling both rounds' vCPU at a slice boundary moved the median
 * of 3 to 1.07 on a loaded 2-core host; a scheduler without fair share
 * gives a ratio far outside, e.g. one hog starving), 1.8-2.2 for a 2:1
 * weight.  5 rounds since session 5: under Xen nested in QEMU on a loaded
 * host, two of 3 rounds were skewed at once (xen_sched_fair_smp1).
 */
enum { ROUNDS = 5 };

static double median_ratio(const unsigned *prio)
{
	double r[ROUNDS], t;
	struct hog h[2];

	for (unsigned i = 0; i < ROUNDS; i++) {
		run_hogs(prio, 2, 600000000ull, h);
		assert_true(h[0].cpu_ns > 0 && h[1].cpu_ns > 0);
		r[i] = (double)h[0].cpu_ns / (double)h[1].cpu_ns;
		/* permille: the image's print_message has no %f */
		print_message("round %u: ratio %lu/1000\n", i,
			      (unsigned long)(r[i] * 1000.0));
	}
	for (unsigned i = 0; i < ROUNDS; i++)
		for (unsigned j = i + 1; j < ROUNDS; j++)
			if (r[j] < r[i]) {
				t = r[i];
				r[i] = r[j];
				r[j] = t;
			}
	return r[ROUNDS / 2];
}

static void test_fair_equal_hogs_share_evenly(void **state)
{
	static const unsigned prio[2] = { 64, 64 };
	double r;

	(void)state;
	r = median_ratio(prio);
	assert_true(r < 1.10 && r > 1 / 1.10);
}

static void test_fair_half_prio_gets_double(void **state)
{
	static const unsigned prio[2] = { 32, 64 };
	double r;

	(void)state;
	r = median_ratio(prio);
	assert_true(r > 1.8 && r < 2.2);
}

static void test_fair_heavy_hog_cannot_starve(void **state)
{
	static const unsigned prio[2] = { SK_THREAD_PRIO_MIN, 64 };
	struct hog h[2];

	(void)state;
	run_hogs(prio, 2, 1000000000ull, h);
	print_message("prio 1 vs 64: %lu vs %lu iterations\n",
		      (unsigned long)atomic_load(&h[0].progress),
		      (unsigned long)atomic_load(&h[1].progress));
	assert_true(atomic_load(&h[1].progress) > 0);
	assert_true(h[1].cpu_ns > 0);
}

struct sleeper {
	unsigned rounds;
	atomic_uint done;
};

static void sleeper_fn(void *arg)
{
	struct sleeper *s = arg;

	for (unsigned i = 0; i < s->rounds; i++)
		sk_thread_sleep_for(100000);
	atomic_store(&s->done, 1);
}

static void test_fair_sleeper_runs_beside_hogs(void **state)
{
	atomic_uint stop = 0;
	struct hog h[2] = { { .stop = &stop }, { .stop = &stop } };
	struct sleeper s = { .rounds = 200 };
	struct sk_thread *t[3];

	(void)state;
	t[0] = st_spawn(NULL, hog_fn, &h[0]);
	t[1] = st_spawn(NULL, hog_fn, &h[1]);
	t[2] = st_spawn(NULL, sleeper_fn, &s);
	assert_int_equal(sk_thread_join(t[2]), 0);
	atomic_store(&stop, 1);
	assert_int_equal(sk_thread_join(t[0]), 0);
	assert_int_equal(sk_thread_join(t[1]), 0);
	assert_int_equal(atomic_load(&s.done), 1);
}

struct rt_probe {
	struct hog *hog;
	unsigned long seen[4];
};

static void spin_ns(uint64_t ns)
{
	uint64_t end = sk_plat_clock_ns() + ns;

	while (sk_plat_clock_ns() < end)
		;
}

static void rt_fn(void *arg)
{
	struct rt_probe *p = arg;

	p->seen[0] = atomic_load(&p->hog->progress);
	spin_ns(20000000);
	p->seen[1] = atomic_load(&p->hog->progress);
	sk_thread_sleep_for(5000000); /* the hog runs meanwhile */
	p->seen[2] = atomic_load(&p->hog->progress);
	spin_ns(20000000);
	p->seen[3] = atomic_load(&p->hog->progress);
}

static void test_fair_rt_runs_ahead_of_fair(void **state)
{
	atomic_uint stop = 0;
	struct hog h = { .stop = &stop };
	struct rt_probe p = { .hog = &h };
	struct sk_thread_attr rt = { .sched_class = SK_THREAD_FIFO,
				     .rt_prio = 10 };
	struct sk_thread *hog, *rtt;

	(void)state;
	hog = st_spawn(NULL, hog_fn, &h);
	while (atomic_load(&h.progress) == 0)
		sk_thread_yield();
	rtt = st_spawn(&rt, rt_fn, &p);
	assert_int_equal(sk_thread_join(rtt), 0);
	atomic_store(&stop, 1);
	assert_int_equal(sk_thread_join(hog), 0);
	/* While the RT thread was runnable the hog never ran ... */
	assert_true(p.seen[0] == p.seen[1]);
	assert_true(p.seen[2] == p.seen[3]);
	/* ... and it did run while the RT thread slept. */
	assert_true(p.seen[2] > p.seen[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		st_test(test_fair_equal_hogs_share_evenly),
		st_test(test_fair_half_prio_gets_double),
		st_test(test_fair_heavy_hog_cannot_starve),
		st_test(test_fair_sleeper_runs_beside_hogs),
		st_test(test_fair_rt_runs_ahead_of_fair),
	};

	return st_main("sched_fair", tests, sizeof(tests) / sizeof(tests[0]));
}
