// SPDX-License-Identifier: MIT
/*
 * Load balancing.  Three mechanisms, none of them a periodic balancer:
 *  - placement: a new thread goes to its creator's CPU unless another
 *    allowed CPU has at least two fewer runnable threads;
 *  - pull: an idle CPU asks the busiest CPU for work through a one-word
 *    lock-free request plus an IPI; the busy CPU hands over a queued
 *    thread through the incoming queue;
 *  - push: at the end of a time slice a CPU with two more runnable
 *    threads than the least loaded allowed CPU sends it one.
 * Only the home CPU ever takes a thread out of its runqueue, so migration
 * needs no lock.  Pinned threads (one CPU in the set) never qualify.
 *
 * sk_cpu.steal_req:
 *   0 -> thief+1   an idle thief, CAS (one request at a time per victim)
 *   thief+1 -> 0   the victim, exchange in its IPI handler
 */
#include <plat/cpu.h>
#include <plat/time.h>

#include "sched_impl.h"

enum { WALK_LIMIT = 64 };

bool sk_cpu_allowed(const struct sk_thread *t, unsigned cpu)
{
	return cpu < sk_sched_ncpus && sk_cpuset_has(&t->affinity, cpu);
}

static unsigned load_of(unsigned cpu)
{
	return atomic_load_explicit(&sk_sched_cpus[cpu].load,
				    memory_order_relaxed);
}

/* Least loaded CPU of @aff; UINT32_MAX if none. */
static unsigned least_loaded(const struct sk_cpuset *aff, unsigned *load)
{
	unsigned best = UINT32_MAX, best_load = UINT32_MAX;

	for (unsigned c = 0; c < sk_sched_ncpus; c++) {
		unsigned l;

		if (!sk_cpuset_has(aff, c))
			continue;
		l = load_of(c);
		if (l < best_load) {
			best = c;
			best_load = l;
		}
	}
	*load = best_load;
	return best;
}

unsigned sk_balance_place(const struct sk_cpuset *aff, unsigned here)
{
	unsigned min_load, best = least_loaded(aff, &min_load);

	if (sk_cpuset_has(aff, here) && load_of(here) <= min_load + 1)
		return here;
	return best;
}

void sk_balance_migrate_queued(struct sk_cpu *cpu, struct sk_thread *t,
			       unsigned target)
{
	sk_sched_rq_remove(cpu, t);
	if (t->kind == TK_FAIR)
		sk_fair_depart(cpu, t, sk_plat_clock_ns());
	sk_timers_suspend(cpu, t);
	thread_cpu_set(t, target);
	STAT_INC(cpu, migrations);
	sk_wake_push(cpu, t, target);
}

struct pick_arg {
	unsigned target;
	struct sk_thread *found;
};

static bool movable_to(struct sk_pheap_node *n, void *arg)
{
	struct pick_arg *pa = arg;
	struct sk_thread *t = SK_CONTAINER_OF(n, struct sk_thread, rq_node);

	if (!sk_cpu_allowed(t, pa->target))
		return false;
	pa->found = t;
	return true;
}

static struct sk_thread *find_movable(struct sk_cpu *cpu, unsigned target)
{
	struct pick_arg pa = { target, NULL };

	if (sk_pheap_walk(&cpu->fair_rq, WALK_LIMIT, movable_to, &pa))
		return pa.found;
	if (sk_pheap_walk(&cpu->rt_rq, WALK_LIMIT, movable_to, &pa))
		return pa.found;
	return NULL;
}

void sk_balance_idle_pull(struct sk_cpu *cpu)
{
	unsigned victim = UINT32_MAX, most = 1, zero = 0;

	for (unsigned c = 0; c < sk_sched_ncpus; c++) {
		unsigned l = load_of(c);

		if (c != cpu->id && l > most) {
			most = l;
			victim = c;
		}
	}
	if (victim == UINT32_MAX)
		return;
	if (atomic_compare_exchange_strong_explicit(
		    &sk_sched_cpus[victim].steal_req, &zero, cpu->id + 1,
		    memory_order_relaxed, memory_order_relaxed))
		sk_plat_cpu_ipi(victim);
}

void sk_balance_steal_serve(struct sk_cpu *cpu)
{
	unsigned req = atomic_exchange_explicit(&cpu->steal_req, 0,
						memory_order_relaxed);
	struct sk_thread *t;

	if (!req || req - 1 >= sk_sched_ncpus || load_of(req - 1) != 0)
		return;
	t = find_movable(cpu, req - 1);
	if (t)
		sk_balance_migrate_queued(cpu, t, req - 1);
}

void sk_balance_push(struct sk_cpu *cpu)
{
	unsigned mine = cpu->nr_queued + 1, min_load, target;
	struct sk_cpuset all;
	struct sk_thread *t;

	sk_cpuset_fill(&all);
	target = least_loaded(&all, &min_load);
	if (target == UINT32_MAX || target == cpu->id || min_load + 2 > mine)
		return;
	t = find_movable(cpu, target);
	if (t)
		sk_balance_migrate_queued(cpu, t, target);
}
