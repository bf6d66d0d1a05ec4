// SPDX-License-Identifier: MIT
/*
 * Idle and IPIs under Xen.  An IPI is EVTCHNOP_send on the target's IPI
 * port, and idle is sti;hlt (Xen wakes a halted vCPU for a pending
 * upcall).  Nested under QEMU/TCG, as tested, both are slow: a send is a
 * nested VM exit, and waking a halted vCPU goes through Xen's scheduler
 * and a halted physical CPU (a host thread), which now and then is not
 * woken at all until its next local interrupt (docs/xen.md).  So:
 *
 *  - an idle vCPU first polls, handling its events and kicks itself
 *    (adaptive, like Linux's haltpoll: the window doubles, up to
 *    xen.idle_poll_us, when an event came during it, and halves down to
 *    IDLE_POLL_MIN_US when none did);
 *  - an IPI to a polling vCPU is a store, not a hypercall (the idle word,
 *    xen.h);
 *  - a halted vCPU arms a rescue timer event of its own
 *    (xen.idle_rescue_us), local to its physical CPU, which bounds the
 *    stall described above.
 */
#include <stdbool.h>

#include <plat/time.h>

#include <x86/cpu.h>
#include <x86/fmt.h>
#include <x86/irq.h>
#include <x86/trap.h>

#include "xen.h"

enum { IDLE_POLL_MIN_US = 50 };

/* Set at boot, before secondary vCPUs start. */
static uint64_t poll_min_tsc, poll_max_tsc, rescue_ns;

/* Each vCPU's own poll window (touched only by that vCPU). */
static uint64_t poll_tsc[SK_PLAT_CPUS_MAX];

/*
 * The halt: "sti; hlt; cli; ret", with a label on the hlt.  sti's
 * one-instruction shadow should make "enable and halt" atomic: an
 * interrupt pending at the sti is taken only once hlt has begun, and
 * returns after it.  Nested under QEMU/TCG it now and then is taken
 * between the two instead (the saved rip is the hlt): its handler runs
 * (a woken thread arrives in lib/sched's queue), returns to the hlt, and
 * the vCPU halts with its work queued and nothing pending, until some
 * unrelated event (session 5: two 60 s stalls in about 1,400 2-vCPU
 * runs, lib/sched's dump showing a queued thread on a halted CPU).  So
 * the upcall handler moves a saved rip that points at the hlt past it
 * (sk_xen_idle_fixup): after any handler, idle returns.
 */
void sk_xen_halt(void);
__asm__(".pushsection .text\n"
	".globl sk_xen_halt\n"
	".type sk_xen_halt, @function\n"
	"sk_xen_halt:\n"
	"	sti\n"
	".globl sk_xen_halt_hlt\n"
	"sk_xen_halt_hlt:\n"
	"	hlt\n"
	"	cli\n"
	"	ret\n"
	".size sk_xen_halt, . - sk_xen_halt\n"
	".popsection");

/* Interrupts taken in the sti shadow, per vCPU (see sk_xen_halt). */
static _Atomic uint64_t shadow_fixups[SK_PLAT_CPUS_MAX];

uint64_t sk_xen_idle_resume_rip(uint64_t rip)
{
	/* hlt is one byte (0xf4): resume at the cli after it */
	return rip == (uintptr_t)sk_xen_halt_hlt ? rip + 1 : rip;
}

void sk_xen_idle_fixup(struct sk_x86_frame *f)
{
	uint64_t rip = sk_xen_idle_resume_rip(f->rip);
	unsigned me;

	if (SK_LIKELY(rip == f->rip))
		return;
	f->rip = rip;
	me = sk_plat_cpu_id();
	if (atomic_fetch_add_explicit(&shadow_fixups[me], 1,
				      memory_order_relaxed) == 0)
		sk_x86_printf("xen cpu %u: interrupt taken between sti and "
			      "hlt; idle resumes after the hlt\n",
			      me);
}

/* xen.stats=1: per-vCPU counts, printed by vCPU 0 at most once a second. */
struct idle_stats {
	_Atomic uint64_t halts, polled_events, polled_kicks, ipis_sent,
		ipis_kicked;
};
static bool stats_on;
static struct idle_stats stats[SK_PLAT_CPUS_MAX];

#define STAT_INC(cpu, f)                                                 \
	do {                                                             \
		if (stats_on)                                            \
			atomic_fetch_add_explicit(&stats[cpu].f, 1,      \
						  memory_order_relaxed); \
	} while (0)
#define STAT(cpu, f)                                        \
	((unsigned long)atomic_load_explicit(&stats[cpu].f, \
					     memory_order_relaxed))

void sk_xen_idle_set(uint64_t poll_us, uint64_t rescue_us, bool stats_print)
{
	uint64_t per_us = sk_xen_boot.tsc_hz / 1000000;

	poll_max_tsc = poll_us * per_us;
	poll_min_tsc = IDLE_POLL_MIN_US * per_us;
	if (poll_min_tsc > poll_max_tsc)
		poll_min_tsc = poll_max_tsc;
	for (unsigned i = 0; i < SK_PLAT_CPUS_MAX; i++)
		poll_tsc[i] = poll_min_tsc;
	rescue_ns = rescue_us * 1000;
	stats_on = stats_print;
}

static void stats_print(void)
{
	static uint64_t next;
	uint64_t now = sk_x86_rdtsc();

	if (now < next)
		return;
	next = now + sk_xen_boot.tsc_hz;
	for (unsigned i = 0; i < sk_xen_ncpus; i++)
		sk_x86_printf("xen idle cpu %u: halts %lu, polled events %lu, "
			      "polled kicks %lu, ipis sent %lu, kicked %lu\n",
			      i, STAT(i, halts), STAT(i, polled_events),
			      STAT(i, polled_kicks), STAT(i, ipis_sent),
			      STAT(i, ipis_kicked));
}

enum poll_end { POLL_TIMEOUT, POLL_EVENT, POLL_KICK };

/* Poll the idle word (xen.h) and this vCPU's upcall flag for a while. */
static enum poll_end idle_poll(struct sk_xen_cpu *c, uint64_t len)
{
	const volatile uint8_t *upcall = &c->vi->evtchn_upcall_pending;
	uint64_t end = sk_x86_rdtsc() + len;
	int was;

	/* Seq_cst: POLLING is published before the loop's first look at
	 * the upcall flag, which a sender that saw RUNNING has raised. */
	atomic_store_explicit(&c->idle, SK_XEN_IDLE_POLLING,
			      memory_order_seq_cst);
	while (atomic_load_explicit(&c->idle, memory_order_relaxed) ==
		       SK_XEN_IDLE_POLLING &&
	       !*upcall && sk_x86_rdtsc() < end)
		sk_x86_pause();
	/* Acq_rel: pairs with the senders' CAS (ipi_by_kick), so what they
	 * wrote before the kick (a woken thread) is visible here. */
	was = atomic_exchange_explicit(&c->idle, SK_XEN_IDLE_RUNNING,
				       memory_order_acq_rel);
	if (was == SK_XEN_IDLE_KICKED)
		return POLL_KICK;
	return *upcall ? POLL_EVENT : POLL_TIMEOUT;
}

/* One adaptive poll.  Return: true if a handler ran (idle may return). */
static bool idle_poll_once(struct sk_xen_cpu *c, unsigned me)
{
	uint64_t *len = &poll_tsc[me];

	switch (idle_poll(c, *len)) {
	case POLL_KICK:
		STAT_INC(me, polled_kicks);
		sk_x86_irq_enter();
		sk_x86_irq_call(SK_PLAT_IRQ_IPI); /* irqs off, as an upcall */
		sk_xen_evtchn_dispatch(); /* anything that came meanwhile */
		break;
	case POLL_EVENT:
		STAT_INC(me, polled_events);
		sk_xen_evtchn_dispatch(); /* the upcall's work, irqs off */
		break;
	case POLL_TIMEOUT:
		*len = *len / 2 > poll_min_tsc ? *len / 2 : poll_min_tsc;
		return false;
	}
	*len = *len * 2 < poll_max_tsc ? *len * 2 : poll_max_tsc;
	return true;
}

void sk_plat_cpu_idle(void)
{
	struct sk_xen_cpu *c = sk_xen_cpu_self();
	unsigned me = (unsigned)c->pc.cpu_id;

	if (stats_on && me == 0)
		stats_print();
	if (poll_max_tsc && idle_poll_once(c, me))
		return;
	STAT_INC(me, halts);
	if (rescue_ns)
		sk_xen_timer_rescue(c, rescue_ns);
	/* Xen does not block a vCPU whose upcall is pending; an upcall
	 * taken before the hlt is moved past it (sk_xen_idle_fixup). */
	sk_xen_halt();
}

/*
 * A vCPU polling in idle takes the IPI as a store: POLLING or KICKED ->
 * KICKED, by an RMW either way so that the poller's exchange synchronises
 * with every sender that counted on it.
 */
static bool ipi_by_kick(struct sk_xen_cpu *c)
{
	int seen = atomic_load_explicit(&c->idle, memory_order_relaxed);

	while (seen != SK_XEN_IDLE_RUNNING) {
		/* Acq_rel: pairs with idle_poll's exchange. */
		if (atomic_compare_exchange_weak_explicit(
			    &c->idle, &seen, SK_XEN_IDLE_KICKED,
			    memory_order_acq_rel, memory_order_relaxed))
			return true;
	}
	return false;
}

void sk_plat_cpu_ipi(unsigned cpu)
{
	struct sk_xen_cpu *c;

	if (cpu >= sk_xen_ncpus)
		return;
	c = &sk_xen_cpus[cpu];
	if (!sk_x86_cpu_is_running(&c->state))
		return; /* its ports are not bound yet */
	if (cpu != sk_plat_cpu_id() && ipi_by_kick(c)) {
		STAT_INC(sk_plat_cpu_id(), ipis_kicked);
		return;
	}
	STAT_INC(sk_plat_cpu_id(), ipis_sent);
	SK_XEN_HC2(SK_XEN_HC_EVENT_CHANNEL_OP, SK_XEN_EVTCHNOP_SEND,
		   &(struct sk_xen_evtchn_port){ c->ipi_port });
}

/* Signed microseconds from @now to @at ("none" for UINT64_MAX). */
static long us_from(uint64_t at, uint64_t now)
{
	return at >= now ? (long)((at - now) / 1000)
			 : -(long)((now - at) / 1000);
}

void sk_xen_debug_dump(void)
{
	uint64_t now = sk_plat_clock_ns();

	for (unsigned i = 0; i < sk_xen_ncpus; i++) {
		const struct sk_xen_cpu *c = &sk_xen_cpus[i];

		sk_x86_printf(
			"xen cpu %u: state %d idle %d upcall %u/%u runstate %d "
			"deadline %ld us set %ld us rc %ld poll %lu halts %lu "
			"shadow fixups %lu\n",
			i,
			atomic_load_explicit(&c->state, memory_order_relaxed),
			atomic_load_explicit(&c->idle, memory_order_relaxed),
			c->vi ? c->vi->evtchn_upcall_pending : 0,
			c->vi ? c->vi->evtchn_upcall_mask : 0,
			c->runstate.state,
			c->timer_deadline_ns == UINT64_MAX
				? -1L
				: us_from(c->timer_deadline_ns, now),
			us_from(c->timer_set_ns, now), c->timer_set_rc,
			(unsigned long)poll_tsc[i], STAT(i, halts),
			(unsigned long)atomic_load_explicit(
				&shadow_fixups[i], memory_order_relaxed));
	}
}
