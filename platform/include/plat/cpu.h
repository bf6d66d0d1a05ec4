/* SPDX-License-Identifier: MIT */
/*
 * Platform contract: virtual CPUs.  A platform runs skiff on a fixed set of
 * CPUs numbered 0..sk_plat_cpu_count()-1; CPU 0 is the boot CPU.  Each CPU
 * has one pointer-sized slot the core owns (its per-CPU base), and can be
 * sent a wake-up IPI.  See docs/platform.md.
 */
#ifndef PLAT_CPU_H
#define PLAT_CPU_H

#include <stdbool.h>

/* Upper bound on CPUs any platform supports; sizes static per-CPU arrays. */
enum { SK_PLAT_CPUS_MAX = 256 };

/*
 * sk_plat_cpu_count - number of CPUs this machine runs skiff on.
 * Return: >= 1, constant after boot.
 * Context: any.
 */
unsigned sk_plat_cpu_count(void);

/*
 * sk_plat_cpu_id - the CPU the caller runs on.
 * Return: 0..sk_plat_cpu_count()-1; (unsigned)SK_PLAT_PERCPU_NO_CPU on a
 * thread that is not a CPU (hosted: the main thread before boot).
 * Context: any; the answer is only stable while the caller cannot migrate
 * (irqs off or preemption disabled).
 */
unsigned sk_plat_cpu_id(void);

/*
 * sk_plat_cpu_local_set - set this CPU's per-CPU base pointer.
 * sk_plat_cpu_local - read it (NULL until set).
 * The value is never cached across a context switch: a thread that migrates
 * reads the new CPU's pointer on its next call.
 * Context: irqs off or preemption disabled.
 */
void sk_plat_cpu_local_set(void *base);
void *sk_plat_cpu_local(void);

typedef void (*sk_plat_cpu_entry_fn)(unsigned cpu, void *arg);

/*
 * sk_plat_cpu_start - start secondary CPU @cpu running @entry(cpu, arg).
 * @entry runs on a platform-provided stack with irqs disabled and must never
 * return.
 * Return: 0; -EINVAL if @cpu is 0, out of range or already started, or
 *         @entry is NULL;
 *         -ENOMEM / -EIO if the platform could not bring it up.
 * Context: thread, boot CPU or any started CPU.
 */
int sk_plat_cpu_start(unsigned cpu, sk_plat_cpu_entry_fn entry, void *arg);

/*
 * sk_plat_cpu_idle - wait for an interrupt.
 * Called with irqs disabled.  Atomically enables irqs and halts; returns
 * after at least one interrupt handler has run on this CPU (or at once if
 * an interrupt was already pending), with irqs disabled again.  An interrupt
 * that raced with the call is never missed.  May return spuriously.
 * Context: irqs off.
 */
void sk_plat_cpu_idle(void);

/*
 * sk_plat_cpu_ipi - send a wake-up IPI to @cpu.
 * The target's IPI handler (sk_plat_irq_set_handler(SK_PLAT_IRQ_IPI, ...))
 * runs on @cpu at its next irqs-enabled point.  IPIs sent before the target
 * handles one may coalesce into one delivery.  Sending to oneself is allowed.
 * Context: any.
 */
void sk_plat_cpu_ipi(unsigned cpu);

/*
 * sk_plat_cpu_barrier_all - a full memory barrier on every CPU.
 * When it returns 0, every CPU of the machine, the caller's included, has
 * executed a full memory barrier (as atomic_thread_fence(seq_cst)) at some
 * point between the call and the return, or was not executing at some point
 * of that interval (halted, or not run by the host or hypervisor) and passes
 * a full barrier before it executes again.  A CPU with irqs disabled is not
 * exempt: the call may have to wait for it.  Used by lib/rcu: after it, a
 * CPU whose preemption count reads zero is in no read-side section.
 * Return: 0; -ENOSYS if the platform has no such barrier cheaper than the
 * caller's own IPI round (the caller then uses that); -EIO if it failed.
 * Context: thread, preemptible; may block until the CPUs have answered.
 */
int sk_plat_cpu_barrier_all(void);

/*
 * sk_plat_cpu_is_preempted - whether the host or hypervisor has taken the
 * physical CPU away from @cpu while it had work: it is runnable but not
 * running, so a thread that lib/sched reports running there makes no
 * progress now (Linux's vcpu_is_preempted).  A spinner that waits for such
 * a thread should stop spinning.
 * Return: true only when the platform knows it (kvm: KVM steal time's
 * preempted flag; xen: the vCPU's runstate is "runnable"); false while it
 * runs, while it is halted or blocked, for a bad @cpu, and on platforms
 * with no such source (hosted: Linux shows a process nothing cheaper than
 * /proc; kvm without the steal-time feature, as under TCG).
 * Ordering: none; a racy snapshot, a hint.  Context: any.
 */
bool sk_plat_cpu_is_preempted(unsigned cpu);

/* sk_plat_cpu_relax - spin-wait hint (x86 pause).  Context: any. */
void sk_plat_cpu_relax(void);

#endif
