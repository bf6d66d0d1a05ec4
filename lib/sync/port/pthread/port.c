// SPDX-License-Identifier: MIT
/*
 * sched/wait.h and sched/preempt.h on plain pthreads and the Linux futex,
 * plus the three plat/ calls lib/sync uses (clock, panic, cpu relax): the
 * proof that another kernel can supply lib/sync's interface, and the
 * backend the sync tests and benchmark run on before and beside lib/sched.
 * Never linked together with lib/sched or a skiff platform.
 *
 * Per-thread state word (struct sk_thread.state):
 *   RUNNING --sk_wait_prepare--> WAITING --sk_thread_wake (CAS)--> WOKEN
 *   WAITING, WOKEN --sk_wait, sk_wait_until, sk_wait_finish--> RUNNING
 * The futex sleeps while the word is WAITING.  Records are never freed:
 * a thread's record goes on a free list at exit and is reused by a later
 * thread, so a late wake lands on a live record (a spurious wake at most).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <plat/assert.h>
#include <plat/compiler.h>
#include <plat/cpu.h>
#include <plat/time.h>
#include <sched/preempt.h>
#include <sched/wait.h>

enum { RUNNING = 0, WAITING = 1, WOKEN = 2 };

struct sk_thread {
	atomic_int state;
	struct sk_thread *free_next; /* port_lock */
};

static pthread_mutex_t port_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sk_thread *port_free; /* port_lock */
static pthread_key_t port_key;
static pthread_once_t port_key_once = PTHREAD_ONCE_INIT;
static _Thread_local struct sk_thread *port_self;
static _Thread_local unsigned port_preempt;

static void port_thread_exit(void *p)
{
	struct sk_thread *t = p;

	pthread_mutex_lock(&port_lock);
	t->free_next = port_free;
	port_free = t;
	pthread_mutex_unlock(&port_lock);
}

static void port_key_make(void)
{
	if (pthread_key_create(&port_key, port_thread_exit) != 0)
		SK_PANIC("pthread port: no thread key");
}

static SK_NOINLINE struct sk_thread *port_thread_new(void)
{
	struct sk_thread *t;

	pthread_once(&port_key_once, port_key_make);
	pthread_mutex_lock(&port_lock);
	t = port_free;
	if (t)
		port_free = t->free_next;
	pthread_mutex_unlock(&port_lock);
	if (!t)
		t = calloc(1, sizeof(*t));
	if (!t)
		SK_PANIC("pthread port: out of memory for a thread record");
	atomic_store_explicit(&t->state, RUNNING, memory_order_relaxed);
	pthread_setspecific(port_key, t);
	port_self = t;
	return t;
}

struct sk_thread *sk_thread_current(void)
{
	struct sk_thread *t = port_self;

	return t ? t : port_thread_new();
}

static long port_futex(atomic_int *w, int op, int val,
		       const struct timespec *ts)
{
	return syscall(SYS_futex, (int *)w, op | FUTEX_PRIVATE_FLAG, val, ts,
		       NULL, FUTEX_BITSET_MATCH_ANY);
}

/*
 * A Linux thread the port sees outside the wait protocol counts as running:
 * the port cannot tell whether Linux has it on a CPU, so this is the
 * "not asleep in sk_wait" half of the answer only.  Records are never
 * freed, so any record ever handed out may be asked about.
 */
bool sk_thread_is_running(const struct sk_thread *t)
{
	return atomic_load_explicit(&t->state, memory_order_relaxed) == RUNNING;
}

void sk_thread_yield(void)
{
	sched_yield();
}

void sk_wait_prepare(void)
{
	/* seq_cst: the full fence after the store (pairs with wake). */
	atomic_store_explicit(&sk_thread_current()->state, WAITING,
			      memory_order_seq_cst);
}

void sk_wait_finish(void)
{
	atomic_store_explicit(&sk_thread_current()->state, RUNNING,
			      memory_order_relaxed);
}

void sk_wait(void)
{
	struct sk_thread *t = sk_thread_current();

	/* Acquire pairs with the CAS in sk_thread_wake. */
	while (atomic_load_explicit(&t->state, memory_order_acquire) == WAITING)
		port_futex(&t->state, FUTEX_WAIT, WAITING, NULL);
	atomic_store_explicit(&t->state, RUNNING, memory_order_relaxed);
}

int sk_wait_until(uint64_t deadline_ns)
{
	struct sk_thread *t = sk_thread_current();
	struct timespec ts = {
		.tv_sec = (time_t)(deadline_ns / 1000000000u),
		.tv_nsec = (long)(deadline_ns % 1000000000u),
	};
	int expect = WAITING;

	while (atomic_load_explicit(&t->state, memory_order_acquire) ==
	       WAITING) {
		if (sk_plat_clock_ns() >= deadline_ns) {
			/* A wake racing with the timeout wins the CAS. */
			if (atomic_compare_exchange_strong_explicit(
				    &t->state, &expect, RUNNING,
				    memory_order_acquire, memory_order_acquire))
				return -ETIMEDOUT;
			break;
		}
		port_futex(&t->state, FUTEX_WAIT_BITSET, WAITING, &ts);
	}
	atomic_store_explicit(&t->state, RUNNING, memory_order_relaxed);
	return 0;
}

void sk_thread_wake(struct sk_thread *t)
{
	int expect = WAITING;

	/*
	 * seq_cst: the full fence before reading the state (pairs with
	 * sk_wait_prepare); release: the waiter's acquire load sees what
	 * the waker did first.
	 */
	if (atomic_compare_exchange_strong_explicit(&t->state, &expect, WOKEN,
						    memory_order_seq_cst,
						    memory_order_seq_cst))
		port_futex(&t->state, FUTEX_WAKE, 1, NULL);
}

void sk_preempt_disable(void)
{
	port_preempt++;
	__asm__ __volatile__("" ::: "memory");
}

void sk_preempt_enable(void)
{
	__asm__ __volatile__("" ::: "memory");
	port_preempt--;
}

bool sk_preempt_is_enabled(void)
{
	return port_preempt == 0;
}

uint64_t sk_plat_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

_Noreturn void sk_plat_panic(const char *what, const char *file, int line)
{
	fprintf(stderr, "skiff panic: %s (%s:%d)\n", what, file, line);
	abort();
}

void sk_plat_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__ __volatile__("pause" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}
