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
#include <stdbool.h>

#include <x86/cpu.h>
#include <x86/pvclock.h>

#include <x86/irq.h>

#include "xen.h"

static const uint64_t NSEC = 1000000000ull;

/* Xen-written fields: read each exactly once, in order. */
#define PV_READ(p, field) \
	(*(const volatile __typeof__((p)->field) *)&(p)->field)

static uint64_t clock_raw(void)
{
	sk_plat_irq_flags f = sk_plat_irq_save(); /* stay on this vCPU */
	uint64_t ns = sk_x86_pvclock_read(&sk_xen_cpu_self()->vi->time);

	sk_plat_irq_restore(f);
	return ns;
}

uint64_t sk_plat_clock_ns(void)
{
	return sk_x86_clock_merge(clock_raw());
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
	const struct sk_x86_pvclock *t = &sk_xen_cpus[0].vi->time;
	bool merge = !(sk_x86_pvclock_flags(t) & SK_X86_PVCLOCK_TSC_STABLE);

	sk_x86_clock_merge_set(merge);
	sk_xen_boot.clock_source =
		merge ? "xen-pvclock (max-merged)" : "xen-pvclock";
}

static void timer_program(struct sk_xen_cpu *c, uint64_t deadline_ns)
{
	/* No VCPU_SSHOTTMR_future flag: a past deadline fires at once. */
	struct sk_xen_singleshot s = { deadline_ns, 0, 0 };

	c->timer_set_ns = deadline_ns;
	c->timer_set_rc = SK_XEN_HC3(SK_XEN_HC_VCPU_OP,
				     SK_XEN_VCPUOP_SET_SINGLESHOT_TIMER,
				     c->pc.cpu_id, &s);
}

void sk_xen_timer_rescue(struct sk_xen_cpu *c, uint64_t after_ns)
{
	uint64_t at = clock_raw() + after_ns;

	/* The handler sees the real deadline (or none) and re-programs it:
	 * a rescue is always earlier than what it displaces. */
	if (at < c->timer_deadline_ns)
		timer_program(c, at);
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

	switch (sk_x86_timer_check(&c->timer_deadline_ns, sk_plat_clock_ns())) {
	case SK_X86_TIMER_EARLY: /* Xen's slack, or another vCPU's clock */
		timer_program(c, c->timer_deadline_ns);
		break;
	case SK_X86_TIMER_DUE:
		sk_x86_irq_call(SK_PLAT_IRQ_TIMER);
		break;
	case SK_X86_TIMER_NONE: /* cancelled after it fired */
		break;
	}
}

uint64_t sk_kvm_clock_ns_to_tsc(uint64_t ns)
{
	uint64_t now_tsc = sk_x86_rdtsc();

	return sk_x86_clock_ns_to_tsc(ns, sk_plat_clock_ns(), now_tsc,
				      sk_xen_boot.tsc_hz);
}
