// SPDX-License-Identifier: MIT
/*
 * Test harness backend (harness.h) for the pthread port: every test
 * thread is a pthread with its own sk_thread record from the port.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>

#include <plat/assert.h>

#include "harness.h"

void th_libc_enter(void)
{
}

void th_libc_exit(void)
{
}

int th_main(const char *name, const struct CMUnitTest *tests, size_t n)
{
	return _cmocka_run_group_tests(name, tests, n, NULL, NULL);
}

int th_setup(void **state)
{
	(void)state;
	return 0;
}

int th_teardown(void **state)
{
	(void)state;
	return 0;
}

static void *th_trampoline(void *p)
{
	struct th_one *t = p;

	t->fn(0, t->arg);
	return NULL;
}

void th_start(struct th_one *t, th_fn fn, void *arg)
{
	pthread_t *id = malloc(sizeof(*id));

	t->fn = fn;
	t->arg = arg;
	t->handle = id;
	if (!id || pthread_create(id, NULL, th_trampoline, t) != 0)
		SK_PANIC("test harness: pthread_create failed");
}

void th_join(struct th_one *t)
{
	pthread_t *id = t->handle;

	pthread_join(*id, NULL);
	free(id);
}

struct th_slot {
	th_fn fn;
	void *arg;
	unsigned idx;
	pthread_barrier_t *start;
};

static void *th_slot_main(void *p)
{
	struct th_slot *s = p;

	/* All start together, or the first could finish before the last. */
	pthread_barrier_wait(s->start);
	s->fn(s->idx, s->arg);
	return NULL;
}

void th_run(unsigned n, th_fn fn, void *arg)
{
	pthread_t *ids = calloc(n, sizeof(*ids));
	struct th_slot *slots = calloc(n, sizeof(*slots));
	pthread_barrier_t start;

	if (!ids || !slots || pthread_barrier_init(&start, NULL, n) != 0)
		SK_PANIC("test harness: out of memory");
	for (unsigned i = 0; i < n; i++) {
		slots[i] = (struct th_slot){ fn, arg, i, &start };
		if (pthread_create(&ids[i], NULL, th_slot_main, &slots[i]))
			SK_PANIC("test harness: pthread_create failed");
	}
	for (unsigned i = 0; i < n; i++)
		pthread_join(ids[i], NULL);
	pthread_barrier_destroy(&start);
	free(ids);
	free(slots);
}

void th_yield(void)
{
	sched_yield();
}

void th_pause(void)
{
	struct timespec ts = { 0, 20000 };

	nanosleep(&ts, NULL);
}
