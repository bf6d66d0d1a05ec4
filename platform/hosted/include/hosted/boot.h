/* SPDX-License-Identifier: MIT */
/*
 * Starting the hosted platform: a Linux process becomes a skiff machine.
 * Virtual CPUs are pthreads, interrupts are signals, RAM is one anonymous
 * mapping.  Only programs that run on hosted (tests, benchmarks, demos)
 * include this header; lib/ never does.
 */
#ifndef HOSTED_BOOT_H
#define HOSTED_BOOT_H

#include <stddef.h>

struct sk_hosted_config {
	unsigned ncpus; /* 0: $SK_CPUS, else the host's CPU count */
	size_t ram_bytes; /* 0: $SK_RAM_MB MiB, else 256 MiB */
	const char *cmdline; /* NULL: $SK_CMDLINE, else "" */
};

typedef void (*sk_hosted_main_fn)(void *arg);

/*
 * sk_hosted_boot - run @main_fn(arg) on CPU 0 of a new hosted machine.
 * @main_fn starts with irqs disabled, like a boot CPU; CPUs 1..n-1 start
 * only when the core calls sk_plat_cpu_start().  Once per process.
 * The platform takes SIGUSR1, SIGUSR2 and SIGRTMIN+4 for itself.
 * Return: the status passed to sk_plat_shutdown(), or 0 if @main_fn
 *         returns; -EINVAL for a bad config (nothing changed: a corrected
 *         call may follow); -EBUSY once a machine has booted; -ENOMEM if
 *         RAM cannot be mapped.
 * Context: an ordinary Linux thread, not a vCPU.
 */
int sk_hosted_boot(const struct sk_hosted_config *cfg,
		   sk_hosted_main_fn main_fn, void *arg);

#endif
