// SPDX-License-Identifier: MIT
/*
 * The thread registry behind sk_thread_walk (sched/thread.h).
 *
 * Each CPU has a list of the threads created on it (reg_head, linked by
 * reg_next), written only by that CPU with irqs off.  A thread is pushed
 * at the head when it is created, after taking the next id from a global
 * counter in the same irqs-off section, so every list is sorted by
 * descending id.  It is unlinked by the same CPU when it is released
 * (joined, or exited detached), just before it goes to that CPU's reaper.
 * A thread released on another CPU is pushed on its registry CPU's
 * "unreg" list instead (only other CPUs push, by a release CAS; only the
 * owner takes the whole list, by an acquire exchange) and an IPI makes
 * the owner drain it; the owner also drains at every switch and reap.
 *
 * Walkers read any CPU's list with preemption disabled, which holds back
 * that CPU's quiescent-state counter (reap.c): an unlinked thread is only
 * freed after every CPU has passed a quiescent state since its unlink,
 * so a walker standing on it may still follow its reg_next (left intact).
 * The walker copies a batch of threads, re-enables preemption, calls the
 * callback, and resumes by scanning from the head for ids below the last
 * it reported: threads live across the whole walk are reported once.
 *
 * reg_next / reg_head states:
 *
 *   event     who             store
 *   publish   registry CPU    reg_next relaxed, then reg_head release
 *   unlink    registry CPU    prev->reg_next (or reg_head) = next, release
 *   read      any walker      acquire loads, preemption disabled
 */
#include <errno.h>

#include <plat/cpu.h>
#include <sched/preempt.h>

#include "sched_impl.h"

enum { WALK_BATCH = 8 };

static atomic_uint_least64_t next_id = 1;

void sk_registry_add(struct sk_cpu *cpu, struct sk_thread *t)
{
	struct sk_thread *head =
		atomic_load_explicit(&cpu->reg_head, memory_order_relaxed);

	t->id = atomic_fetch_add_explicit(&next_id, 1, memory_order_relaxed);
	t->reg_cpu = cpu->id;
	t->reg_prev = NULL;
	atomic_store_explicit(&t->reg_next, head, memory_order_relaxed);
	if (head)
		head->reg_prev = t;
	/* release: @t's fields (id, name, class...) before a walker finds
	 * it; pairs with the acquire loads in batch_fill */
	atomic_store_explicit(&cpu->reg_head, t, memory_order_release);
}

/* Unlink @t from @cpu's list; its own reg_next stays for walkers on it. */
static void unlink_thread(struct sk_cpu *cpu, struct sk_thread *t)
{
	struct sk_thread *next =
		atomic_load_explicit(&t->reg_next, memory_order_relaxed);

	if (next)
		next->reg_prev = t->reg_prev;
	/* release: pairs with the acquire loads in batch_fill (@next was
	 * published by this CPU earlier, so its fields come with it) */
	if (t->reg_prev)
		atomic_store_explicit(&t->reg_prev->reg_next, next,
				      memory_order_release);
	else
		atomic_store_explicit(&cpu->reg_head, next,
				      memory_order_release);
}

void sk_registry_release(struct sk_cpu *cpu, struct sk_thread *t)
{
	struct sk_cpu *owner;
	struct sk_thread *old;

	if (t->reg_cpu == cpu->id) {
		unlink_thread(cpu, t);
		sk_reap_add(cpu, t);
		return;
	}
	owner = &sk_sched_cpus[t->reg_cpu];
	old = atomic_load_explicit(&owner->unreg, memory_order_relaxed);
	do {
		t->znext = old;
		/* release: t->znext to the owner's acquire exchange */
	} while (!atomic_compare_exchange_weak_explicit(&owner->unreg, &old, t,
							memory_order_release,
							memory_order_relaxed));
	if (!old) /* whoever made the list non-empty tells the owner */
		sk_plat_cpu_ipi(t->reg_cpu);
}

void sk_registry_drain(struct sk_cpu *cpu)
{
	struct sk_thread *t, *next;

	if (!atomic_load_explicit(&cpu->unreg, memory_order_relaxed))
		return;
	/* acquire: pairs with the release CAS in sk_registry_release */
	t = atomic_exchange_explicit(&cpu->unreg, NULL, memory_order_acquire);
	for (; t; t = next) {
		next = t->znext;
		unlink_thread(cpu, t);
		sk_reap_add(cpu, t);
	}
}

static enum sk_thread_run_state run_state(const struct sk_thread *t)
{
	unsigned ws = atomic_load_explicit(&t->state, memory_order_relaxed);
	unsigned js = atomic_load_explicit(&t->jstate, memory_order_relaxed);

	if (ws == TS_DEAD || js == JS_EXITED || js == JS_RELEASED)
		return SK_THREAD_EXITED;
	if (ws == TS_SLEEPING)
		return SK_THREAD_SLEEPING;
	if (ws != TS_WAKING &&
	    atomic_load_explicit(&t->on_cpu, memory_order_relaxed))
		return SK_THREAD_RUNNING;
	return SK_THREAD_RUNNABLE;
}

static void info_fill(struct sk_thread_info *ti, const struct sk_thread *t)
{
	size_t i = 0;

	ti->id = t->id;
	for (; t->name[i] && i < sizeof(ti->name) - 1; i++)
		ti->name[i] = t->name[i];
	ti->name[i] = '\0';
	ti->state = run_state(t);
	ti->cpu = thread_cpu(t);
	ti->cpu_time_ns = sk_thread_cpu_time_ns(t);
	ti->is_idle = t->kind == TK_IDLE;
	ti->sched_class = t->kind == TK_FIFO ? SK_THREAD_FIFO : SK_THREAD_FAIR;
	ti->prio = t->kind == TK_FIFO ? t->rt_prio : (unsigned)thread_prio(t);
}

/* Copy up to WALK_BATCH threads of @cpu with ids below *@last. */
static unsigned batch_fill(struct sk_cpu *cpu, uint64_t *last,
			   struct sk_thread_info *ti)
{
	struct sk_thread *t;
	unsigned n = 0;

	sk_preempt_disable(); /* the read side: see the file comment */
	/* acquire: pairs with the release stores of add and unlink */
	t = atomic_load_explicit(&cpu->reg_head, memory_order_acquire);
	for (; t && n < WALK_BATCH;
	     t = atomic_load_explicit(&t->reg_next, memory_order_acquire)) {
		if (t->id >= *last)
			continue;
		info_fill(&ti[n++], t);
		*last = t->id;
	}
	sk_preempt_enable();
	return n;
}

int sk_thread_walk(sk_thread_walk_fn fn, void *arg)
{
	struct sk_thread_info ti[WALK_BATCH];

	if (!fn || !sk_sched_cpus || !sk_sched_ncpus)
		return -EINVAL;
	for (unsigned c = 0; c < sk_sched_ncpus; c++) {
		uint64_t last = UINT64_MAX;
		unsigned n;

		do {
			n = batch_fill(&sk_sched_cpus[c], &last, ti);
			for (unsigned i = 0; i < n; i++) {
				int ret = fn(&ti[i], arg);

				if (ret)
					return ret;
			}
		} while (n == WALK_BATCH);
	}
	return 0;
}

uint64_t sk_thread_id(const struct sk_thread *t)
{
	return t->id;
}
