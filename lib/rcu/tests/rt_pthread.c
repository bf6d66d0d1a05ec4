// SPDX-License-Identifier: MIT
/*
 * rt.h on plain pthreads, for the liburcu backend.
 */
#define _GNU_SOURCE
#include "rt.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <plat/time.h>
#include <rcu/rcu.h>

struct rt_thread {
	pthread_t id;
	void (*fn)(void *);
	void *arg;
};

void *rt_alloc(size_t len)
{
	return aligned_alloc(64, (len + 63) & ~(size_t)63);
}

void rt_free(void *p)
{
	free(p);
}

int rt_main(const char *name, const struct CMUnitTest *tests, size_t n)
{
	if (sk_rcu_init())
		return 101;
	return _cmocka_run_group_tests(name, tests, n, NULL, NULL);
}

int rt_setup(void **state)
{
	(void)state;
	return 0;
}

int rt_teardown(void **state)
{
	(void)state;
	return 0;
}

static void *rt_entry(void *p)
{
	struct rt_thread *t = p;

	t->fn(t->arg);
	return NULL;
}

struct rt_thread *rt_spawn(unsigned cpu, void (*fn)(void *), void *arg)
{
	struct rt_thread *t = malloc(sizeof(*t));

	(void)cpu;
	if (!t)
		return NULL;
	t->fn = fn;
	t->arg = arg;
	if (pthread_create(&t->id, NULL, rt_entry, t)) {
		free(t);
		return NULL;
	}
	return t;
}

void rt_join(struct rt_thread *t)
{
	pthread_join(t->id, NULL);
	free(t);
}

unsigned rt_ncpus(void)
{
	const char *env = getenv("SK_CPUS");
	long n = env ? atol(env) : sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned)n : 1;
}

bool rt_is_native(void)
{
	return false;
}

void rt_yield(void)
{
	sched_yield();
}

void rt_sleep_ns(uint64_t ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(ns / 1000000000u),
		.tv_nsec = (long)(ns % 1000000000u),
	};

	nanosleep(&ts, NULL);
}

uint64_t rt_now_ns(void)
{
	return sk_plat_clock_ns();
}
