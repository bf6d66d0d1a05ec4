/* SPDX-License-Identifier: MIT */
/*
 * Test harness: secondaries idle in a mailbox loop; CPU 0 posts work and
 * IPIs them; they IPI back when done.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <plat/assert.h>
#include <plat/compiler.h>
#include <plat/boot.h>
#include <plat/irq.h>
#include <plat/time.h>

struct ht_counts ht;
_Atomic(ht_fn) ht_ipi_hook;

struct ht_mailbox {
	_Atomic(ht_fn) fn;
	void *arg;
	_Atomic unsigned done;
	unsigned posted;
} SK_CACHE_ALIGNED;

static struct ht_mailbox ht_box[HT_CPUS];
static const struct CMUnitTest *ht_tests;
static size_t ht_ntests;
static const char *ht_name;
static int ht_result;

static void ht_on_entry(void *arg)
{
	unsigned cpu = sk_plat_cpu_id();

	(void)arg;
	if (sk_plat_irq_is_enabled())
		atomic_fetch_add(&ht.entry_hook_irqs_on, 1);
	atomic_fetch_add(&ht.entry_hook[cpu], 1);
	atomic_store(&ht.entry_flag[cpu], 1);
}

static void ht_check_entry(unsigned cpu)
{
	if (!atomic_load(&ht.entry_flag[cpu]))
		atomic_fetch_add(&ht.handler_before_entry, 1);
}

static void ht_on_ipi(void *arg)
{
	unsigned cpu = sk_plat_cpu_id();
	ht_fn hook = atomic_load_explicit(&ht_ipi_hook, memory_order_acquire);

	(void)arg;
	ht_check_entry(cpu);
	if (sk_plat_irq_is_enabled())
		atomic_fetch_add(&ht.irqs_on_in_handler, 1);
	atomic_fetch_add(&ht.ipi[cpu], 1);
	if (hook)
		hook(NULL);
}

static void ht_on_timer(void *arg)
{
	unsigned cpu = sk_plat_cpu_id();

	(void)arg;
	ht_check_entry(cpu);
	if (sk_plat_irq_is_enabled())
		atomic_fetch_add(&ht.irqs_on_in_handler, 1);
	atomic_store(&ht.timer_ns[cpu], sk_plat_clock_ns());
	atomic_fetch_add(&ht.timer[cpu], 1);
}

static void ht_on_exit(void *arg)
{
	(void)arg;
	if (sk_plat_irq_is_enabled())
		atomic_fetch_add(&ht.exit_hook_irqs_on, 1);
	atomic_fetch_add(&ht.exit_hook[sk_plat_cpu_id()], 1);
}

static _Noreturn void ht_secondary(unsigned cpu, void *arg)
{
	struct ht_mailbox *b = &ht_box[cpu];
	ht_fn fn;

	(void)arg;
	for (;;) {
		sk_plat_irq_disable();
		/* Acquire: pairs with the release in ht_run_async. */
		while (!(fn = atomic_load_explicit(&b->fn,
						   memory_order_acquire)))
			sk_plat_cpu_idle();
		sk_plat_irq_enable();
		fn(b->arg);
		atomic_store_explicit(&b->fn, NULL, memory_order_relaxed);
		/* Release: pairs with the acquire in ht_wait_geq. */
		atomic_fetch_add_explicit(&b->done, 1, memory_order_release);
		sk_plat_cpu_ipi(0);
	}
}

void ht_run_async(unsigned cpu, ht_fn fn, void *arg)
{
	struct ht_mailbox *b = &ht_box[cpu];

	SK_ASSERT(cpu > 0 && cpu < sk_plat_cpu_count(), "ht: bad cpu");
	b->arg = arg;
	b->posted++;
	atomic_store_explicit(&b->fn, fn, memory_order_release);
	sk_plat_cpu_ipi(cpu);
}

void ht_join(unsigned cpu)
{
	ht_wait_geq(&ht_box[cpu].done, ht_box[cpu].posted, 0);
}

void ht_run_on(unsigned cpu, ht_fn fn, void *arg)
{
	if (cpu == 0) {
		fn(arg);
		return;
	}
	ht_run_async(cpu, fn, arg);
	ht_join(cpu);
}

void ht_wait_geq(_Atomic unsigned *word, unsigned value, int tick)
{
	sk_plat_irq_disable();
	while (atomic_load_explicit(word, memory_order_acquire) < value) {
		if (tick)
			sk_plat_timer_arm(sk_plat_clock_ns() + 1000000);
		sk_plat_cpu_idle();
	}
	if (tick)
		sk_plat_timer_cancel();
	sk_plat_irq_enable();
}

static void ht_boot_main(void *arg)
{
	unsigned cpu;
	int err;

	(void)arg;
	sk_plat_irq_set_handler(SK_PLAT_IRQ_IPI, ht_on_ipi, NULL);
	sk_plat_irq_set_handler(SK_PLAT_IRQ_TIMER, ht_on_timer, NULL);
	sk_plat_irq_set_entry_hook(ht_on_entry, NULL);
	sk_plat_irq_set_exit_hook(ht_on_exit, NULL);
	SK_ASSERT(sk_plat_cpu_count() <= HT_CPUS, "ht: too many CPUs");
	for (cpu = 1; cpu < sk_plat_cpu_count(); cpu++) {
		err = sk_plat_cpu_start(cpu, ht_secondary, NULL);
		SK_ASSERT(err == 0, "ht: cannot start a CPU");
	}
	sk_plat_irq_enable();
	ht_result = _cmocka_run_group_tests(ht_name, ht_tests, ht_ntests, NULL,
					    NULL);
	sk_plat_shutdown(ht_result);
}

int ht_main(const struct sk_hosted_config *cfg, const char *name,
	    const struct CMUnitTest *tests, size_t ntests)
{
	int rc;

	ht_tests = tests;
	ht_ntests = ntests;
	ht_name = name;
	rc = sk_hosted_boot(cfg, ht_boot_main, NULL);
	return rc < 0 ? 1 : rc;
}
