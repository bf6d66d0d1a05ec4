// SPDX-License-Identifier: MIT
/*
 * The switch path's clock (sched_impl.h: sched_clock).  A voluntary switch
 * needs "now" for the fair-share charge, and sk_plat_clock_ns() is the
 * single most expensive step of a same-CPU hand-off on hosted (a vDSO
 * CLOCK_MONOTONIC read, ~75 ns, against ~25 ns for the TSC itself).  So
 * each CPU extrapolates from its last exact reading with the TSC, for at
 * most WINDOW_NS of TSC time, and reads the platform clock again after
 * that (or if the TSC went backwards: a vCPU moved to another host core).
 * The TSC rate is measured against the platform clock over spans of at
 * least CAL_SPAN_NS, restarted after CAL_RESTART_NS to follow drift; until
 * the first span completes every reading is exact.
 *
 * Error: the rate's relative error (clock jitter over the span, ~1e-4 for
 * the first 1 ms span, far less later) times the window: well under a
 * microsecond, which the fair-share math cannot resolve anyway (c is 16.16
 * fixed point).  The result never goes below the CPU's latest reading
 * (now_ns), so the math sees time stand still at worst.  Only the switch
 * path uses it; timers, deadlines armed on the platform and CPU-time
 * queries keep reading the platform clock.  All fields are the CPU's own,
 * irqs off.
 */
#include <arch/cpu.h>
#include <plat/time.h>

#include "sched_impl.h"

static const uint64_t WINDOW_NS = 1000000; /* extrapolate at most 1 ms */
static const uint64_t CAL_SPAN_NS = 1000000; /* measure the rate over >= */
static const uint64_t CAL_RESTART_NS = 1000000000; /* new span after 1 s */

uint64_t sk_sched_clock_anchor(struct sk_cpu *cpu, uint64_t tsc)
{
	uint64_t ns = sk_plat_clock_ns();
	uint64_t span_ns = ns - cpu->clk_cal_ns;
	uint64_t span_tsc = tsc - cpu->clk_cal_tsc;

	if (!cpu->clk_cal_ns || ns < cpu->clk_cal_ns ||
	    tsc < cpu->clk_cal_tsc || span_ns >= CAL_RESTART_NS) {
		cpu->clk_cal_ns = ns; /* (re)start a span */
		cpu->clk_cal_tsc = tsc;
	} else if (span_ns >= CAL_SPAN_NS && span_tsc) {
		/* ns per tick, 32.32; span_ns < 2^30, so no overflow */
		cpu->clk_mult = (span_ns << 32) / span_tsc;
		cpu->clk_window =
			cpu->clk_mult ? (WINDOW_NS << 32) / cpu->clk_mult : 0;
	}
	cpu->clk_tsc0 = tsc;
	cpu->clk_ns0 = ns;
	return ns > cpu->now_ns ? ns : cpu->now_ns;
}
