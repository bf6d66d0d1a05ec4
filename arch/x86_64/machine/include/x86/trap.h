/* SPDX-License-Identifier: MIT */
/*
 * Interrupt and exception entry.  Every vector enters through one stub
 * (vectors.S) that saves all general registers and the x87/SSE state, then
 * calls sk_x86_trap() with the frame below.  Exceptions without a handler
 * end in a crash report (crash.c); other vectors go to the handler
 * registered with sk_x86_vector_set().
 */
#ifndef X86_TRAP_H
#define X86_TRAP_H

#include <stdint.h>

/* The saved state of an interrupted context, lowest address first. */
struct sk_x86_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

enum sk_x86_vector {
	SK_X86_VEC_DE = 0,
	SK_X86_VEC_NMI = 2,
	SK_X86_VEC_BP = 3,
	SK_X86_VEC_UD = 6,
	SK_X86_VEC_DF = 8,
	SK_X86_VEC_GP = 13,
	SK_X86_VEC_PF = 14,
	SK_X86_VEC_MC = 18,
	SK_X86_VEC_FIRST_IRQ = 32,
	SK_X86_VEC_COUNT = 256,
};

/* Interrupt stack table slots (TSS IST1..3). */
enum sk_x86_ist {
	SK_X86_IST_DF = 1,
	SK_X86_IST_NMI = 2,
	SK_X86_IST_MC = 3,
	SK_X86_IST_COUNT = 3,
	SK_X86_IST_STACK_SIZE = 8192,
};

typedef void (*sk_x86_vector_fn)(struct sk_x86_frame *f);

/*
 * sk_x86_vector_set - route @vector to @fn (NULL: back to the default,
 * which is a crash report).
 * Context: boot, before the vector can fire.
 */
void sk_x86_vector_set(unsigned vector, sk_x86_vector_fn fn);

/*
 * sk_x86_trap - the C entry from vectors.S.  Runs with irqs off.
 * Context: interrupt.
 */
void sk_x86_trap(struct sk_x86_frame *f);

/* Start addresses of the 256 entry stubs (vectors.S). */
extern const char sk_x86_vector_stubs[];
enum { SK_X86_STUB_SIZE = 16 };

#endif
