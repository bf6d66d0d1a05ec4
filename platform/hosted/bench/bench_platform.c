/* SPDX-License-Identifier: MIT */
/*
 * Hosted platform figures, each beside its Linux peer measured in the same
 * run: the soft irq save/restore pair against a pthread_sigmask block and
 * unblock pair, the clock against clock_gettime, an IPI round trip between
 * two idle vCPUs against a semaphore (futex) round trip between two
 * pthreads, and an IPI round trip between two busy vCPUs (signals) against
 * tgkill between two busy pthreads.  Medians of 5 repetitions; the machine is shared,
 * so wall-clock figures are noisy.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <hosted/boot.h>
#include <plat/boot.h>
#include <plat/cpu.h>
#include <plat/irq.h>
#include <plat/time.h>

enum {
	REPS = 5,
	IRQ_ITERS = 2000000,
	PING_ITERS = 20000,
	BUSY_ITERS = 50,
	CLOCK_ITERS = 2000000
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v)
{
	qsort(v, REPS, sizeof(*v), cmp_double);
	return v[REPS / 2];
}

static void report(const char *figure, const char *peer, const char *unit,
		   double *skiff, double *other)
{
	double s = median(skiff), p = median(other);

	printf("%s: skiff %.1f %s, %s %.1f %s, ratio %.3f\n", figure, s, unit,
	       peer, p, unit, s / p);
	fflush(stdout);
}

static double irq_pair_ns(void)
{
	uint64_t t0 = now_ns();
	unsigned i;

	for (i = 0; i < IRQ_ITERS; i++) {
		sk_plat_irq_flags f = sk_plat_irq_save();

		__asm__ __volatile__("" ::: "memory");
		sk_plat_irq_restore(f);
	}
	return (double)(now_ns() - t0) / IRQ_ITERS;
}

static double sigmask_pair_ns(void)
{
	sigset_t set, old;
	uint64_t t0;
	unsigned i;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	t0 = now_ns();
	for (i = 0; i < IRQ_ITERS; i++) {
		pthread_sigmask(SIG_BLOCK, &set, &old);
		__asm__ __volatile__("" ::: "memory");
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	return (double)(now_ns() - t0) / IRQ_ITERS;
}

static double clock_skiff_ns(void)
{
	uint64_t t0 = now_ns(), sink = 0;
	unsigned i;

	for (i = 0; i < CLOCK_ITERS; i++)
		sink += sk_plat_clock_ns();
	__asm__ __volatile__("" : : "r"(sink));
	return (double)(now_ns() - t0) / CLOCK_ITERS;
}

static double clock_linux_ns(void)
{
	uint64_t t0 = now_ns(), sink = 0;
	unsigned i;

	for (i = 0; i < CLOCK_ITERS; i++)
		sink += now_ns();
	__asm__ __volatile__("" : : "r"(sink));
	return (double)(now_ns() - t0) / CLOCK_ITERS;
}

/* IPI ping-pong: each side idles until the ball is its own. */
static _Atomic unsigned ball;
static _Atomic unsigned pong_go;

static void play(unsigned other, unsigned parity, unsigned rounds)
{
	unsigned i;

	for (i = 0; i < rounds; i++) {
		unsigned want = 2 * i + parity;

		/* Wake with irqs off, as a scheduler does. */
		sk_plat_irq_disable();
		while (atomic_load_explicit(&ball, memory_order_acquire) !=
		       want)
			sk_plat_cpu_idle();
		atomic_store_explicit(&ball, want + 1, memory_order_release);
		sk_plat_cpu_ipi(other);
		sk_plat_irq_enable();
	}
}

/* Busy mode: CPU 1 computes with irqs on and answers each IPI at once. */
static _Atomic unsigned busy_mode;
static _Atomic unsigned hits[2];

static void on_ipi(void *arg)
{
	unsigned cpu = sk_plat_cpu_id();

	(void)arg;
	atomic_fetch_add_explicit(&hits[cpu], 1, memory_order_release);
	if (cpu == 1 && atomic_load_explicit(&busy_mode, memory_order_relaxed))
		sk_plat_cpu_ipi(0);
}

static void busy_wait_change(_Atomic unsigned *word, unsigned old)
{
	while (atomic_load_explicit(word, memory_order_acquire) == old)
		sk_plat_cpu_relax();
}

static _Noreturn void pong_cpu(unsigned cpu, void *arg)
{
	unsigned rep = 0;

	(void)cpu;
	(void)arg;
	sk_plat_irq_enable();
	for (;;) {
		sk_plat_irq_disable();
		while (atomic_load(&pong_go) == rep)
			sk_plat_cpu_idle();
		sk_plat_irq_enable();
		rep++;
		if (!atomic_load(&busy_mode)) {
			play(0, 1, PING_ITERS);
			continue;
		}
		/* Spin, irqs on, until CPU 0 ends the busy round. */
		while (atomic_load(&busy_mode))
			sk_plat_cpu_relax();
		sk_plat_cpu_ipi(0);
	}
}

static double ipi_roundtrip_ns(void)
{
	uint64_t t0;

	atomic_store(&ball, 0);
	t0 = now_ns();
	atomic_fetch_add(&pong_go, 1);
	sk_plat_cpu_ipi(1);
	play(1, 0, PING_ITERS);
	return (double)(now_ns() - t0) / PING_ITERS;
}

/* Both vCPUs busy with irqs on: every IPI is a signal. */
static double ipi_busy_roundtrip_ns(void)
{
	uint64_t t0;
	unsigned i, seen;

	atomic_store(&busy_mode, 1);
	atomic_fetch_add(&pong_go, 1);
	seen = atomic_load(&hits[1]);
	sk_plat_cpu_ipi(1);
	busy_wait_change(&hits[1], seen);
	t0 = now_ns();
	for (i = 0; i < BUSY_ITERS; i++) {
		seen = atomic_load(&hits[0]);
		sk_plat_cpu_ipi(1);
		busy_wait_change(&hits[0], seen);
	}
	t0 = now_ns() - t0;
	seen = atomic_load(&hits[0]);
	atomic_store(&busy_mode, 0);
	busy_wait_change(&hits[0], seen);
	return (double)t0 / BUSY_ITERS;
}

/* Peer: two busy pthreads signalling each other with tgkill. */
static _Atomic unsigned sig_hits[2];
static _Atomic pid_t sig_tid[2];
static _Atomic unsigned sig_stop;

static void sig_handler(int sig)
{
	pid_t self = (pid_t)syscall(SYS_gettid);

	(void)sig;
	if (self == atomic_load(&sig_tid[1])) {
		atomic_fetch_add_explicit(&sig_hits[1], 1,
					  memory_order_release);
		syscall(SYS_tgkill, getpid(), atomic_load(&sig_tid[0]), SIGURG);
	} else {
		atomic_fetch_add_explicit(&sig_hits[0], 1,
					  memory_order_release);
	}
}

static void *sig_partner(void *arg)
{
	(void)arg;
	atomic_store(&sig_tid[1], (pid_t)syscall(SYS_gettid));
	while (!atomic_load(&sig_stop))
		sk_plat_cpu_relax();
	return NULL;
}

static double signal_roundtrip_ns(void)
{
	struct sigaction sa;
	pthread_t t;
	uint64_t t0;
	unsigned i, seen;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sig_handler;
	sigaction(SIGURG, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGURG);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	atomic_store(&sig_stop, 0);
	atomic_store(&sig_tid[0], (pid_t)syscall(SYS_gettid));
	atomic_store(&sig_tid[1], 0);
	pthread_create(&t, NULL, sig_partner, NULL);
	while (!atomic_load(&sig_tid[1]))
		sk_plat_cpu_relax();
	t0 = now_ns();
	for (i = 0; i < BUSY_ITERS; i++) {
		seen = atomic_load(&sig_hits[0]);
		syscall(SYS_tgkill, getpid(), atomic_load(&sig_tid[1]), SIGURG);
		while (atomic_load_explicit(&sig_hits[0],
					    memory_order_acquire) == seen)
			sk_plat_cpu_relax();
	}
	t0 = now_ns() - t0;
	atomic_store(&sig_stop, 1);
	pthread_join(t, NULL);
	return (double)t0 / BUSY_ITERS;
}

static sem_t sem_a, sem_b;

static void *sem_partner(void *arg)
{
	unsigned i;

	(void)arg;
	for (i = 0; i < PING_ITERS; i++) {
		sem_wait(&sem_a);
		sem_post(&sem_b);
	}
	return NULL;
}

static double sem_roundtrip_ns(void)
{
	pthread_t t;
	uint64_t t0;
	unsigned i;

	sem_init(&sem_a, 0, 0);
	sem_init(&sem_b, 0, 0);
	pthread_create(&t, NULL, sem_partner, NULL);
	t0 = now_ns();
	for (i = 0; i < PING_ITERS; i++) {
		sem_post(&sem_a);
		sem_wait(&sem_b);
	}
	t0 = now_ns() - t0;
	pthread_join(t, NULL);
	return (double)t0 / PING_ITERS;
}

static void bench_main(void *arg)
{
	double a[REPS], b[REPS];
	unsigned r;

	(void)arg;
	sk_plat_irq_set_handler(SK_PLAT_IRQ_IPI, on_ipi, NULL);
	if (sk_plat_cpu_start(1, pong_cpu, NULL))
		sk_plat_shutdown(1);
	sk_plat_irq_enable();
	for (r = 0; r < REPS; r++) {
		a[r] = irq_pair_ns();
		b[r] = sigmask_pair_ns();
	}
	report("irq save+restore pair", "pthread_sigmask block+unblock", "ns",
	       a, b);
	for (r = 0; r < REPS; r++) {
		a[r] = clock_skiff_ns();
		b[r] = clock_linux_ns();
	}
	report("clock read", "clock_gettime", "ns", a, b);
	/* Irqs off: the futex peer's threads are plain pthreads. */
	for (r = 0; r < REPS; r++) {
		a[r] = ipi_roundtrip_ns();
		sk_plat_irq_disable();
		b[r] = sem_roundtrip_ns();
		sk_plat_irq_enable();
	}
	report("wake round trip (IPI+idle)", "sem_post/sem_wait pthreads", "ns",
	       a, b);
	for (r = 0; r < REPS; r++) {
		a[r] = ipi_busy_roundtrip_ns();
		sk_plat_irq_disable();
		b[r] = signal_roundtrip_ns();
		sk_plat_irq_enable();
	}
	report("busy round trip (IPI as signal)", "tgkill between pthreads",
	       "ns", a, b);
}

int main(void)
{
	struct sk_hosted_config cfg = { .ncpus = 2 };

	return sk_hosted_boot(&cfg, bench_main, NULL);
}
