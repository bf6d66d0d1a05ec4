// SPDX-License-Identifier: MIT
/*
 * sk_plat_cpu_is_preempted under Xen: each vCPU's runstate area.  A vCPU
 * that runs, or that is halted in idle (runstate "blocked"), is never
 * reported preempted.  With "overcommit=1" the machine has fewer physical
 * CPUs than vCPUs (run-xen --pcpus 1): while vCPU 1 spins and vCPU 0 runs
 * on the only physical CPU, vCPU 1 is runnable without a CPU, and that must
 * be seen.
 */
#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>

#include <plat/boot.h>

#include "xentest.h"

static _Atomic int spin_request; /* vCPU 1 spins while it is set */
static _Atomic int spinning; /* vCPU 1 is in the spin */

void xt_runstate_ap(unsigned cpu)
{
	/* Acquire: pairs with the release store that asked for the spin. */
	if (cpu != 1 ||
	    !atomic_load_explicit(&spin_request, memory_order_acquire))
		return;
	atomic_store_explicit(&spinning, 1, memory_order_release);
	sk_plat_irq_enable();
	while (atomic_load_explicit(&spin_request, memory_order_acquire))
		sk_plat_cpu_relax();
	sk_plat_irq_disable();
	atomic_store_explicit(&spinning, 0, memory_order_release);
}

/* Sample vCPU 1 for up to 2 s; return how many samples saw it preempted. */
static unsigned sample_cpu1(unsigned *samples, bool stop_at_first)
{
	uint64_t end = sk_plat_clock_ns() + 2000000000ull;
	unsigned seen = 0;

	*samples = 0;
	sk_plat_irq_enable();
	while (sk_plat_clock_ns() < end && !(stop_at_first && seen)) {
		seen += sk_plat_cpu_is_preempted(1);
		++*samples;
		sk_plat_cpu_relax();
	}
	sk_plat_irq_disable();
	return seen;
}

void xt_runstate(void)
{
	unsigned n = sk_plat_cpu_count(), samples, seen;
	bool over = xt_cmdline_has("overcommit=1"), idle = false;

	sk_x86_printf("case runstate%s\n",
		      over ? " (more vCPUs than physical CPUs)" : "");
	CHECK(!sk_plat_cpu_is_preempted(sk_plat_cpu_id())); /* we run */
	CHECK(!sk_plat_cpu_is_preempted(n));
	CHECK(!sk_plat_cpu_is_preempted(UINT_MAX));
	if (n < 2) {
		CHECK(!over); /* overcommit=1 needs a second vCPU */
		return;
	}
	/* Idle (halted after its poll): blocked, not preempted.  It may be
	 * preempted for a moment while it polls after a wake-up (lib/sched's
	 * rescue timer), so one "not preempted" answer in 2 s is the test. */
	WAIT_FOR((idle = !sk_plat_cpu_is_preempted(1)));
	CHECK(idle);

	/* Release: pairs with xt_runstate_ap's acquire. */
	atomic_store_explicit(&spin_request, 1, memory_order_release);
	sk_plat_cpu_ipi(1);
	WAIT_FOR(atomic_load_explicit(&spinning, memory_order_acquire));
	CHECK(atomic_load_explicit(&spinning, memory_order_acquire));
	seen = sample_cpu1(&samples, over);
	sk_x86_printf("  vCPU 1 spinning: preempted in %u of %u samples\n",
		      seen, samples);
	if (over) /* whenever we run, the spinning vCPU 1 has no CPU */
		CHECK(seen > 0);

	atomic_store_explicit(&spin_request, 0, memory_order_release);
	WAIT_FOR(!atomic_load_explicit(&spinning, memory_order_acquire));
	idle = false;
	WAIT_FOR((idle = !sk_plat_cpu_is_preempted(1))); /* halting again */
	CHECK(idle);
}
