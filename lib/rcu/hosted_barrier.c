// SPDX-License-Identifier: MIT
/*
 * Stand-in for the proposed platform call sk_plat_cpu_barrier_all() on the
 * hosted platform (a Linux process), until platform/hosted provides it
 * behind platform/include/plat/cpu.h (docs/rcu.md, "CPU barrier").  Not
 * part of skiff-rcu: gp.c refers to the call weakly, and only programs
 * that link this file (lib/rcu's native tests and bench_rcu, through
 * skiff_rcu_hosted_barrier_dep) get the fast grace periods on hosted.
 *
 * membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) makes every thread of the
 * process that runs on a host CPU execute a full barrier before it
 * returns; a thread that is not running passes one (the kernel's context
 * switch) before it runs user code again.  That is the contract.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/membarrier.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <sched/preempt.h>

#include "internal.h"

enum { MB_UNKNOWN = 0, MB_READY = 1, MB_NONE = 2 };

static atomic_int mb_state; /* MB_*: relaxed, the kernel orders the rest */

/* membarrier(@cmd): its result, or -errno. */
static long mb_call(int cmd)
{
	long ret;

	/* libc on a skiff thread: not preemptible (errno is the vCPU's) */
	sk_preempt_disable();
	do
		ret = syscall(SYS_membarrier, cmd, 0, 0);
	while (ret < 0 && errno == EINTR);
	if (ret < 0)
		ret = -errno;
	sk_preempt_enable();
	return ret;
}

/* Query support and register the process for the expedited command.
 * Two first callers may both do it: registering twice is harmless. */
static int mb_setup(void)
{
	long cmds = mb_call(MEMBARRIER_CMD_QUERY);

	if (cmds < 0 || !(cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED) ||
	    mb_call(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) != 0) {
		atomic_store_explicit(&mb_state, MB_NONE, memory_order_relaxed);
		return -ENOSYS;
	}
	atomic_store_explicit(&mb_state, MB_READY, memory_order_relaxed);
	return 0;
}

int sk_plat_cpu_barrier_all(void)
{
	int st = atomic_load_explicit(&mb_state, memory_order_relaxed);

	if (st == MB_NONE || (st == MB_UNKNOWN && mb_setup()))
		return -ENOSYS;
	return mb_call(MEMBARRIER_CMD_PRIVATE_EXPEDITED) ? -EIO : 0;
}
