// SPDX-License-Identifier: MIT
/*
 * bench_sync on lib/sched: skiff's mutex on skiff threads, on a hosted
 * machine of $SK_CPUS vCPUs (default 2).  Samples of the two sides
 * alternate, so both see the same host load: the peer's Linux threads are
 * started from a vCPU with preemption disabled (it only waits for them to
 * finish; the other vCPUs idle).  The lines are printed after shutdown.
 * Usage: SK_CPUS=2 bench_sync_sched
 *            [SCALE [uncontended|contended|pingpong|floor]]
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>

#include <hosted/boot.h>
#include <plat/boot.h>
#include <plat/cpu.h>
#include <sched/cpu.h>
#include <sched/preempt.h>
#include <sched/thread.h>

#include "bench.h"

enum { REPS = 7 };

static double samples[BENCH_FIGURES][2][REPS];
static unsigned long scale = 1;
static const char *only;

static void *sched_alloc(size_t len, void *ctx)
{
	(void)ctx;
	sk_preempt_disable();
	void *p = aligned_alloc(64, (len + 63) & ~(size_t)63);

	sk_preempt_enable();
	return p;
}

static void sched_free(void *p, size_t len, void *ctx)
{
	(void)ctx;
	(void)len;
	sk_preempt_disable();
	free(p);
	sk_preempt_enable();
}

struct slot {
	bench_fn fn;
	void *arg;
};

static void sched_trampoline(void *p)
{
	struct slot *s = p;

	s->fn(s->arg);
}

static void sched_run(unsigned n, bench_fn fn, void **args)
{
	struct sk_thread *ids[64];
	struct slot slots[64];

	for (unsigned i = 0; i < n; i++) {
		slots[i] = (struct slot){ fn, args[i] };
		if (sk_thread_create(&ids[i], NULL, sched_trampoline,
				     &slots[i]) != 0)
			sk_plat_shutdown(2);
	}
	for (unsigned i = 0; i < n; i++)
		sk_thread_join(ids[i]);
}

static unsigned sched_cpu(void)
{
	return sk_plat_cpu_id();
}

static const struct bench_side sched_side = {
	.name = "skiff threads",
	.run = sched_run,
	.yield = sk_thread_yield,
	.cpu = sched_cpu,
};

/* One peer sample from a skiff thread: no switch while inside glibc. */
static double peer_measure(enum bench_figure fig)
{
	sk_preempt_disable();
	double v = bench_measure(&bench_pthread_side, 0, fig, scale);

	sk_preempt_enable();
	return v;
}

static void sched_main(void *arg)
{
	static const struct sk_sched_mem_ops ops = {
		.alloc = sched_alloc,
		.free = sched_free,
	};

	(void)arg;
	if (sk_sched_init(&ops) != 0)
		sk_plat_shutdown(1);
	for (unsigned f = 0; f < BENCH_FIGURES; f++) {
		for (unsigned r = 0; r < REPS && bench_wanted(only, f); r++) {
			samples[f][0][r] =
				bench_measure(&sched_side, 1, f, scale);
			samples[f][1][r] = peer_measure(f);
		}
	}
	sk_plat_shutdown(0);
}

int main(int argc, char **argv)
{
	scale = argc > 1 ? strtoul(argv[1], NULL, 10) : 1;
	only = argc > 2 ? argv[2] : NULL;
	if (scale == 0)
		scale = 1;
	int status = sk_hosted_boot(NULL, sched_main, NULL);

	if (status != 0) {
		fprintf(stderr, "bench_sync_sched: machine failed: %d\n",
			status);
		return 1;
	}
	printf("bench_sync_sched: skiff on lib/sched (skiff threads, hosted "
	       "vCPUs), peer on Linux threads; median of %d; shared "
	       "machine: noisy\n",
	       REPS);
	for (unsigned f = 0; f < BENCH_FIGURES; f++)
		if (bench_wanted(only, f))
			bench_report(f, samples[f][0], samples[f][1], REPS);
	return 0;
}
