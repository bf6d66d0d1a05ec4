/* SPDX-License-Identifier: MIT */
/*
 * Concurrency: several pthreads, each with its own loader TCB, use
 * general- and local-dynamic TLS of one object (the lock-free DTV fast
 * path and the locked slow path) while other threads open and close
 * objects (the loader lock, the DTV growing).  Each thread must only ever
 * see its own values.  Results are counted and asserted by the main
 * thread.  Runs under ThreadSanitizer in CI (suite 'concurrency').
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include <elf/loader.h>
#include <elf/tls.h>

#include "host_ops.h"

#ifndef STRESS_SCALE
#define STRESS_SCALE 1
#endif

#define FN(type, p) ((type)(uintptr_t)(p))

typedef int (*int_fn)(void);
typedef void (*set_fn)(int);

enum { TLS_THREADS = 3, OPENERS = 1, ROUNDS = 2000 * STRESS_SCALE };

static struct sk_elf_obj *gd;
static int_fn gd_get, ld_get;
static set_fn gd_set;
static atomic_int wrong, failed_open;

static void *tls_worker(void *arg)
{
	int id = (int)(intptr_t)arg;

	if (sk_elf_tls_create(&host_ops_thread_tcb)) {
		atomic_fetch_add_explicit(&wrong, 1, memory_order_relaxed);
		return NULL;
	}
	if (gd_get() != 555 || ld_get() != 666)
		atomic_fetch_add_explicit(&wrong, 1, memory_order_relaxed);
	for (int i = 0; i < ROUNDS; i++) {
		int v = id * 1000000 + i;

		gd_set(v);
		if (gd_get() != v)
			atomic_fetch_add_explicit(&wrong, 1,
						  memory_order_relaxed);
	}
	sk_elf_tls_destroy(host_ops_thread_tcb);
	host_ops_thread_tcb = NULL;
	return NULL;
}

static void *opener(void *arg)
{
	const char *path = arg;

	for (int i = 0; i < ROUNDS / 10; i++) {
		struct sk_elf_obj *o;
		void *a;

		if (sk_elf_open(path, 0, &o) ||
		    sk_elf_sym(o, "dep_get_counter", &a) ||
		    FN(int_fn, a)() != 41 || sk_elf_close(o))
			atomic_fetch_add_explicit(&failed_open, 1,
						  memory_order_relaxed);
	}
	return NULL;
}

static void test_threads_tls_isolated_during_open_close(void **state)
{
	pthread_t t[TLS_THREADS + OPENERS];
	char path[512];

	(void)state;
	host_obj_path(path, sizeof(path), "libskreloc.so");
	for (int i = 0; i < TLS_THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, tls_worker,
						(void *)(intptr_t)(i + 1)),
				 0);
	for (int i = 0; i < OPENERS; i++)
		assert_int_equal(
			pthread_create(&t[TLS_THREADS + i], NULL, opener, path),
			0);
	for (int i = 0; i < TLS_THREADS + OPENERS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(atomic_load(&wrong), 0);
	assert_int_equal(atomic_load(&failed_open), 0);
}

static int kernel_pad(void)
{
	return 0;
}

static void *kernel_lookup(void *ctx, const char *name, const char *version,
			   uint32_t hash)
{
	(void)ctx;
	(void)version;
	(void)hash;
	/* libskreloc.so imports host_hook; any function will do here. */
	return name[0] == 'h' && name[1] == 'o' ? (void *)(uintptr_t)kernel_pad
						: NULL;
}

static struct sk_elf_provider kernel = { .name = "test-kernel",
					 .lookup = kernel_lookup };

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads_tls_isolated_during_open_close),
	};
	struct sk_elf_ops ops;
	char path[512];
	void *a, *b, *c;

	host_ops_fill(&ops, HOST_OPS_FILE_MAP | HOST_OPS_THREAD_TCB);
	host_obj_path(path, sizeof(path), "libsktls_gd.so");
	if (sk_elf_init(&ops) || sk_elf_provider_add(&kernel) ||
	    sk_elf_open(path, 0, &gd) || sk_elf_sym(gd, "gd_get", &a) ||
	    sk_elf_sym(gd, "ld_get", &b) || sk_elf_sym(gd, "gd_set", &c)) {
		fprintf(stderr, "setup: %s\n", sk_elf_error());
		return 1;
	}
	gd_get = FN(int_fn, a);
	ld_get = FN(int_fn, b);
	gd_set = FN(set_fn, c);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
