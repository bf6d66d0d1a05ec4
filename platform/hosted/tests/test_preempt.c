/* SPDX-License-Identifier: MIT */
/*
 * Preemption through the exit hook, as lib/sched will use it: a toy
 * scheduler switches between CPU-bound user contexts from the exit hook
 * (swapcontext inside the signal handler), so interrupted signal frames
 * resume later, often on the other vCPU pthread.  Checks that workers
 * always run with irqs on, see the per-CPU base of the vCPU they are on,
 * keep their FPU state and errno, and really migrate.  Run with SK_CPUS=2.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <ucontext.h>

#include <plat/irq.h>
#include <plat/time.h>

enum {
	PRE_WORKERS = 4,
	PRE_STACK = 256 * 1024,
	PRE_TICK_NS = 200000,
	PRE_MIGRATIONS = 20,
};

enum pre_state { PRE_READY, PRE_RUNNING, PRE_SWITCHING, PRE_DONE };

/*
 * state: READY -> RUNNING (picked, CAS) -> SWITCHING (being switched out,
 * still on its stack) -> READY (released by whoever runs next on that
 * vCPU, after the switch) ... RUNNING -> DONE (exits to the vCPU's home).
 */
struct pre_worker {
	ucontext_t uc;
	_Atomic int state;
	unsigned left_cpu; /* CPU it was last switched out on */
	unsigned long iters;
	unsigned bad_irqs, bad_local, bad_fpu, bad_errno;
	char *stack;
};

static struct pre_worker pre_w[PRE_WORKERS];
static ucontext_t pre_home[HT_CPUS];
static struct pre_worker *pre_prev[HT_CPUS]; /* [cpu, irqs off] */
static struct pre_worker *pre_cur[HT_CPUS]; /* [cpu, irqs off] */
static int pre_slot[HT_CPUS];
static _Atomic unsigned pre_migrations;
static _Atomic unsigned pre_active;
static _Atomic unsigned pre_done;

static struct pre_worker *pre_pick(void)
{
	unsigned i;

	for (i = 0; i < PRE_WORKERS; i++) {
		int expect = PRE_READY;

		/* Acquire: pairs with the release in pre_finish_switch. */
		if (atomic_compare_exchange_strong_explicit(
			    &pre_w[i].state, &expect, PRE_RUNNING,
			    memory_order_acquire, memory_order_relaxed))
			return &pre_w[i];
	}
	return NULL;
}

/* After a switch: release the context we came from.  Irqs off. */
static void pre_finish_switch(void)
{
	unsigned cpu = sk_plat_cpu_id();
	struct pre_worker *prev = pre_prev[cpu];
	int expect = PRE_SWITCHING;

	pre_prev[cpu] = NULL;
	/* Release: its saved context is complete; pairs with pre_pick. */
	if (prev)
		atomic_compare_exchange_strong_explicit(
			&prev->state, &expect, PRE_READY, memory_order_release,
			memory_order_relaxed);
}

static void pre_hook(void *arg)
{
	unsigned cpu = sk_plat_cpu_id();
	struct pre_worker *cur = pre_cur[cpu], *next;

	(void)arg;
	if (!cur || !(next = pre_pick()))
		return;
	pre_cur[cpu] = next;
	pre_prev[cpu] = cur;
	cur->left_cpu = cpu;
	atomic_store_explicit(&cur->state, PRE_SWITCHING, memory_order_relaxed);
	swapcontext(&cur->uc, &next->uc);
	/* Back, maybe on another vCPU pthread. */
	pre_finish_switch();
	if (cur->left_cpu != sk_plat_cpu_id())
		atomic_fetch_add(&pre_migrations, 1);
}

static void pre_tick(void *arg)
{
	unsigned cpu = sk_plat_cpu_id();

	(void)arg;
	atomic_fetch_add(&ht.timer[cpu], 1);
	if (atomic_load(&pre_active))
		sk_plat_timer_arm(sk_plat_clock_ns() + PRE_TICK_NS);
}

/*
 * errno is per pthread and __errno_location is declared const: look it up
 * afresh each time, or the compiler may reuse a migrated-from address,
 * and with irqs off, or a migration between the lookup and the load reads
 * the other vCPU's errno.
 */
static SK_NOINLINE int pre_errno_get(void)
{
	sk_plat_irq_flags flags = sk_plat_irq_save();
	int value = errno;

	sk_plat_irq_restore(flags);
	return value;
}

static SK_NOINLINE void pre_errno_set(int value)
{
	errno = value;
}

static void pre_check(struct pre_worker *w, volatile double *acc)
{
	sk_plat_irq_flags flags;
	unsigned id;
	void *local;

	if (!sk_plat_irq_is_enabled())
		w->bad_irqs++;
	flags = sk_plat_irq_save();
	id = sk_plat_cpu_id();
	local = sk_plat_cpu_local();
	sk_plat_irq_restore(flags);
	if (local != &pre_slot[id])
		w->bad_local++;
	/* Preemption carries errno with the interrupted context. */
	if (pre_errno_get() != 1000 + (int)(w - pre_w))
		w->bad_errno++;
	*acc += 0.5;
	if (*acc != 0.5 * (double)(w->iters + 1))
		w->bad_fpu++;
}

static void pre_worker_main(int idx)
{
	struct pre_worker *w = &pre_w[idx];
	volatile double acc = 0;
	unsigned cpu;

	pre_finish_switch();
	pre_errno_set(1000 + idx);
	sk_plat_irq_enable();
	/* CPU-bound: only the timer's signal can take the CPU away. */
	while (atomic_load_explicit(&pre_migrations, memory_order_relaxed) <
	       PRE_MIGRATIONS) {
		pre_check(w, &acc);
		w->iters++;
	}
	sk_plat_irq_disable();
	atomic_store(&w->state, PRE_DONE);
	atomic_fetch_add(&pre_done, 1);
	cpu = sk_plat_cpu_id();
	pre_cur[cpu] = NULL;
	setcontext(&pre_home[cpu]);
	abort();
}

/* A vCPU's part: run workers until every one is done. */
static void pre_run(void *arg)
{
	unsigned cpu = sk_plat_cpu_id();
	struct pre_worker *next;

	(void)arg;
	sk_plat_irq_disable();
	sk_plat_cpu_local_set(&pre_slot[cpu]);
	sk_plat_timer_arm(sk_plat_clock_ns() + PRE_TICK_NS);
	while (atomic_load(&pre_done) < PRE_WORKERS) {
		next = pre_pick();
		if (!next) {
			sk_plat_irq_enable();
			sched_yield();
			sk_plat_irq_disable();
			continue;
		}
		pre_cur[cpu] = next;
		swapcontext(&pre_home[cpu], &next->uc);
		pre_finish_switch();
	}
	sk_plat_timer_cancel();
	sk_plat_irq_enable();
}

/* Separate function: getcontext returns twice, keep no locals around it. */
static void pre_worker_init(int idx)
{
	struct pre_worker *w = &pre_w[idx];

	w->stack = malloc(PRE_STACK);
	assert_non_null(w->stack);
	assert_int_equal(getcontext(&w->uc), 0);
	w->uc.uc_stack.ss_sp = w->stack;
	w->uc.uc_stack.ss_size = PRE_STACK;
	w->uc.uc_link = NULL;
	makecontext(&w->uc, (void (*)(void))pre_worker_main, 1, idx);
	atomic_store(&w->state, PRE_READY);
}

static void test_preempt_cpu_bound_contexts_switch_and_migrate(void **state)
{
	unsigned i;

	(void)state;
	for (i = 0; i < PRE_WORKERS; i++)
		pre_worker_init((int)i);
	atomic_store(&pre_active, 1);
	sk_plat_irq_set_handler(SK_PLAT_IRQ_TIMER, pre_tick, NULL);
	sk_plat_irq_set_exit_hook(pre_hook, NULL);
	ht_run_async(1, pre_run, NULL);
	pre_run(NULL);
	ht_join(1);
	atomic_store(&pre_active, 0);
	assert_true(atomic_load(&pre_migrations) >= PRE_MIGRATIONS);
	for (i = 0; i < PRE_WORKERS; i++) {
		assert_int_equal(atomic_load(&pre_w[i].state), PRE_DONE);
		assert_int_equal(pre_w[i].bad_irqs, 0);
		assert_int_equal(pre_w[i].bad_local, 0);
		assert_int_equal(pre_w[i].bad_fpu, 0);
		assert_int_equal(pre_w[i].bad_errno, 0);
		free(pre_w[i].stack);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_preempt_cpu_bound_contexts_switch_and_migrate),
	};

	return ht_main(NULL, "hosted_preempt", tests, SK_ARRAY_LEN(tests));
}
