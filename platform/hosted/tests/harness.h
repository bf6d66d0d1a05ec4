/* SPDX-License-Identifier: MIT */
/*
 * Test harness for platform/hosted: boots a machine, starts every CPU in a
 * mailbox loop, runs a CMocka group on CPU 0 and shuts down with its
 * result.  Handlers here only count (they run in signal context); tests
 * assert from CPU 0's main flow.
 */
#ifndef HOSTED_TESTS_HARNESS_H
#define HOSTED_TESTS_HARNESS_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <hosted/boot.h>
#include <plat/compiler.h>
#include <plat/cpu.h>

enum { HT_CPUS = 16 };

typedef void (*ht_fn)(void *arg);

struct ht_counts {
	_Atomic unsigned ipi[HT_CPUS];
	_Atomic unsigned timer[HT_CPUS];
	_Atomic uint64_t timer_ns[HT_CPUS]; /* clock at the last expiry */
	_Atomic unsigned timer_wrong_cpu; /* expiry on a CPU that did not arm */
	_Atomic unsigned irqs_on_in_handler; /* handler saw irqs enabled */
	_Atomic unsigned exit_hook[HT_CPUS];
	_Atomic unsigned exit_hook_irqs_on; /* exit hook saw irqs enabled */
	_Atomic unsigned entry_hook[HT_CPUS];
	/* Set by the entry hook; a handler that finds it clear counts a
	 * handler_before_entry (tests clear it before raising an irq). */
	_Atomic unsigned entry_flag[HT_CPUS];
	_Atomic unsigned handler_before_entry;
	_Atomic unsigned entry_hook_irqs_on; /* entry hook saw irqs enabled */
};

extern struct ht_counts ht;

/* Extra IPI work for a test, run from the IPI handler after counting. */
extern _Atomic(ht_fn) ht_ipi_hook;

/*
 * Boot with @cfg (NULL: environment), run @tests on CPU 0 and return the
 * process exit status.
 */
int ht_main(const struct sk_hosted_config *cfg, const char *name,
	    const struct CMUnitTest *tests, size_t ntests);

/* Run @fn(arg) on @cpu (irqs on) and wait for it.  Context: CPU 0. */
void ht_run_on(unsigned cpu, ht_fn fn, void *arg);
/* Start @fn(arg) on @cpu without waiting; ht_join(cpu) waits. */
void ht_run_async(unsigned cpu, ht_fn fn, void *arg);
void ht_join(unsigned cpu);

/*
 * Wait on this CPU until *@word >= @value, idling between checks; a 1 ms
 * timer tick backs up the wake-ups when @tick is set (it counts in
 * ht.timer).  Context: irqs on; returns with irqs on.
 */
void ht_wait_geq(_Atomic unsigned *word, unsigned value, int tick);

#endif
