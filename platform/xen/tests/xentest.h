/* SPDX-License-Identifier: MIT */
/*
 * The xen platform's in-image checks: a tiny runner (CHECK records a
 * failure and goes on) shared by xentest.c and xentest_grant.c.
 */
#ifndef XENTEST_H
#define XENTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <plat/cpu.h>
#include <plat/irq.h>
#include <plat/time.h>
#include <x86/fmt.h>

extern unsigned xt_failures;

#define CHECK(cond)                                                     \
	do {                                                            \
		if (!(cond)) {                                          \
			xt_failures++;                                  \
			sk_x86_printf("  FAILED %s:%d: %s\n", __FILE__, \
				      __LINE__, #cond);                 \
		}                                                       \
	} while (0)

/* Wait (irqs on) until @cond or 20 s of Xen time pass: a bound against a
 * hang, not a timing assertion (with 2 s, a CI run saw vCPU 1 answer the
 * IST request too late under a loaded host). */
#define WAIT_FOR(cond)                                                 \
	do {                                                           \
		uint64_t t_end_ = sk_plat_clock_ns() + 20000000000ull; \
		sk_plat_irq_enable();                                  \
		while (!(cond) && sk_plat_clock_ns() < t_end_)         \
			sk_plat_cpu_relax();                           \
		sk_plat_irq_disable();                                 \
	} while (0)

/* Event channels between two ports of this domain, then grants. */
/* Whether @word occurs in the image's command line. */
bool xt_cmdline_has(const char *word);
void xt_evtchn_loopback(void);
void xt_grant(void);
/* IST stacks: route vectors 2 and 18 to a probe (boot), enter both on the
 * calling vCPU, then check every vCPU ran them on its own IST stacks. */
void xt_ist_init(void);
void xt_ist_enter(void);
void xt_ist_check(void);
/* sk_plat_cpu_is_preempted from Xen's runstate areas (xentest_runstate.c);
 * xt_runstate_ap is called from each AP's idle loop. */
void xt_runstate(void);
void xt_runstate_ap(unsigned cpu);

#endif
