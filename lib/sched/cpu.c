// SPDX-License-Identifier: MIT
/*
 * Bring-up and the per-CPU side: sk_sched_init() builds the CPU table,
 * turns the boot context into "main", gives each CPU an idle thread and
 * starts the secondaries; the idle loop; the IPI handler; counters.
 */
#include <errno.h>
#include <string.h>

#include <arch/fpu.h>
#include <plat/assert.h>
#include <plat/time.h>

#include "sched_impl.h"

enum { IDLE_STACK_LEN = 64 * 1024 };

static const uint64_t REAP_RETRY_NS = 1000000;

struct sk_cpu *sk_sched_cpus;
unsigned sk_sched_ncpus;
struct sk_sched_mem_ops sk_sched_mem;

static struct sk_timer reap_timers[SK_PLAT_CPUS_MAX];

static void reap_retry(void *arg)
{
	(void)arg; /* waking the idle loop is the whole point */
}

/* Runs on each CPU's idle thread with irqs off; never returns. */
static _Noreturn void idle_loop(struct sk_cpu *cpu)
{
	struct sk_timer *rt = &reap_timers[cpu->id];

	sk_timer_init(rt, reap_retry, NULL, SK_TIMER_CPU);
	for (;;) {
		sk_wake_drain(cpu);
		if (cpu->nr_queued) {
			sk_sched_switch(cpu, SW_CHECK);
			continue;
		}
		sk_reap_advance(cpu);
		if (sk_reap_is_pending(cpu) && !sk_timer_is_armed(rt))
			sk_timer_arm(rt, sk_plat_clock_ns() + REAP_RETRY_NS);
		sk_balance_idle_pull(cpu);
		atomic_store_explicit(&cpu->next_look_ns, 0,
				      memory_order_relaxed);
		/* Pairs with the fence in sk_wake_push(). */
		atomic_thread_fence(memory_order_seq_cst);
		if (!sk_wake_pending(cpu) && !resched_is_due()) {
			atomic_store_explicit(&cpu->idle_now, 1,
					      memory_order_relaxed);
			sk_eqs_enter(cpu);
			sk_plat_cpu_idle();
			sk_eqs_exit(cpu);
			atomic_store_explicit(&cpu->idle_now, 0,
					      memory_order_relaxed);
		}
		resched_clear();
		sk_qs_note(cpu);
	}
}

static _Noreturn void idle_start(void *arg)
{
	sk_sched_thread_finish();
	idle_loop(arg);
}

/* Before every interrupt's handlers (plat/irq.h): a handler on an idle CPU
 * may read RCU data, so the CPU leaves its extended quiescent state first. */
static void entry_hook(void *arg)
{
	struct sk_cpu *cpu = this_cpu();

	(void)arg;
	if (cpu)
		sk_eqs_exit(cpu);
}

static void debug_handler(void *arg)
{
	(void)arg;
	sk_sched_debug_dump();
}

static void ipi_handler(void *arg)
{
	struct sk_cpu *cpu = this_cpu();

	(void)arg;
	sk_wake_drain(cpu);
	sk_registry_drain(cpu);
	sk_remote_drain(cpu);
	sk_balance_steal_serve(cpu);
	if (preempt_count())
		resched_set(); /* a qs kick: pass one at enable */
}

static void secondary_entry(unsigned id, void *arg)
{
	struct sk_cpu *cpu = &sk_sched_cpus[id];

	(void)arg;
	resched_clear(); /* the platform's zero word means "due" */
	sk_plat_cpu_local_set(cpu);
	sk_arch_context_init_current(&cpu->idle->ctx);
	set_current(cpu, cpu->idle);
	cpu->idle->run_start_ns = sk_plat_clock_ns();
	idle_loop(cpu);
}

static struct sk_thread *tcb_new(void *mem, size_t len, const char *name,
				 enum thread_kind kind)
{
	struct sk_thread *t = (struct sk_thread *)(void *)((char *)mem + len -
							   sk_thread_tcb_len());

	memset(t, 0, sizeof(*t));
	t->mem = mem;
	t->mem_len = len;
	t->fpu_area = (char *)t + SK_ALIGN_UP(sizeof(struct sk_thread),
					      (size_t)SK_ARCH_FPU_ALIGN);
	sk_arch_fpu_area_init(t->fpu_area);
	sk_thread_name_set(t, name);
	t->kind = kind;
	atomic_init(&t->prio, SK_THREAD_PRIO_DEFAULT);
	sk_cpuset_fill(&t->affinity);
	atomic_init(&t->state, TS_RUNNING);
	atomic_init(&t->jstate, JS_DETACHED);
	return t;
}

static int cpus_alloc(unsigned n)
{
	size_t cpus_len = SK_ALIGN_UP(n * sizeof(struct sk_cpu), (size_t)64);
	size_t per = n * (sizeof(uint64_t) + sizeof(void *));
	char *mem = sk_sched_mem.alloc(cpus_len + n * per, sk_sched_mem.ctx);
	uint64_t now = sk_plat_clock_ns();

	if (!mem)
		return -ENOMEM;
	memset(mem, 0, cpus_len + n * per);
	sk_sched_cpus = (struct sk_cpu *)(void *)mem;
	for (unsigned i = 0; i < n; i++) {
		struct sk_cpu *c = &sk_sched_cpus[i];
		char *extra = mem + cpus_len + i * per;

		c->id = i;
		c->hw_deadline = NO_DEADLINE;
		c->preempt_deadline = NO_DEADLINE;
		c->epoch_ns = now;
		c->now_ns = now;
		c->qs_snap = (uint64_t *)(void *)extra;
		c->inq = (void *)(extra + n * sizeof(uint64_t));
		atomic_init(&c->next_look_ns, NO_DEADLINE);
	}
	return 0;
}

static int threads_alloc(unsigned n)
{
	size_t tcb = sk_thread_tcb_len();

	for (unsigned i = 0; i < n; i++) {
		size_t len = i ? tcb : IDLE_STACK_LEN + tcb;
		void *mem = sk_sched_mem.alloc(len, sk_sched_mem.ctx);

		if (!mem)
			return -ENOMEM;
		sk_sched_cpus[i].idle = tcb_new(mem, len, "idle", TK_IDLE);
		thread_cpu_set(sk_sched_cpus[i].idle, i);
		sk_cpuset_zero(&sk_sched_cpus[i].idle->affinity);
		sk_cpuset_add(&sk_sched_cpus[i].idle->affinity, i);
	}
	sk_arch_context_init(&sk_sched_cpus[0].idle->ctx,
			     sk_sched_cpus[0].idle->mem, IDLE_STACK_LEN,
			     idle_start, &sk_sched_cpus[0]);
	return 0;
}

static int main_adopt(struct sk_cpu *cpu)
{
	size_t tcb = sk_thread_tcb_len();
	void *mem = sk_sched_mem.alloc(tcb, sk_sched_mem.ctx);
	struct sk_thread *t;

	if (!mem)
		return -ENOMEM;
	t = tcb_new(mem, tcb, "main", TK_FAIR);
	t->flags = TF_BOOT;
	sk_arch_context_init_current(&t->ctx);
	atomic_init(&t->jstate, JS_JOINABLE);
	t->run_start_ns = sk_plat_clock_ns();
	set_current(cpu, t);
	cpu->run_c = sk_fair_c(cpu, t->run_start_ns);
	atomic_store_explicit(&cpu->load, 1, memory_order_relaxed);
	return 0;
}

int sk_sched_init(const struct sk_sched_mem_ops *ops)
{
	unsigned n = sk_plat_cpu_count();
	int err;

	if (!ops || !ops->alloc || !ops->free)
		return -EINVAL;
	if (sk_sched_cpus)
		return -EBUSY;
	if (n == 0 || n > SK_PLAT_CPUS_MAX)
		return -EINVAL;
	sk_sched_mem = *ops;
	err = sk_arch_fpu_setup(SK_ARCH_FPU_AUTO);
	if (!err)
		err = cpus_alloc(n);
	if (!err)
		err = threads_alloc(n);
	if (!err)
		err = main_adopt(&sk_sched_cpus[0]);
	if (err)
		return err; /* memory from a failed boot is not reclaimed */
	sk_sched_ncpus = n;
	sk_registry_add(&sk_sched_cpus[0], sk_sched_cpus[0].current);
	for (unsigned i = 0; i < n; i++)
		sk_registry_add(&sk_sched_cpus[i], sk_sched_cpus[i].idle);
	resched_clear(); /* the platform's zero word means "due" */
	sk_plat_cpu_local_set(&sk_sched_cpus[0]);
	sk_plat_irq_set_handler(SK_PLAT_IRQ_TIMER, sk_timer_irq, NULL);
	sk_plat_irq_set_handler(SK_PLAT_IRQ_IPI, ipi_handler, NULL);
	sk_plat_irq_set_handler(SK_PLAT_IRQ_DEBUG, debug_handler, NULL);
	sk_plat_irq_set_entry_hook(entry_hook, NULL);
	sk_plat_irq_set_exit_hook(sk_sched_exit_hook, NULL);
	for (unsigned i = 1; i < n; i++) {
		err = sk_plat_cpu_start(i, secondary_entry, NULL);
		if (err)
			return err;
	}
	sk_plat_irq_enable();
	return 0;
}

unsigned sk_sched_cpu_load(unsigned cpu)
{
	if (!sk_sched_cpus || cpu >= sk_sched_ncpus)
		return 0;
	return atomic_load_explicit(&sk_sched_cpus[cpu].load,
				    memory_order_relaxed);
}

int sk_sched_stats_get(unsigned cpu, struct sk_sched_stats *out)
{
	struct sk_cpu *c;

	if (!sk_sched_cpus || cpu >= sk_sched_ncpus || !out)
		return -EINVAL;
	c = &sk_sched_cpus[cpu];
	out->switches =
		atomic_load_explicit(&c->stats.switches, memory_order_relaxed);
	out->preemptions = atomic_load_explicit(&c->stats.preemptions,
						memory_order_relaxed);
	out->ipis_sent =
		atomic_load_explicit(&c->stats.ipis_sent, memory_order_relaxed);
	out->migrations = atomic_load_explicit(&c->stats.migrations,
					       memory_order_relaxed);
	out->timer_arms = atomic_load_explicit(&c->stats.timer_arms,
					       memory_order_relaxed);
	return 0;
}
