// SPDX-License-Identifier: MIT
/*
 * How native grace periods end, seen through the kick and barrier
 * counters (sk_rcu_stats): idle CPUs are done through their extended
 * quiescent state, with no kick and no CPU barrier; a CPU hog that never
 * passes a quiescent state by itself is done after one CPU barrier with no
 * kick (RT_CPU_BARRIER builds, which link the hosted barrier), or is
 * kicked (builds without it, the kvm/xen path).  Native only.
 */
#include "rt.h"

#include <errno.h>

#include <plat/compiler.h>
#include <plat/cpu.h>
#include <rcu/rcu.h>

/* gp.c leaves the CPU barrier out under ThreadSanitizer. */
#if defined(__SANITIZE_THREAD__)
#define GP_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GP_TSAN 1
#endif
#endif
#if defined(RT_CPU_BARRIER) && !defined(GP_TSAN)
#define GP_BARRIER 1
#endif

enum { GP_N = 20 };

struct counts {
	uint64_t kicks, barriers, gps;
};

static struct counts counts_now(void)
{
	struct sk_rcu_stats st;

	assert_int_equal(sk_rcu_stats_get(&st), 0);
	return (struct counts){ st.kicks, st.barriers, st.gps + st.expedited };
}

/* GP_N normal and GP_N expedited grace periods; the counters' change. */
static struct counts run_gps(void)
{
	struct counts a = counts_now(), b;

	for (unsigned i = 0; i < GP_N; i++) {
		sk_synchronize_rcu();
		sk_synchronize_rcu_expedited();
	}
	b = counts_now();
	return (struct counts){ b.kicks - a.kicks, b.barriers - a.barriers,
				b.gps - a.gps };
}

static void test_gp_idle_cpus_need_no_kick(void **state)
{
	struct counts d;

	(void)state;
	/* Nothing else runs: the other CPUs halt in their idle loops. */
	rt_sleep_ns(5000000);
	d = run_gps();
	assert_true(d.gps >= 2 * GP_N);
	/* Without the extended quiescent state every one of them needs a
	 * kick or a barrier: a halted CPU's counter moves only when woken.
	 * A few may meet a CPU that some timer has just woken. */
	assert_true(d.kicks + d.barriers < GP_N / 2);
}

struct hog {
	atomic_int running, stop;
};

/* Spins preemptible: alone on its CPU (tickless: no timer), it passes no
 * quiescent state unless something interrupts it. */
static void hog_spin(void *arg)
{
	struct hog *h = arg;

	atomic_store(&h->running, 1);
	while (!atomic_load_explicit(&h->stop, memory_order_relaxed))
		;
}

static void test_gp_busy_cpu_ends_without_kick_after_barrier(void **state)
{
	struct hog h = { 0 };
	struct rt_thread *t;
	struct counts d;

	(void)state;
#ifdef GP_BARRIER
	if (sk_plat_cpu_barrier_all() == -ENOSYS)
		skip(); /* a kernel without membarrier's expedited command */
#endif
	t = rt_spawn(1, hog_spin, &h);
	assert_non_null(t);
	while (!atomic_load(&h.running))
		rt_yield();
	d = run_gps();
	atomic_store(&h.stop, 1);
	rt_join(t);
	assert_true(d.gps >= 2 * GP_N);
	/* Each grace period needs the barrier (or, without one, a kick):
	 * only an interrupt makes the hog's CPU pass a quiescent state.  The
	 * margins allow for a timer that fires there now and then, and for a
	 * safety re-kick after a vCPU that the host stopped in a handler. */
#ifdef GP_BARRIER
	assert_true(d.barriers >= GP_N);
	assert_true(d.kicks < GP_N / 4);
#else
	assert_true(d.barriers == 0);
	assert_true(d.kicks >= GP_N);
#endif
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		rt_test(test_gp_idle_cpus_need_no_kick),
		rt_test(test_gp_busy_cpu_ends_without_kick_after_barrier),
	};

	return rt_main("rcu_gp", tests, SK_ARRAY_LEN(tests));
}
