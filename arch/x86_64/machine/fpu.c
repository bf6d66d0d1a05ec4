// SPDX-License-Identifier: MIT
/*
 * FPU enable.  Only inline asm and integer code here: this runs before the
 * SSE enable bits are set, when an SSE instruction would fault.
 */
#include <x86/cpu.h>
#include <x86/fpu.h>

enum {
	CPUID1_ECX_XSAVE = 1u << 26,
	XCR0_X87 = 1u << 0,
	XCR0_SSE = 1u << 1,
	XCR0_AVX = 1u << 2,
	XCR0_AVX512 = 7u << 5, /* opmask, ZMM_Hi256, Hi16_ZMM */
};

uint64_t sk_x86_fpu_init(void)
{
	struct sk_x86_cpuid r = sk_x86_cpuid(1, 0);
	uint64_t cr0 = sk_x86_read_cr0(), cr4 = sk_x86_read_cr4();
	uint64_t xcr0 = 0;

	cr0 &= ~(uint64_t)(SK_X86_CR0_EM | SK_X86_CR0_TS);
	cr0 |= SK_X86_CR0_MP | SK_X86_CR0_NE;
	sk_x86_write_cr0(cr0);
	cr4 |= SK_X86_CR4_OSFXSR | SK_X86_CR4_OSXMMEXCPT;
	if (r.ecx & CPUID1_ECX_XSAVE)
		cr4 |= SK_X86_CR4_OSXSAVE;
	sk_x86_write_cr4(cr4);
	if (r.ecx & CPUID1_ECX_XSAVE) {
		uint64_t offered = sk_x86_cpuid(0xd, 0).eax;

		xcr0 = XCR0_X87 | XCR0_SSE;
		if (offered & XCR0_AVX)
			xcr0 |= XCR0_AVX;
		if ((offered & XCR0_AVX512) == XCR0_AVX512 && (xcr0 & XCR0_AVX))
			xcr0 |= XCR0_AVX512;
		sk_x86_xsetbv(0, xcr0);
	}
	__asm__ __volatile__("fninit" ::: "memory");
	return xcr0;
}
