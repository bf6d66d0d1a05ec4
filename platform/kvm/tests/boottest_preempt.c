// SPDX-License-Identifier: MIT
/*
 * sk_plat_cpu_is_preempted under KVM: the steal-time record's preempted
 * flag.  The running CPU and CPUs out of range are never preempted.  With
 * "preempt=1" the test runs under real KVM with both vCPU threads pinned to
 * one host CPU (platform/kvm/tests/preempt_run.py): while vCPU 1 spins and
 * vCPU 0 runs, vCPU 1 waits for the host CPU, so KVM must account steal
 * time in vCPU 1's record (the record is registered and written where we
 * read it).  KVM sets the preempted flag itself only when the vCPU left on
 * a host interrupt at an instruction boundary (Linux 5.18+), which this
 * host's KVM (kvm_pvm) never reports; "preempt_flag=1" asserts the flag
 * too, for hosts that do.  Under TCG (no steal time) only the "never
 * preempted" half applies.
 */
#include <stdatomic.h>

#include <kvm/boot.h>
#include <plat/cpu.h>
#include <plat/irq.h>
#include <plat/time.h>

#include "../kvm.h" /* the steal-time record, for its steal counter */
#include "boottest.h"

static _Atomic int spin_stop, spinning;

static void spin(unsigned cpu, void *arg)
{
	(void)cpu;
	(void)arg;
	atomic_store_explicit(&spinning, 1, memory_order_relaxed);
	sk_plat_irq_enable();
	/* Acquire: pairs with the release store that ends the spin. */
	while (!atomic_load_explicit(&spin_stop, memory_order_acquire))
		sk_plat_cpu_relax();
	sk_plat_irq_disable();
}

int bt_case_cpu_preempted(void)
{
	unsigned n = sk_plat_cpu_count(), seen = 0, samples = 0;
	int expect = bt_cmdline_has("preempt=1");
	int expect_flag = bt_cmdline_has("preempt_flag=1");
	const volatile uint64_t *steal = &sk_kvm_cpus[1].steal.steal;
	uint64_t end, steal0;

	BT_CHECK(!sk_plat_cpu_is_preempted(sk_plat_cpu_id()));
	BT_CHECK(!sk_plat_cpu_is_preempted(n));
	if (expect)
		BT_CHECK(sk_kvm_boot_info()->steal_time && n >= 2);
	if (n < 2)
		return 0;
	atomic_store_explicit(&spin_stop, 0, memory_order_relaxed);
	steal0 = *steal;
	bt_remote_post(1, spin, NULL);
	end = sk_plat_clock_ns() + 2000000000ull;
	while (sk_plat_clock_ns() < end && !(expect_flag && seen)) {
		seen += sk_plat_cpu_is_preempted(1);
		samples++;
		sk_plat_cpu_relax();
	}
	atomic_store_explicit(&spin_stop, 1, memory_order_release);
	sk_x86_printf("  vCPU 1 %s: preempted in %u of %u samples, "
		      "steal time +%lu us\n",
		      atomic_load_explicit(&spinning, memory_order_relaxed)
			      ? "spinning"
			      : "not started",
		      seen, samples, (unsigned long)((*steal - steal0) / 1000));
	BT_CHECK(bt_remote_wait(1) == 0);
	if (expect) /* KVM wrote vCPU 1's record while it waited */
		BT_CHECK(*steal > steal0);
	if (expect_flag)
		BT_CHECK(seen > 0);
	return 0;
}
