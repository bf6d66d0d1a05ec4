/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the queue benchmarks (qbench.h users): pin the
 * calling thread to a host CPU, a monotonic clock, and failure.
 */
#ifndef BENCH_NETCHAN_QBENCH_COMMON_H
#define BENCH_NETCHAN_QBENCH_COMMON_H

#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline void qb_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static inline uint64_t qb_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline void qb_fail(const char *what)
{
	fprintf(stderr, "bench_netchan: %s\n", what);
	exit(1);
}

/* Each peer file exports these (n objects, burst 1..64). */
double qb_tput_skiff(unsigned burst, uint64_t n);
double qb_pingpong_skiff(uint64_t rounds);
double qb_tput_rte(unsigned burst, uint64_t n);
double qb_pingpong_rte(uint64_t rounds);
double qb_tput_wfcq(unsigned burst, uint64_t n);
double qb_pingpong_wfcq(uint64_t rounds);
double qb_local_skiff(unsigned burst, uint64_t n);
double qb_local_rte(unsigned burst, uint64_t n);
double qb_local_wfcq(unsigned burst, uint64_t n);
int qb_have_rte(void);

#endif
