/* SPDX-License-Identifier: MIT */
/*
 * Private state of the hosted platform, shared by its .c files only.
 * A vCPU is a pthread; its soft interrupt state lives in thread-local
 * storage so one %fs-relative instruction reads or changes it (see irq.c
 * for why that matters once skiff threads migrate between vCPU pthreads).
 */
#ifndef HOSTED_HOSTED_H
#define HOSTED_HOSTED_H

#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <plat/compiler.h>
#include <plat/cpu.h>

/*
 * Bits of the per-vCPU soft interrupt word (struct hosted_tls.irq).
 *
 * state                 meaning                           who moves it
 * 0                     irqs on, nothing pending          -
 * OFF                   irqs off                          disable/save
 * OFF|PEND_*            irqs off, signals recorded        signal handler
 * OFF|PEND_* -> OFF     pending bits taken for delivery   enable/handler exit
 * OFF -> 0              irqs on again                     enable/handler exit
 * PEND_* (no OFF)       recorded while on (TSan only)      sk_hosted_post
 * In normal builds a PEND bit is never set while OFF is clear: the handler,
 * and another vCPU posting an IPI, only record when OFF is set (the latter
 * by compare-exchange), and every OFF -> 0 step is a compare-exchange from
 * exactly OFF.  Under ThreadSanitizer (HOSTED_TSAN) timer expiries, IPIs
 * and stop requests are posted into the word whatever OFF is; a bit posted
 * while on waits there until the next disable/enable pair (the compare-
 * exchange from exactly OFF fails and enable replays it), until idle takes
 * it, or until the doorbell signal runs (see sk_hosted_post).
 */
enum hosted_irq_bits {
	HOSTED_IRQ_OFF = 1u << 0,
	HOSTED_PEND_TIMER = 1u << 1,
	HOSTED_PEND_IPI = 1u << 2,
	HOSTED_PEND_STOP = 1u << 3, /* TSan only: park (shutdown) */
	HOSTED_PEND_MASK =
		HOSTED_PEND_TIMER | HOSTED_PEND_IPI | HOSTED_PEND_STOP,
};

/*
 * HOSTED_TSAN: built with ThreadSanitizer.  TSan runs an async signal only
 * at the next intercepted call of the thread state (fiber) it arrived on,
 * which may never run again, so there timers and IPIs are posted into the
 * irq word by an interrupt-controller pthread and by the sender instead.
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
 * One virtual CPU.  Fields marked [own] are touched only by the vCPU's own
 * pthread (with the soft irq flag set); [boot] are written before the vCPU
 * is published through @ready and read-only afterwards.
 */
struct hosted_cpu {
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
	_Atomic unsigned *irq_word; /* [boot] the vCPU's hosted_tls.irq */
	sem_t idle_sem; /* idle sleeps here; sk_hosted_cpu_kick posts */
	sem_t ready_sem; /* posted once the thread is set up */
	sem_t parked_sem; /* posted once the vCPU has parked */
} SK_CACHE_ALIGNED;

/* Per-pthread state; the same %fs offset in every thread (initial-exec). */
struct hosted_tls {
	_Atomic unsigned irq; /* enum hosted_irq_bits */
	unsigned cpu_id;
	void *local; /* sk_plat_cpu_local() */
	struct hosted_cpu *cpu; /* NULL on threads that are not vCPUs */
};

struct hosted_machine {
	unsigned ncpus;
	int sig_timer;
	int sig_ipi;
	int sig_stop;
	int fuzz; /* $SK_HOSTED_FUZZ: inject yields into race windows */
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
 * system call.  The read-modify-writes carry a lock prefix because other
 * vCPUs post IPIs straight into the word while OFF is set (see
 * sk_plat_cpu_ipi); signals on the same pthread arrive between
 * instructions anyway.
 */
static inline unsigned hosted_irq_read(void)
{
	unsigned v;

	__asm__ __volatile__("movl %%fs:(%1), %0"
			     : "=r"(v)
			     : "r"(sk_hosted_tls_off)
			     : "memory");
	return v;
}

static inline void hosted_irq_set_off(void)
{
	__asm__ __volatile__("lock orl %1, %%fs:(%0)"
			     :
			     : "r"(sk_hosted_tls_off), "i"(HOSTED_IRQ_OFF)
			     : "memory", "cc");
}

/* Set OFF; return whether it was already set. */
static inline int hosted_irq_test_set_off(void)
{
	unsigned char was;

	__asm__ __volatile__("lock btsl $0, %%fs:(%1)\n\tsetc %0"
			     : "=q"(was)
			     : "r"(sk_hosted_tls_off)
			     : "memory", "cc");
	return was;
}

/* OFF -> 0 if nothing is pending; return whether it did. */
static inline int hosted_irq_try_on(void)
{
	unsigned expect = HOSTED_IRQ_OFF;
	unsigned char ok;

	__asm__ __volatile__("lock cmpxchgl %3, %%fs:(%2)\n\tsete %1"
			     : "+a"(expect), "=q"(ok)
			     : "r"(sk_hosted_tls_off), "r"(0u)
			     : "memory", "cc");
	return ok;
}

/* tls.c: the calling pthread's hosted_tls, never cached by the compiler. */
struct hosted_tls *sk_hosted_tls(void);
/* tls.c: compute and check the %fs offset; once per process. */
void sk_hosted_tls_init(void);

/* irq.c */
int sk_hosted_irq_init(void);
void sk_hosted_irq_unblock(void);
unsigned sk_hosted_irq_take(struct hosted_tls *t);
void sk_hosted_irq_dispatch(struct hosted_cpu *c, unsigned pend);

/* cpu.c */
int sk_hosted_cpu_launch(struct hosted_cpu *c);
bool sk_hosted_cpu_kick(struct hosted_cpu *c);
_Noreturn void sk_hosted_cpu_park(void);
void sk_hosted_post(struct hosted_cpu *c, unsigned bit);

/* time.c */
int sk_hosted_timer_create(struct hosted_cpu *c);
int sk_hosted_intc_start(void);

/* mem.c */
int sk_hosted_mem_init(size_t len);

/* console.c: async-signal-safe formatting for panic. */
void sk_hosted_console_fd_write(int fd, const char *buf, size_t len);
size_t sk_hosted_fmt_uint(char *buf, size_t cap, unsigned long v);

#endif
