/* SPDX-License-Identifier: MIT */
/*
 * Plain x86-64 instructions as inline functions: CPUID, MSRs, control
 * registers, port I/O, TSC.  Ring 0 only; shared by the kvm and xen
 * platforms.  Nothing here has state.
 */
#ifndef X86_CPU_H
#define X86_CPU_H

#include <stddef.h>
#include <stdint.h>

struct sk_x86_cpuid {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct sk_x86_cpuid sk_x86_cpuid(uint32_t leaf, uint32_t sub)
{
	struct sk_x86_cpuid r;

	__asm__ __volatile__("cpuid"
			     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx),
			       "=d"(r.edx)
			     : "a"(leaf), "c"(sub));
	return r;
}

static inline uint64_t sk_x86_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void sk_x86_wrmsr(uint32_t msr, uint64_t val)
{
	__asm__ __volatile__("wrmsr" ::"c"(msr), "a"((uint32_t)val),
			     "d"((uint32_t)(val >> 32))
			     : "memory");
}

static inline uint64_t sk_x86_rdtsc(void)
{
	uint32_t lo, hi;

	/* The memory clobber keeps the read in program order with the code
	 * being timed, calls included. */
	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}

#define SK_X86_CR_ACCESSORS(n)                                               \
	static inline uint64_t sk_x86_read_cr##n(void)                       \
	{                                                                    \
		uint64_t v;                                                  \
		__asm__ __volatile__("mov %%cr" #n ", %0" : "=r"(v));        \
		return v;                                                    \
	}                                                                    \
	static inline void sk_x86_write_cr##n(uint64_t v)                    \
	{                                                                    \
		__asm__ __volatile__("mov %0, %%cr" #n ::"r"(v) : "memory"); \
	}
SK_X86_CR_ACCESSORS(0)
SK_X86_CR_ACCESSORS(2)
SK_X86_CR_ACCESSORS(3)
SK_X86_CR_ACCESSORS(4)
#undef SK_X86_CR_ACCESSORS

static inline void sk_x86_xsetbv(uint32_t reg, uint64_t val)
{
	__asm__ __volatile__("xsetbv" ::"c"(reg), "a"((uint32_t)val),
			     "d"((uint32_t)(val >> 32)));
}

/* sk_x86_out{b,w,l}(port, v) and sk_x86_in{b,w,l}(port). */
#define SK_X86_PORT_ACCESSORS(sfx, type)                            \
	static inline void sk_x86_out##sfx(uint16_t port, type v)   \
	{                                                           \
		__asm__ __volatile__("out" #sfx " %0, %1" ::"a"(v), \
				     "Nd"(port));                   \
	}                                                           \
	static inline type sk_x86_in##sfx(uint16_t port)            \
	{                                                           \
		type v;                                             \
		__asm__ __volatile__("in" #sfx " %1, %0"            \
				     : "=a"(v)                      \
				     : "Nd"(port));                 \
		return v;                                           \
	}
SK_X86_PORT_ACCESSORS(b, uint8_t)
SK_X86_PORT_ACCESSORS(w, uint16_t)
SK_X86_PORT_ACCESSORS(l, uint32_t)
#undef SK_X86_PORT_ACCESSORS

enum { SK_X86_TLB_LOCAL_PAGES_MAX = 64 };

/*
 * sk_x86_tlb_flush_local - drop this CPU's TLB entries for [@va, @va+@len):
 * page by page up to SK_X86_TLB_LOCAL_PAGES_MAX pages, else (or for
 * @len 0) everything but global pages, by reloading CR3.
 * Context: any; the caller keeps itself on this CPU.
 */
static inline void sk_x86_tlb_flush_local(uintptr_t va, size_t len)
{
	if (len == 0 || len / 4096 > SK_X86_TLB_LOCAL_PAGES_MAX) {
		sk_x86_write_cr3(sk_x86_read_cr3());
		return;
	}
	for (uintptr_t p = va & ~(uintptr_t)4095; p < va + len; p += 4096)
		__asm__ __volatile__("invlpg (%0)" ::"r"(p) : "memory");
}

static inline void sk_x86_pause(void)
{
	__asm__ __volatile__("pause" ::: "memory");
}

static inline uint64_t sk_x86_read_rflags(void)
{
	uint64_t f;

	__asm__ __volatile__("pushfq; popq %0" : "=r"(f)::"memory");
	return f;
}

/*
 * sk_x86_muldiv - a * b / c with a 128-bit intermediate (mul, then div);
 * UINT64_MAX if the quotient does not fit or c is 0.
 */
static inline uint64_t sk_x86_muldiv(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t lo, hi, q, r;

	__asm__("mulq %3" : "=a"(lo), "=d"(hi) : "a"(a), "rm"(b));
	if (hi >= c)
		return UINT64_MAX;
	__asm__("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(c));
	(void)r;
	return q;
}

/* Bits and registers the machine code names. */
enum {
	SK_X86_RFLAGS_IF = 1u << 9,
	SK_X86_CR0_MP = 1u << 1,
	SK_X86_CR0_EM = 1u << 2,
	SK_X86_CR0_TS = 1u << 3,
	SK_X86_CR0_NE = 1u << 5,
	SK_X86_CR4_OSFXSR = 1u << 9,
	SK_X86_CR4_OSXMMEXCPT = 1u << 10,
	SK_X86_CR4_FSGSBASE = 1u << 16,
	SK_X86_CR4_OSXSAVE = 1u << 18,
};

/* MSR numbers (macros: some exceed the range of an int enumerator). */
#define SK_X86_MSR_APIC_BASE 0x1bu
#define SK_X86_MSR_TSC_DEADLINE 0x6e0u
#define SK_X86_MSR_EFER 0xc0000080u
#define SK_X86_MSR_FS_BASE 0xc0000100u
#define SK_X86_MSR_GS_BASE 0xc0000101u
#define SK_X86_MSR_KERNEL_GS_BASE 0xc0000102u

#endif
