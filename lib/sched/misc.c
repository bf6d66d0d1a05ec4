// SPDX-License-Identifier: MIT
/*
 * Small per-thread services: yield, sleep, affinity, priority, names,
 * CPU time and the thread-local slots.
 */
#include <errno.h>

#include <plat/time.h>

#include "sched_impl.h"

static atomic_uint slot_keys;

void sk_thread_yield(void)
{
	sk_plat_irq_flags flags;

	sk_sched_assert_may_switch();
	flags = sk_plat_irq_save();
	sk_sched_switch(this_cpu(), SW_YIELD);
	sk_plat_irq_restore(flags);
}

void sk_thread_sleep_until(uint64_t deadline_ns)
{
	sk_sched_assert_may_switch();
	for (;;) {
		sk_wait_prepare();
		if (sk_plat_clock_ns() >= deadline_ns)
			break;
		if (sk_wait_until(deadline_ns) == -ETIMEDOUT)
			return;
	}
	sk_wait_finish();
}

void sk_thread_sleep_for(uint64_t ns)
{
	uint64_t now = sk_plat_clock_ns();

	sk_thread_sleep_until(ns > UINT64_MAX - 1 - now ? UINT64_MAX - 1
							: now + ns);
}

int sk_thread_set_affinity(const struct sk_cpuset *set)
{
	sk_plat_irq_flags flags;
	struct sk_cpu *cpu;
	struct sk_thread *t;
	unsigned n = 0;

	if (!set)
		return -EINVAL;
	for (unsigned c = 0; c < sk_sched_ncpus; c++)
		n += (unsigned)sk_cpuset_has(set, c);
	if (!n)
		return -EINVAL;
	sk_sched_assert_may_switch();
	flags = sk_plat_irq_save();
	cpu = this_cpu();
	t = cpu->current;
	t->affinity = *set;
	if (!sk_cpu_allowed(t, cpu->id)) {
		t->migrate_to = sk_balance_place(set, cpu->id);
		t->flags |= TF_MIGRATE;
		sk_sched_switch(cpu, SW_MIGRATE);
	}
	sk_plat_irq_restore(flags);
	return 0;
}

void sk_thread_affinity_get(const struct sk_thread *t, struct sk_cpuset *out)
{
	*out = t->affinity;
}

int sk_thread_set_prio(unsigned prio)
{
	sk_plat_irq_flags flags;

	if (prio < SK_THREAD_PRIO_MIN || prio > SK_THREAD_PRIO_MAX)
		return -EINVAL;
	flags = sk_plat_irq_save();
	sk_fair_charge(this_cpu(), this_cpu()->current, sk_plat_clock_ns());
	atomic_store_explicit(&this_cpu()->current->prio, prio,
			      memory_order_relaxed);
	sk_plat_irq_restore(flags);
	return 0;
}

const char *sk_thread_name(const struct sk_thread *t)
{
	return t->name;
}

uint64_t sk_thread_cpu_time_ns(const struct sk_thread *t)
{
	uint64_t v =
		atomic_load_explicit(&t->cpu_time_ns, memory_order_relaxed);

	if (t == sk_thread_current()) {
		/* the start may be a switch-path estimate a little ahead */
		uint64_t now = sk_plat_clock_ns();

		v += now > t->run_start_ns ? now - t->run_start_ns : 0;
	}
	return v;
}

unsigned sk_thread_cpu(const struct sk_thread *t)
{
	return thread_cpu(t);
}

int sk_thread_slot_key_alloc(unsigned *key)
{
	unsigned k = atomic_load_explicit(&slot_keys, memory_order_relaxed);

	do {
		if (k >= SK_THREAD_SLOTS)
			return -ENOSPC;
	} while (!atomic_compare_exchange_weak_explicit(&slot_keys, &k, k + 1,
							memory_order_relaxed,
							memory_order_relaxed));
	*key = k;
	return 0;
}

void *sk_thread_slot_get(unsigned key)
{
	return key < SK_THREAD_SLOTS ? sk_thread_current()->slots[key] : NULL;
}

void sk_thread_slot_set(unsigned key, void *value)
{
	if (key < SK_THREAD_SLOTS)
		sk_thread_current()->slots[key] = value;
}

void *sk_thread_slot_get_of(const struct sk_thread *t, unsigned key)
{
	return key < SK_THREAD_SLOTS ? t->slots[key] : NULL;
}
