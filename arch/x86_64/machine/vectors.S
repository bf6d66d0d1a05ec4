/* SPDX-License-Identifier: MIT */
/*
 * The 256 interrupt entry stubs and their common path.  Each stub is 16
 * bytes: an error-code slot (a zero where the CPU pushes none), the vector
 * number, a jump.  The common path saves the general registers (struct
 * sk_x86_frame in trap.h) and the x87/SSE state (FXSAVE) on the current
 * stack, so interrupt handlers may use SSE, and calls sk_x86_trap().  The
 * handler may switch threads (the exit hook): this frame then waits on the
 * interrupted thread's stack until something switches back.
 */

	.text
	.balign 16
	.globl sk_x86_vector_stubs
sk_x86_vector_stubs:
	.set vec, 0
	.rept 256
	.balign 16
	.if (vec == 8) || (vec >= 10 && vec <= 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushq $0
	.endif
	pushq $vec
	jmp sk_x86_trap_common
	.set vec, vec + 1
	.endr

	.type sk_x86_trap_common, @function
sk_x86_trap_common:
	cld
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, %rbx			/* the frame; callee-saved */
	mov 16 * 8 + 8(%rsp), %rbp	/* interrupted rip ... */
	push %rbp			/* ... and rbp make a fake call */
	push 8 * 8(%rbx)		/* frame, so backtraces go */
	mov %rsp, %rbp			/* through the interrupt */
	sub $512, %rsp
	and $-16, %rsp
	fxsave64 (%rsp)
	mov %rbx, %rdi
	call sk_x86_trap
	fxrstor64 (%rsp)
	mov %rbx, %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
	add $16, %rsp			/* vector, error */
	iretq
	.size sk_x86_trap_common, . - sk_x86_trap_common

	.section .note.GNU-stack, "", @progbits
