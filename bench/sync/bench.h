/* SPDX-License-Identifier: MIT */
/*
 * bench_sync's view of a thread backend: run N threads to completion,
 * yield the CPU, and say what it is.  bench_sync.c measures; bench_port.c
 * and bench_sched.c supply the skiff side, the peer always uses pthreads.
 */
#ifndef BENCH_SYNC_BENCH_H
#define BENCH_SYNC_BENCH_H

typedef void (*bench_fn)(void *arg);

struct bench_side {
	const char *name;
	/* Run fn(args[i]) on @n new threads (n <= 64) and join them. */
	void (*run)(unsigned n, bench_fn fn, void **args);
	void (*yield)(void);
	/* The CPU the caller runs on now (a sample, for placement counts). */
	unsigned (*cpu)(void);
};

/* The peer: Linux threads. */
extern const struct bench_side bench_pthread_side;

enum bench_figure {
	BENCH_UNCONTENDED,
	BENCH_CONTENDED_2,
	BENCH_CONTENDED_4,
	BENCH_CONTENDED_8,
	BENCH_PINGPONG,
	BENCH_FLOOR, /* skiff column: one fetch_add + one fetch_sub, no lock */
	BENCH_FIGURES,
};

/*
 * bench_measure - one sample of @fig on @side, skiff (@use_sk) or peer.
 * Return: ns/op, Mops/s or ns/round-trip, as bench_report prints.
 */
double bench_measure(const struct bench_side *side, int use_sk,
		     enum bench_figure fig, unsigned long scale);

/* Print one figure line from REPS samples of each side. */
void bench_report(enum bench_figure fig, double *sk, double *pt, unsigned reps);

/* Whether the command line asked for @fig (argv[2]; none: all). */
int bench_wanted(const char *only, enum bench_figure fig);

#endif
