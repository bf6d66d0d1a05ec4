/* SPDX-License-Identifier: MIT */
/*
 * Platform contract: time.  A monotonic clock in nanoseconds shared by all
 * CPUs, a wall clock, and one one-shot timer per CPU armed at an absolute
 * deadline on the monotonic clock.  There is no periodic tick anywhere.
 */
#ifndef PLAT_TIME_H
#define PLAT_TIME_H

#include <stdint.h>

/*
 * sk_plat_clock_ns - monotonic time in ns since an unspecified origin.
 * Never goes backwards, on one CPU or across CPUs: a reading taken after
 * another (in happens-before order, on any CPU) is >= it.
 * Context: any.
 */
uint64_t sk_plat_clock_ns(void);

/*
 * sk_plat_wallclock_ns - real time in ns since 1970-01-01 UTC.  May jump.
 * Context: any.
 */
uint64_t sk_plat_wallclock_ns(void);

/*
 * sk_plat_timer_arm - arm this CPU's one-shot timer for @deadline_ns on the
 * sk_plat_clock_ns() scale, replacing any earlier arming.  When the clock
 * reaches the deadline, the SK_PLAT_IRQ_TIMER handler runs once on this CPU,
 * never before the deadline.  A deadline already past fires as soon as irqs
 * are enabled.
 * Context: irqs off.
 */
void sk_plat_timer_arm(uint64_t deadline_ns);

/*
 * sk_plat_timer_cancel - disarm this CPU's timer.  An expiry already pending
 * (irqs still off) may still be delivered: handlers must tolerate an early
 * call by checking the time.
 * Context: irqs off.
 */
void sk_plat_timer_cancel(void);

#endif
