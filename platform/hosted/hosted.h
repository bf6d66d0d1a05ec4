/* SPDX-License-Identifier: MIT */
/*
 * Private state of the hosted platform, shared by its .c files only.
 * A vCPU is a pthread whose GS base points at its struct hosted_cpu (the
 * per-CPU block of plat/percpu.h); its soft interrupt state lives in
 * thread-local storage so one %fs-relative instruction reads or changes it
 * (see irq.c for why that matters once skiff threads migrate between vCPU
 * pthreads).
 */
#ifndef HOSTED_HOSTED_H
#define HOSTED_HOSTED_H

#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <plat/compiler.h>
#include <plat/cpu.h>
#include <plat/percpu.h>

/*
 * The soft interrupt state of a pthread (struct hosted_tls) is two words:
 *
 * @off   1 while irqs are off.  Written only by its own pthread (thread
 *        code and the signal handlers that interrupt it), with plain
 *        single-instruction %fs-relative stores: a signal arrives between
 *        two instructions, so only compiler barriers are needed.
 * @pend  interrupts recorded for later (enum hosted_pend_bits).
 *
 *   @pend bit        set by                              taken by
 *   TIMER            own timer signal while off; arm of  enable, handler
 *                    a past deadline; TSan: controller   exit, idle
 *   IPI              any sender (fetch_or), then a       (exchange)
 *                    signal unless the idle kick woke it;
 *                    own IPI signal while off
 *   STOP             TSan only: shutdown                 (same)
 *
 * A remote poster cannot know whether the owner's last enable saw its bit
 * (the owner's store of @off and its load of @pend are not ordered without
 * a fence, and the point is to have none), so it always follows the post
 * with the idle kick or a signal: the signal handler then finds the bit.
 * A bit may therefore sit in @pend while irqs are on; the next enable,
 * signal or idle delivers it.
 */
enum hosted_pend_bits {
	HOSTED_PEND_TIMER = 1u << 1,
	HOSTED_PEND_IPI = 1u << 2,
	HOSTED_PEND_STOP = 1u << 3, /* TSan only: park (shutdown) */
	HOSTED_PEND_MASK =
		HOSTED_PEND_TIMER | HOSTED_PEND_IPI | HOSTED_PEND_STOP,
};

/*
 * HOSTED_TSAN: built with ThreadSanitizer.  TSan runs an async signal only
 * at the next intercepted call of the thread state (fiber) it arrived on,
 * which may never run again, so there timers are posted into the pending
 * word by an interrupt-controller pthread (IPIs are posted in every build),
 * and the signal that follows a post is only a doorbell.
 */
#if defined(__SANITIZE_THREAD__)
#define HOSTED_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define HOSTED_TSAN 1
#endif
#endif
#ifndef HOSTED_TSAN
#define HOSTED_TSAN 0
#endif

enum { HOSTED_NO_DEADLINE = 0 };

/*
 * One virtual CPU.  Its pthread's GS base points at @pc (plat/percpu.h),
 * which must stay first.  Fields marked [own] are touched only by the
 * vCPU's own pthread (with the soft irq flag set); [boot] are written
 * before the vCPU is published through @ready and read-only afterwards.
 */
struct hosted_cpu {
	struct sk_plat_percpu pc; /* [own] after boot; any may read */
	pthread_t thread; /* [boot] */
	pid_t tid; /* [boot] */
	timer_t timer; /* [boot] */
	unsigned id; /* [boot] */
	sk_plat_cpu_entry_fn entry; /* [boot] */
	void *arg; /* [boot] */
	int start_err; /* [boot] error from the new thread's set-up */
	uint64_t deadline_ns; /* [own] armed deadline, 0 = none */
	uint64_t intc_due; /* TSan: deadline for the controller, [intc_lock] */
	_Atomic int started; /* cpu_start claimed this CPU */
	_Atomic int ready; /* the pthread exists and takes signals */
	_Atomic int ipi_sent; /* an IPI is on its way, not yet handled */
	_Atomic int parked; /* stopped by shutdown */
	_Atomic int idle; /* 1: in sk_plat_cpu_idle, may sleep on idle_sem */
	_Atomic unsigned *pend_word; /* [boot] the vCPU's hosted_tls.pend */
	sem_t idle_sem; /* idle sleeps here; sk_hosted_cpu_kick posts */
	sem_t ready_sem; /* posted once the thread is set up */
	sem_t parked_sem; /* posted once the vCPU has parked */
} SK_CACHE_ALIGNED;

/* Per-pthread state; the same %fs offset in every thread (initial-exec). */
struct hosted_tls {
	unsigned off; /* own pthread only: 1 = irqs off (see above) */
	_Atomic unsigned pend; /* enum hosted_pend_bits */
	struct hosted_cpu *cpu; /* NULL on threads that are not vCPUs */
};

struct hosted_machine {
	unsigned ncpus;
	int sig_timer;
	int sig_ipi;
	int sig_stop;
	int fuzz; /* $SK_HOSTED_FUZZ: inject yields into race windows */
	uint64_t idle_poll_ns; /* $SK_HOSTED_IDLE_POLL_NS: halt polling */
	pid_t pid;
	sigset_t irq_sigs; /* sig_timer and sig_ipi */
	_Atomic int booted;
	_Atomic int shutting_down;
	_Atomic int status;
	sem_t done_sem; /* posted by sk_plat_shutdown for sk_hosted_boot */
	char *ram;
	size_t ram_len;
	const char *cmdline;
	struct hosted_cpu cpus[SK_PLAT_CPUS_MAX];
	/* TSan only: the interrupt controller (time.c). */
	pthread_t intc_thread;
	pthread_mutex_t intc_lock;
	pthread_cond_t intc_cond; /* CLOCK_MONOTONIC; signalled on arm */
};

extern struct hosted_machine sk_hosted_m;

/*
 * Offset of this thread's struct hosted_tls from the thread pointer (%fs
 * base).  Fixed at load time for initial-exec TLS, so equal in every
 * thread; set by a constructor before main().
 */
extern intptr_t sk_hosted_tls_off;

#if !defined(__x86_64__)
#error "platform/hosted supports x86-64 Linux only"
#endif

/*
 * Single-instruction accessors of the calling pthread's soft state.  A
 * skiff thread can be preempted (and resumed on another vCPU pthread)
 * between any two instructions while irqs are on; one %fs-relative
 * instruction always acts on the pthread it runs on, so these need no
 * system call and no lock prefix.  Each is a compiler barrier.
 */
static inline unsigned hosted_off_read(void)
{
	unsigned v;

	__asm__ __volatile__("movl %%fs:%c2(%1), %0"
			     : "=r"(v)
			     : "r"(sk_hosted_tls_off),
			       "i"(offsetof(struct hosted_tls, off))
			     : "memory");
	return v;
}

static inline void hosted_off_write(unsigned v)
{
	__asm__ __volatile__("movl %0, %%fs:%c2(%1)"
			     :
			     : "ri"(v), "r"(sk_hosted_tls_off),
			       "i"(offsetof(struct hosted_tls, off))
			     : "memory");
}

static inline unsigned hosted_pend_read(void)
{
	unsigned v;

	__asm__ __volatile__("movl %%fs:%c2(%1), %0"
			     : "=r"(v)
			     : "r"(sk_hosted_tls_off),
			       "i"(offsetof(struct hosted_tls, pend))
			     : "memory");
	return v;
}

/* The vCPU the caller runs on (NULL-free: the GS block).  Irqs off. */
static inline struct hosted_cpu *hosted_self(void)
{
	return (struct hosted_cpu *)(uintptr_t)SK_PLAT_PERCPU_READ(
		SK_PLAT_PERCPU_OFF_SELF);
}

/* tls.c: the calling pthread's hosted_tls, never cached by the compiler. */
struct hosted_tls *sk_hosted_tls(void);
/* tls.c: compute and check the %fs offset; once per process. */
void sk_hosted_tls_init(void);
/* tls.c: point the calling pthread's GS base at @c's block (vCPU set-up). */
void sk_hosted_percpu_set(struct hosted_cpu *c);

/* irq.c */
int sk_hosted_irq_init(void);
void sk_hosted_irq_unblock(void);
unsigned sk_hosted_irq_take(struct hosted_tls *t);
void sk_hosted_irq_dispatch(struct hosted_cpu *c, unsigned pend);

/* cpu.c */
int sk_hosted_cpu_launch(struct hosted_cpu *c);
bool sk_hosted_cpu_kick(struct hosted_cpu *c);
_Noreturn void sk_hosted_cpu_park(void);
void sk_hosted_post(struct hosted_cpu *c, unsigned bit, int sig);

/* time.c */
int sk_hosted_timer_create(struct hosted_cpu *c);
int sk_hosted_intc_start(void);

/* mem.c */
int sk_hosted_mem_init(size_t len);

/* console.c: async-signal-safe formatting for panic. */
void sk_hosted_console_fd_write(int fd, const char *buf, size_t len);
size_t sk_hosted_fmt_uint(char *buf, size_t cap, unsigned long v);

#endif
