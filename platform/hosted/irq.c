/* SPDX-License-Identifier: MIT */
/*
 * Interrupts on hosted: signals, gated by a per-vCPU software flag.
 *
 * Disabling sets a bit in thread-local memory (one instruction, no system
 * call).  A timer or IPI signal that finds the bit set only records a
 * pending bit and returns (other vCPUs record IPIs there directly, see
 * cpu.c); enabling replays what was recorded, exactly once per recorded
 * source, before it returns.  A signal that finds irqs on
 * behaves like a CPU taking an interrupt: it sets the flag, unblocks the
 * skiff signals at the OS level (so later arrivals are recorded, and so a
 * thread the exit hook switches to does not run with them blocked), runs
 * the handlers and the exit hook, drains whatever was recorded meanwhile,
 * and only then turns irqs back on and returns through the signal frame.
 * The frame lives on the interrupted thread's stack; if the exit hook
 * switched threads, it resumes when something switches back, possibly on
 * another vCPU pthread, which is why every step after the hook re-reads
 * the thread pointer.  Under ThreadSanitizer timers and IPIs are not
 * signals but bits posted into the word, even while irqs are on (see
 * sk_hosted_post and docs/platform.md); enable replays them the same way.
 */
#define _GNU_SOURCE
#include "hosted.h"

#include <errno.h>
#include <string.h>

#include <plat/assert.h>
#include <plat/irq.h>
#include <plat/time.h>

struct hosted_upcall {
	_Atomic(sk_plat_irq_fn) fn;
	void *_Atomic arg;
};

static struct hosted_upcall hosted_handlers[SK_PLAT_IRQ_KINDS];
static struct hosted_upcall hosted_exit_hook;

static void hosted_upcall_set(struct hosted_upcall *u, sk_plat_irq_fn fn,
			      void *arg)
{
	atomic_store_explicit(&u->arg, arg, memory_order_relaxed);
	/* Release: pairs with the acquire in hosted_upcall_call. */
	atomic_store_explicit(&u->fn, fn, memory_order_release);
}

static void hosted_upcall_call(struct hosted_upcall *u)
{
	/* Acquire: pairs with the release in hosted_upcall_set. */
	sk_plat_irq_fn fn = atomic_load_explicit(&u->fn, memory_order_acquire);

	if (fn)
		fn(atomic_load_explicit(&u->arg, memory_order_relaxed));
}

void sk_plat_irq_set_handler(enum sk_plat_irq_kind kind, sk_plat_irq_fn fn,
			     void *arg)
{
	SK_ASSERT((unsigned)kind < SK_PLAT_IRQ_KINDS, "bad irq kind");
	hosted_upcall_set(&hosted_handlers[kind], fn, arg);
}

void sk_plat_irq_set_exit_hook(sk_plat_irq_fn fn, void *arg)
{
	hosted_upcall_set(&hosted_exit_hook, fn, arg);
}

int sk_plat_irq_register(unsigned line, sk_plat_irq_fn fn, void *arg)
{
	(void)line;
	(void)fn;
	(void)arg;
	return -ENOTSUP;
}

/*
 * Take the recorded pending bits, leaving OFF set.  Context: irqs off, so
 * the caller cannot migrate; a signal landing between the load and the
 * fetch_and only adds bits the next take will see.
 */
unsigned sk_hosted_irq_take(struct hosted_tls *t)
{
	unsigned pend = atomic_load_explicit(&t->irq, memory_order_relaxed) &
			HOSTED_PEND_MASK;

	if (pend)
		atomic_fetch_and_explicit(&t->irq, ~pend, memory_order_relaxed);
	/* Handlers run after the take, as after a real interrupt ack. */
	atomic_signal_fence(memory_order_seq_cst);
	return pend;
}

/* Run the handlers for @pend on vCPU @c.  Context: irqs off. */
void sk_hosted_irq_dispatch(struct hosted_cpu *c, unsigned pend)
{
	if (pend & HOSTED_PEND_STOP)
		sk_hosted_cpu_park();
	if (pend & HOSTED_PEND_IPI) {
		/*
		 * Clear before the handler reads anything, so an IPI whose
		 * sender saw the flag set is covered by this run: the
		 * seq_cst exchange pairs with the sender's exchange in
		 * sk_plat_cpu_ipi.
		 */
		atomic_exchange_explicit(&c->ipi_sent, 0, memory_order_seq_cst);
		hosted_upcall_call(&hosted_handlers[SK_PLAT_IRQ_IPI]);
	}
	if (pend & HOSTED_PEND_TIMER) {
		/* Drop stale expiries: never before the armed deadline. */
		uint64_t deadline = c->deadline_ns;

		if (deadline != HOSTED_NO_DEADLINE &&
		    sk_plat_clock_ns() >= deadline) {
			c->deadline_ns = HOSTED_NO_DEADLINE;
			hosted_upcall_call(&hosted_handlers[SK_PLAT_IRQ_TIMER]);
		}
	}
}

/*
 * errno lives in the pthread's TLS and glibc declares __errno_location
 * const, so a compiler may keep its address across the exit hook; after a
 * migration that would write another vCPU's errno.  These out-of-line
 * helpers look it up afresh, so the interrupted code gets its errno back
 * on whichever vCPU it resumes.
 */
#if defined(__clang__)
#define HOSTED_NOIPA __attribute__((noinline))
#else
#define HOSTED_NOIPA __attribute__((noinline, noipa))
#endif

static HOSTED_NOIPA int hosted_errno_get(void)
{
	return errno;
}

static HOSTED_NOIPA void hosted_errno_set(int value)
{
	errno = value;
}

/*
 * Deliver @pend (maybe 0), call the exit hook after each delivery, and
 * turn irqs on once nothing is left.  @saved_errno is the interrupted
 * code's errno, put back on whichever vCPU it continues on before irqs
 * come on.  Context: irqs off; returns with irqs on, possibly on another
 * vCPU if the hook switched threads.
 */
static void hosted_irq_deliver_and_enable(unsigned pend, int saved_errno)
{
	for (;;) {
		struct hosted_tls *t;

		if (pend) {
			t = sk_hosted_tls();
			sk_hosted_irq_dispatch(t->cpu, pend);
			hosted_upcall_call(&hosted_exit_hook);
		}
		hosted_errno_set(saved_errno);
		if (hosted_irq_try_on())
			return;
		/* Resumed with irqs already on: nothing left to do here. */
		if (!(hosted_irq_read() & HOSTED_IRQ_OFF))
			return;
		pend = sk_hosted_irq_take(sk_hosted_tls());
	}
}

void sk_plat_irq_disable(void)
{
	hosted_irq_set_off();
}

void sk_plat_irq_enable(void)
{
	if (SK_LIKELY(hosted_irq_try_on()))
		return;
	/* Not exactly OFF: either already on, or OFF with bits pending. */
	if (!(hosted_irq_read() & HOSTED_IRQ_OFF))
		return;
	/* Replay is an interrupt taken here: it carries errno the same way. */
	hosted_irq_deliver_and_enable(0, hosted_errno_get());
}

sk_plat_irq_flags sk_plat_irq_save(void)
{
	return (sk_plat_irq_flags)hosted_irq_test_set_off();
}

void sk_plat_irq_restore(sk_plat_irq_flags flags)
{
	if (flags)
		hosted_irq_set_off();
	else
		sk_plat_irq_enable();
}

bool sk_plat_irq_is_enabled(void)
{
	return !(hosted_irq_read() & HOSTED_IRQ_OFF);
}

static void hosted_irq_signal(int sig, siginfo_t *si, void *uc)
{
	int saved_errno = hosted_errno_get();
	struct hosted_tls *t = sk_hosted_tls();
	/*
	 * Under TSan no timer signal is ever armed: sig_timer is only the
	 * doorbell of sk_hosted_post, whose bits are in the word already and
	 * are delivered by the take below.
	 */
	unsigned bit = sig == sk_hosted_m.sig_ipi ? HOSTED_PEND_IPI
		       : HOSTED_TSAN		  ? 0
						  : HOSTED_PEND_TIMER;

	(void)si;
	(void)uc;
	if (!t->cpu)
		goto out; /* not a vCPU: nobody to interrupt */
	if (atomic_load_explicit(&t->irq, memory_order_relaxed) &
	    HOSTED_IRQ_OFF) {
		/* Skiff signals are in sa_mask: nothing nests here. */
		atomic_fetch_or_explicit(&t->irq, bit, memory_order_relaxed);
		/* If this CPU is in idle, it must not go to sleep now. */
		sk_hosted_cpu_kick(t->cpu);
		goto out;
	}
	atomic_fetch_or_explicit(&t->irq, HOSTED_IRQ_OFF, memory_order_relaxed);
	/* The flag is set before anything can nest (pairs with the take). */
	atomic_signal_fence(memory_order_seq_cst);
	sk_hosted_irq_unblock();
	hosted_irq_deliver_and_enable(bit, saved_errno);
	return;
out:
	hosted_errno_set(saved_errno);
}

/* Let this pthread take skiff signals at the OS level. */
void sk_hosted_irq_unblock(void)
{
	pthread_sigmask(SIG_UNBLOCK, &sk_hosted_m.irq_sigs, NULL);
}

static void hosted_stop_signal(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	sk_hosted_cpu_park();
}

static int hosted_sigaction(int sig, void (*fn)(int, siginfo_t *, void *),
			    const sigset_t *mask)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_mask = *mask;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	return sigaction(sig, &sa, NULL) ? -EIO : 0;
}

/* Install the handlers.  Called once, from sk_hosted_boot. */
int sk_hosted_irq_init(void)
{
	struct hosted_machine *m = &sk_hosted_m;
	sigset_t all;
	int err;

	m->sig_timer = SIGRTMIN + 4;
	m->sig_ipi = SIGUSR2;
	m->sig_stop = SIGUSR1;
	sigemptyset(&m->irq_sigs);
	sigaddset(&m->irq_sigs, m->sig_timer);
	sigaddset(&m->irq_sigs, m->sig_ipi);
	sigfillset(&all);
	err = hosted_sigaction(m->sig_timer, hosted_irq_signal, &m->irq_sigs);
	if (!err)
		err = hosted_sigaction(m->sig_ipi, hosted_irq_signal,
				       &m->irq_sigs);
	if (!err)
		err = hosted_sigaction(m->sig_stop, hosted_stop_signal, &all);
	return err;
}
