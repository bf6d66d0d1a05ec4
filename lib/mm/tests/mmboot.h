/* SPDX-License-Identifier: MIT */
/*
 * lib/mm test scaffolding on the real hosted platform: boot a machine with
 * a chosen number of vCPUs and amount of RAM, start lib/sched (its memory
 * comes from libc, so lib/mm's books stay exact), and run a CMocka group on
 * a skiff thread pinned to vCPU 0 with preemption disabled (CMocka and libc
 * are not async-signal-safe).  Tests run other work on pinned skiff threads
 * with mb_run_on_cpus(), whose bodies must not call libc or assert.
 */
#ifndef MM_TESTS_MMBOOT_H
#define MM_TESTS_MMBOOT_H

#include <stddef.h>
#include <stdint.h>

#include <sched/thread.h>

struct CMUnitTest;

struct mb_config {
	unsigned ncpus;
	size_t ram_bytes;
	/* Runs once on vCPU 0 before the tests (may be NULL); 0 or fail. */
	int (*prepare)(void);
};

/* Boot, run @tests, shut down.  Return: CMocka's status (or 100+). */
int mb_main(const struct mb_config *cfg, const char *name,
	    const struct CMUnitTest *tests, size_t n);

/* Physical address of the machine's (single) RAM region. */
uint64_t mb_ram_pa(void);

/*
 * Run @fn(i) for i in [0, n) on skiff threads, thread i pinned to vCPU
 * i % cpu count, and join them all.  Context: the test body.
 */
void mb_run_on_cpus(unsigned n, sk_thread_fn fn);

#endif
