/* SPDX-License-Identifier: MIT */
/*
 * The xen platform's in-image checks: a tiny runner (CHECK records a
 * failure and goes on) shared by xentest.c and xentest_grant.c.
 */
#ifndef XENTEST_H
#define XENTEST_H

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

/* Event channels between two ports of this domain, then grants. */
void xt_evtchn_loopback(void);
void xt_grant(void);
/* IST stacks: route vectors 2 and 18 to a probe (boot), enter both on the
 * calling vCPU, then check every vCPU ran them on its own IST stacks. */
void xt_ist_init(void);
void xt_ist_enter(void);
void xt_ist_check(void);

#endif
