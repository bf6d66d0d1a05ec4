/* SPDX-License-Identifier: MIT */
/*
 * What the lib/rcu tests need from the machine, so one test source runs
 * on both backends: rt_native.c (hosted skiff machine, lib/sched threads)
 * and rt_pthread.c (plain pthreads, liburcu backend).  On native the
 * CMocka group runs with preemption disabled and each test body
 * preemptible (rt_setup/rt_teardown), always on CPU 0; threads a test starts never call
 * libc directly (rt_alloc/rt_free are safe) nor assert: they record, and
 * the body asserts after joining them.
 */
#ifndef RCU_TESTS_RT_H
#define RCU_TESTS_RT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#ifndef STRESS_SCALE
#define STRESS_SCALE 1
#endif

#define RT_ANY_CPU (~0u)

struct rt_thread;

/* Start the machine (native: boot + sched + rcu init) and run @tests. */
int rt_main(const char *name, const struct CMUnitTest *tests, size_t n);
int rt_setup(void **state);
int rt_teardown(void **state);
#define rt_test(fn) cmocka_unit_test_setup_teardown(fn, rt_setup, rt_teardown)

/* Start @fn(@arg), pinned to @cpu unless RT_ANY_CPU (pthreads: never
 * pinned).  NULL on failure. */
struct rt_thread *rt_spawn(unsigned cpu, void (*fn)(void *), void *arg);
void rt_join(struct rt_thread *t);

/* vCPUs (native) or online host CPUs (pthreads). */
unsigned rt_ncpus(void);
bool rt_is_native(void);

void rt_yield(void);
void rt_sleep_ns(uint64_t ns);
uint64_t rt_now_ns(void);

/* malloc/free that any test thread may call. */
void *rt_alloc(size_t len);
void rt_free(void *p);

/* A small per-thread PRNG (xorshift64*). */
static inline uint64_t rt_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1Dull;
}

#endif
