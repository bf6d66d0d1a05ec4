/* SPDX-License-Identifier: MIT */
/*
 * x86-64 context switch and full FPU save/restore, in assembly so that no
 * compiler-generated code touches the registers being saved.
 *
 * Saved frame of a suspended context, from its saved rsp upwards:
 *   0: MXCSR (4 bytes)  8: x87 control word (2 bytes)  16: r15  24: r14
 *   32: r13  40: r12  48: rbx  56: rbp  64: return address
 */
	.text

/* struct sk_arch_context *sk_arch_switch_raw(from, to) */
	.globl	sk_arch_switch_raw
	.type	sk_arch_switch_raw, @function
sk_arch_switch_raw:
	.cfi_startproc
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	subq	$16, %rsp
	stmxcsr	(%rsp)
	fnstcw	8(%rsp)
	movq	%rsp, (%rdi)		/* from->sp */
	movq	(%rsi), %rsp		/* to->sp */
	/*
	 * LDMXCSR and FLDCW of a changed value are slow (FLDCW alone cost
	 * ~80 ns a switch on the machine we measured); the registers still
	 * hold the values just saved, so load only what differs.  Threads
	 * normally share the defaults and never pay it.
	 */
	movq	(%rdi), %rax
	movl	(%rax), %ecx
	cmpl	(%rsp), %ecx
	je	1f
	ldmxcsr	(%rsp)
1:	movzwl	8(%rax), %ecx
	cmpw	8(%rsp), %cx
	je	2f
	fldcw	8(%rsp)
2:	addq	$16, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	movq	%rdi, %rax		/* the resumed context learns who ran */
	ret
	.cfi_endproc
	.size	sk_arch_switch_raw, .-sk_arch_switch_raw

/*
 * First instruction of a new context: rdi still holds the context that
 * switched to us, r12 the entry point, r13 its argument (set up by
 * sk_arch_context_init).  rsp is 16-byte aligned here.
 */
	.globl	sk_arch_context_trampoline
	.hidden	sk_arch_context_trampoline
	.type	sk_arch_context_trampoline, @function
sk_arch_context_trampoline:
	.cfi_startproc
	.cfi_undefined rip
	xorl	%ebp, %ebp
	movq	%r12, %rsi
	movq	%r13, %rdx
	call	sk_arch_context_first
	ud2
	.cfi_endproc
	.size	sk_arch_context_trampoline, .-sk_arch_context_trampoline

/*
 * void sk_arch_fpu_save(void *area) / sk_arch_fpu_restore(const void *area)
 * Dispatch on sk_arch_fpu_insn (set once by sk_arch_fpu_setup); the
 * component mask for XSAVE* is sk_arch_fpu_mask (XCR0).
 */
	.globl	sk_arch_fpu_save
	.type	sk_arch_fpu_save, @function
sk_arch_fpu_save:
	.cfi_startproc
	movl	sk_arch_fpu_mask(%rip), %eax
	movl	sk_arch_fpu_mask+4(%rip), %edx
	movl	sk_arch_fpu_insn(%rip), %ecx
	cmpl	$4, %ecx
	je	1f
	cmpl	$3, %ecx
	je	2f
	cmpl	$2, %ecx
	je	3f
	fxsave64 (%rdi)
	ret
1:	xsavec64 (%rdi)
	ret
2:	xsaveopt64 (%rdi)
	ret
3:	xsave64	(%rdi)
	ret
	.cfi_endproc
	.size	sk_arch_fpu_save, .-sk_arch_fpu_save

	.globl	sk_arch_fpu_restore
	.type	sk_arch_fpu_restore, @function
sk_arch_fpu_restore:
	.cfi_startproc
	movl	sk_arch_fpu_mask(%rip), %eax
	movl	sk_arch_fpu_mask+4(%rip), %edx
	movl	sk_arch_fpu_insn(%rip), %ecx
	cmpl	$2, %ecx
	jb	1f
	xrstor64 (%rdi)
	ret
1:	fxrstor64 (%rdi)
	ret
	.cfi_endproc
	.size	sk_arch_fpu_restore, .-sk_arch_fpu_restore

	.section .note.GNU-stack, "", @progbits
