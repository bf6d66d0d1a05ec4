// SPDX-License-Identifier: MIT
/*
 * Platform checks under Xen: vCPU count and start-up, the memory map from
 * XENMEM_memory_map, Xen's clock and wall clock, one-shot timers on every
 * vCPU (never early, once, on their own vCPU), IPIs over event channels
 * (to each vCPU, to self, deferred while irqs are off and delivered once by
 * the enable), a TLB flush across vCPUs, event channels and grant tables
 * (xentest_grant.c).  "cpus=N" on the command line is the expected vCPU
 * count.  Exits with the number of failed checks.
 */
#include <errno.h>
#include <stdatomic.h>

#include <kvm/boot.h>
#include <plat/boot.h>
#include <plat/cpu.h>
#include <plat/irq.h>
#include <plat/mem.h>
#include <plat/time.h>
#include <x86/cpu.h>
#include <xen/store.h>
#include <xen/xen.h>

#include "xentest.h"

unsigned xt_failures;

enum { CPUS = 64 };

static _Atomic unsigned ipis[CPUS], fires[CPUS], started[CPUS];
static _Atomic uint64_t fired_ns[CPUS];
static _Atomic uint64_t request[CPUS]; /* deadline for the AP to arm */
static _Atomic int ist_request[CPUS]; /* the AP enters its IST vectors */

static void on_timer(void *arg)
{
	unsigned me = sk_plat_cpu_id();

	(void)arg;
	atomic_store_explicit(&fired_ns[me], sk_plat_clock_ns(),
			      memory_order_relaxed);
	atomic_fetch_add_explicit(&fires[me], 1, memory_order_release);
}

static _Atomic int ipi_echo; /* CPU 1 answers each IPI with one to CPU 0 */

static void on_ipi(void *arg)
{
	unsigned me = sk_plat_cpu_id();

	(void)arg;
	atomic_fetch_add_explicit(&ipis[me], 1, memory_order_release);
	if (me == 1 && atomic_load_explicit(&ipi_echo, memory_order_relaxed))
		sk_plat_cpu_ipi(0);
}

static void ap_entry(unsigned cpu, void *arg)
{
	(void)arg;
	atomic_store_explicit(&started[cpu], sk_plat_cpu_id() + 1,
			      memory_order_release);
	for (;;) {
		uint64_t d = atomic_exchange_explicit(&request[cpu], 0,
						      memory_order_acquire);

		if (d)
			sk_plat_timer_arm(d);
		/* Clear the request only once the vectors ran: CPU 0 reads
		 * what they recorded as soon as it sees it cleared (it once
		 * read a stale 0 when this cleared it first). */
		if (atomic_load_explicit(&ist_request[cpu],
					 memory_order_acquire)) {
			xt_ist_enter();
			/* Release: the IST records before the clear. */
			atomic_store_explicit(&ist_request[cpu], 0,
					      memory_order_release);
		}
		xt_runstate_ap(cpu);
		sk_plat_cpu_idle();
	}
}

bool xt_cmdline_has(const char *word)
{
	size_t n = __builtin_strlen(word);

	for (const char *s = sk_plat_cmdline(); *s; s++)
		if (__builtin_strncmp(s, word, n) == 0)
			return true;
	return false;
}

static unsigned expected_cpus(void)
{
	const char *s = sk_plat_cmdline();
	unsigned v = 0;

	for (; *s; s++)
		if (s[0] == 'c' && s[1] == 'p' && s[2] == 'u' && s[3] == 's' &&
		    s[4] == '=')
			for (s += 5; *s >= '0' && *s <= '9'; s++)
				v = v * 10 + (unsigned)(*s - '0');
	return v ? v : 1;
}

static void check_boot(void)
{
	const struct sk_kvm_boot_info *b = sk_kvm_boot_info();

	sk_x86_printf("case boot_record\n");
	CHECK(__builtin_memcmp(b->hypervisor, "XenVMMXenVMM", 12) == 0);
	CHECK(b->tsc_hz > 100000000ull && b->tsc_hz < 10000000000ull);
	CHECK(sk_plat_cpu_count() == expected_cpus());
	CHECK(sk_plat_cpu_id() == 0);
}

static void check_memory(void)
{
	static struct sk_plat_mem_region r[128];
	unsigned n = sk_plat_mem_regions(r, 128);
	uint64_t usable = 0, end = 0, kernel = (uintptr_t)&xt_failures;
	int kernel_covered = 0;

	sk_x86_printf("case memory_map (%u regions)\n", n);
	CHECK(n > 0 && n <= 128);
	for (unsigned i = 0; i < n && i < 128; i++) {
		CHECK((r[i].pa & 4095) == 0 && (r[i].len & 4095) == 0);
		CHECK(r[i].pa >= end); /* sorted, disjoint */
		end = r[i].pa + r[i].len;
		if (r[i].type == SK_PLAT_MEM_USABLE) {
			usable += r[i].len;
			CHECK(r[i].pa >= 0x100000);
		}
		if (r[i].type == SK_PLAT_MEM_KERNEL && kernel >= r[i].pa &&
		    kernel < end)
			kernel_covered = 1;
	}
	CHECK(kernel_covered);
	CHECK(usable >= (16u << 20)); /* dom0_mem=64M */
}

static void check_clock(void)
{
	uint64_t a = sk_plat_clock_ns(), b, w = sk_plat_wallclock_ns();

	sk_x86_printf("case clock\n");
	for (int i = 0; i < 10000; i++) {
		b = sk_plat_clock_ns();
		CHECK(b >= a);
		if (b < a)
			break;
		a = b;
	}
	CHECK(w > 1577836800ull * 1000000000ull); /* after 2020-01-01 */
}

static void check_cpu_start(void)
{
	unsigned n = sk_plat_cpu_count();

	sk_x86_printf("case cpu_start\n");
	CHECK(sk_plat_cpu_start(0, ap_entry, NULL) == -EINVAL);
	CHECK(sk_plat_cpu_start(n, ap_entry, NULL) == -EINVAL);
	for (unsigned c = 1; c < n && c < CPUS; c++) {
		CHECK(sk_plat_cpu_start(c, NULL, NULL) == -EINVAL);
		CHECK(sk_plat_cpu_start(c, ap_entry, NULL) == 0);
		/* start returns once the CPU is up; its entry runs right
		 * after, so give the first store a moment (1 s at most). */
		for (uint64_t t0 = sk_plat_clock_ns();
		     atomic_load_explicit(&started[c], memory_order_acquire) !=
			     c + 1 &&
		     sk_plat_clock_ns() - t0 < 1000000000ull;)
			sk_plat_cpu_relax();
		CHECK(atomic_load_explicit(&started[c], memory_order_acquire) ==
		      c + 1);
		CHECK(sk_plat_cpu_start(c, ap_entry, NULL) == -EINVAL);
	}
}

/* A timer on @cpu at now + @delta_ns fires once, on that CPU, not early. */
static void check_timer_on(unsigned cpu, uint64_t delta_ns)
{
	unsigned n = sk_plat_cpu_count() < CPUS ? sk_plat_cpu_count() : CPUS;
	unsigned before[CPUS];
	uint64_t deadline = sk_plat_clock_ns() + delta_ns;

	for (unsigned c = 0; c < n; c++)
		before[c] =
			atomic_load_explicit(&fires[c], memory_order_relaxed);
	if (cpu == 0) {
		sk_plat_timer_arm(deadline);
	} else {
		atomic_store_explicit(&request[cpu], deadline,
				      memory_order_release);
		sk_plat_cpu_ipi(cpu);
	}
	WAIT_FOR(atomic_load_explicit(&fires[cpu], memory_order_acquire) !=
		 before[cpu]);
	for (unsigned c = 0; c < n; c++)
		CHECK(atomic_load_explicit(&fires[c], memory_order_acquire) ==
		      before[c] + (c == cpu));
	CHECK(atomic_load_explicit(&fired_ns[cpu], memory_order_relaxed) >=
	      deadline);
}

static void check_timers(void)
{
	unsigned f;

	sk_x86_printf("case timers\n");
	for (unsigned c = 0; c < sk_plat_cpu_count() && c < CPUS; c++) {
		check_timer_on(c, 1000000);
		check_timer_on(c, 20000000);
	}
	/* A past deadline fires once irqs are on, exactly once. */
	f = atomic_load_explicit(&fires[0], memory_order_relaxed);
	sk_plat_timer_arm(sk_plat_clock_ns() - 1);
	WAIT_FOR(atomic_load_explicit(&fires[0], memory_order_acquire) != f);
	CHECK(atomic_load_explicit(&fires[0], memory_order_acquire) == f + 1);
	/* Cancelled: nothing fires within 30 ms. */
	sk_plat_timer_arm(sk_plat_clock_ns() + 5000000);
	sk_plat_timer_cancel();
	uint64_t until = sk_plat_clock_ns() + 30000000;

	WAIT_FOR(sk_plat_clock_ns() >= until);
	CHECK(atomic_load_explicit(&fires[0], memory_order_acquire) == f + 1);
	/* Re-arming replaces: the later deadline wins. */
	sk_plat_timer_arm(sk_plat_clock_ns() + 1000000);
	uint64_t later = sk_plat_clock_ns() + 15000000;

	sk_plat_timer_arm(later);
	WAIT_FOR(atomic_load_explicit(&fires[0], memory_order_acquire) !=
		 f + 1);
	CHECK(atomic_load_explicit(&fired_ns[0], memory_order_relaxed) >=
	      later);
}

static void check_ipis(void)
{
	unsigned n = sk_plat_cpu_count();

	sk_x86_printf("case ipis\n");
	for (unsigned c = 0; c < n && c < CPUS; c++) {
		unsigned before[CPUS];

		for (unsigned k = 0; k < n && k < CPUS; k++)
			before[k] = atomic_load_explicit(&ipis[k],
							 memory_order_relaxed);
		sk_plat_cpu_ipi(c);
		WAIT_FOR(atomic_load_explicit(&ipis[c], memory_order_acquire) !=
			 before[c]);
		for (unsigned k = 0; k < n && k < CPUS; k++)
			CHECK(atomic_load_explicit(&ipis[k],
						   memory_order_acquire) ==
			      before[k] + (k == c));
	}
	/* Irqs off: two self-IPIs stay pending and coalesce; the enable
	 * delivers them before it returns, once. */
	unsigned b = atomic_load_explicit(&ipis[0], memory_order_relaxed);

	sk_plat_cpu_ipi(0);
	sk_plat_cpu_ipi(0);
	for (volatile int i = 0; i < 100000; i++)
		;
	CHECK(atomic_load_explicit(&ipis[0], memory_order_relaxed) == b);
	sk_plat_irq_enable();
	unsigned after = atomic_load_explicit(&ipis[0], memory_order_relaxed);

	sk_plat_irq_disable();
	CHECK(after == b + 1);
	CHECK(!sk_plat_irq_is_enabled());
}

/* Figures, not checks: timer lateness and IPI round trips (irqs on). */
static void report_costs(void)
{
	enum { N = 200 };
	uint64_t late_max = 0, late_sum = 0, t0, t1;
	unsigned f;

	sk_x86_printf("case costs\n");
	for (int i = 0; i < N; i++) {
		uint64_t d = sk_plat_clock_ns() + 500000;

		f = atomic_load_explicit(&fires[0], memory_order_relaxed);
		sk_plat_timer_arm(d);
		WAIT_FOR(atomic_load_explicit(&fires[0],
					      memory_order_acquire) != f);
		uint64_t late = atomic_load_explicit(&fired_ns[0],
						     memory_order_relaxed) -
				d;

		late_sum += late;
		late_max = late > late_max ? late : late_max;
	}
	sk_x86_printf("  500 us timer: late by %lu us on average, %lu us max\n",
		      (unsigned long)(late_sum / N / 1000),
		      (unsigned long)(late_max / 1000));
	if (sk_plat_cpu_count() < 2)
		return;
	atomic_store_explicit(&ipi_echo, 1, memory_order_relaxed);
	t0 = sk_plat_clock_ns();
	for (int i = 0; i < N; i++) {
		f = atomic_load_explicit(&ipis[0], memory_order_relaxed);
		sk_plat_cpu_ipi(1);
		WAIT_FOR(atomic_load_explicit(&ipis[0], memory_order_acquire) !=
			 f);
	}
	t1 = sk_plat_clock_ns();
	atomic_store_explicit(&ipi_echo, 0, memory_order_relaxed);
	sk_x86_printf("  IPI round trip cpu 0 -> 1 -> 0: %lu us\n",
		      (unsigned long)((t1 - t0) / N / 1000));
}

/*
 * The xenstore client.  A dom0 started by Xen has no store ring: every
 * read is -ENODEV, and its id is 0.  A domU reads its own nodes, which
 * run-xen-domu's xl config fixes (name = "skiff"), and the errors of its
 * own making come back without breaking the ring's message stream.
 */
static void check_xenstore(void)
{
	static char long_path[3072 + 2];
	char v[32];
	long n;

	sk_x86_printf("case xenstore\n");
	n = sk_xen_store_read("domid", v, sizeof(v));
	if (sk_xen_is_dom0()) {
		CHECK(n == -ENODEV);
		CHECK(sk_xen_store_read("/local/domain/0/name", v, 8) ==
		      -ENODEV);
		CHECK(sk_xen_domid() == 0);
		return;
	}
	CHECK(n > 0 && n < (long)sizeof(v));
	CHECK(sk_xen_domid() > 0);
	CHECK(sk_xen_store_read("name", v, sizeof(v)) == 5 &&
	      __builtin_memcmp(v, "skiff", 6) == 0);
	CHECK(sk_xen_store_read("name", v, 5) == -E2BIG); /* no room: NUL */
	CHECK(sk_xen_store_read("name", v, 6) == 5);
	CHECK(sk_xen_store_read("skiff-no-such-node", v, sizeof(v)) == -ENOENT);
	CHECK(sk_xen_store_read("", v, sizeof(v)) == -EINVAL);
	for (unsigned i = 0; i < sizeof(long_path) - 1; i++)
		long_path[i] = 'a';
	CHECK(sk_xen_store_read(long_path, v, sizeof(v)) == -EMSGSIZE);
	/* Still in step with xenstored after the errors. */
	n = sk_xen_store_read("domid", v, sizeof(v));
	CHECK(n > 0 && n < (long)sizeof(v));
}

/*
 * "hang=1": a guest that hangs on purpose, for run-xen's lost wake-up
 * workaround (xen_poke_guest_hang): every vCPU halts for good with no
 * timer armed and nothing pending, so NMIs into the physical CPUs must
 * not make the run end.
 */
static void hang_if_asked(void)
{
	if (!xt_cmdline_has("hang=1"))
		return;
	sk_x86_printf("xentest: hanging on purpose (hang=1)\n");
	sk_plat_timer_cancel();
	for (;;)
		__asm__ __volatile__("sti; hlt; cli" ::: "memory");
}

/* platform/xen/idle.c's own (its private xen.h): the halt's hlt label and
 * the upcall handler's return-address rule. */
extern const char sk_xen_halt_hlt[];
uint64_t sk_xen_idle_resume_rip(uint64_t rip);

/*
 * The idle halt's layout, which the upcall handler's fixup relies on
 * (idle.c, sk_xen_halt): sti, then the labelled one-byte hlt, then cli;
 * an interrupt saved at the hlt resumes at the cli, any other rip stays.
 */
static void check_idle_fixup(void)
{
	uint64_t at = (uintptr_t)sk_xen_halt_hlt;
	/* Through an integer: the label is not an array to the compiler. */
	const volatile unsigned char *h =
		(const volatile unsigned char *)(uintptr_t)(at - 1);

	sk_x86_printf("case idle_shadow_fixup\n");
	CHECK(h[0] == 0xfb && h[1] == 0xf4 && h[2] == 0xfa);
	CHECK(sk_xen_idle_resume_rip(at) == at + 1);
	CHECK(sk_xen_idle_resume_rip(at + 1) == at + 1);
	CHECK(sk_xen_idle_resume_rip(at - 1) == at - 1);
}

void sk_kvm_main(void)
{
	hang_if_asked();
	check_idle_fixup();
	sk_plat_irq_set_handler(SK_PLAT_IRQ_TIMER, on_timer, NULL);
	sk_plat_irq_set_handler(SK_PLAT_IRQ_IPI, on_ipi, NULL);
	xt_ist_init();
	check_boot();
	check_memory();
	check_clock();
	check_cpu_start();
	check_timers();
	check_ipis();
	report_costs();
	for (unsigned c = 1; c < sk_plat_cpu_count() && c < CPUS; c++) {
		atomic_store_explicit(&ist_request[c], 1, memory_order_release);
		sk_plat_cpu_ipi(c);
		WAIT_FOR(!atomic_load_explicit(&ist_request[c],
					       memory_order_acquire));
	}
	xt_ist_enter();
	xt_ist_check();
	sk_x86_printf("case tlb_flush\n");
	sk_plat_tlb_flush(0, 0); /* panics if Xen refuses */
	xt_runstate();
	check_xenstore();
	xt_evtchn_loopback();
	xt_grant();
	sk_x86_printf("xentest: %u failure(s)\n", xt_failures);
	sk_plat_shutdown((int)(xt_failures > 250 ? 250 : xt_failures));
}
