/* SPDX-License-Identifier: MIT */
/*
 * Interrupts on hosted: signals, gated by a per-vCPU software flag.
 *
 * Disabling stores 1 in a thread-local word only this pthread writes (one
 * plain %fs-relative store: no lock prefix, no system call).  A timer or
 * IPI signal that finds it set only records a pending bit in a second word
 * and returns; other vCPUs post IPIs into that second word and then signal
 * (or wake from idle), see cpu.c.  Enabling stores 0 and then looks at the
 * pending word, replaying what was recorded, exactly once per recorded
 * source, before it returns.  A signal that finds irqs on behaves like a
 * CPU taking an interrupt: it sets the flag, unblocks the skiff signals at
 * the OS level (so later arrivals are recorded, and so a thread the exit
 * hook switches to does not run with them blocked), runs the handlers and
 * the exit hook, drains whatever was recorded meanwhile, and only then
 * turns irqs back on and returns through the signal frame.  The frame
 * lives on the interrupted thread's stack; if the exit hook switched
 * threads, it resumes when something switches back, possibly on another
 * vCPU pthread, which is why every step after the hook re-reads the thread
 * pointer.  Under ThreadSanitizer timers are posted bits too, and the
 * signal is only a doorbell (see sk_hosted_post and docs/platform.md).
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
static struct hosted_upcall hosted_entry_hook, hosted_exit_hook;

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

void sk_plat_irq_set_entry_hook(sk_plat_irq_fn fn, void *arg)
{
	hosted_upcall_set(&hosted_entry_hook, fn, arg);
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
 * Take the recorded pending bits.  Context: irqs off (or the signal
 * handler about to turn them off), so the caller cannot migrate; a signal
 * or a poster landing after the exchange only adds bits the next take sees.
 */
unsigned sk_hosted_irq_take(struct hosted_tls *t)
{
	unsigned pend = 0;

	/* acquire: pairs with the seq_cst fetch_or in sk_hosted_post */
	if (atomic_load_explicit(&t->pend, memory_order_relaxed))
		pend = atomic_exchange_explicit(&t->pend, 0,
						memory_order_acquire);
	/* Handlers run after the take, as after a real interrupt ack. */
	atomic_signal_fence(memory_order_seq_cst);
	return pend;
}

/* Run the handlers for @pend on vCPU @c.  Context: irqs off. */
void sk_hosted_irq_dispatch(struct hosted_cpu *c, unsigned pend)
{
	if (pend & HOSTED_PEND_STOP)
		sk_hosted_cpu_park();
	if (pend & (HOSTED_PEND_IPI | HOSTED_PEND_TIMER))
		hosted_upcall_call(&hosted_entry_hook);
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
 * With irqs off: take what is pending, run it and the exit hook, until
 * nothing is left, then turn irqs on.  @saved_errno is the interrupted
 * code's errno, put back on whichever vCPU it continues on before irqs
 * come on.  Returns with irqs on, possibly on another vCPU if the hook
 * switched threads (so every step re-reads %fs).
 *
 * Turning irqs on is a plain store of @off, then a plain load of @pend:
 * a signal landing between the two finds irqs on and delivers by itself;
 * a bit a remote poster sets after the load comes with its own signal.
 */
static void hosted_irq_deliver_and_enable(int saved_errno)
{
	for (;;) {
		unsigned pend = sk_hosted_irq_take(sk_hosted_tls());

		if (pend) {
			sk_hosted_irq_dispatch(sk_hosted_tls()->cpu, pend);
			hosted_upcall_call(&hosted_exit_hook);
		}
		hosted_errno_set(saved_errno);
		hosted_off_write(0);
		if (SK_LIKELY(!hosted_pend_read()))
			return;
		hosted_off_write(1);
	}
}

/* Enable found something pending: take it as an interrupt here. */
static SK_NOINLINE void hosted_irq_replay(void)
{
	hosted_off_write(1);
	/* Replay is an interrupt taken here: it carries errno the same way. */
	hosted_irq_deliver_and_enable(hosted_errno_get());
}

void sk_plat_irq_disable(void)
{
	hosted_off_write(1);
}

void sk_plat_irq_enable(void)
{
	hosted_off_write(0);
	if (SK_UNLIKELY(hosted_pend_read()))
		hosted_irq_replay();
}

/*
 * A signal between the load and the store finds irqs as loaded: if they
 * were on it is taken (the thread may even resume on another vCPU, where
 * the store then lands, correctly), if off it is recorded.  Either way
 * @old is the state the caller had.
 */
sk_plat_irq_flags sk_plat_irq_save(void)
{
	unsigned old = hosted_off_read();

	hosted_off_write(1);
	return old;
}

void sk_plat_irq_restore(sk_plat_irq_flags flags)
{
	if (flags)
		hosted_off_write(1);
	else
		sk_plat_irq_enable();
}

bool sk_plat_irq_is_enabled(void)
{
	return !hosted_off_read();
}

static void hosted_irq_signal(int sig, siginfo_t *si, void *uc)
{
	int saved_errno = hosted_errno_get();
	struct hosted_tls *t = sk_hosted_tls();
	/*
	 * Under TSan no timer signal is ever armed: sig_timer is only the
	 * doorbell of sk_hosted_post, whose bits are in the word already.
	 * A raw IPI signal (no posted bit) still counts as an IPI.
	 */
	unsigned bit = sig == sk_hosted_m.sig_ipi ? HOSTED_PEND_IPI
		       : HOSTED_TSAN		  ? 0
						  : HOSTED_PEND_TIMER;

	(void)si;
	(void)uc;
	if (!t->cpu)
		goto out; /* not a vCPU: nobody to interrupt */
	if (bit)
		atomic_fetch_or_explicit(&t->pend, bit, memory_order_relaxed);
	if (hosted_off_read()) {
		/* Skiff signals are in sa_mask: nothing nests here.  If this
		 * CPU is in idle, it must not go to sleep now. */
		sk_hosted_cpu_kick(t->cpu);
		goto out;
	}
	hosted_off_write(1);
	/* The flag is set before anything can nest (pairs with the take). */
	atomic_signal_fence(memory_order_seq_cst);
	sk_hosted_irq_unblock();
	hosted_irq_deliver_and_enable(saved_errno);
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
