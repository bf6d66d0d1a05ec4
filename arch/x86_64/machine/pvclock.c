// SPDX-License-Identifier: MIT
/*
 * Time pieces kvm and xen share (<x86/pvclock.h>): the pvclock formula,
 * the cross-CPU merge of clock readings, and the timer-interrupt verdict.
 *
 * clock_last (the merge):
 *   grows only, by CAS from any CPU (relaxed; see sk_x86_clock_merge)
 */
#include <stdatomic.h>
#include <stddef.h>

#include <x86/cpu.h>
#include <x86/pvclock.h>

__extension__ typedef unsigned __int128 u128;

static const uint64_t NSEC = 1000000000ull;

static bool merge_needed;
static _Atomic uint64_t clock_last;

/* Hypervisor-written fields: each read exactly once, in program order. */
#define PV_READ(p, field) \
	(*(const volatile __typeof__((p)->field) *)&(p)->field)

uint64_t sk_x86_pvclock_read(const struct sk_x86_pvclock *rec)
{
	uint32_t v;
	uint64_t ns;

	do {
		v = PV_READ(rec, version);
		SK_BARRIER();
		uint64_t delta = sk_x86_rdtsc() - PV_READ(rec, tsc_timestamp);
		int8_t shift = PV_READ(rec, tsc_shift);

		delta = shift < 0 ? delta >> -shift : delta << shift;
		ns = PV_READ(rec, system_time) +
		     (uint64_t)(((u128)delta *
				 PV_READ(rec, tsc_to_system_mul)) >>
				32);
		SK_BARRIER();
	} while ((v & 1) || v != PV_READ(rec, version));
	return ns;
}

uint8_t sk_x86_pvclock_flags(const struct sk_x86_pvclock *rec)
{
	return PV_READ(rec, flags);
}

/* The scale inverted: Hz = 1e9 * 2^32 / mul, then the shift undone. */
uint64_t sk_x86_pvclock_tsc_hz(const struct sk_x86_pvclock *rec)
{
	uint32_t mul = PV_READ(rec, tsc_to_system_mul);
	int8_t shift = PV_READ(rec, tsc_shift);
	uint64_t hz;

	if (!mul)
		return 0;
	hz = sk_x86_muldiv(NSEC, 1ull << 32, mul);
	return shift >= 0 ? hz >> shift : hz << -shift;
}

void sk_x86_clock_merge_set(bool needed)
{
	merge_needed = needed;
}

uint64_t sk_x86_clock_merge(uint64_t now)
{
	uint64_t last;

	if (!merge_needed)
		return now;
	/* Relaxed is enough: the max only has to be monotonic in the
	 * modification order of clock_last; callers order their own reads by
	 * happens-before, which the RMW chain respects. */
	last = atomic_load_explicit(&clock_last, memory_order_relaxed);
	do {
		if (now <= last)
			return last;
	} while (!atomic_compare_exchange_weak_explicit(&clock_last, &last, now,
							memory_order_relaxed,
							memory_order_relaxed));
	return now;
}

uint64_t sk_x86_clock_ns_to_tsc(uint64_t ns, uint64_t now_ns, uint64_t now_tsc,
				uint64_t tsc_hz)
{
	if (ns <= now_ns)
		return now_tsc;
	return now_tsc + sk_x86_muldiv(ns - now_ns, tsc_hz, NSEC) + 1;
}

enum sk_x86_timer_verdict sk_x86_timer_check(uint64_t *deadline_ns,
					     uint64_t now_ns)
{
	if (*deadline_ns == UINT64_MAX)
		return SK_X86_TIMER_NONE;
	if (now_ns < *deadline_ns)
		return SK_X86_TIMER_EARLY;
	*deadline_ns = UINT64_MAX;
	return SK_X86_TIMER_DUE;
}
