// SPDX-License-Identifier: MIT
/*
 * sk_plat_cpu_barrier_all on hosted: membarrier(2) with
 * MEMBARRIER_CMD_PRIVATE_EXPEDITED.  The kernel makes every thread of the
 * process that is running on a host CPU execute a full barrier before the
 * call returns; a thread that is not running passes one (the kernel's
 * context switch) before it runs user code again.  That is the contract for
 * the vCPU pthreads.  The process registers for the command on first use.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/membarrier.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <plat/cpu.h>
#include <plat/irq.h>

enum { MB_UNKNOWN = 0, MB_READY = 1, MB_NONE = 2 };

static atomic_int mb_state; /* MB_*: relaxed, the kernel orders the rest */

/* membarrier(@cmd): its result, or -errno.  Irqs off around it: errno is
 * the vCPU pthread's, and the calling thread must not move in between. */
static long mb_call(int cmd)
{
	sk_plat_irq_flags flags = sk_plat_irq_save();
	long ret;

	do
		ret = syscall(SYS_membarrier, cmd, 0, 0);
	while (ret < 0 && errno == EINTR);
	if (ret < 0)
		ret = -errno;
	sk_plat_irq_restore(flags);
	return ret;
}

/* Query support and register the process for the expedited command.  Two
 * first callers may both do it: registering twice is harmless. */
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
