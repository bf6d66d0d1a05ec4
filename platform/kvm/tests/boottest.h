/* SPDX-License-Identifier: MIT */
/*
 * The boot test image's harness: each case returns 0 or -1 after printing
 * which check failed.  Cases run on CPU 0; the other CPUs sit in a command
 * loop (ap_loop in boottest.c) and run what CPU 0 posts to them.
 */
#ifndef KVM_BOOTTEST_H
#define KVM_BOOTTEST_H

#include <stdatomic.h>
#include <stdint.h>

#include <x86/fmt.h>

#define BT_CHECK(cond)                                                       \
	do {                                                                 \
		if (!(cond)) {                                               \
			sk_x86_printf("  check failed: %s (%s:%d)\n", #cond, \
				      __FILE__, __LINE__);                   \
			return -1;                                           \
		}                                                            \
	} while (0)

typedef void (*bt_remote_fn)(unsigned cpu, void *arg);

/* Per-CPU interrupt counters, bumped by the test handlers. */
struct bt_counts {
	_Atomic uint64_t timer;
	_Atomic uint64_t ipi;
	_Atomic uint64_t exit_hook;
	_Atomic uint64_t timer_fired_ns; /* clock when the timer handler ran */
};
extern struct bt_counts bt_counts[];

/* Run @fn(cpu, arg) on CPU @cpu (not 0) and wait for it to finish.
 * Return: 0; -1 if it did not finish within 10 s. */
int bt_remote_run(unsigned cpu, bt_remote_fn fn, void *arg);

/* Post @fn to @cpu without waiting; bt_remote_wait() waits. */
void bt_remote_post(unsigned cpu, bt_remote_fn fn, void *arg);
int bt_remote_wait(unsigned cpu);

/* Halt with irqs on until @done() or @timeout_ns passes on the clock.
 * Return: 0 if done, -1 on timeout.  Context: irqs off on entry/exit. */
int bt_wait_until(int (*done)(void), uint64_t timeout_ns);

/* The value of "key=N" on the command line, or @dflt. */
uint64_t bt_cmdline_number(const char *key, uint64_t dflt);
/* Whether "key=value" is on the command line. */
int bt_cmdline_has(const char *keyval);
/* Whether case @name should run: no "case=" given, or "case=@name". */
int bt_case_wanted(const char *name);

/* A named check: 0 if it passed. */
struct bt_case {
	const char *name;
	int (*fn)(void);
};

/*
 * bt_cases_run - run the wanted ones of @cases[0..n-1], one "ok/FAIL N
 * name" line each, between a header and a summary naming @prog; @after
 * (may be NULL) runs after each case and fails it by returning nonzero.
 * Return: the number of failed cases.
 */
unsigned bt_cases_run(const char *prog, const struct bt_case *cases, unsigned n,
		      int (*after)(void));

/* boottest_irq.c */
void bt_irq_handlers_install(void);
int bt_case_timer_not_early(void);
int bt_case_timer_past_deadline(void);
int bt_case_timer_rearm_replaces(void);
int bt_case_timer_cancel(void);
int bt_case_ipi_reaches_target(void);
int bt_case_irq_off_defers(void);
int bt_case_clock_monotonic_across_cpus(void);
int bt_case_timer_on_every_cpu(void);
int bt_case_tlb_flush_all_cpus(void);
int bt_case_device_irq_routed(void);
/* boottest_preempt.c: sk_plat_cpu_is_preempted (KVM steal time) */
int bt_case_cpu_preempted(void);

/* boottest_kpt.c */
int bt_case_kernel_map_protections(void);
int bt_case_tlb_shootdown_remap(void);

/* boottest_crash.c: crashes on purpose when the command line asks. */
void bt_crash_if_asked(void);

#endif
