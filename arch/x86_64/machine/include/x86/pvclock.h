/* SPDX-License-Identifier: MIT */
/*
 * Time pieces kvm and xen share: the pvclock record (the same ABI in
 * kvmclock's per-CPU record and in Xen's vcpu_time_info), the merge that
 * keeps a clock monotonic across CPUs when the hypervisor does not promise
 * a synchronised TSC, and the one-shot timer's "fired early?" check.
 */
#ifndef X86_PVCLOCK_H
#define X86_PVCLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include <plat/compiler.h>

/* The hypervisor-written record (32 bytes). */
struct sk_x86_pvclock {
	uint32_t version; /* odd while the hypervisor updates it */
	uint32_t pad0;
	uint64_t tsc_timestamp;
	uint64_t system_time; /* ns at tsc_timestamp */
	uint32_t tsc_to_system_mul; /* ns = (tsc delta << shift) * mul >> 32 */
	int8_t tsc_shift;
	uint8_t flags; /* SK_X86_PVCLOCK_TSC_STABLE */
	uint8_t pad[2];
};

enum { SK_X86_PVCLOCK_TSC_STABLE = 1u << 0 };

/*
 * sk_x86_pvclock_read - system time in ns from @rec, version-checked (a
 * record the hypervisor updates meanwhile is read again).
 * Context: irqs off (the record is this CPU's).
 */
uint64_t sk_x86_pvclock_read(const struct sk_x86_pvclock *rec);

/* sk_x86_pvclock_flags - @rec's flags, read once.  Context: any. */
uint8_t sk_x86_pvclock_flags(const struct sk_x86_pvclock *rec);

/*
 * sk_x86_pvclock_tsc_hz - the TSC frequency that @rec's scale implies.
 * Context: any.
 */
uint64_t sk_x86_pvclock_tsc_hz(const struct sk_x86_pvclock *rec);

/*
 * sk_x86_clock_merge_set - whether sk_x86_clock_merge must merge readings
 * across CPUs (the source's CPUs may disagree).
 * Context: boot, before other CPUs read the clock.
 */
void sk_x86_clock_merge_set(bool needed);

/*
 * sk_x86_clock_merge - @now, or the largest reading any CPU returned
 * before if that is later: the clock then never goes backwards across
 * CPUs.  Without the merge (sk_x86_clock_merge_set(false)) it is @now.
 * Context: any.
 */
uint64_t sk_x86_clock_merge(uint64_t now);

/*
 * sk_x86_clock_ns_to_tsc - the TSC value at which clock time @ns will be
 * reached (a little later, never earlier), given the clock reading
 * @now_ns taken at TSC @now_tsc and the TSC frequency @tsc_hz.
 * Context: any.
 */
uint64_t sk_x86_clock_ns_to_tsc(uint64_t ns, uint64_t now_ns, uint64_t now_tsc,
				uint64_t tsc_hz);

enum sk_x86_timer_verdict {
	SK_X86_TIMER_NONE, /* no deadline: cancelled after it fired */
	SK_X86_TIMER_EARLY, /* before the deadline: program it again */
	SK_X86_TIMER_DUE, /* *deadline_ns cleared: run the core's handler */
};

/*
 * sk_x86_timer_check - what a one-shot timer interrupt means for the
 * per-CPU deadline at @deadline_ns (UINT64_MAX: none), judged against the
 * clock @now_ns: so a timer never fires early, whatever the hardware did.
 * Context: the timer interrupt, irqs off.
 */
enum sk_x86_timer_verdict sk_x86_timer_check(uint64_t *deadline_ns,
					     uint64_t now_ns);

#endif
