// SPDX-License-Identifier: MIT
/*
 * bench_netchan: lib/netchan against its peers, measured in the same run.
 *   ring throughput, one element and bursts of 32, producer and consumer
 *     on two host CPUs: skiff sk_ring vs DPDK rte_ring (SP/SC) and
 *     liburcu wfcqueue;
 *   ring ping-pong latency (one-way hop) for the same three;
 *   flow lookups per second in an RCU hash table keyed by SipHash-2-4 vs
 *     the same table with OSv's XOR hash, with ordinary flows and with
 *     flows crafted to collide under XOR (a hash flood);
 *   producer-to-consumer wake latency: a net channel between two vCPUs of
 *     the hosted machine vs Linux eventfd between two pthreads.
 * Each figure is the median of several runs.  The machine is shared and
 * noisy: compare ratios, and use callgrind for instruction counts.
 */
#define _GNU_SOURCE
#include "qbench_common.h"

#include <stdatomic.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

void qb_wfcq_prepare(uint64_t n);

enum { REPS = 7, MAXREPS = 16 };

static double median(double *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
			double t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Median of a round's REPS results, leaving @v in measurement order. */
static double median_of(const double *v)
{
	double c[MAXREPS];

	memcpy(c, v, REPS * sizeof(*v));
	return median(c, REPS);
}

/*
 * One figure line.  @s and @p hold the per-round results of skiff and the
 * peer, measured back to back in each round; the ratio printed is the
 * median of the per-round ratios, which a load change between rounds
 * moves far less than the ratio of the two medians.
 */
static void line(const char *fig, double *s, const char *peer, double *p,
		 const char *unit, int higher_better)
{
	double q[MAXREPS], ms, mp;

	for (unsigned i = 0; i < REPS; i++)
		q[i] = p[i] > 0 ? (higher_better ? s[i] / p[i] : p[i] / s[i])
				: 0;
	ms = median_of(s);
	mp = median_of(p);
	if (mp <= 0) {
		printf("%s: skiff %.2f %s, %s not available\n", fig, ms, unit,
		       peer);
		return;
	}
	printf("%s: skiff %.2f %s, %s %.2f %s, ratio %.2f\n", fig, ms, unit,
	       peer, mp, unit, median(q, REPS));
}

static void ring_figures(uint64_t n, uint64_t rounds)
{
	static const unsigned bursts[] = { 1, 32 };
	double s[MAXREPS], r[MAXREPS], w[MAXREPS];

	qb_wfcq_prepare(n);
	for (unsigned b = 0; b < 2; b++) {
		char fig[64];

		for (unsigned i = 0; i < REPS; i++) {
			s[i] = qb_tput_skiff(bursts[b], n);
			r[i] = qb_have_rte() ? qb_tput_rte(bursts[b], n) : 0;
			w[i] = qb_tput_wfcq(bursts[b], n);
		}
		snprintf(fig, sizeof(fig), "ring throughput burst %u",
			 bursts[b]);
		line(fig, s, "rte_ring SP/SC", r, "Mops/s", 1);
		line(fig, s, "wfcqueue", w, "Mops/s", 1);
		for (unsigned i = 0; i < REPS; i++) {
			s[i] = qb_local_skiff(bursts[b], n);
			r[i] = qb_have_rte() ? qb_local_rte(bursts[b], n) : 0;
			w[i] = qb_local_wfcq(bursts[b], n);
		}
		snprintf(fig, sizeof(fig), "ring push+pop one thread burst %u",
			 bursts[b]);
		line(fig, s, "rte_ring SP/SC", r, "Mops/s", 1);
		line(fig, s, "wfcqueue", w, "Mops/s", 1);
	}
	for (unsigned i = 0; i < REPS; i++) {
		s[i] = qb_pingpong_skiff(rounds);
		r[i] = qb_have_rte() ? qb_pingpong_rte(rounds) : 0;
		w[i] = qb_pingpong_wfcq(rounds);
	}
	line("ring ping-pong one-way", s, "rte_ring SP/SC", r, "ns", 0);
	line("ring ping-pong one-way", s, "wfcqueue", w, "ns", 0);
}

/* eventfd wake latency between two pthreads (the peer). */
struct efd {
	int fd;
	unsigned n;
	uint64_t *t0, *t1;
	_Atomic unsigned done; /* samples the reader has taken */
};

static void *efd_reader(void *arg)
{
	struct efd *e = arg;
	uint64_t v;

	qb_pin(1);
	for (unsigned i = 0; i < e->n; i++) {
		if (read(e->fd, &v, sizeof(v)) != sizeof(v))
			qb_fail("eventfd read");
		e->t1[i] = qb_now();
		atomic_store_explicit(&e->done, i + 1, memory_order_release);
	}
	return NULL;
}

static double eventfd_wake_ns(unsigned n)
{
	struct efd e = { .fd = eventfd(0, 0), .n = n };
	double *d = calloc(n, sizeof(double));
	pthread_t t;
	uint64_t one = 1;
	double m;

	e.t0 = calloc(n, sizeof(uint64_t));
	e.t1 = calloc(n, sizeof(uint64_t));
	if (e.fd < 0 || !d || !e.t0 || !e.t1)
		qb_fail("eventfd set-up");
	qb_pin(0);
	pthread_create(&t, NULL, efd_reader, &e);
	for (unsigned i = 0; i < n; i++) {
		usleep(200); /* let the reader block in read() */
		e.t0[i] = qb_now();
		if (write(e.fd, &one, sizeof(one)) != sizeof(one))
			qb_fail("eventfd write");
		/* One write per read: eventfd would merge a second one. */
		while (atomic_load_explicit(&e.done, memory_order_acquire) <= i)
			sched_yield();
	}
	pthread_join(t, NULL);
	for (unsigned i = 0; i < n; i++)
		d[i] = (double)(e.t1[i] - e.t0[i]);
	m = median(d, n);
	close(e.fd);
	free(d);
	free(e.t0);
	free(e.t1);
	return m;
}

/* machine.c: the figures measured on the hosted skiff machine. */
int bm_run(unsigned wakes, double peer_eventfd_ns);

int main(int argc, char **argv)
{
	uint64_t n = 4000000, rounds = 200000;
	unsigned wakes = 2000;

	if (argc > 1 && !strcmp(argv[1], "--quick")) {
		n = 400000;
		rounds = 20000;
		wakes = 200;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[argc - 1], "--local-only")) {
		/* For callgrind: instruction counts of push+pop alone. */
		for (unsigned b = 1; b <= 32; b += 31) {
			qb_local_skiff(b, n);
			if (qb_have_rte())
				qb_local_rte(b, n);
		}
		return 0;
	}
	ring_figures(n, rounds);
	if (argc > 1 && !strcmp(argv[argc - 1], "--ring-only"))
		return 0;
	return bm_run(wakes, eventfd_wake_ns(wakes));
}
