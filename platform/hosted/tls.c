/* SPDX-License-Identifier: MIT */
/*
 * Per-pthread state of the hosted platform: the thread-local soft irq words
 * and their %fs offset, and the GS base of plat/percpu.h.  The offset lets
 * hosted.h touch the irq words with one instruction; the other accessors
 * re-read %fs each call so no caller ever keeps a TLS address across a
 * point where its skiff thread may migrate.  Each vCPU pthread points its
 * GS base at its struct hosted_cpu; the process's main thread gets a "no
 * CPU" block from a constructor, so skiff code called before boot reads
 * cpu_id SK_PLAT_PERCPU_NO_CPU and a NULL local base instead of faulting.
 */
#define _GNU_SOURCE
#include "hosted.h"

#include <asm/prctl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <plat/assert.h>

static __thread struct hosted_tls hosted_tls_var
	__attribute__((tls_model("initial-exec")));

intptr_t sk_hosted_tls_off;

/* The main thread's block: not a CPU.  Its core words are the platform's
 * zeroes, as on a real CPU before the core takes it. */
static struct hosted_cpu hosted_nocpu;

static char *hosted_thread_pointer(void)
{
	char *tp;

	/* x86-64 TLS ABI: the word at %fs:0 holds the thread pointer. */
	__asm__ __volatile__("movq %%fs:0, %0" : "=r"(tp));
	return tp;
}

struct hosted_tls *sk_hosted_tls(void)
{
	return (struct hosted_tls *)(void *)(hosted_thread_pointer() +
					     sk_hosted_tls_off);
}

static intptr_t hosted_tls_offset(void)
{
	return (char *)&hosted_tls_var - hosted_thread_pointer();
}

static int hosted_gs_set(void *block)
{
	return (int)syscall(SYS_arch_prctl, ARCH_SET_GS, block);
}

/* Early priority: before any other constructor could disable irqs. */
__attribute__((constructor(101))) static void hosted_tls_ctor(void)
{
	sk_hosted_tls_off = hosted_tls_offset();
	hosted_nocpu.pc.self = &hosted_nocpu.pc;
	hosted_nocpu.pc.cpu_id = SK_PLAT_PERCPU_NO_CPU;
	if (hosted_gs_set(&hosted_nocpu)) {
		/* Too early for sk_plat_panic, which reads the block. */
		static const char msg[] =
			"skiff hosted: arch_prctl(ARCH_SET_GS) failed\n";

		sk_hosted_console_fd_write(STDERR_FILENO, msg, sizeof(msg) - 1);
		abort();
	}
}

void sk_hosted_tls_init(void)
{
	/* Run on each new vCPU: the offset must be the same in every thread. */
	if (hosted_tls_offset() != sk_hosted_tls_off)
		SK_PANIC("hosted: TLS offset differs between threads");
}

void sk_hosted_percpu_set(struct hosted_cpu *c)
{
	if (hosted_gs_set(c))
		SK_PANIC("hosted: arch_prctl(ARCH_SET_GS) failed");
}

struct sk_plat_percpu *sk_plat_percpu_of(unsigned cpu)
{
	struct hosted_cpu *c;

	if (cpu >= sk_hosted_m.ncpus)
		return NULL;
	c = &sk_hosted_m.cpus[cpu];
	/* Acquire: pairs with the seq_cst store of @ready in hosted_cpu_main,
	 * after the block was set up. */
	if (!atomic_load_explicit(&c->ready, memory_order_acquire))
		return NULL;
	return &c->pc;
}
