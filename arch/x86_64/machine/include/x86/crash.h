/* SPDX-License-Identifier: MIT */
/*
 * Crash reports: what an unhandled exception or a panic prints before the
 * machine stops.  The platform adds its own lines (CPU, current thread)
 * through a hook, and decides how to stop (sk_plat_shutdown).
 */
#ifndef X86_CRASH_H
#define X86_CRASH_H

#include <stdint.h>

#include <x86/trap.h>

/* Exit status of a machine that crashed (sysexits.h EX_SOFTWARE). */
enum { SK_X86_CRASH_STATUS = 70 };

typedef void (*sk_x86_crash_extra_fn)(void);

/*
 * sk_x86_crash_set_extra - @fn prints platform lines (CPU id, current
 * thread) in every crash report.
 * Context: boot.
 */
void sk_x86_crash_set_extra(sk_x86_crash_extra_fn fn);

/*
 * sk_x86_crash_frame - report the exception in @f (vector, error code,
 * registers, CR2, backtrace with symbols) and stop the machine with
 * SK_X86_CRASH_STATUS.  A crash inside a crash report stops at once.
 * Context: any.  Never returns.
 */
_Noreturn void sk_x86_crash_frame(const struct sk_x86_frame *f);

/*
 * sk_x86_crash_backtrace - print the frame-pointer chain from @rbp,
 * symbolised, at most 32 frames, stopping at anything not plausibly a
 * frame (so it never faults on a broken chain).
 * Context: any.
 */
void sk_x86_crash_backtrace(uintptr_t rip, uintptr_t rbp);

/*
 * sk_x86_crash_enter - claim the crash report for this CPU.
 * Return: 1 for the first caller; 0 if a report is already running (the
 * caller should then stop without printing).
 * Context: any.
 */
int sk_x86_crash_enter(void);

#endif
