// SPDX-License-Identifier: MIT
/*
 * The kvm boot test image: checks the platform contract on real (virtual)
 * hardware, the way platform/hosted/tests check it on Linux.  Prints one
 * line per case and shuts down with the number of failed cases, which
 * tools/run returns as its exit status.  Command line: "cpus=N" makes the
 * CPU count a checked expectation; "crash=..." (boottest_crash.c) crashes.
 */
#include <errno.h>

#include <plat/boot.h>
#include <plat/cpu.h>
#include <plat/entropy.h>
#include <plat/irq.h>
#include <plat/mem.h>
#include <plat/time.h>
#include <kvm/boot.h>

#include "boottest.h"

struct bt_counts bt_counts[SK_PLAT_CPUS_MAX];

struct remote {
	_Atomic(bt_remote_fn) fn;
	void *arg;
	_Atomic int done;
} SK_CACHE_ALIGNED;
static struct remote remotes[SK_PLAT_CPUS_MAX];

extern const char __kernel_start[];

int bt_wait_until(int (*done)(void), uint64_t timeout_ns)
{
	uint64_t end = sk_plat_clock_ns() + timeout_ns;

	while (!done()) {
		if (sk_plat_clock_ns() >= end)
			return -1;
		sk_plat_irq_enable();
		sk_plat_cpu_relax();
		sk_plat_irq_disable();
	}
	return 0;
}

void bt_remote_post(unsigned cpu, bt_remote_fn fn, void *arg)
{
	struct remote *r = &remotes[cpu];

	r->arg = arg;
	atomic_store_explicit(&r->done, 0, memory_order_relaxed);
	/* Release: arg and done = 0 before fn; pairs with the AP's acquire. */
	atomic_store_explicit(&r->fn, fn, memory_order_release);
	sk_plat_cpu_ipi(cpu);
}

int bt_remote_wait(unsigned cpu)
{
	uint64_t end = sk_plat_clock_ns() + 10000000000ull;

	/* Acquire: pairs with the AP's release of done, so its results are
	 * visible here. */
	while (!atomic_load_explicit(&remotes[cpu].done,
				     memory_order_acquire)) {
		if (sk_plat_clock_ns() >= end)
			return -1;
		sk_plat_cpu_relax();
	}
	return 0;
}

int bt_remote_run(unsigned cpu, bt_remote_fn fn, void *arg)
{
	bt_remote_post(cpu, fn, arg);
	return bt_remote_wait(cpu);
}

static _Noreturn void ap_loop(unsigned cpu, void *arg)
{
	struct remote *r = &remotes[cpu];

	(void)arg;
	sk_plat_cpu_local_set(&bt_counts[cpu]);
	for (;;) {
		/* Acquire: pairs with the release in bt_remote_post. */
		bt_remote_fn fn =
			atomic_load_explicit(&r->fn, memory_order_acquire);

		if (!fn) {
			sk_plat_cpu_idle();
			continue;
		}
		atomic_store_explicit(&r->fn, NULL, memory_order_relaxed);
		fn(cpu, r->arg);
		/* Release: fn's effects before done; pairs with the waiter. */
		atomic_store_explicit(&r->done, 1, memory_order_release);
	}
}

static int case_cpus_discovered(void)
{
	uint64_t want = bt_cmdline_number("cpus=", 0);

	BT_CHECK(sk_plat_cpu_count() >= 1);
	BT_CHECK(sk_plat_cpu_id() == 0);
	if (want)
		BT_CHECK(sk_plat_cpu_count() == want);
	for (unsigned c = 1; c < sk_plat_cpu_count(); c++)
		BT_CHECK(sk_plat_cpu_start(c, ap_loop, NULL) == 0);
	BT_CHECK(sk_plat_cpu_start(1, ap_loop, NULL) != 0);
	BT_CHECK(sk_plat_cpu_start(0, ap_loop, NULL) != 0);
	BT_CHECK(sk_plat_cpu_start(sk_plat_cpu_count(), ap_loop, NULL) != 0);
	return 0;
}

static void remote_identity(unsigned cpu, void *arg)
{
	unsigned *out = arg;

	out[cpu] = sk_plat_cpu_id() +
		   1000u * (sk_plat_cpu_local() == &bt_counts[cpu]);
}

static int case_cpu_id_and_local(void)
{
	static unsigned seen[SK_PLAT_CPUS_MAX];

	sk_plat_cpu_local_set(&bt_counts[0]);
	BT_CHECK(sk_plat_cpu_local() == &bt_counts[0]);
	for (unsigned c = 1; c < sk_plat_cpu_count(); c++) {
		BT_CHECK(bt_remote_run(c, remote_identity, seen) == 0);
		BT_CHECK(seen[c] == c + 1000u);
	}
	return 0;
}

static int case_mem_regions_sane(void)
{
	static struct sk_plat_mem_region r[64];
	unsigned n = sk_plat_mem_regions(r, 64);
	uint64_t usable = 0;
	int kernel_seen = 0;

	BT_CHECK(n > 0 && n <= 64);
	for (unsigned i = 0; i < n; i++) {
		BT_CHECK(r[i].len > 0 && !(r[i].pa & 4095) &&
			 !(r[i].len & 4095));
		if (i)
			BT_CHECK(r[i].pa >= r[i - 1].pa + r[i - 1].len);
		if (r[i].type == SK_PLAT_MEM_USABLE) {
			usable += r[i].len;
			BT_CHECK(sk_plat_phys_to_virt(r[i].pa) != NULL);
			BT_CHECK(sk_plat_virt_to_phys(sk_plat_phys_to_virt(
					 r[i].pa + r[i].len - 1)) ==
				 r[i].pa + r[i].len - 1);
		}
		if (r[i].type == SK_PLAT_MEM_KERNEL &&
		    r[i].pa <= (uintptr_t)__kernel_start &&
		    (uintptr_t)__kernel_start < r[i].pa + r[i].len)
			kernel_seen = 1;
	}
	BT_CHECK(kernel_seen);
	BT_CHECK(usable >= (16ull << 20));
	BT_CHECK(sk_plat_phys_to_virt(0xfee00000) == NULL); /* APIC MMIO */
	BT_CHECK(sk_plat_phys_to_virt(0x1000) == NULL); /* low memory */
	BT_CHECK(sk_plat_virt_to_phys((void *)(uintptr_t)0xfffff000) ==
		 UINT64_MAX);
	return 0;
}

static int case_calibration_plausible(void)
{
	const struct sk_kvm_boot_info *b = sk_kvm_boot_info();
	uint64_t t0 = sk_plat_clock_ns(), t1;

	BT_CHECK(b->tsc_hz >= 100000000ull && b->tsc_hz <= 20000000000ull);
	BT_CHECK(b->lapic_hz >= 1000000ull);
	BT_CHECK(b->main_tsc > b->entry_tsc);
	t1 = sk_plat_clock_ns();
	BT_CHECK(t1 >= t0);
	BT_CHECK(sk_plat_wallclock_ns() > 1577836800ull * 1000000000ull);
	return 0;
}

/* "entropy=1": the CPU has RDSEED or RDRAND (QEMU -cpu max), so the
 * platform must deliver; otherwise -ENOTSUP is the only other answer. */
static int case_entropy(void)
{
	static unsigned char a[37], b[37];
	long r = sk_plat_entropy(a, sizeof(a));
	unsigned same = 0;

	if (!bt_cmdline_number("entropy=", 0)) {
		BT_CHECK(r == (long)sizeof(a) || r == -ENOTSUP);
		return 0;
	}
	BT_CHECK(r == (long)sizeof(a));
	BT_CHECK(sk_plat_entropy(b, sizeof(b)) == (long)sizeof(b));
	for (unsigned i = 0; i < sizeof(a); i++)
		same += a[i] == b[i];
	BT_CHECK(same < sizeof(a) / 2);
	return 0;
}

static const struct bt_case cases[] = {
	{ "cpus_discovered_and_started", case_cpus_discovered },
	{ "cpu_id_and_local_per_cpu", case_cpu_id_and_local },
	{ "mem_regions_sorted_aligned", case_mem_regions_sane },
	{ "calibration_plausible", case_calibration_plausible },
	{ "kernel_map_protections", bt_case_kernel_map_protections },
	{ "timer_never_early", bt_case_timer_not_early },
	{ "timer_past_deadline_fires", bt_case_timer_past_deadline },
	{ "timer_rearm_replaces", bt_case_timer_rearm_replaces },
	{ "timer_cancel", bt_case_timer_cancel },
	{ "timer_on_every_cpu", bt_case_timer_on_every_cpu },
	{ "ipi_reaches_only_target", bt_case_ipi_reaches_target },
	{ "irq_off_defers_once", bt_case_irq_off_defers },
	{ "clock_monotonic_across_cpus", bt_case_clock_monotonic_across_cpus },
	{ "tlb_flush_all_cpus", bt_case_tlb_flush_all_cpus },
	{ "tlb_shootdown_remap", bt_case_tlb_shootdown_remap },
	{ "device_irq_routed", bt_case_device_irq_routed },
	{ "entropy", case_entropy },
	{ "cpu_preempted", bt_case_cpu_preempted },
};

void sk_kvm_main(void)
{
	bt_crash_if_asked();
	bt_irq_handlers_install();
	sk_plat_shutdown((int)bt_cases_run(
		"boottest", cases, (unsigned)SK_ARRAY_LEN(cases), NULL));
}
