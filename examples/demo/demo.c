// SPDX-License-Identifier: MIT
/*
 * The hosted demo: a Linux process becomes a skiff machine with one vCPU
 * per host CPU (or $SK_CPUS), starts two threads pinned to every vCPU plus
 * as many unpinned ones, has them count primes in shared ranges handed out
 * under an sk_mutex, and prints a short report: who ran where, for how
 * long, and what the scheduler did.  (tools/demo boots the kvm image.)
 */
#include <stdio.h>
#include <stdlib.h>

#include <hosted/boot.h>
#include <plat/boot.h>
#include <plat/cpu.h>
#include <plat/time.h>
#include <sched/cpu.h>
#include <sched/preempt.h>
#include <sched/thread.h>
#include <sync/mutex.h>

enum { MAX_WORKERS = 64, CHUNK = 2000, LIMIT = 400000 };

struct worker {
	struct sk_thread *thread;
	struct sk_cpuset pin;
	unsigned chunks;
	unsigned long primes;
	unsigned last_cpu;
	uint64_t cpu_ns;
	const char *kind;
};

static struct sk_mutex work_lock = SK_MUTEX_INIT;
static unsigned next_start = 2; /* guarded by work_lock */
static unsigned long total_primes; /* guarded by work_lock */
static struct worker workers[MAX_WORKERS];

static void *demo_alloc(size_t len, void *ctx)
{
	void *p;

	(void)ctx;
	sk_preempt_disable();
	p = aligned_alloc(64, (len + 63) & ~(size_t)63);
	sk_preempt_enable();
	return p;
}

static void demo_free(void *p, size_t len, void *ctx)
{
	(void)len;
	(void)ctx;
	sk_preempt_disable();
	free(p);
	sk_preempt_enable();
}

static int is_prime(unsigned n)
{
	if (n < 2)
		return 0;
	for (unsigned d = 2; d * d <= n; d++)
		if (n % d == 0)
			return 0;
	return 1;
}

static void worker_main(void *arg)
{
	struct worker *w = arg;

	for (;;) {
		unsigned start, found = 0;

		sk_mutex_lock(&work_lock);
		start = next_start;
		next_start += CHUNK;
		sk_mutex_unlock(&work_lock);
		if (start >= LIMIT)
			break;
		for (unsigned n = start; n < start + CHUNK && n < LIMIT; n++)
			found += is_prime(n);
		sk_mutex_lock(&work_lock);
		total_primes += found;
		sk_mutex_unlock(&work_lock);
		w->primes += found;
		w->chunks++;
	}
	/* Read before exit: join releases the thread. */
	w->last_cpu = sk_thread_cpu(sk_thread_current());
	w->cpu_ns = sk_thread_cpu_time_ns(sk_thread_current());
}

static unsigned start_workers(unsigned ncpus)
{
	unsigned n = 0;

	for (unsigned i = 0; i < 2 * ncpus && n < MAX_WORKERS / 2; i++, n++) {
		struct sk_thread_attr a = { .name = "pinned" };

		sk_cpuset_zero(&workers[n].pin);
		sk_cpuset_add(&workers[n].pin, i % ncpus);
		a.affinity = &workers[n].pin;
		workers[n].kind = "pinned";
		if (sk_thread_create(&workers[n].thread, &a, worker_main,
				     &workers[n]))
			sk_plat_shutdown(3);
	}
	for (unsigned i = 0; i < ncpus; i++, n++) {
		struct sk_thread_attr a = { .name = "roaming" };

		workers[n].kind = "roaming";
		if (sk_thread_create(&workers[n].thread, &a, worker_main,
				     &workers[n]))
			sk_plat_shutdown(3);
	}
	return n;
}

static void report(unsigned n, unsigned ncpus, uint64_t elapsed_ns)
{
	sk_preempt_disable();
	printf("skiff hosted demo: %u vCPUs, %u threads, primes below %u\n",
	       ncpus, n, LIMIT);
	for (unsigned i = 0; i < n; i++)
		printf("  %-8s %2u: %3u chunks, %6lu primes, %7.1f ms CPU, "
		       "ended on vCPU %u\n",
		       workers[i].kind, i, workers[i].chunks, workers[i].primes,
		       workers[i].cpu_ns / 1e6, workers[i].last_cpu);
	for (unsigned c = 0; c < ncpus; c++) {
		struct sk_sched_stats s;

		if (sk_sched_stats_get(c, &s) == 0)
			printf("  vCPU %u: %llu switches (%llu preemptions), "
			       "%llu IPIs sent, %llu migrations\n",
			       c, (unsigned long long)s.switches,
			       (unsigned long long)s.preemptions,
			       (unsigned long long)s.ipis_sent,
			       (unsigned long long)s.migrations);
	}
	printf("  total: %lu primes (expected 33860) in %.1f ms\n",
	       total_primes, elapsed_ns / 1e6);
	fflush(stdout);
	sk_preempt_enable();
}

static void demo_main(void *arg)
{
	static const struct sk_sched_mem_ops ops = { demo_alloc, demo_free,
						     NULL };
	unsigned ncpus, n;
	uint64_t t0;

	(void)arg;
	if (sk_sched_init(&ops) != 0)
		sk_plat_shutdown(2);
	ncpus = sk_plat_cpu_count();
	t0 = sk_plat_clock_ns();
	n = start_workers(ncpus);
	for (unsigned i = 0; i < n; i++)
		if (sk_thread_join(workers[i].thread))
			sk_plat_shutdown(4);
	report(n, ncpus, sk_plat_clock_ns() - t0);
	sk_plat_shutdown(total_primes == 33860 ? 0 : 1);
}

int main(void)
{
	return sk_hosted_boot(NULL, demo_main, NULL);
}
