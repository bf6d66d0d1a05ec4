// SPDX-License-Identifier: MIT
/*
 * Quiescent states and deferred release of thread memory.
 *
 * Each CPU counts quiescent states (qs_count, written only by that CPU with
 * a release store): every pass through the switch path, every idle-loop
 * turn, every interrupt exit into preemptible code.  A thread that has
 * exited and been joined or detached goes on its releasing CPU's
 * "zombies_new" list; the list becomes a batch with a snapshot of every
 * CPU's counter, and once every other CPU's counter has moved (the local
 * CPU is quiescent by construction: reap runs in thread context) nobody
 * can still hold a pointer taken under preempt-disable, and the memory goes
 * to a small per-CPU cache or back to the allocator hook.  A batch starts
 * once it holds BATCH_MIN threads or its oldest is BATCH_AGE_NS old; idle
 * CPUs get an IPI when it starts (their counter moves when the idle loop
 * turns), busy ones only if they still lag BATCH_AGE_NS later.
 */
#include <plat/cpu.h>
#include <plat/time.h>

#include "sched_impl.h"

enum { CACHE_MAX = 64, BATCH_MIN = 16 };

static const uint64_t BATCH_AGE_NS = 1000000;

/* qs_snap[c] of a CPU halted in idle at the snapshot: already done. */
static const uint64_t SNAP_IDLE = UINT64_MAX;

void sk_qs_note(struct sk_cpu *cpu)
{
	uint64_t n = atomic_load_explicit(&cpu->qs_count, memory_order_relaxed);

	/* release: pairs with the acquire load in reapers and lib/rcu */
	atomic_store_explicit(&cpu->qs_count, n + 1, memory_order_release);
	/* seq_cst: pairs with the fences before lib/rcu's grace-period
	 * snapshot (gp.c: gp_run, sk_synchronize_rcu_expedited) and before
	 * the reaper's (start_batch).  Without it the loads of a reader
	 * section starting right after this quiescent state could be
	 * satisfied before the counter store is visible: the updater would
	 * snapshot the old count, see it move, and free what the reader
	 * then loads.  With fences on both sides either the snapshot sees
	 * the new count (and waits for the next one) or the reader sees the
	 * updater's unpublish. */
	atomic_thread_fence(memory_order_seq_cst);
}

/*
 * Extended quiescent state, sk_cpu.eqs (sched/cpu.h):
 *
 *   from  to    who                                           how
 *   even  odd   the idle loop, irqs off, right before the halt  seq_cst RMW
 *   odd   even  the first code on that CPU after the halt     relaxed RMW +
 *                                                              seq_cst fence
 *
 * Only the owner CPU writes it (irqs off, so the RMWs never race: they are
 * RMWs only for their ordering); lib/rcu reads it with acquire.
 */
void sk_eqs_enter(struct sk_cpu *cpu)
{
	/* seq_cst: orders everything this CPU did before (its last reader
	 * sections) before the odd value; pairs with lib/rcu's fence before
	 * its snapshot and its acquire load of the counter. */
	atomic_fetch_add_explicit(&cpu->eqs, 1, memory_order_seq_cst);
}

void sk_eqs_exit_slow(struct sk_cpu *cpu)
{
	atomic_fetch_add_explicit(&cpu->eqs, 1, memory_order_relaxed);
	/* seq_cst: the even value is visible before this CPU's next reader
	 * section loads anything (pairs with lib/rcu's fence before its
	 * snapshot): either the snapshot sees it even (and waits for a
	 * quiescent state), or the reader sees the updater's unpublish. */
	atomic_thread_fence(memory_order_seq_cst);
}

/* Requests held (sk_sched_qs_want); read relaxed by every switch. */
atomic_uint sk_qs_wanted;

void sk_sched_qs_want(void)
{
	/* relaxed: the watcher's own seq_cst fence before its snapshot
	 * orders this before the snapshot; a switch that misses it only
	 * skips a note, which delays the watcher, never misleads it */
	atomic_fetch_add_explicit(&sk_qs_wanted, 1, memory_order_relaxed);
}

void sk_sched_qs_unwant(void)
{
	atomic_fetch_sub_explicit(&sk_qs_wanted, 1, memory_order_relaxed);
}

uint64_t sk_sched_cpu_eqs_count(unsigned cpu)
{
	if (!sk_sched_cpus || cpu >= sk_sched_ncpus)
		return 0;
	/* acquire: pairs with the seq_cst increment in sk_eqs_enter */
	return atomic_load_explicit(&sk_sched_cpus[cpu].eqs,
				    memory_order_acquire);
}

uint64_t sk_sched_cpu_qs_count(unsigned cpu)
{
	if (!sk_sched_cpus || cpu >= sk_sched_ncpus)
		return 0;
	return atomic_load_explicit(&sk_sched_cpus[cpu].qs_count,
				    memory_order_acquire);
}

void sk_sched_cpu_qs_kick(unsigned cpu)
{
	if (sk_sched_cpus && cpu < sk_sched_ncpus)
		sk_plat_cpu_ipi(cpu);
}

void sk_reap_add(struct sk_cpu *cpu, struct sk_thread *t)
{
	if (!cpu->zombies_new)
		cpu->new_since_ns = sk_plat_clock_ns();
	t->znext = cpu->zombies_new;
	cpu->zombies_new = t;
	cpu->nr_new++;
}

static bool grace_period_over(struct sk_cpu *cpu, uint64_t now)
{
	bool over = true,
	     kick = !cpu->gp_kicked && now - cpu->gp_start_ns >= BATCH_AGE_NS;

	for (unsigned c = 0; c < sk_sched_ncpus; c++) {
		if (c == cpu->id || cpu->qs_snap[c] == SNAP_IDLE ||
		    sk_sched_cpu_qs_count(c) != cpu->qs_snap[c])
			continue;
		over = false;
		if (kick) /* busy but not passing QS (a lone hog, no tick) */
			sk_plat_cpu_ipi(c);
	}
	cpu->gp_kicked |= kick;
	return over;
}

/* Turn the new zombies into a batch; idle CPUs get their kick now. */
static void start_batch(struct sk_cpu *cpu, uint64_t now)
{
	cpu->zombies_gp = cpu->zombies_new;
	cpu->zombies_new = NULL;
	cpu->nr_new = 0;
	cpu->gp_start_ns = now;
	cpu->gp_kicked = false;
	sk_sched_qs_want(); /* dropped when the batch is freeable */
	/* seq_cst: the registry unlinks of the batch (registry.c) before the
	 * snapshot; pairs with the fence after the counter store in
	 * sk_qs_note, as lib/rcu's snapshot does. */
	atomic_thread_fence(memory_order_seq_cst);
	for (unsigned c = 0; c < sk_sched_ncpus; c++) {
		cpu->qs_snap[c] = sk_sched_cpu_qs_count(c);
		if (c == cpu->id)
			continue;
		/* Halted in idle (EQS odd, acquire: pairs with the seq_cst
		 * increment before the halt): in no preempt-off section now,
		 * and it fences before entering one, so it can hold no
		 * pointer to this batch: done, no IPI to wake it for that. */
		if (sk_sched_cpu_eqs_count(c) & 1)
			cpu->qs_snap[c] = SNAP_IDLE;
		else if (atomic_load_explicit(&sk_sched_cpus[c].idle_now,
					      memory_order_relaxed))
			sk_plat_cpu_ipi(c);
	}
}

void sk_reap_advance(struct sk_cpu *cpu)
{
	uint64_t now;

	sk_registry_drain(cpu);
	if (!cpu->zombies_gp && !cpu->zombies_new)
		return;
	now = sk_plat_clock_ns();
	if (cpu->zombies_gp && grace_period_over(cpu, now)) {
		struct sk_thread *t = cpu->zombies_gp;

		while (t->znext)
			t = t->znext;
		t->znext = cpu->freeable;
		cpu->freeable = cpu->zombies_gp;
		cpu->zombies_gp = NULL;
		sk_sched_qs_unwant();
	}
	/* Batches of BATCH_MIN (or older than BATCH_AGE_NS): one round of
	 * IPIs to idle CPUs is paid per batch, not per thread. */
	if (!cpu->zombies_gp && cpu->zombies_new &&
	    (cpu->nr_new >= BATCH_MIN ||
	     now - cpu->new_since_ns >= BATCH_AGE_NS))
		start_batch(cpu, now);
}

bool sk_reap_is_pending(const struct sk_cpu *cpu)
{
	return cpu->zombies_gp || cpu->zombies_new;
}

static bool cacheable(const struct sk_thread *t)
{
	return (t->flags & TF_OWN_STACK) &&
	       t->mem_len == SK_THREAD_STACK_DEFAULT + sk_thread_tcb_len();
}

void sk_reap_collect(void)
{
	sk_plat_irq_flags flags = sk_plat_irq_save();
	struct sk_cpu *cpu = this_cpu();
	struct sk_thread *list, *t;

	sk_reap_advance(cpu);
	list = cpu->freeable;
	cpu->freeable = NULL;
	while (list && cacheable(list) && cpu->nr_cached < CACHE_MAX) {
		t = list;
		list = t->znext;
		t->znext = cpu->cache;
		cpu->cache = t;
		cpu->nr_cached++;
	}
	sk_plat_irq_restore(flags);
	while (list) { /* the hook may block: irqs on, preemptible */
		t = list;
		list = t->znext;
		sk_sched_mem.free(t->mem, t->mem_len, sk_sched_mem.ctx);
	}
}

struct sk_thread *sk_reap_cache_get(void)
{
	sk_plat_irq_flags flags = sk_plat_irq_save();
	struct sk_cpu *cpu = this_cpu();
	struct sk_thread *t = cpu->cache;

	if (t) {
		cpu->cache = t->znext;
		cpu->nr_cached--;
	}
	sk_plat_irq_restore(flags);
	return t;
}
