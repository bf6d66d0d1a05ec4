// SPDX-License-Identifier: MIT
/*
 * bench_sched: skiff scheduler figures, each beside its Linux peer from the
 * same run (peer.c).  Linux peers run first on the plain process, then a
 * 2-vCPU hosted machine runs the skiff side; results print after it shuts
 * down.  Medians of BENCH_REPS repetitions.  The machine these run on is
 * shared: treat single figures as noisy, ratios as the message.
 *
 * usage: bench_sched [scale [handoff | handoff-ww | create]]
 *   scale multiplies the iteration counts; "handoff" runs only the skiff
 *   same-vCPU hand-off (sk_thread_wake + sk_wait; "handoff-ww": through
 *   sk_wake_and_wait), once, 20000 x scale rounds, and prints its ns per
 *   hand-off (no peer); "create" likewise only 20000 x scale
 *   create+join: for instruction counts under valgrind
 *   --tool=callgrind, where the difference between scale 2 and scale 1 is
 *   40000 hand-offs.
 */
#define _GNU_SOURCE
#include "bench.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hosted/boot.h>
#include <plat/boot.h>
#include <plat/cpu.h>
#include <plat/time.h>
#include <sched/cpu.h>
#include <sched/preempt.h>
#include <sched/thread.h>
#include <sched/wait.h>

static unsigned scale = 1;
static bool handoff_only;
static bool handoff_combined; /* "handoff-ww": through sk_wake_and_wait */
static bool create_only; /* "create": only create+join, for callgrind */
static struct sk_sched_stats handoff_stats[2]; /* vCPU 1 before, after */

enum fig { F_SAME, F_SAME_WW, F_CROSS, F_CREATE, F_YIELD, F_NUM };

static double skiff_v[F_NUM][BENCH_REPS];

static void *b_alloc(size_t len, void *ctx)
{
	void *p;

	(void)ctx;
	sk_preempt_disable();
	p = aligned_alloc(64, (len + 63) & ~(size_t)63);
	sk_preempt_enable();
	return p;
}

static void b_free(void *p, size_t len, void *ctx)
{
	(void)len;
	(void)ctx;
	sk_preempt_disable();
	free(p);
	sk_preempt_enable();
}

struct pp {
	atomic_uint turn;
	unsigned rounds;
	bool combined; /* sk_wake_and_wait instead of wake + wait */
	struct sk_thread *t[2];
	atomic_uint go;
	uint64_t t0, t1;
};

/* The same hand-off through sk_wake_and_wait: hand over, then wait. */
static void pp_side_combined(struct pp *p, unsigned me)
{
	for (unsigned i = 0; i < p->rounds; i++) {
		sk_wait_prepare();
		while (atomic_load_explicit(&p->turn, memory_order_acquire) !=
		       me) {
			sk_wait();
			sk_wait_prepare();
		}
		if (i + 1 == p->rounds && me == 1) {
			/* B's last move: hand over and leave */
			sk_wait_finish();
			atomic_store_explicit(&p->turn, !me,
					      memory_order_release);
			sk_preempt_disable();
			sk_thread_wake(p->t[!me]);
			sk_preempt_enable();
			return;
		}
		sk_preempt_disable();
		atomic_store_explicit(&p->turn, !me, memory_order_release);
		sk_wake_and_wait(p->t[!me]);
	}
	sk_wait_finish();
}

/*
 * The turn wait and the hand-over are written out here and in
 * pp_side_combined on purpose: moving them into shared helpers changed
 * the code layout and took the wait/wake figure from 52 to 66-82 ns in
 * back-to-back runs (docs/sched.md), with the library unchanged.
 */
static void pp_side(struct pp *p, unsigned me)
{
	if (p->combined) {
		pp_side_combined(p, me);
		return;
	}
	for (unsigned i = 0; i < p->rounds; i++) {
		sk_wait_prepare();
		while (atomic_load_explicit(&p->turn, memory_order_acquire) !=
		       me) {
			sk_wait();
			sk_wait_prepare();
		}
		sk_wait_finish();
		atomic_store_explicit(&p->turn, !me, memory_order_release);
		sk_preempt_disable();
		sk_thread_wake(p->t[!me]);
		sk_preempt_enable();
	}
}

static void pp_a(void *arg)
{
	struct pp *p = arg;

	while (!atomic_load(&p->go))
		sk_thread_yield();
	p->t0 = sk_plat_clock_ns();
	pp_side(p, 0);
	p->t1 = sk_plat_clock_ns();
}

static void pp_b(void *arg)
{
	struct pp *p = arg;

	while (!atomic_load(&p->go))
		sk_thread_yield();
	pp_side(p, 1);
}

static struct sk_thread *spawn_on(unsigned cpu, sk_thread_fn fn, void *arg)
{
	struct sk_cpuset set;
	struct sk_thread_attr a = { .affinity = &set };
	struct sk_thread *t = NULL;

	sk_cpuset_zero(&set);
	sk_cpuset_add(&set, cpu);
	if (sk_thread_create(&t, &a, fn, arg))
		sk_plat_shutdown(2);
	return t;
}

static double skiff_handoff(unsigned cpu_a, unsigned cpu_b, unsigned rounds,
			    bool combined)
{
	struct pp p = { .rounds = rounds, .combined = combined };

	p.t[0] = spawn_on(cpu_a, pp_a, &p);
	p.t[1] = spawn_on(cpu_b, pp_b, &p);
	atomic_store(&p.go, 1);
	sk_thread_join(p.t[0]);
	sk_thread_join(p.t[1]);
	return (double)(p.t1 - p.t0) / (2.0 * rounds);
}

static void nothing(void *arg)
{
	(void)arg;
}

static double skiff_create_join(unsigned n)
{
	uint64_t t0 = sk_plat_clock_ns();

	for (unsigned i = 0; i < n; i++) {
		struct sk_thread *t;

		if (sk_thread_create(&t, NULL, nothing, NULL))
			sk_plat_shutdown(3);
		sk_thread_join(t);
	}
	return (double)(sk_plat_clock_ns() - t0) / n;
}

static double skiff_yield(unsigned n)
{
	uint64_t t0 = sk_plat_clock_ns();

	for (unsigned i = 0; i < n; i++)
		sk_thread_yield();
	return (double)(sk_plat_clock_ns() - t0) / n;
}

static void skiff_main(void *arg)
{
	static const struct sk_sched_mem_ops ops = { b_alloc, b_free, NULL };
	struct sk_cpuset cpu0;

	(void)arg;
	if (sk_sched_init(&ops))
		sk_plat_shutdown(1);
	sk_cpuset_zero(&cpu0);
	sk_cpuset_add(&cpu0, 0);
	sk_thread_set_affinity(&cpu0);
	if (create_only) {
		skiff_v[F_CREATE][0] = skiff_create_join(20000 * scale);
		sk_plat_shutdown(0);
	}
	if (handoff_only) {
		sk_sched_stats_get(1, &handoff_stats[0]);
		skiff_v[F_SAME][0] =
			skiff_handoff(1, 1, 20000 * scale, handoff_combined);
		sk_sched_stats_get(1, &handoff_stats[1]);
		sk_plat_shutdown(0);
	}
	for (unsigned r = 0; r < BENCH_REPS; r++) {
		skiff_v[F_SAME][r] = skiff_handoff(1, 1, 200000 * scale, false);
		skiff_v[F_SAME_WW][r] =
			skiff_handoff(1, 1, 200000 * scale, true);
		skiff_v[F_CROSS][r] = skiff_handoff(0, 1, 20000 * scale, false);
		skiff_v[F_CREATE][r] = skiff_create_join(20000 * scale);
		skiff_v[F_YIELD][r] = skiff_yield(200000 * scale);
	}
	sk_plat_shutdown(0);
}

static double per_handoff(uint64_t n)
{
	return (double)n / (2.0 * 20000 * scale);
}

static void line(const char *fig, double skiff, const char *peer, double p)
{
	printf("%s: skiff %.1f ns, %s %.1f ns, ratio %.1f\n", fig, skiff, peer,
	       p, p / skiff);
}

int main(int argc, char **argv)
{
	struct sk_hosted_config cfg = { .ncpus = 2 };
	double peer[F_NUM][BENCH_REPS], bare[BENCH_REPS], s[F_NUM];
	int rc;

	if (argc > 1)
		scale = (unsigned)strtoul(argv[1], NULL, 10);
	if (!scale)
		scale = 1;
	if (argc > 2 &&
	    (!strcmp(argv[2], "handoff") || !strcmp(argv[2], "handoff-ww"))) {
		handoff_only = true;
		handoff_combined = !strcmp(argv[2], "handoff-ww");
		if (sk_hosted_boot(&cfg, skiff_main, NULL))
			return 1;
		printf("skiff same-vcpu handoff: %.1f ns; per hand-off: "
		       "%.2f switches, %.2f preemptions, %.3f timer arms\n",
		       skiff_v[F_SAME][0],
		       per_handoff(handoff_stats[1].switches -
				   handoff_stats[0].switches),
		       per_handoff(handoff_stats[1].preemptions -
				   handoff_stats[0].preemptions),
		       per_handoff(handoff_stats[1].timer_arms -
				   handoff_stats[0].timer_arms));
		return 0;
	}
	if (argc > 2 && !strcmp(argv[2], "create")) {
		create_only = true;
		if (sk_hosted_boot(&cfg, skiff_main, NULL))
			return 1;
		printf("skiff create+join: %.1f ns\n", skiff_v[F_CREATE][0]);
		return 0;
	}
	for (unsigned r = 0; r < BENCH_REPS; r++) {
		peer[F_SAME][r] = peer_futex_handoff(0, 0, 20000 * scale);
		peer[F_CROSS][r] = peer_futex_handoff(0, 1, 20000 * scale);
		peer[F_CREATE][r] = peer_pthread_create_join(2000 * scale);
		peer[F_YIELD][r] = peer_sched_yield(200000 * scale);
		bare[r] = peer_bare_switch(1000000 * scale);
	}
	rc = sk_hosted_boot(&cfg, skiff_main, NULL);
	if (rc) {
		fprintf(stderr, "bench_sched: skiff side failed (%d)\n", rc);
		return 1;
	}
	for (unsigned f = 0; f < F_NUM; f++)
		s[f] = bench_median(skiff_v[f], BENCH_REPS);
	line("same-vcpu handoff (wait/wake)", s[F_SAME], "futex same-cpu",
	     bench_median(peer[F_SAME], BENCH_REPS));
	printf("same-vcpu handoff vs bare switch: skiff %.1f ns, "
	       "sk_arch_switch %.1f ns, ratio %.2f\n",
	       s[F_SAME], bench_median(bare, BENCH_REPS),
	       s[F_SAME] / bench_median(bare, BENCH_REPS));
	line("same-vcpu handoff (sk_wake_and_wait)", s[F_SAME_WW],
	     "futex same-cpu", bench_median(peer[F_SAME], BENCH_REPS));
	printf("same-vcpu handoff (sk_wake_and_wait) vs bare switch: skiff "
	       "%.1f ns, sk_arch_switch %.1f ns, ratio %.2f\n",
	       s[F_SAME_WW], bench_median(bare, BENCH_REPS),
	       s[F_SAME_WW] / bench_median(bare, BENCH_REPS));
	line("cross-vcpu wake-to-run (one way)", s[F_CROSS], "futex cross-cpu",
	     bench_median(peer[F_CROSS], BENCH_REPS));
	line("create+join", s[F_CREATE], "pthread_create+join",
	     bench_median(peer[F_CREATE], BENCH_REPS));
	line("yield (alone)", s[F_YIELD], "sched_yield",
	     bench_median(peer[F_YIELD], BENCH_REPS));
	return 0;
}
