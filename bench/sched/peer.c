// SPDX-License-Identifier: MIT
/*
 * The Linux side of bench_sched: futex ping-pong between two pthreads
 * pinned to given CPUs, pthread_create+join, sched_yield, and the bare
 * sk_arch_switch_raw between two contexts (the physical limit of a
 * switch, no scheduler at all).
 */
#define _GNU_SOURCE
#include "bench.h"

#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <arch/context.h>

uint64_t bench_host_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double bench_median(double *v, unsigned n)
{
	qsort(v, n, sizeof(v[0]), cmp_double);
	return v[n / 2];
}

struct pp {
	atomic_uint turn;
	unsigned rounds;
	unsigned cpu[2];
};

static void futex_wait(atomic_uint *w, unsigned val)
{
	syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake(atomic_uint *w)
{
	syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void pin_self(unsigned cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void pp_side(struct pp *p, unsigned me)
{
	pin_self(p->cpu[me]);
	for (unsigned i = 0; i < p->rounds; i++) {
		unsigned t;

		while ((t = atomic_load(&p->turn)) != me)
			futex_wait(&p->turn, t);
		atomic_store(&p->turn, !me);
		futex_wake(&p->turn);
	}
}

static void *pp_b(void *arg)
{
	pp_side(arg, 1);
	return NULL;
}

double peer_futex_handoff(unsigned cpu_a, unsigned cpu_b, unsigned rounds)
{
	struct pp p = { .rounds = rounds, .cpu = { cpu_a, cpu_b } };
	pthread_t b;
	uint64_t t0, t1;

	atomic_init(&p.turn, 1);
	pthread_create(&b, NULL, pp_b, &p);
	pin_self(cpu_a);
	t0 = bench_host_ns();
	pp_side(&p, 0);
	pthread_join(b, NULL);
	t1 = bench_host_ns();
	return (double)(t1 - t0) / (2.0 * rounds);
}

static void *nothing(void *arg)
{
	return arg;
}

double peer_pthread_create_join(unsigned n)
{
	uint64_t t0 = bench_host_ns();

	for (unsigned i = 0; i < n; i++) {
		pthread_t t;

		pthread_create(&t, NULL, nothing, NULL);
		pthread_join(t, NULL);
	}
	return (double)(bench_host_ns() - t0) / n;
}

double peer_sched_yield(unsigned n)
{
	uint64_t t0 = bench_host_ns();

	for (unsigned i = 0; i < n; i++)
		sched_yield();
	return (double)(bench_host_ns() - t0) / n;
}

static struct sk_arch_context ctx_main, ctx_other;

static void bounce(void *arg)
{
	(void)arg;
	for (;;)
		sk_arch_switch(&ctx_other, &ctx_main);
}

double peer_bare_switch(unsigned n)
{
	static unsigned char stack[64 * 1024] __attribute__((aligned(64)));
	uint64_t t0;

	sk_arch_context_init_current(&ctx_main);
	sk_arch_context_init(&ctx_other, stack, sizeof(stack), bounce, NULL);
	t0 = bench_host_ns();
	for (unsigned i = 0; i < n; i++)
		sk_arch_switch(&ctx_main, &ctx_other);
	return (double)(bench_host_ns() - t0) / (2.0 * n);
}
