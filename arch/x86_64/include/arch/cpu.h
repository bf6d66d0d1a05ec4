/* SPDX-License-Identifier: MIT */
/*
 * Small x86-64 CPU helpers shared by every platform: time stamp counter,
 * CPUID, XGETBV and the spin-wait hint.  All inline, no state.
 */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include <stdint.h>

struct sk_arch_cpuid {
	uint32_t eax, ebx, ecx, edx;
};

/* sk_arch_cpuid_get - CPUID leaf @leaf, sub-leaf @sub.  Context: any. */
static inline struct sk_arch_cpuid sk_arch_cpuid_get(uint32_t leaf,
						     uint32_t sub)
{
	struct sk_arch_cpuid r;

	__asm__ __volatile__("cpuid"
			     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx),
			       "=d"(r.edx)
			     : "a"(leaf), "c"(sub));
	return r;
}

/* sk_arch_xgetbv - extended control register @reg (needs OSXSAVE). */
static inline uint64_t sk_arch_xgetbv(uint32_t reg)
{
	uint32_t lo, hi;

	__asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(reg));
	return ((uint64_t)hi << 32) | lo;
}

/* sk_arch_rdtsc - the time stamp counter (not serialising). */
static inline uint64_t sk_arch_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* sk_arch_pause - spin-wait hint.  Context: any. */
static inline void sk_arch_pause(void)
{
	__asm__ __volatile__("pause" ::: "memory");
}

#endif
