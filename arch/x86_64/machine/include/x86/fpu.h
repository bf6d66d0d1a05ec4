/* SPDX-License-Identifier: MIT */
/*
 * Turning the FPU on: CR0/CR4 bits for x87 and SSE, and XSAVE with every
 * user state component the CPU offers (x87, SSE, AVX, AVX-512), so the
 * arch context switch's XSAVE path and compiled SSE code both work.
 */
#ifndef X86_FPU_H
#define X86_FPU_H

#include <stdint.h>

/*
 * sk_x86_fpu_init - enable x87/SSE (and XSAVE if present) on this CPU,
 * then FNINIT.  Must run before any compiled C code that may use SSE.
 * Return: the XCR0 value set (0 without XSAVE).
 * Context: each CPU's boot, irqs off.
 */
uint64_t sk_x86_fpu_init(void);

#endif
