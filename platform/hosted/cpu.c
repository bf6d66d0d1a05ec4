/* SPDX-License-Identifier: MIT */
/*
 * Virtual CPUs on hosted: one pthread each, its GS base on its struct
 * hosted_cpu (plat/percpu.h).  A vCPU pthread owns a POSIX timer aimed at
 * its thread id.  An IPI is a bit posted into the target's pending word,
 * followed by a wake from idle or, if the target was not idle, a signal
 * (see sk_hosted_post and docs/platform.md).  Idle sleeps on a per-vCPU
 * semaphore that everyone who records an interrupt for that vCPU posts, so
 * nothing racing with going idle is missed.
 */
#define _GNU_SOURCE
#include "hosted.h"

#include <errno.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <plat/assert.h>
#include <plat/cpu.h>
#include <plat/irq.h>
#include <plat/time.h>

unsigned sk_plat_cpu_count(void)
{
	return sk_hosted_m.ncpus;
}

/* One %gs-relative instruction each: always the pthread it executes on. */
unsigned sk_plat_cpu_id(void)
{
	return (unsigned)SK_PLAT_PERCPU_READ(SK_PLAT_PERCPU_OFF_CPU_ID);
}

void *sk_plat_cpu_local(void)
{
	return (void *)(uintptr_t)SK_PLAT_PERCPU_READ(SK_PLAT_PERCPU_OFF_LOCAL);
}

void sk_plat_cpu_local_set(void *base)
{
	SK_PLAT_PERCPU_WRITE(SK_PLAT_PERCPU_OFF_LOCAL, (uintptr_t)base);
}

void sk_plat_cpu_relax(void)
{
	__asm__ __volatile__("pause" ::: "memory");
}

/*
 * Linux tells a process whether one of its threads is on a CPU only
 * through /proc (microseconds per look), so hosted never knows.
 */
bool sk_plat_cpu_is_preempted(unsigned cpu)
{
	(void)cpu;
	return false;
}

/*
 * Signal another vCPU.  A raw tgkill, not pthread_kill: glibc's blocks all
 * signals around the kill (two more system calls) to guard against thread
 * exit, and vCPU threads never exit while the machine runs.
 */
static void hosted_tgkill(pid_t tid, int sig)
{
	syscall(SYS_tgkill, sk_hosted_m.pid, tid, sig);
}

/* A few microseconds of spinning, where a signal may land. */
static void hosted_fuzz_delay(void)
{
	unsigned i;

	for (i = 0; i < 256; i++)
		sk_plat_cpu_relax();
}

/*
 * Wake vCPU @c if it sleeps in sk_plat_cpu_idle.  Return: whether it did.
 * The exchange makes exactly one waker post per idle episode.
 * Context: any, including a signal handler (sem_post is async-signal-safe).
 */
bool sk_hosted_cpu_kick(struct hosted_cpu *c)
{
	/* seq_cst: Dekker with the store of @idle in sk_plat_cpu_idle. */
	if (atomic_exchange_explicit(&c->idle, 0, memory_order_seq_cst) != 1)
		return false;
	sem_post(&c->idle_sem);
	return true;
}

/*
 * Post @bit into vCPU @c's pending word, then make sure @c looks at it:
 * wake it if it sleeps in idle, else send @sig (its handler takes the
 * word).  The owner's enable reads the word without a fence, so whether it
 * already saw the bit is unknowable from here: only idle, which checks
 * after a seq_cst announcement, lets the signal be skipped.  Under TSan
 * @sig is the timer signal, never armed there: a doorbell whose handler
 * adds no bit of its own.
 * Context: any thread but @c's own.
 */
void sk_hosted_post(struct hosted_cpu *c, unsigned bit, int sig)
{
	/*
	 * seq_cst: Dekker with the @idle store then pending-word load in
	 * sk_plat_cpu_idle (ordered before the @idle exchange in the kick);
	 * release also hands the sender's earlier stores (a queued thread)
	 * to the handler that takes the bit.
	 */
	unsigned old = atomic_fetch_or_explicit(c->pend_word, bit,
						memory_order_seq_cst);

	if (old & bit)
		return; /* posted before and not yet taken: signalled then */
	if (sk_hosted_cpu_kick(c))
		return;
	hosted_tgkill(c->tid, sig);
}

/* An IPI to the calling vCPU: pend it, and replay it now if irqs were on. */
static void hosted_ipi_self(struct hosted_cpu *c)
{
	sk_plat_irq_flags flags = sk_plat_irq_save();

	atomic_fetch_or_explicit(c->pend_word, HOSTED_PEND_IPI,
				 memory_order_relaxed);
	sk_plat_irq_restore(flags);
}

void sk_plat_cpu_ipi(unsigned cpu)
{
	struct hosted_cpu *c;

	SK_ASSERT(cpu < sk_hosted_m.ncpus, "IPI to a CPU that does not exist");
	c = &sk_hosted_m.cpus[cpu];
	/*
	 * Coalesce: one IPI in flight per target.  seq_cst pairs with the
	 * exchange in sk_hosted_irq_dispatch (a sender that finds 1 is covered
	 * by the coming handler run) and with the @ready store/@ipi_sent load
	 * in hosted_cpu_main (a CPU still starting either sees @ipi_sent or
	 * is seen ready).
	 */
	if (atomic_exchange_explicit(&c->ipi_sent, 1, memory_order_seq_cst))
		return;
	if (!atomic_load_explicit(&c->ready, memory_order_seq_cst))
		return;
	/* A pthread that is not a vCPU has no block: compare through TLS. */
	if (c == sk_hosted_tls()->cpu) {
		hosted_ipi_self(c);
		return;
	}
	sk_hosted_post(c, HOSTED_PEND_IPI,
		       HOSTED_TSAN ? sk_hosted_m.sig_timer
				   : sk_hosted_m.sig_ipi);
}

/*
 * Halt polling, as KVM's halt_poll_ns: watch the pending word for up to
 * $SK_HOSTED_IDLE_POLL_NS before sleeping, because a wake that finds the
 * vCPU still polling costs the waker no futex wake and the sleeper no
 * Linux wake-up (several microseconds, often more on a busy host).  A
 * kick that lands meanwhile clears @idle; its semaphore post then stays
 * for the next episode, which returns at once (idle may return early).
 * Return: true if an interrupt or a kick came while polling.
 */
static bool hosted_idle_poll(struct hosted_cpu *c, struct hosted_tls *t)
{
	uint64_t until;

	if (!sk_hosted_m.idle_poll_ns)
		return false;
	until = sk_plat_clock_ns() + sk_hosted_m.idle_poll_ns;
	for (unsigned i = 1;; i++) {
		if (atomic_load_explicit(&t->pend, memory_order_relaxed) ||
		    !atomic_load_explicit(&c->idle, memory_order_relaxed))
			return true;
		if (i % 32 == 0 && sk_plat_clock_ns() >= until)
			return false;
		sk_plat_cpu_relax();
	}
}

/*
 * Idle, irqs off: announce @idle, look for recorded interrupts, and sleep
 * on the semaphore if there are none.  Whoever records an interrupt for
 * this CPU afterwards kicks it: the signal handler (for the timer, or an
 * IPI that came as a signal) and a remote IPI sender alike, so sem_wait
 * returns at once.  sem_wait may also return early with EINTR, or at once
 * on a kick left over from an episode that did not sleep: idle may return
 * spuriously.
 */
void sk_plat_cpu_idle(void)
{
	struct hosted_tls *t = sk_hosted_tls();
	struct hosted_cpu *c = t->cpu;
	unsigned pend;

	SK_ASSERT(hosted_off_read(), "sk_plat_cpu_idle called with irqs on");
	SK_ASSERT(c, "sk_plat_cpu_idle on a thread that is not a vCPU");
	/*
	 * seq_cst: Dekker with a poster's fetch_or on t->pend then exchange
	 * of @idle (sk_hosted_post, sk_hosted_cpu_kick): either this load
	 * sees the pending bit, or the poster sees @idle set and kicks.
	 */
	atomic_store_explicit(&c->idle, 1, memory_order_seq_cst);
	if (!atomic_load_explicit(&t->pend, memory_order_seq_cst) &&
	    !hosted_idle_poll(c, t)) {
		/* Test aid ($SK_HOSTED_FUZZ): widen the check-to-sleep gap. */
		if (sk_hosted_m.fuzz)
			hosted_fuzz_delay();
		sem_wait(&c->idle_sem);
	}
	atomic_store_explicit(&c->idle, 0, memory_order_relaxed);
	pend = sk_hosted_irq_take(t);
	if (pend)
		sk_hosted_irq_dispatch(c, pend);
}

/* Stop this vCPU for good (shutdown).  Context: any, even a handler. */
_Noreturn void sk_hosted_cpu_park(void)
{
	struct hosted_cpu *c = sk_hosted_tls()->cpu;
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, NULL);
	if (c && !atomic_exchange_explicit(&c->parked, 1, memory_order_relaxed))
		sem_post(&c->parked_sem);
	for (;;)
		sigsuspend(&all);
}

/* A vCPU takes skiff signals and the stop signal, whatever its creator had. */
static void hosted_cpu_unblock(void)
{
	sigset_t set = sk_hosted_m.irq_sigs;

	sigaddset(&set, sk_hosted_m.sig_stop);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

static void *hosted_cpu_main(void *p)
{
	struct hosted_cpu *c = p;
	struct hosted_tls *t = sk_hosted_tls();

	sk_hosted_tls_init();
	sk_hosted_percpu_set(c);
	hosted_off_write(1);
	t->cpu = c;
	c->pend_word = &t->pend;
	c->tid = gettid();
	c->start_err = sk_hosted_timer_create(c);
	if (c->start_err) {
		sem_post(&c->ready_sem);
		return NULL;
	}
	/* seq_cst: Dekker with sk_plat_cpu_ipi and sk_plat_shutdown. */
	atomic_store_explicit(&c->ready, 1, memory_order_seq_cst);
	if (atomic_load_explicit(&c->ipi_sent, memory_order_seq_cst))
		atomic_fetch_or_explicit(&t->pend, HOSTED_PEND_IPI,
					 memory_order_relaxed);
	hosted_cpu_unblock();
	sem_post(&c->ready_sem);
	if (atomic_load_explicit(&sk_hosted_m.shutting_down,
				 memory_order_seq_cst))
		sk_hosted_cpu_park();
	c->entry(c->id, c->arg);
	SK_PANIC("a CPU entry function returned");
}

/*
 * Create vCPU @c's pthread and wait until it takes signals.
 * Return: 0; -ENOMEM / -EIO if the thread or its timer failed.
 */
int sk_hosted_cpu_launch(struct hosted_cpu *c)
{
	int err;

	if (sem_init(&c->ready_sem, 0, 0) || sem_init(&c->parked_sem, 0, 0) ||
	    sem_init(&c->idle_sem, 0, 0))
		return -EIO;
	/* The per-CPU block (plat/percpu.h); pthread_create publishes it to
	 * the new thread, @ready to everyone else. */
	c->pc.self = &c->pc;
	c->pc.local = NULL;
	c->pc.cpu_id = c->id;
	err = pthread_create(&c->thread, NULL, hosted_cpu_main, c);
	if (err)
		return err == EAGAIN ? -ENOMEM : -EIO;
	while (sem_wait(&c->ready_sem))
		;
	if (c->start_err) {
		pthread_join(c->thread, NULL);
		return c->start_err;
	}
	return 0;
}

int sk_plat_cpu_start(unsigned cpu, sk_plat_cpu_entry_fn entry, void *arg)
{
	struct hosted_cpu *c;
	sk_plat_irq_flags flags;
	int err;

	if (cpu == 0 || cpu >= sk_hosted_m.ncpus || !entry)
		return -EINVAL;
	c = &sk_hosted_m.cpus[cpu];
	if (atomic_exchange_explicit(&c->started, 1, memory_order_relaxed))
		return -EINVAL;
	c->id = cpu;
	c->entry = entry;
	c->arg = arg;
	/* pthread_create is not async-signal-safe: no preemption inside. */
	flags = sk_plat_irq_save();
	err = sk_hosted_cpu_launch(c);
	sk_plat_irq_restore(flags);
	if (err)
		atomic_store_explicit(&c->started, 0, memory_order_relaxed);
	return err;
}
