// SPDX-License-Identifier: MIT
/*
 * Time: the monotonic clock (kvmclock under KVM, else the TSC scaled by its
 * calibrated frequency), the wall clock (kvmclock's wall clock or the CMOS
 * RTC read once at boot), and the per-CPU one-shot timer on the local APIC
 * (TSC-deadline mode where offered, else one-shot counting at the
 * calibrated APIC frequency).  The timer handler checks the clock, so a
 * calibration error makes a timer late, never early.
 */
#include <plat/irq.h>
#include <plat/time.h>
#include <x86/cpu.h>
#include <x86/lapic.h>
#include <x86/pvclock.h>

#include "kvm.h"

__extension__ typedef unsigned __int128 u128;

enum {
	KVM_FEATURE_CLOCKSOURCE2 = 1u << 3,
	KVM_FEATURE_STEAL_TIME = 1u << 5,
	MSR_KVM_WALL_CLOCK_NEW = 0x4b564d00,
	MSR_KVM_SYSTEM_TIME_NEW = 0x4b564d01,
	MSR_KVM_STEAL_TIME = 0x4b564d03,
	CPUID_INVARIANT_TSC = 1u << 8,
};

static const uint64_t NSEC = 1000000000ull;

struct kvm_wall_clock {
	uint32_t version;
	uint32_t sec;
	uint32_t nsec;
};

static int use_kvmclock;
static int use_steal_time; /* set at boot, before any AP starts */
static uint64_t tsc_base; /* TSC path: the TSC at clock 0 */
static uint64_t tsc_to_ns_mul; /* ns = delta * mul >> 32 */
static uint64_t wall_base_ns; /* wall = wall_base_ns + clock */

static const struct sk_x86_pvclock *pvclock_of(struct sk_kvm_cpu *c)
{
	return &c->pvclock;
}

static uint64_t clock_raw(void)
{
	sk_plat_irq_flags f;
	uint64_t ns;

	if (!use_kvmclock)
		return (uint64_t)(((u128)(sk_x86_rdtsc() - tsc_base) *
				   tsc_to_ns_mul) >>
				  32);
	f = sk_plat_irq_save(); /* stay on this CPU's pvclock record */
	ns = sk_x86_pvclock_read(pvclock_of(sk_kvm_cpu_self()));
	sk_plat_irq_restore(f);
	return ns;
}

uint64_t sk_plat_clock_ns(void)
{
	return sk_x86_clock_merge(clock_raw());
}

uint64_t sk_plat_wallclock_ns(void)
{
	return wall_base_ns + sk_plat_clock_ns();
}

uint64_t sk_kvm_clock_ns_to_tsc(uint64_t ns)
{
	uint64_t now_tsc = sk_x86_rdtsc();

	return sk_x86_clock_ns_to_tsc(ns, sk_plat_clock_ns(), now_tsc,
				      sk_kvm_info.tsc_hz);
}

/* Whether KVM offers the paravirtual feature bit @bit (CPUID 0x40000001). */
static int kvm_feature(uint32_t bit)
{
	const char *hv = sk_kvm_info.hypervisor;

	if (__builtin_memcmp(hv, "KVMKVMKVM", 9) != 0)
		return 0;
	return (sk_x86_cpuid(0x40000001, 0).eax & bit) != 0;
}

void sk_kvm_time_init_cpu(struct sk_kvm_cpu *c)
{
	c->timer_deadline_ns = UINT64_MAX;
	if (use_kvmclock)
		sk_x86_wrmsr(MSR_KVM_SYSTEM_TIME_NEW,
			     (uintptr_t)&c->pvclock | 1);
	if (use_steal_time) /* bit 0: enable */
		sk_x86_wrmsr(MSR_KVM_STEAL_TIME, (uintptr_t)&c->steal | 1);
}

bool sk_plat_cpu_is_preempted(unsigned cpu)
{
	if (!use_steal_time || cpu >= sk_kvm_ncpus)
		return false;
	/* KVM writes the byte from another host thread: read it once. */
	return *(volatile const uint8_t *)&sk_kvm_cpus[cpu].steal.preempted & 1;
}

static void wall_init(void)
{
	static struct kvm_wall_clock wc;
	uint64_t clock = sk_plat_clock_ns();

	if (use_kvmclock) {
		/* The host writes the wall time at kvmclock's zero. */
		sk_x86_wrmsr(MSR_KVM_WALL_CLOCK_NEW, (uintptr_t)&wc);
		SK_BARRIER();
		wall_base_ns =
			(uint64_t) * (volatile uint32_t *)&wc.sec * NSEC +
			*(volatile uint32_t *)&wc.nsec;
		return;
	}
	uint64_t rtc = sk_kvm_rtc_epoch_s() * NSEC;

	wall_base_ns = rtc > clock ? rtc - clock : 0;
}

void sk_kvm_time_init_boot(void)
{
	struct sk_kvm_cpu *boot = &sk_kvm_cpus[0];

	use_kvmclock = kvm_feature(KVM_FEATURE_CLOCKSOURCE2);
	use_steal_time = kvm_feature(KVM_FEATURE_STEAL_TIME);
	sk_kvm_info.steal_time = use_steal_time;
	tsc_base = sk_x86_rdtsc();
	tsc_to_ns_mul = sk_x86_muldiv(NSEC, 1ull << 32, sk_kvm_info.tsc_hz);
	sk_kvm_time_init_cpu(boot);
	if (use_kvmclock)
		sk_x86_clock_merge_set(
			!(sk_x86_pvclock_flags(pvclock_of(boot)) &
			  SK_X86_PVCLOCK_TSC_STABLE));
	else
		sk_x86_clock_merge_set(!(sk_x86_cpuid(0x80000007, 0).edx &
					 CPUID_INVARIANT_TSC));
	sk_kvm_info.clock_source = use_kvmclock ? "kvmclock" : "tsc";
	wall_init();
}

static void timer_program(uint64_t deadline_ns)
{
	uint64_t now = sk_plat_clock_ns();
	uint64_t delta = deadline_ns > now ? deadline_ns - now : 0;
	uint64_t ticks;

	if (sk_kvm_info.tsc_deadline) {
		sk_x86_lapic_timer_deadline(
			delta ? sk_kvm_clock_ns_to_tsc(deadline_ns)
			      : sk_x86_rdtsc());
		return;
	}
	ticks = sk_x86_muldiv(delta, sk_kvm_info.lapic_hz, NSEC) + 1;
	if (ticks > 0xffffffffu || ticks == 0) /* huge, or wrapped */
		ticks = 0xffffffffu; /* fires early; the handler re-arms */
	sk_x86_lapic_timer_oneshot((uint32_t)ticks);
}

void sk_plat_timer_arm(uint64_t deadline_ns)
{
	struct sk_kvm_cpu *c = sk_kvm_cpu_self();

	if (deadline_ns == UINT64_MAX) { /* "never": nothing to arm */
		sk_plat_timer_cancel();
		return;
	}

	c->timer_deadline_ns = deadline_ns;
	timer_program(deadline_ns);
}

void sk_plat_timer_cancel(void)
{
	struct sk_kvm_cpu *c = sk_kvm_cpu_self();

	c->timer_deadline_ns = UINT64_MAX;
	if (sk_kvm_info.tsc_deadline)
		sk_x86_lapic_timer_deadline(0);
	else
		sk_x86_lapic_timer_oneshot(0);
}

void sk_kvm_timer_interrupt(void)
{
	struct sk_kvm_cpu *c = sk_kvm_cpu_self();

	switch (sk_x86_timer_check(&c->timer_deadline_ns, sk_plat_clock_ns())) {
	case SK_X86_TIMER_EARLY: /* calibration or clamping */
		timer_program(c->timer_deadline_ns);
		break;
	case SK_X86_TIMER_DUE:
		sk_kvm_irq_timer_fire();
		break;
	case SK_X86_TIMER_NONE: /* cancelled after it fired */
		break;
	}
}
