// SPDX-License-Identifier: MIT
/*
 * Time under Xen: the monotonic clock is Xen system time, read from this
 * vCPU's vcpu_time_info (the pvclock record Xen keeps in vcpu_info: a
 * version, a TSC stamp, and the TSC-to-ns scale); the wall clock is the
 * shared info's wall time at system time 0; the one-shot timer is
 * VCPUOP_set_singleshot_timer, whose deadline is on that same Xen system
 * time scale, delivered as this vCPU's VIRQ_TIMER event.  The handler
 * checks the clock, so an early event re-arms instead of firing early.
 */
#include <plat/irq.h>
#include <plat/time.h>
#include <x86/cpu.h>

#include <x86/irq.h>

#include "xen.h"

__extension__ typedef unsigned __int128 u128;

static const uint64_t NSEC = 1000000000ull;

static int clock_needs_max; /* Xen does not promise a synchronised TSC */
static _Atomic uint64_t clock_last; /* max reading, if clock_needs_max */

/* Xen-written fields: read each exactly once, in order. */
#define PV_READ(p, field) \
	(*(const volatile __typeof__((p)->field) *)&(p)->field)

static uint64_t pvclock_read(const struct sk_xen_vcpu_time *t)
{
	uint32_t v;
	uint64_t ns;

	do {
		v = PV_READ(t, version);
		SK_BARRIER();
		uint64_t delta = sk_x86_rdtsc() - PV_READ(t, tsc_timestamp);
		int8_t shift = PV_READ(t, tsc_shift);

		delta = shift < 0 ? delta >> -shift : delta << shift;
		ns = PV_READ(t, system_time) +
		     (uint64_t)(((u128)delta * PV_READ(t, tsc_to_system_mul)) >>
				32);
		SK_BARRIER();
	} while ((v & 1) || v != PV_READ(t, version));
	return ns;
}

static uint64_t clock_raw(void)
{
	sk_plat_irq_flags f = sk_plat_irq_save(); /* stay on this vCPU */
	uint64_t ns = pvclock_read(&sk_xen_cpu_self()->vi->time);

	sk_plat_irq_restore(f);
	return ns;
}

uint64_t sk_plat_clock_ns(void)
{
	uint64_t now = clock_raw(), last;

	if (!clock_needs_max)
		return now;
	/* Relaxed is enough: the max is monotonic in clock_last's
	 * modification order, which respects the callers' happens-before. */
	last = atomic_load_explicit(&clock_last, memory_order_relaxed);
	do {
		if (now <= last)
			return last;
	} while (!atomic_compare_exchange_weak_explicit(&clock_last, &last, now,
							memory_order_relaxed,
							memory_order_relaxed));
	return now;
}

uint64_t sk_plat_wallclock_ns(void)
{
	const struct sk_xen_shared_info *s = sk_xen_shared;
	uint64_t sec, nsec;
	uint32_t v;

	do {
		v = PV_READ(s, wc_version);
		SK_BARRIER();
		sec = (uint64_t)PV_READ(s, wc_sec_hi) << 32 |
		      PV_READ(s, wc_sec);
		nsec = PV_READ(s, wc_nsec);
		SK_BARRIER();
	} while ((v & 1) || v != PV_READ(s, wc_version));
	return sec * NSEC + nsec + sk_plat_clock_ns();
}

void sk_xen_time_init_cpu(struct sk_xen_cpu *c)
{
	c->timer_deadline_ns = UINT64_MAX;
}

void sk_xen_time_init_boot(void)
{
	const struct sk_xen_vcpu_time *t = &sk_xen_cpus[0].vi->time;

	clock_needs_max = !(PV_READ(t, flags) & SK_XEN_PVCLOCK_TSC_STABLE);
	sk_xen_boot.clock_source =
		clock_needs_max ? "xen-pvclock (max-merged)" : "xen-pvclock";
}

static void timer_program(struct sk_xen_cpu *c, uint64_t deadline_ns)
{
	/* No VCPU_SSHOTTMR_future flag: a past deadline fires at once. */
	struct sk_xen_singleshot s = { deadline_ns, 0, 0 };

	SK_XEN_HC3(SK_XEN_HC_VCPU_OP, SK_XEN_VCPUOP_SET_SINGLESHOT_TIMER, c->pc.cpu_id,
		   &s);
}

void sk_plat_timer_arm(uint64_t deadline_ns)
{
	struct sk_xen_cpu *c = sk_xen_cpu_self();

	if (deadline_ns == UINT64_MAX) { /* "never": nothing to arm */
		sk_plat_timer_cancel();
		return;
	}
	c->timer_deadline_ns = deadline_ns;
	timer_program(c, deadline_ns);
}

void sk_plat_timer_cancel(void)
{
	struct sk_xen_cpu *c = sk_xen_cpu_self();

	c->timer_deadline_ns = UINT64_MAX;
	SK_XEN_HC3(SK_XEN_HC_VCPU_OP, SK_XEN_VCPUOP_STOP_SINGLESHOT_TIMER,
		   c->pc.cpu_id, 0);
}

void sk_xen_timer_event(void *arg)
{
	struct sk_xen_cpu *c = arg;
	uint64_t deadline = c->timer_deadline_ns;

	if (deadline == UINT64_MAX)
		return; /* cancelled after it fired */
	if (sk_plat_clock_ns() < deadline) {
		timer_program(c, deadline); /* early: another vCPU's clock */
		return;
	}
	c->timer_deadline_ns = UINT64_MAX;
	sk_x86_irq_call(SK_PLAT_IRQ_TIMER);
}

uint64_t sk_kvm_clock_ns_to_tsc(uint64_t ns)
{
	uint64_t now_tsc = sk_x86_rdtsc(), now = sk_plat_clock_ns();

	if (ns <= now)
		return now_tsc;
	return now_tsc + sk_x86_muldiv(ns - now, sk_xen_boot.tsc_hz, NSEC) + 1;
}
