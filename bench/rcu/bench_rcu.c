// SPDX-License-Identifier: MIT
/*
 * bench_rcu: skiff RCU against liburcu (urcu-memb, urcu-qsbr) and
 * pthread_rwlock, all in one run.  The peers run on plain pthreads before
 * the hosted skiff machine boots; skiff's figures are taken on skiff
 * threads; everything is printed at the end, medians of repeated runs.
 * Figures: read-side cost, synchronize latency with readers running on
 * every CPU (normal and expedited), call_rcu throughput.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hosted/boot.h>
#include <plat/boot.h>
#include <plat/cpu.h>
#include <plat/time.h>
#include <rcu/rcu.h>
#include <sched/cpu.h>
#include <sched/preempt.h>
#include <sched/thread.h>

#include "peer.h"

enum {
	REPS = 7,
	READ_N_FULL = 20000000,
	SYNC_N = 101,
	/* between two synchronizes: spreads the samples over about 100 ms of
	 * host scheduling, so p10/p90 show whether the reader's thread ran */
	SYNC_GAP_US = 1000,
	CB_N = 200000,
	CB_REPS = 5,
	READERS_MAX = 64,
};

static struct peer_obj the_obj = { .value = 1 };
static struct peer_obj *_Atomic gp_obj = &the_obj;
static unsigned ncpus;
static unsigned nreaders; /* every CPU but the updater's */
/* $BENCH_RCU_READ_N: fewer read iterations (e.g. under callgrind) */
static uint64_t read_n = READ_N_FULL;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* After median(): the spread, for the '#' lines. */
struct spread {
	double p10, p90;
};

static struct spread spread_of(const double *sorted, unsigned n)
{
	return (struct spread){ sorted[n / 10], sorted[n - 1 - n / 10] };
}

static volatile uint64_t sink;

/* ---- peers, on pthreads ---- */

static double rwlock_read_ns(void)
{
	static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
	double v[REPS];

	for (unsigned r = 0; r < REPS; r++) {
		uint64_t t0 = now_ns(), sum = 0;

		for (uint64_t i = 0; i < read_n; i++) {
			pthread_rwlock_rdlock(&rw);
			sum += atomic_load_explicit(&gp_obj,
						    memory_order_acquire)
				       ->value;
			pthread_rwlock_unlock(&rw);
		}
		sink = sum;
		v[r] = (double)(now_ns() - t0) / read_n;
	}
	return median(v, REPS);
}

static double peer_read_ns(uint64_t (*loop)(struct peer_obj *_Atomic *,
					    uint64_t))
{
	double v[REPS];

	for (unsigned r = 0; r < REPS; r++) {
		uint64_t t0 = now_ns();

		sink = loop(&gp_obj, read_n);
		v[r] = (double)(now_ns() - t0) / read_n;
	}
	return median(v, REPS);
}

struct peer_reader {
	void (*reg)(void);
	void (*unreg)(void);
	void (*until)(const _Atomic int *, struct peer_obj *_Atomic *);
	_Atomic int *stop;
	atomic_uint *started;
};

static void *peer_reader_main(void *p)
{
	struct peer_reader *r = p;

	r->reg();
	atomic_fetch_add_explicit(r->started, 1, memory_order_relaxed);
	r->until(r->stop, &gp_obj);
	r->unreg();
	return NULL;
}

/* Median latency of one synchronize with @n readers running. */
static double peer_sync_us(struct peer_reader r, void (*sync)(void), unsigned n,
			   struct spread *sp)
{
	double m;

	pthread_t t[READERS_MAX];
	_Atomic int stop = 0;
	atomic_uint started = 0;
	double v[SYNC_N];

	r.stop = &stop;
	r.started = &started;
	for (unsigned i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, peer_reader_main, &r))
			abort();
	while (atomic_load(&started) < n)
		usleep(1000);
	usleep(10000);
	for (unsigned i = 0; i < SYNC_N; i++) {
		uint64_t t0 = now_ns();

		sync();
		v[i] = (double)(now_ns() - t0) / 1000.0;
		usleep(SYNC_GAP_US);
	}
	atomic_store(&stop, 1);
	for (unsigned i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	m = median(v, SYNC_N);
	*sp = spread_of(v, SYNC_N);
	return m;
}

static double peer_call_rcu_ns(void)
{
	double v[CB_REPS];

	for (unsigned r = 0; r < CB_REPS; r++) {
		uint64_t t0 = now_ns();

		peer_memb_call_rcu_batch(CB_N);
		v[r] = (double)(now_ns() - t0) / CB_N;
	}
	return median(v, CB_REPS);
}

/* ---- skiff, on the hosted machine ---- */

static struct {
	double read_ns, sync_us, exp_us, idle_sync_us, cb_ns;
	struct sk_rcu_stats cb_st; /* the call_rcu figure's rounds */
	struct spread sync_sp, exp_sp, idle_sp;
} sk;

static void *mem_alloc(size_t len, void *ctx)
{
	void *p;

	(void)ctx;
	sk_preempt_disable();
	p = aligned_alloc(64, (len + 63) & ~(size_t)63);
	sk_preempt_enable();
	return p;
}

static void mem_free(void *p, size_t len, void *ctx)
{
	(void)ctx;
	(void)len;
	sk_preempt_disable();
	free(p);
	sk_preempt_enable();
}

static uint64_t skiff_read_loop(uint64_t n)
{
	uint64_t sum = 0;

	for (uint64_t i = 0; i < n; i++) {
		sk_rcu_read_lock();
		sum += sk_rcu_dereference(gp_obj)->value;
		sk_rcu_read_unlock();
	}
	return sum;
}

static double skiff_read_ns(void)
{
	double v[REPS];

	for (unsigned r = 0; r < REPS; r++) {
		uint64_t t0 = sk_plat_clock_ns();

		sink = skiff_read_loop(read_n);
		v[r] = (double)(sk_plat_clock_ns() - t0) / read_n;
	}
	return median(v, REPS);
}

static atomic_int sk_stop;
static atomic_uint sk_started; /* readers that have run */

static void skiff_reader(void *arg)
{
	(void)arg;
	atomic_fetch_add_explicit(&sk_started, 1, memory_order_relaxed);
	while (!atomic_load_explicit(&sk_stop, memory_order_relaxed))
		sink = skiff_read_loop(64);
}

static double skiff_sync_us(void (*sync)(void), struct spread *sp)
{
	static double v[SYNC_N];

	for (unsigned i = 0; i < SYNC_N; i++) {
		uint64_t t0 = sk_plat_clock_ns();

		sync();
		v[i] = (double)(sk_plat_clock_ns() - t0) / 1000.0;
		sk_thread_sleep_for(SYNC_GAP_US * 1000);
	}
	sk_preempt_disable(); /* qsort is libc */
	double m = median(v, SYNC_N);
	sk_preempt_enable();
	*sp = spread_of(v, SYNC_N);
	return m;
}

static void skiff_syncs(void)
{
	struct sk_thread *t[READERS_MAX];
	struct sk_thread_attr attr = { 0 };
	struct sk_cpuset set;

	attr.affinity = &set;
	atomic_store(&sk_stop, 0);
	for (unsigned i = 0; i < nreaders; i++) {
		sk_cpuset_zero(&set);
		sk_cpuset_add(&set, (i + 1) % ncpus);
		if (sk_thread_create(&t[i], &attr, skiff_reader, NULL))
			sk_plat_shutdown(2);
	}
	/* On a loaded host a vCPU may wait milliseconds to run: measure
	 * only once every reader has started (then it keeps its vCPU busy) */
	while (atomic_load_explicit(&sk_started, memory_order_relaxed) <
	       nreaders)
		sk_thread_sleep_for(1000000);
	sk_thread_sleep_for(10000000);
	sk.sync_us = skiff_sync_us(sk_synchronize_rcu, &sk.sync_sp);
	sk.exp_us = skiff_sync_us(sk_synchronize_rcu_expedited, &sk.exp_sp);
	atomic_store(&sk_stop, 1);
	for (unsigned i = 0; i < nreaders; i++)
		sk_thread_join(t[i]);
	/* every other CPU idle now */
	sk_thread_sleep_for(10000000);
	sk.idle_sync_us = skiff_sync_us(sk_synchronize_rcu, &sk.idle_sp);
}

static atomic_uint_least64_t sk_cb_count;

static void sk_cb_bump(struct sk_rcu_head *h)
{
	(void)h;
	atomic_fetch_add_explicit(&sk_cb_count, 1, memory_order_relaxed);
}

static double skiff_call_rcu_ns(void)
{
	struct sk_rcu_head *h = mem_alloc(CB_N * sizeof(*h), NULL);
	double v[CB_REPS];

	if (!h)
		sk_plat_shutdown(3);
	for (unsigned r = 0; r < CB_REPS; r++) {
		uint64_t t0 = sk_plat_clock_ns();

		for (unsigned i = 0; i < CB_N; i++)
			sk_call_rcu(&h[i], sk_cb_bump);
		sk_rcu_barrier();
		v[r] = (double)(sk_plat_clock_ns() - t0) / CB_N;
	}
	mem_free(h, 0, NULL);
	sk_preempt_disable();
	double m = median(v, CB_REPS);
	sk_preempt_enable();
	return m;
}

/* The call_rcu figure, and what its rounds cost in grace periods. */
static void skiff_call_rcu_figure(void)
{
	struct sk_rcu_stats a, *b = &sk.cb_st;

	sk_rcu_stats_get(&a);
	sk.cb_ns = skiff_call_rcu_ns();
	sk_rcu_stats_get(b);
	b->gps -= a.gps;
	b->cb_batches -= a.cb_batches;
	b->throttled -= a.throttled;
	b->kicks -= a.kicks;
	b->barriers -= a.barriers;
}

static void skiff_main(void *arg)
{
	static const struct sk_sched_mem_ops ops = {
		.alloc = mem_alloc,
		.free = mem_free,
	};
	struct sk_cpuset cpu0;

	(void)arg;
	if (sk_sched_init(&ops) || sk_rcu_init())
		sk_plat_shutdown(1);
	sk_cpuset_zero(&cpu0); /* the updater owns CPU 0 */
	sk_cpuset_add(&cpu0, 0);
	sk_thread_set_affinity(&cpu0);
	sk.read_ns = skiff_read_ns();
	skiff_syncs();
	skiff_call_rcu_figure();
	sk_plat_shutdown(0);
}

static void print_figure(const char *fig, double skv, const char *peer,
			 double pv, const char *unit)
{
	printf("%s: skiff %.2f %s, %s %.2f %s, ratio %.2f\n", fig, skv, unit,
	       peer, pv, unit, pv > 0 ? skv / pv : 0.0);
}

static void print_spread(const char *fig, const char *who, struct spread sp)
{
	printf("# %s: %s p10 %.2f us, p90 %.2f us\n", fig, who, sp.p10, sp.p90);
}

/* The peers' figures, on pthreads, before the skiff machine boots. */
static struct {
	double memb_read, qsbr_read, rw_read, memb_sync, qsbr_sync,
		memb_idle_sync, memb_cb;
	struct spread memb_sync_sp, qsbr_sync_sp, memb_idle_sp;
} pr;

static void peers_run(void)
{
	struct peer_reader memb = { peer_memb_register, peer_memb_unregister,
				    peer_memb_reader_until, NULL, NULL };
	struct peer_reader qsbr = { peer_qsbr_register, peer_qsbr_unregister,
				    peer_qsbr_reader_until, NULL, NULL };

	peer_memb_register();
	pr.memb_read = peer_read_ns(peer_memb_read_loop);
	peer_memb_unregister();
	peer_qsbr_register();
	pr.qsbr_read = peer_read_ns(peer_qsbr_read_loop);
	peer_qsbr_unregister();
	pr.rw_read = rwlock_read_ns();
	pr.memb_sync = peer_sync_us(memb, peer_memb_synchronize, nreaders,
				    &pr.memb_sync_sp);
	pr.qsbr_sync = peer_sync_us(qsbr, peer_qsbr_synchronize, nreaders,
				    &pr.qsbr_sync_sp);
	pr.memb_idle_sync =
		peer_sync_us(memb, peer_memb_synchronize, 0, &pr.memb_idle_sp);
	pr.memb_cb = peer_call_rcu_ns();
}

static void results_print(void)
{
	static const char *rd = "read-side lock+deref+unlock",
			  *sy = "synchronize_rcu latency, readers running";

	printf("# %u CPUs, %u reader(s) on the CPUs the updater leaves free, "
	       "medians; shared host: noisy\n",
	       ncpus, nreaders);
	print_figure(rd, sk.read_ns, "urcu-memb", pr.memb_read, "ns");
	print_figure(rd, sk.read_ns, "urcu-qsbr", pr.qsbr_read, "ns");
	print_figure(rd, sk.read_ns, "pthread_rwlock", pr.rw_read, "ns");
	print_figure(sy, sk.sync_us, "urcu-memb", pr.memb_sync, "us");
	print_figure(sy, sk.sync_us, "urcu-qsbr", pr.qsbr_sync, "us");
	print_figure("synchronize_rcu_expedited latency, readers running",
		     sk.exp_us, "urcu-memb", pr.memb_sync, "us");
	print_figure("synchronize_rcu latency, other CPUs idle",
		     sk.idle_sync_us, "urcu-memb", pr.memb_idle_sync, "us");
	print_figure("call_rcu + barrier per callback", sk.cb_ns, "urcu-memb",
		     pr.memb_cb, "ns");
	print_spread("synchronize_rcu, readers running", "skiff", sk.sync_sp);
	print_spread("synchronize_rcu_expedited, readers running", "skiff",
		     sk.exp_sp);
	print_spread("synchronize_rcu, readers running", "urcu-memb",
		     pr.memb_sync_sp);
	print_spread("synchronize_rcu, readers running", "urcu-qsbr",
		     pr.qsbr_sync_sp);
	print_spread("synchronize_rcu, other CPUs idle", "skiff", sk.idle_sp);
	print_spread("synchronize_rcu, other CPUs idle", "urcu-memb",
		     pr.memb_idle_sp);
	printf("# call_rcu: skiff %llu rounds, %llu grace periods, %llu "
	       "CPU barriers, %llu kicks, %llu throttled pushes\n",
	       (unsigned long long)sk.cb_st.cb_batches,
	       (unsigned long long)sk.cb_st.gps,
	       (unsigned long long)sk.cb_st.barriers,
	       (unsigned long long)sk.cb_st.kicks,
	       (unsigned long long)sk.cb_st.throttled);
}

int main(void)
{
	const char *env = getenv("SK_CPUS");
	long n = env ? atol(env) : sysconf(_SC_NPROCESSORS_ONLN);
	int err;

	ncpus = n < 1 ? 1 : n > READERS_MAX ? READERS_MAX : (unsigned)n;
	nreaders = ncpus > 1 ? ncpus - 1 : 1;
	env = getenv("BENCH_RCU_READ_N");
	if (env && atoll(env) > 0)
		read_n = (uint64_t)atoll(env);
	peers_run();
	err = sk_hosted_boot(NULL, skiff_main, NULL);
	if (err) {
		fprintf(stderr, "bench_rcu: skiff run failed (%d)\n", err);
		return 1;
	}
	results_print();
	return 0;
}
