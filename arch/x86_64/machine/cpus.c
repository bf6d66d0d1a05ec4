// SPDX-License-Identifier: MIT
/*
 * The CPU bookkeeping kvm and xen share (<x86/cpus.h>): the registered
 * table of per-CPU records behind plat/cpu.h's count/id/local calls and
 * plat/percpu.h's remote lookup, and the start-up handshake.
 */
#include <errno.h>

#include <x86/cpu.h>
#include <x86/cpus.h>

enum { RUNNING_TIMEOUT_US = 2000000 };

/* Written once at boot by the boot CPU, before any other CPU runs. */
static char *table;
static size_t table_stride;
static unsigned table_max;
static const unsigned *table_count;

void sk_x86_cpus_register(void *base, size_t stride, unsigned n_max,
			  const unsigned *count)
{
	table = base;
	table_stride = stride;
	table_max = n_max;
	table_count = count;
}

static struct sk_plat_percpu *record(unsigned cpu)
{
	return (struct sk_plat_percpu *)(void *)(table + cpu * table_stride);
}

void sk_x86_cpu_init_local(struct sk_plat_percpu *pc)
{
	pc->self = pc;
	pc->cpu_id = (uint64_t)((char *)pc - table) / table_stride;
	sk_x86_wrmsr(SK_X86_MSR_GS_BASE, (uintptr_t)pc);
}

unsigned sk_plat_cpu_count(void)
{
	return *table_count;
}

unsigned sk_plat_cpu_id(void)
{
	return (unsigned)SK_PLAT_PERCPU_READ(SK_PLAT_PERCPU_OFF_CPU_ID);
}

void sk_plat_cpu_local_set(void *base)
{
	SK_PLAT_PERCPU_WRITE(SK_PLAT_PERCPU_OFF_LOCAL, (uintptr_t)base);
}

void *sk_plat_cpu_local(void)
{
	return (void *)(uintptr_t)SK_PLAT_PERCPU_READ(SK_PLAT_PERCPU_OFF_LOCAL);
}

struct sk_plat_percpu *sk_plat_percpu_of(unsigned cpu)
{
	if (!table || cpu >= *table_count || cpu >= table_max ||
	    !record(cpu)->self)
		return NULL;
	return record(cpu);
}

void sk_plat_cpu_relax(void)
{
	sk_x86_pause();
}

int sk_x86_cpu_claim(atomic_int *state)
{
	int expected = SK_X86_CPU_FOUND;

	/* Relaxed: the claim only excludes a second starter; what the new
	 * CPU needs reaches it through the platform's start-up path. */
	if (!atomic_compare_exchange_strong_explicit(
		    state, &expected, SK_X86_CPU_STARTING, memory_order_relaxed,
		    memory_order_relaxed))
		return -EINVAL;
	return 0;
}

void sk_x86_cpu_set_running(atomic_int *state)
{
	/* Release: the CPU's own init before RUNNING; pairs with the
	 * acquire in sk_x86_cpu_is_running and sk_x86_cpu_wait_running. */
	atomic_store_explicit(state, SK_X86_CPU_RUNNING, memory_order_release);
}

int sk_x86_cpu_wait_running(atomic_int *state, uint64_t tsc_hz)
{
	uint64_t start = sk_x86_rdtsc();
	uint64_t limit = RUNNING_TIMEOUT_US * (tsc_hz / 1000000);

	while (!sk_x86_cpu_is_running(state)) {
		if (sk_x86_rdtsc() - start > limit)
			return -EIO;
		sk_x86_pause();
	}
	return 0;
}

/*
 * No cheaper barrier than an IPI round here: the only way to make another
 * CPU execute a fence is to interrupt it, which is what lib/rcu's
 * quiescent-state kick does already (its handler notes the state when the
 * preemption count is zero).  A version that skips vCPUs the hypervisor
 * reports as preempted (KVM steal time, Xen runstate) would beat it; that
 * needs those records mapped first.
 */
int sk_plat_cpu_barrier_all(void)
{
	return -ENOSYS;
}
