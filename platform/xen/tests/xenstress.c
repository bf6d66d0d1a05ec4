// SPDX-License-Identifier: MIT
/*
 * A stress of the paths around the 2-vCPU triple fault of issue 10 (see
 * docs/xen.md): vCPU 0 reads the clock in long stretches with irqs off
 * (each rdtsc a VM exit, since Xen emulates the TSC here) and between them
 * takes its events, while every other vCPU sends it IPIs, arms one-shot
 * timers of its own and idles.  "stress_ms=N" on the command line is the
 * length (default 3000 ms).  Exits 0 if the clock never went backwards
 * and the last IPI, sent after the stress, reached vCPU 0 (the platform
 * may coalesce IPIs, never lose the last one); a fault stops the machine
 * instead.
 */
#include <stdatomic.h>

#include <kvm/boot.h>
#include <plat/boot.h>
#include <plat/cpu.h>
#include <plat/irq.h>
#include <plat/time.h>
#include <x86/cpu.h>
#include <x86/fmt.h>

enum { BURST = 200, AP_TIMER_NS = 50000 };

static _Atomic uint64_t ipis_seen, ipis_sent, timers_fired;
static _Atomic int stop, final_sent, final_seen;

static void on_ipi(void *arg)
{
	(void)arg;
	atomic_fetch_add_explicit(&ipis_seen, 1, memory_order_relaxed);
	/* Acquire: pairs with the AP's release of final_sent, which it
	 * stores before its last IPI. */
	if (atomic_load_explicit(&final_sent, memory_order_acquire))
		atomic_store_explicit(&final_seen, 1, memory_order_relaxed);
}

static void on_timer(void *arg)
{
	(void)arg;
	atomic_fetch_add_explicit(&timers_fired, 1, memory_order_relaxed);
}

static void ap_entry(unsigned cpu, void *arg)
{
	(void)cpu;
	(void)arg;
	/* Acquire: pairs with the release of stop in sk_kvm_main. */
	while (!atomic_load_explicit(&stop, memory_order_acquire)) {
		atomic_fetch_add_explicit(&ipis_sent, 1, memory_order_relaxed);
		sk_plat_cpu_ipi(0);
		sk_plat_timer_arm(sk_plat_clock_ns() + AP_TIMER_NS);
		for (int i = 0; i < BURST / 4; i++)
			(void)sk_plat_clock_ns();
		sk_plat_cpu_idle();
	}
	/* Release: pairs with on_ipi's acquire; the IPI below comes after. */
	atomic_store_explicit(&final_sent, 1, memory_order_release);
	sk_plat_cpu_ipi(0);
	for (;;)
		sk_plat_cpu_idle();
}

static uint64_t cmdline_ms(void)
{
	const char *s = sk_plat_cmdline();
	uint64_t v = 0;

	for (; *s; s++)
		if (__builtin_strncmp(s, "stress_ms=", 10) == 0)
			for (s += 10; *s >= '0' && *s <= '9'; s++)
				v = v * 10 + (uint64_t)(*s - '0');
	return v ? v : 3000;
}

/* Clock reads in bursts with irqs off until @end; Return: backward steps. */
static uint64_t stress_until(uint64_t end, uint64_t *rounds)
{
	uint64_t last = 0, backwards = 0;

	while (last < end) {
		for (int i = 0; i < BURST; i++) {
			uint64_t now = sk_plat_clock_ns();

			backwards += now < last;
			last = now;
		}
		sk_plat_irq_enable(); /* take what came meanwhile */
		sk_plat_cpu_relax();
		sk_plat_irq_disable();
		(*rounds)++;
	}
	return backwards;
}

void sk_kvm_main(void)
{
	uint64_t rounds = 0, backwards, end;
	unsigned n = sk_plat_cpu_count();
	int lost;

	sk_plat_irq_set_handler(SK_PLAT_IRQ_TIMER, on_timer, NULL);
	sk_plat_irq_set_handler(SK_PLAT_IRQ_IPI, on_ipi, NULL);
	for (unsigned c = 1; c < n; c++)
		if (sk_plat_cpu_start(c, ap_entry, NULL) != 0)
			sk_plat_shutdown(2);
	backwards = stress_until(sk_plat_clock_ns() + cmdline_ms() * 1000000ull,
				 &rounds);
	/* Release: pairs with ap_entry's acquire. */
	atomic_store_explicit(&stop, 1, memory_order_release);
	end = sk_plat_clock_ns() + 2000000000ull;
	sk_plat_irq_enable();
	while (n > 1 &&
	       !atomic_load_explicit(&final_seen, memory_order_relaxed) &&
	       sk_plat_clock_ns() < end)
		sk_plat_cpu_relax();
	sk_plat_irq_disable();
	lost = n > 1 &&
	       !atomic_load_explicit(&final_seen, memory_order_relaxed);
	sk_x86_printf("xenstress: %lu rounds, %lu ipis sent, %lu seen, %lu ap "
		      "timers, clock backwards %lu, last ipi %s\n",
		      (unsigned long)rounds,
		      (unsigned long)atomic_load_explicit(&ipis_sent,
							  memory_order_relaxed),
		      (unsigned long)atomic_load_explicit(&ipis_seen,
							  memory_order_relaxed),
		      (unsigned long)atomic_load_explicit(&timers_fired,
							  memory_order_relaxed),
		      (unsigned long)backwards, lost ? "LOST" : "delivered");
	sk_plat_shutdown(backwards || lost);
}
