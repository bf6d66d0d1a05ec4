/* SPDX-License-Identifier: MIT */
/*
 * The CPU bookkeeping kvm and xen share: each platform keeps an array of
 * per-CPU records that start with struct sk_plat_percpu (the GS base points
 * at it) and registers that array here; this file then answers the
 * per-CPU half of plat/cpu.h and plat/percpu.h, and runs the start-up
 * handshake of a secondary CPU.  How a CPU is found and started (ACPI and
 * INIT-SIPI, or VCPUOP) stays with the platform.
 *
 * A record's state word (atomic_int), one writer at a time:
 *   ABSENT -> FOUND      boot CPU, discovery (relaxed; before any start)
 *   FOUND -> STARTING    sk_x86_cpu_claim, by CAS (one starter wins)
 *   STARTING -> RUNNING  the new CPU, sk_x86_cpu_set_running (release)
 * read by sk_x86_cpu_wait_running and by IPI senders (acquire).
 */
#ifndef X86_CPUS_H
#define X86_CPUS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <plat/cpu.h>
#include <plat/percpu.h>

enum sk_x86_cpu_state {
	SK_X86_CPU_ABSENT = 0,
	SK_X86_CPU_FOUND = 1, /* the platform knows it; stacks allocated */
	SK_X86_CPU_STARTING = 2, /* sk_plat_cpu_start claimed it */
	SK_X86_CPU_RUNNING = 3, /* its own init is done; IPIs work */
};

/*
 * sk_x86_cpus_register - the platform's records: @n_max records of
 * @stride bytes from @base, each starting with struct sk_plat_percpu; the
 * CPU count is read from *@count (the platform updates it at discovery).
 * Context: boot CPU, first thing at boot.
 */
void sk_x86_cpus_register(void *base, size_t stride, unsigned n_max,
			  const unsigned *count);

/*
 * sk_x86_cpu_init_local - make @pc (a registered record) this CPU's block:
 * self, cpu_id (its index) and the GS base.
 * Context: the CPU itself, first thing, irqs off.
 */
void sk_x86_cpu_init_local(struct sk_plat_percpu *pc);

/* sk_x86_cpu_record - the running CPU's record.  Context: after init. */
static inline void *sk_x86_cpu_record(void)
{
	return (void *)(uintptr_t)SK_PLAT_PERCPU_READ(SK_PLAT_PERCPU_OFF_SELF);
}

/*
 * sk_x86_cpu_claim - FOUND -> STARTING on @state.
 * Return: 0, or -EINVAL if the CPU is not waiting to be started.
 * Context: any.
 */
int sk_x86_cpu_claim(atomic_int *state);

/*
 * sk_x86_cpu_set_running - the starting CPU says its init is done (its
 * interrupts and IPIs work).  Context: the CPU itself.
 */
void sk_x86_cpu_set_running(atomic_int *state);

/*
 * sk_x86_cpu_is_running - whether @state reached RUNNING (acquire: what
 * the CPU set up before is visible).  Context: any.
 */
static inline int sk_x86_cpu_is_running(atomic_int *state)
{
	/* Acquire: pairs with the release in sk_x86_cpu_set_running. */
	return atomic_load_explicit(state, memory_order_acquire) ==
	       SK_X86_CPU_RUNNING;
}

/*
 * sk_x86_cpu_wait_running - wait until the started CPU reports RUNNING.
 * Return: 0, or -EIO after 2 s (measured with the TSC at @tsc_hz).
 * Context: the starter.
 */
int sk_x86_cpu_wait_running(atomic_int *state, uint64_t tsc_hz);

#endif
