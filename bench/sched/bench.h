/* SPDX-License-Identifier: MIT */
/*
 * bench/sched: the Linux peers (peer.c) and helpers shared with the skiff
 * side (bench_sched.c).  All figures are nanoseconds per operation.
 */
#ifndef BENCH_SCHED_H
#define BENCH_SCHED_H

#include <stdint.h>

enum { BENCH_REPS = 5 };

uint64_t bench_host_ns(void);
double bench_median(double *v, unsigned n);

/* Linux peers; each returns ns per operation for one repetition. */
double peer_futex_handoff(unsigned cpu_a, unsigned cpu_b, unsigned rounds);
double peer_pthread_create_join(unsigned n);
double peer_sched_yield(unsigned n);
double peer_bare_switch(unsigned n);

#endif
