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

/* sk_x86_crash_extra - run the hook, if one is set.  Context: any. */
void sk_x86_crash_extra(void);

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

/*
 * sk_x86_crash_thread - print the current lib/sched thread's line of a
 * crash report, if lib/sched is linked in and runs on this CPU (@pc, the
 * CPU's block, has a per-CPU base).  Context: crash report.
 */
struct sk_plat_percpu;
void sk_x86_crash_thread(const struct sk_plat_percpu *pc);

/*
 * sk_x86_shutdown_begin - the part of sk_plat_shutdown kvm and xen share:
 * irqs off, a "shutdown" line, then @status + 1 to QEMU's isa-debug-exit
 * port 0xf4 (QEMU exits with 2(status+1)+1, which keeps QEMU's own status
 * 1 apart from a guest exit 0).  Statuses outside 0..254 become 254.
 * Return: only if there is no such device (the platform's fallback then
 * stops the machine); the clamped status.
 * Context: any.
 */
unsigned sk_x86_shutdown_begin(int status);

#endif
