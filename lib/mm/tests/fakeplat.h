/* SPDX-License-Identifier: MIT */
/*
 * A tiny fake of the platform calls that lib/mm's pure data-structure code
 * uses (panic, phys<->virt, TLB flush), for unit tests that must observe
 * every TLB flush and run without a skiff machine.  "RAM" is a host buffer
 * given physical addresses from FAKE_PA_BASE, so pa != va.
 */
#ifndef MM_TESTS_FAKEPLAT_H
#define MM_TESTS_FAKEPLAT_H

#include <stddef.h>
#include <stdint.h>

#define FAKE_PA_BASE ((uint64_t)0x100000000)

struct fake_flush {
	uintptr_t va;
	size_t len;
};

/* Map @bytes of fake RAM (page aligned, 2 MiB aligned virtually); it is
 * the one region sk_plat_mem_regions() reports. */
void fake_ram_init(size_t bytes);
void *fake_ram_base(void);

/* Every sk_plat_tlb_flush() since the last fake_flush_reset(). */
void fake_flush_reset(void);
unsigned fake_flush_count(void);
const struct fake_flush *fake_flush_get(unsigned i);
/* Whether [va, va + len) lies inside one recorded flush. */
int fake_flush_covers(uintptr_t va, size_t len);

/*
 * Fake CPUs for tests on plain pthreads (with lib/sync's pthread port for
 * preemption and wait/wake): each test thread binds itself to its own CPU
 * id, so per-CPU data has one user at a time, as on a real machine.
 */
void fake_cpu_setup(unsigned ncpus);
void fake_cpu_bind(unsigned cpu);

#endif
