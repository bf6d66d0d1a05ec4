// SPDX-License-Identifier: MIT
/*
 * Thread life cycle (sched/thread.h): create, exit, join, detach, and the
 * small per-thread services (yield, sleep, affinity, slots).
 *
 * sk_thread.jstate (who releases the memory):
 *
 *   from       to        who
 *   JOINABLE   JOINING   the joiner (after claiming t->joiner)
 *   JOINABLE   DETACHED  sk_thread_detach
 *   JOINABLE   EXITED    the CPU the thread left for the last time
 *   JOINING    EXITED    same; then it wakes the joiner
 *   DETACHED   RELEASED  same; the thread goes to the reaper
 *   EXITED     RELEASED  the joiner, or sk_thread_detach; to the reaper
 *
 * EXITED is only set once the thread is off its stack, so after a join a
 * caller-provided stack is free at once; the control block waits for a
 * grace period (reap.c) because wakers may still hold its address.
 */
#include <errno.h>
#include <string.h>

#include <arch/fpu.h>
#include <plat/assert.h>
#include <plat/time.h>

#include <sched/preempt.h>

#include "sched_impl.h"

/* No strncpy: kernels that compile this file may not have one. */
void sk_thread_name_set(struct sk_thread *t, const char *name)
{
	size_t i = 0;

	for (; name[i] && i < sizeof(t->name) - 1; i++)
		t->name[i] = name[i];
	t->name[i] = '\0';
}

size_t sk_thread_tcb_len(void)
{
	return SK_ALIGN_UP(sizeof(struct sk_thread),
			   (size_t)SK_ARCH_FPU_ALIGN) +
	       sk_arch_fpu_area_size();
}

static _Noreturn void thread_start(void *arg)
{
	struct sk_thread *t = arg;

	sk_sched_thread_finish();
	sk_plat_irq_enable();
	sk_sched_preempt_resched();
	t->fn(t->arg);
	sk_thread_exit();
}

static int attr_check(const struct sk_thread_attr *a)
{
	unsigned n = 0;

	if (a->stack_len && a->stack_len < SK_THREAD_STACK_MIN)
		return -EINVAL;
	if (a->stack && !a->stack_len)
		return -EINVAL;
	if (a->prio &&
	    (a->prio < SK_THREAD_PRIO_MIN || a->prio > SK_THREAD_PRIO_MAX))
		return -EINVAL;
	if (a->sched_class == SK_THREAD_FIFO) {
		if (a->rt_prio < SK_THREAD_RT_PRIO_MIN ||
		    a->rt_prio > SK_THREAD_RT_PRIO_MAX)
			return -EINVAL;
	} else if (a->sched_class != SK_THREAD_FAIR) {
		return -EINVAL;
	}
	if (a->flags & ~(unsigned)SK_THREAD_DETACHED)
		return -EINVAL;
	if (!a->affinity)
		return 0;
	for (unsigned c = 0; c < sk_sched_ncpus; c++)
		n += (unsigned)sk_cpuset_has(a->affinity, c);
	return n ? 0 : -EINVAL;
}

/* A control block (and stack unless the caller gave one). */
static struct sk_thread *thread_alloc(const struct sk_thread_attr *a,
				      void **stack, size_t *stack_len)
{
	size_t tcb = sk_thread_tcb_len();
	size_t slen = a->stack_len ? a->stack_len : SK_THREAD_STACK_DEFAULT;
	struct sk_thread *t = NULL;
	void *mem;

	if (a->stack) {
		mem = sk_sched_mem.alloc(tcb, sk_sched_mem.ctx);
		if (!mem)
			return NULL;
		t = mem;
		memset(t, 0, sizeof(*t));
		t->mem_len = tcb;
		*stack = a->stack;
		*stack_len = a->stack_len;
	} else {
		slen = SK_ALIGN_UP(slen, (size_t)SK_ARCH_FPU_ALIGN);
		if (slen == SK_THREAD_STACK_DEFAULT)
			t = sk_reap_cache_get();
		mem = t ? t->mem
			: sk_sched_mem.alloc(slen + tcb, sk_sched_mem.ctx);
		if (!mem)
			return NULL;
		t = (struct sk_thread *)(void *)((char *)mem + slen);
		memset(t, 0, sizeof(*t));
		t->mem_len = slen + tcb;
		t->flags = TF_OWN_STACK;
		*stack = mem;
		*stack_len = slen;
	}
	t->mem = mem;
	t->fpu_area = (char *)t + SK_ALIGN_UP(sizeof(struct sk_thread),
					      (size_t)SK_ARCH_FPU_ALIGN);
	sk_arch_fpu_area_init(t->fpu_area);
	return t;
}

static void thread_setup(struct sk_thread *t, const struct sk_thread_attr *a)
{
	if (a->name)
		sk_thread_name_set(t, a->name);
	t->kind = a->sched_class == SK_THREAD_FIFO ? TK_FIFO : TK_FAIR;
	atomic_init(&t->prio, a->prio ? a->prio : SK_THREAD_PRIO_DEFAULT);
	t->rt_prio = a->rt_prio;
	if (a->affinity)
		t->affinity = *a->affinity;
	else
		sk_cpuset_fill(&t->affinity);
	atomic_init(&t->state, TS_RUNNING);
	atomic_init(&t->jstate, (a->flags & SK_THREAD_DETACHED) ? JS_DETACHED
								: JS_JOINABLE);
	/* r = 0: its key is 0 on whatever CPU it arrives, whenever
	 * (fair.c: sk_fair_arrive), so no stamp and no clock read */
	t->r_stamp = 0;
}

/* Put a new thread on the CPU the balancer picks. */
static void thread_launch(struct sk_thread *t)
{
	sk_plat_irq_flags flags = sk_plat_irq_save();
	struct sk_cpu *cpu = this_cpu();
	unsigned target = sk_balance_place(&t->affinity, cpu->id);

	sk_registry_add(cpu, t);
	thread_cpu_set(t, target);
	if (target == cpu->id) /* no clock read: as a same-CPU wake */
		sk_wake_arrive(cpu, t, cpu->now_ns);
	else
		sk_wake_push(cpu, t, target);
	sk_plat_irq_restore(flags);
	sk_sched_preempt_resched();
}

int sk_thread_create(struct sk_thread **out, const struct sk_thread_attr *attr,
		     sk_thread_fn fn, void *arg)
{
	static const struct sk_thread_attr defaults;
	const struct sk_thread_attr *a = attr ? attr : &defaults;
	struct sk_thread *t;
	void *stack;
	size_t stack_len;
	int err;

	if (!fn || !sk_sched_cpus)
		return -EINVAL;
	err = attr_check(a);
	if (err)
		return err;
	sk_reap_collect();
	t = thread_alloc(a, &stack, &stack_len);
	if (!t)
		return -ENOMEM;
	thread_setup(t, a);
	t->fn = fn;
	t->arg = arg;
	sk_arch_context_init(&t->ctx, stack, stack_len, thread_start, t);
	if (out)
		*out = t;
	thread_launch(t);
	return 0;
}

_Noreturn void sk_thread_exit(void)
{
	struct sk_cpu *cpu;
	struct sk_thread *t;

	sk_plat_irq_disable();
	cpu = this_cpu();
	t = cpu->current;
	SK_ASSERT(preempt_count() == 0,
		  "sched: thread exit with preemption disabled");
	SK_ASSERT(t->kind != TK_IDLE, "sched: the idle thread cannot exit");
	sk_timers_cancel_all(cpu, t);
	atomic_store_explicit(&t->state, TS_DEAD, memory_order_release);
	sk_sched_switch(cpu, SW_EXIT);
	SK_PANIC("sched: a dead thread was switched back to");
}

static void release(struct sk_thread *t)
{
	sk_plat_irq_flags flags = sk_plat_irq_save();

	sk_registry_release(this_cpu(), t);
	sk_plat_irq_restore(flags);
}

/* Called on the CPU @t left for good, by the next thread, irqs off. */
void sk_thread_exited(struct sk_cpu *cpu, struct sk_thread *t)
{
	unsigned js = atomic_load_explicit(&t->jstate, memory_order_acquire);

	sk_arch_context_fini(&t->ctx);
	for (;;) {
		unsigned to = js == JS_DETACHED ? JS_RELEASED : JS_EXITED;

		/* acq_rel: the joiner's claim of t->joiner before JOINING */
		if (atomic_compare_exchange_weak_explicit(&t->jstate, &js, to,
							  memory_order_acq_rel,
							  memory_order_acquire))
			break;
	}
	if (js == JS_DETACHED)
		sk_registry_release(cpu, t);
	else if (js == JS_JOINING)
		sk_thread_wake(
			atomic_load_explicit(&t->joiner, memory_order_relaxed));
}

int sk_thread_join(struct sk_thread *t)
{
	struct sk_thread *self = sk_thread_current();
	struct sk_thread *none = NULL;
	unsigned js = JS_JOINABLE;

	if (!t || t == self)
		return -EINVAL;
	sk_sched_assert_may_switch();
	if (!atomic_compare_exchange_strong_explicit(&t->joiner, &none, self,
						     memory_order_relaxed,
						     memory_order_relaxed))
		return -EINVAL;
	/* release: t->joiner before JOINING (read by sk_thread_exited) */
	if (!atomic_compare_exchange_strong_explicit(
		    &t->jstate, &js, JS_JOINING, memory_order_acq_rel,
		    memory_order_acquire) &&
	    js != JS_EXITED)
		return -EINVAL;
	sk_wait_prepare();
	while (atomic_load_explicit(&t->jstate, memory_order_acquire) !=
	       JS_EXITED) {
		sk_wait();
		sk_wait_prepare();
	}
	sk_wait_finish();
	atomic_store_explicit(&t->jstate, JS_RELEASED, memory_order_relaxed);
	release(t);
	sk_reap_collect();
	return 0;
}

int sk_thread_detach(struct sk_thread *t)
{
	unsigned js;

	if (!t)
		return -EINVAL;
	js = atomic_load_explicit(&t->jstate, memory_order_acquire);
	for (;;) {
		unsigned to = js == JS_EXITED ? JS_RELEASED : JS_DETACHED;

		if (js != JS_JOINABLE && js != JS_EXITED)
			return -EINVAL;
		if (atomic_compare_exchange_weak_explicit(&t->jstate, &js, to,
							  memory_order_acq_rel,
							  memory_order_acquire))
			break;
	}
	if (js == JS_EXITED)
		release(t);
	return 0;
}
