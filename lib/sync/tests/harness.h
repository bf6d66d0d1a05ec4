/* SPDX-License-Identifier: MIT */
/*
 * Test harness for the lib/sync suites: run the CMocka group, start and
 * join N threads, switch yield injection on and off, scale stress counts.
 * Two backends implement it: harness_port.c (pthreads + the futex port of
 * sched/wait.h) and harness_sched.c (lib/sched threads on the hosted
 * platform).  Test bodies may call CMocka; worker threads never call libc
 * (on lib/sched they can be preempted inside it): they record, and the
 * test body asserts.
 */
#ifndef SYNC_TEST_HARNESS_H
#define SYNC_TEST_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#ifndef STRESS_SCALE
#define STRESS_SCALE 1
#endif

/* Run the group @tests (an array) on the backend; the process status. */
int th_main(const char *name, const struct CMUnitTest *tests, size_t n);
#define TH_MAIN(tests) \
	th_main(#tests, (tests), sizeof(tests) / sizeof((tests)[0]))

/* Fixtures: a test body runs preemptible between them. */
int th_setup(void **state);
int th_teardown(void **state);
#define TH_TEST(fn) cmocka_unit_test_setup_teardown(fn, th_setup, th_teardown)

typedef void (*th_fn)(unsigned idx, void *arg);

/* Run fn(i, arg) for i in [0, n) on n new threads and join them all. */
void th_run(unsigned n, th_fn fn, void *arg);

/* Start one thread running fn(0, arg); th_join() waits for it. */
struct th_one {
	void *handle;
	th_fn fn;
	void *arg;
};
void th_start(struct th_one *t, th_fn fn, void *arg);
void th_join(struct th_one *t);

/* Bracket libc calls from a test body (no preemption inside libc). */
void th_libc_enter(void);
void th_libc_exit(void);

/* Let other threads run (a hint). */
void th_yield(void);

/* Wait a little (a short sleep): for polling loops that wait on others. */
void th_pause(void);

/* Yield at about one in @one_in of lib/sync's injection points (0: off). */
void th_inject_yields(unsigned one_in);

/* Events of enum sk_sync_test_event since start; print them all. */
unsigned long th_events(unsigned ev);
void th_events_print(const char *what);

/* Now plus @ns on the sk_plat_clock_ns() scale. */
uint64_t th_deadline(uint64_t ns);

#endif
