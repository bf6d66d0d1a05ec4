// SPDX-License-Identifier: MIT
/*
 * bench_sync: the skiff mutex and condvar against glibc's pthread_mutex
 * and pthread_cond, in the same run.  The skiff side runs on a backend
 * (bench.h); the peer always runs on Linux threads.  One line per figure:
 *   <figure>: skiff X <unit>, pthread Y <unit>, ratio Z
 * each the median of several samples, ratio = skiff / pthread (for a time
 * lower is better, for a throughput higher is better).  The machine may be
 * shared and noisy: compare ratios, and prefer callgrind instruction
 * counts for the uncontended path (docs/sync.md).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <sync/cond.h>
#include <sync/mutex.h>

#include "bench.h"

#ifdef SK_SYNC_TEST_HOOKS
/*
 * A bench built with -DSK_SYNC_TEST_HOOKS (c_args of the whole build)
 * also says how the skiff mutex got its locks: protocol events per 1000
 * lock calls, summed over the samples.  With $SK_BENCH_TRACE set it also
 * prints each skiff sample's raw event counts and its figure.
 */
#include "waiter.h"

static unsigned long ev_sum[BENCH_FIGURES][SK_SYNC_EV_COUNT];
static unsigned long ev_ops[BENCH_FIGURES];

static void ev_snap(unsigned long *v)
{
	for (unsigned i = 0; i < SK_SYNC_EV_COUNT; i++)
		v[i] = atomic_load(&sk_sync_test_events[i]);
}

static void ev_add(enum bench_figure fig, const unsigned long *before,
		   unsigned long ops)
{
	unsigned long now[SK_SYNC_EV_COUNT];

	ev_snap(now);
	for (unsigned i = 0; i < SK_SYNC_EV_COUNT; i++)
		ev_sum[fig][i] += now[i] - before[i];
	ev_ops[fig] += ops;
	if (getenv("SK_BENCH_TRACE")) {
		printf("  sample fig %d:", (int)fig);
		for (unsigned i = 0; i < SK_SYNC_EV_COUNT; i++)
			printf(" %lu", now[i] - before[i]);
	}
}

/*
 * Host context switches of the whole process (every vCPU or peer thread,
 * exited ones included), per 1000 lock calls: voluntary (a thread slept
 * in the kernel: futex, idle vCPU) and involuntary (the host preempted
 * it).  The same count on both sides.
 */
static unsigned long sw_sum[BENCH_FIGURES][2][2];
static unsigned long sw_ops[BENCH_FIGURES][2];

static void sw_add(enum bench_figure fig, unsigned sk, const struct rusage *r0,
		   const struct rusage *r1, unsigned long ops)
{
	sw_sum[fig][sk][0] += (unsigned long)(r1->ru_nvcsw - r0->ru_nvcsw);
	sw_sum[fig][sk][1] += (unsigned long)(r1->ru_nivcsw - r0->ru_nivcsw);
	sw_ops[fig][sk] += ops;
}

static void sw_print(enum bench_figure fig)
{
	printf("  host switches per 1000 locks (voluntary, involuntary):");
	for (unsigned i = 0; i < 2; i++) {
		unsigned sk = !i; /* skiff first */
		double ops = (double)(sw_ops[fig][sk] ? sw_ops[fig][sk] : 1);

		printf(" %s %.3f %.3f", sk ? "skiff" : "pthread",
		       1000.0 * (double)sw_sum[fig][sk][0] / ops,
		       1000.0 * (double)sw_sum[fig][sk][1] / ops);
	}
	printf("\n");
}

static void ev_print(enum bench_figure fig)
{
	static const char *const names[SK_SYNC_EV_COUNT] = {
		"slow-unlock", "token-left", "token-reclaimed", "token-taken",
		"token-try",   "reaped",     "spin-free",	"spin-queued",
		"slept",       "yield",
	};

	if (!ev_ops[fig])
		return;
	printf("  events per 1000 locks:");
	for (unsigned i = 0; i < SK_SYNC_EV_COUNT; i++)
		printf(" %s %.3f", names[i],
		       1000.0 * (double)ev_sum[fig][i] / (double)ev_ops[fig]);
	printf("\n");
}
#endif

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *pt_trampoline(void *p)
{
	void **a = p;
	bench_fn fn;

	memcpy(&fn, &a[0], sizeof(fn));
	fn(a[1]);
	return NULL;
}

/*
 * The peer's threads start with every signal blocked: bench_sync_sched
 * creates them from a vCPU, whose interrupt signals they must not take.
 */
static void pt_run(unsigned n, bench_fn fn, void **args)
{
	pthread_t ids[64];
	void *pairs[64][2];
	pthread_attr_t attr;
	sigset_t all;

	sigfillset(&all);
	if (pthread_attr_init(&attr) ||
	    pthread_attr_setsigmask_np(&attr, &all)) {
		fprintf(stderr, "bench_sync: pthread attributes failed\n");
		exit(1);
	}
	for (unsigned i = 0; i < n; i++) {
		memcpy(&pairs[i][0], &fn, sizeof(fn));
		pairs[i][1] = args[i];
		if (pthread_create(&ids[i], &attr, pt_trampoline, pairs[i])) {
			perror("bench_sync: pthread_create");
			exit(1);
		}
	}
	for (unsigned i = 0; i < n; i++)
		pthread_join(ids[i], NULL);
	pthread_attr_destroy(&attr);
}

static void pt_yield(void)
{
	sched_yield();
}

static unsigned pt_cpu(void)
{
	int cpu = sched_getcpu();

	return cpu < 0 ? 0 : (unsigned)cpu;
}

const struct bench_side bench_pthread_side = {
	.name = "pthread",
	.run = pt_run,
	.yield = pt_yield,
	.cpu = pt_cpu,
};

/* ---- uncontended: one thread, lock + tiny critical section + unlock ---- */

struct uncontended {
	int use_sk;
	unsigned long n;
	double ns_per_op;
};

static struct sk_mutex u_sk;
static pthread_mutex_t u_pt = PTHREAD_MUTEX_INITIALIZER;
static volatile unsigned long u_counter;
static atomic_uint u_word;

static void uncontended_thread(void *p)
{
	struct uncontended *u = p;
	uint64_t t0 = now_ns();

	if (u->use_sk == 2) {
		/*
		 * The floor of any lock with one atomic per side: the two
		 * locked RMWs of a lock+unlock pair and nothing else.
		 */
		for (unsigned long i = 0; i < u->n; i++) {
			atomic_fetch_add_explicit(&u_word, 1,
						  memory_order_acquire);
			u_counter++;
			atomic_fetch_sub_explicit(&u_word, 1,
						  memory_order_release);
		}
	} else if (u->use_sk) {
		for (unsigned long i = 0; i < u->n; i++) {
			sk_mutex_lock(&u_sk);
			u_counter++;
			sk_mutex_unlock(&u_sk);
		}
	} else {
		for (unsigned long i = 0; i < u->n; i++) {
			pthread_mutex_lock(&u_pt);
			u_counter++;
			pthread_mutex_unlock(&u_pt);
		}
	}
	u->ns_per_op = (double)(now_ns() - t0) / (double)u->n;
}

/* ---- contended: T threads hammer one lock ---- */

/*
 * Each side's lock and the counter it guards share one cache line of
 * their own, so neither side's critical section touches a line the
 * start-up fields or the other side's lock live on.
 */
struct contended {
	const struct bench_side *side;
	int use_sk;
	unsigned nthreads;
	unsigned long per_thread;
	atomic_uint arrived;
	_Atomic uint64_t t0;
	_Alignas(64) struct sk_mutex sk;
	unsigned long sk_counter;
	_Alignas(64) pthread_mutex_t pt;
	unsigned long pt_counter;
};

#ifdef SK_SYNC_TEST_HOOKS
/*
 * Where the threads ran: every PLACE_EVERY iterations a thread notes its
 * CPU; summed per figure and side, printed as the share of op blocks per
 * CPU and how often a thread found itself on another CPU than last time.
 */
enum { PLACE_CPUS = 4, PLACE_EVERY = 1024 };

struct placement {
	unsigned long blocks[PLACE_CPUS];
	unsigned long moves;
};

static struct placement place_sum[BENCH_FIGURES][2];

static void place_note(const struct bench_side *side, struct placement *pl,
		       unsigned *last)
{
	unsigned cpu = side->cpu();

	pl->blocks[cpu < PLACE_CPUS ? cpu : PLACE_CPUS - 1]++;
	if (*last != cpu && *last != ~0u)
		pl->moves++;
	*last = cpu;
}

static void place_print(enum bench_figure fig)
{
	for (unsigned s = 0; s < 2; s++) {
		struct placement *pl = &place_sum[fig][s];
		unsigned long total = 0;

		for (unsigned i = 0; i < PLACE_CPUS; i++)
			total += pl->blocks[i];
		if (!total)
			continue;
		printf("  %s op blocks per cpu:", s ? "skiff" : "pthread");
		for (unsigned i = 0; i < PLACE_CPUS; i++)
			printf(" %.2f", (double)pl->blocks[i] / (double)total);
		printf(", cpu changes per 1000 blocks %.2f\n",
		       1000.0 * (double)pl->moves / (double)total);
	}
}
#endif

struct contender {
	struct contended *c;
#ifdef SK_SYNC_TEST_HOOKS
	struct placement place;
#endif
};

static void contended_thread(void *p)
{
	struct contender *me = p;
	struct contended *c = me->c;
	uint64_t zero = 0;
#ifdef SK_SYNC_TEST_HOOKS
	unsigned last = ~0u;
#endif

	/* Start together; the last to arrive starts the clock. */
	if (atomic_fetch_add(&c->arrived, 1) + 1 == c->nthreads)
		atomic_compare_exchange_strong(&c->t0, &zero, now_ns());
	while (atomic_load(&c->arrived) < c->nthreads)
		c->side->yield();
	for (unsigned long i = 0; i < c->per_thread; i++) {
#ifdef SK_SYNC_TEST_HOOKS
		if (i % PLACE_EVERY == 0)
			place_note(c->side, &me->place, &last);
#endif
		if (c->use_sk) {
			sk_mutex_lock(&c->sk);
			c->sk_counter++;
			sk_mutex_unlock(&c->sk);
		} else {
			pthread_mutex_lock(&c->pt);
			c->pt_counter++;
			pthread_mutex_unlock(&c->pt);
		}
	}
}

static double contended_sample(const struct bench_side *side, int use_sk,
			       unsigned nthreads, unsigned long total,
			       enum bench_figure fig)
{
	static struct contended c;
	struct contender me[64];
	void *args[64];

	c = (struct contended){ .side = side,
				.use_sk = use_sk,
				.nthreads = nthreads,
				.per_thread = total / nthreads };
	pthread_mutex_init(&c.pt, NULL);
	for (unsigned i = 0; i < nthreads; i++) {
		me[i] = (struct contender){ .c = &c };
		args[i] = &me[i];
	}
	side->run(nthreads, contended_thread, args);
	uint64_t dt = now_ns() - atomic_load(&c.t0);
	unsigned long counter = use_sk ? c.sk_counter : c.pt_counter;

	if (counter != c.per_thread * nthreads) {
		fprintf(stderr, "bench_sync: lost updates!\n");
		exit(1);
	}
	pthread_mutex_destroy(&c.pt);
#ifdef SK_SYNC_TEST_HOOKS
	for (unsigned i = 0; i < nthreads; i++) {
		struct placement *sum = &place_sum[fig][use_sk != 0];

		for (unsigned k = 0; k < PLACE_CPUS; k++)
			sum->blocks[k] += me[i].place.blocks[k];
		sum->moves += me[i].place.moves;
	}
#else
	(void)fig;
#endif
	return (double)counter * 1000.0 / (double)dt; /* Mops/s */
}

/* ---- condvar ping-pong: two threads hand a turn back and forth ---- */

struct pingpong {
	int use_sk;
	unsigned long rounds;
	unsigned turn;
	struct sk_mutex skm;
	struct sk_cond skc;
	pthread_mutex_t ptm;
	pthread_cond_t ptc;
};

struct player {
	struct pingpong *pp;
	unsigned me;
};

static void pingpong_thread(void *p)
{
	struct player *pl = p;
	struct pingpong *pp = pl->pp;

	for (unsigned long i = 0; i < pp->rounds; i++) {
		if (pp->use_sk) {
			sk_mutex_lock(&pp->skm);
			while (pp->turn != pl->me)
				sk_cond_wait(&pp->skc, &pp->skm);
			pp->turn = !pl->me;
			sk_cond_signal(&pp->skc);
			sk_mutex_unlock(&pp->skm);
		} else {
			pthread_mutex_lock(&pp->ptm);
			while (pp->turn != pl->me)
				pthread_cond_wait(&pp->ptc, &pp->ptm);
			pp->turn = !pl->me;
			pthread_cond_signal(&pp->ptc);
			pthread_mutex_unlock(&pp->ptm);
		}
	}
}

static double pingpong_sample(const struct bench_side *side, int use_sk,
			      unsigned long rounds)
{
	static struct pingpong pp;
	struct player pl[2] = { { &pp, 0 }, { &pp, 1 } };
	void *args[2] = { &pl[0], &pl[1] };

	pp = (struct pingpong){ .use_sk = use_sk, .rounds = rounds };
	pthread_mutex_init(&pp.ptm, NULL);
	pthread_cond_init(&pp.ptc, NULL);
	uint64_t t0 = now_ns();

	side->run(2, pingpong_thread, args);
	uint64_t dt = now_ns() - t0;

	pthread_cond_destroy(&pp.ptc);
	pthread_mutex_destroy(&pp.ptm);
	return (double)dt / (double)rounds;
}

static double measure(const struct bench_side *side, int use_sk,
		      enum bench_figure fig, unsigned long scale)
{
	switch (fig) {
	case BENCH_UNCONTENDED:
	case BENCH_FLOOR: {
		int mode = fig == BENCH_FLOOR && use_sk ? 2 : use_sk;
		struct uncontended u = { mode, 2000000ul * scale, 0 };
		void *arg = &u;

		side->run(1, uncontended_thread, &arg);
		return u.ns_per_op;
	}
	case BENCH_CONTENDED_2:
	case BENCH_CONTENDED_4:
	case BENCH_CONTENDED_8: {
		/* 2, 4, 8 threads: the three figures are consecutive. */
		unsigned n = 2u << (fig - BENCH_CONTENDED_2);

		return contended_sample(side, use_sk, n, 400000ul * scale, fig);
	}
	default:
		return pingpong_sample(side, use_sk, 20000ul * scale);
	}
}

double bench_measure(const struct bench_side *side, int use_sk,
		     enum bench_figure fig, unsigned long scale)
{
#ifdef SK_SYNC_TEST_HOOKS
	unsigned long before[SK_SYNC_EV_COUNT];
	static const unsigned long locks[BENCH_FIGURES] = {
		2000000, 400000, 400000, 400000, 40000, 0,
	};

	struct rusage r0, r1;

	ev_snap(before);
	getrusage(RUSAGE_SELF, &r0);
	double v = measure(side, use_sk, fig, scale);

	getrusage(RUSAGE_SELF, &r1);
	if (use_sk && locks[fig]) {
		ev_add(fig, before, locks[fig] * scale);
		if (getenv("SK_BENCH_TRACE"))
			printf(" -> %.1f\n", v);
	}
	sw_add(fig, use_sk != 0, &r0, &r1, locks[fig] * scale);
	return v;
#else
	return measure(side, use_sk, fig, scale);
#endif
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

static const char *const fig_names[BENCH_FIGURES] = {
	"uncontended lock+unlock", "contended 2 threads",
	"contended 4 threads",	   "contended 8 threads",
	"condvar ping-pong",	   "floor (skiff column: 2 bare locked RMWs)",
};

static const char *const fig_units[BENCH_FIGURES] = {
	"ns/op", "Mops/s", "Mops/s", "Mops/s", "ns/round-trip", "ns/op",
};

static const char *const fig_keys[BENCH_FIGURES] = {
	"uncontended", "contended", "contended",
	"contended",   "pingpong",  "floor",
};

void bench_report(enum bench_figure fig, double *sk, double *pt, unsigned reps)
{
	double s = median(sk, reps), p = median(pt, reps);

	printf("%s: skiff %.1f %s, pthread %.1f %s, ratio %.2f\n",
	       fig_names[fig], s, fig_units[fig], p, fig_units[fig], s / p);
#ifdef SK_SYNC_TEST_HOOKS
	for (unsigned side = 0; side < 2; side++) {
		printf("  %s samples:", side ? "pthread" : "skiff");
		for (unsigned r = 0; r < reps; r++)
			printf(" %.1f", side ? pt[r] : sk[r]);
		printf("\n");
	}
	ev_print(fig);
	if (fig != BENCH_UNCONTENDED && fig != BENCH_FLOOR)
		sw_print(fig);
	place_print(fig);
#endif
	fflush(stdout);
}

int bench_wanted(const char *only, enum bench_figure fig)
{
	return !only || strcmp(only, fig_keys[fig]) == 0;
}
