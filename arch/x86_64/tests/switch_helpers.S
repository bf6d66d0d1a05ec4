/* SPDX-License-Identifier: MIT */
/*
 * Assembly halves of test_switch.c: they load and check registers the
 * compiler must not touch between the load and the switch.
 */
	.text

/*
 * Every switch below goes through test_switch_fn: the bare
 * sk_arch_switch_raw, or under a sanitizer the annotated sk_arch_switch.
 *
 * void test_regs_switch(from, to, const uint64_t in[6], uint64_t out[6])
 * Loads rbx, rbp, r12-r15 from in[], switches from -> to, stores them to
 * out[] once switched back, and restores the caller's values.
 */
	.globl	test_regs_switch
	.type	test_regs_switch, @function
test_regs_switch:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	pushq	%rcx			/* out */
	subq	$8, %rsp
	movq	0(%rdx), %rbx
	movq	8(%rdx), %rbp
	movq	16(%rdx), %r12
	movq	24(%rdx), %r13
	movq	32(%rdx), %r14
	movq	40(%rdx), %r15
	call	*test_switch_fn(%rip)
	addq	$8, %rsp
	popq	%rcx
	movq	%rbx, 0(%rcx)
	movq	%rbp, 8(%rcx)
	movq	%r12, 16(%rcx)
	movq	%r13, 24(%rcx)
	movq	%r14, 32(%rcx)
	movq	%r15, 40(%rcx)
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.size	test_regs_switch, .-test_regs_switch

/*
 * void test_clobber_switch(from, to): trash every callee-saved register,
 * every xmm/x87 register, MXCSR and the x87 control word, then switch.
 * What the caller had must come back from the saved frame, not from here.
 */
	.globl	test_clobber_switch
	.type	test_clobber_switch, @function
test_clobber_switch:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	subq	$8, %rsp
	movq	$-1, %rbx
	movq	$-2, %rbp
	movq	$-3, %r12
	movq	$-4, %r13
	movq	$-5, %r14
	movq	$-6, %r15
	pcmpeqd	%xmm0, %xmm0
	pcmpeqd	%xmm1, %xmm1
	pcmpeqd	%xmm7, %xmm7
	pcmpeqd	%xmm8, %xmm8
	pcmpeqd	%xmm15, %xmm15
	fninit
	fld1
	fld1
	movl	$0x7f80, (%rsp)		/* round toward zero, all masked */
	ldmxcsr	(%rsp)
	movw	$0x0c7f, 4(%rsp)	/* x87 round toward zero */
	fldcw	4(%rsp)
	call	*test_switch_fn(%rip)
	addq	$8, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.size	test_clobber_switch, .-test_clobber_switch

/*
 * void test_fpu_preempt(area, from, to, const void *in, void *out, avx)
 * The involuntary path: registers hold in[] (16 ymm or xmm registers and
 * one x87 value) when sk_arch_fpu_save() runs; the other context trashes
 * them; after sk_arch_fpu_restore() they are stored to out[].
 */
	.globl	test_fpu_preempt
	.type	test_fpu_preempt, @function
test_fpu_preempt:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	subq	$8, %rsp
	movq	%rdi, %rbx		/* area */
	movq	%rsi, %r12		/* from */
	movq	%rdx, %r13		/* to */
	movq	%rcx, %rbp		/* in */
	movq	%r8, %r14		/* out */
	movq	%r9, %r15		/* avx */
	fldl	512(%rbp)
	testq	%r15, %r15
	jz	1f
	vmovdqu	0(%rbp), %ymm0
	vmovdqu	32(%rbp), %ymm1
	vmovdqu	64(%rbp), %ymm2
	vmovdqu	96(%rbp), %ymm3
	vmovdqu	128(%rbp), %ymm4
	vmovdqu	160(%rbp), %ymm5
	vmovdqu	192(%rbp), %ymm6
	vmovdqu	224(%rbp), %ymm7
	vmovdqu	256(%rbp), %ymm8
	vmovdqu	288(%rbp), %ymm9
	vmovdqu	320(%rbp), %ymm10
	vmovdqu	352(%rbp), %ymm11
	vmovdqu	384(%rbp), %ymm12
	vmovdqu	416(%rbp), %ymm13
	vmovdqu	448(%rbp), %ymm14
	vmovdqu	480(%rbp), %ymm15
	jmp	2f
1:	movdqu	0(%rbp), %xmm0
	movdqu	32(%rbp), %xmm1
	movdqu	64(%rbp), %xmm2
	movdqu	96(%rbp), %xmm3
	movdqu	128(%rbp), %xmm4
	movdqu	160(%rbp), %xmm5
	movdqu	192(%rbp), %xmm6
	movdqu	224(%rbp), %xmm7
	movdqu	256(%rbp), %xmm8
	movdqu	288(%rbp), %xmm9
	movdqu	320(%rbp), %xmm10
	movdqu	352(%rbp), %xmm11
	movdqu	384(%rbp), %xmm12
	movdqu	416(%rbp), %xmm13
	movdqu	448(%rbp), %xmm14
	movdqu	480(%rbp), %xmm15
2:	movq	%rbx, %rdi
	call	sk_arch_fpu_save
	movq	%r12, %rdi
	movq	%r13, %rsi
	call	test_clobber_switch
	movq	%rbx, %rdi
	call	sk_arch_fpu_restore
	fstpl	512(%r14)
	testq	%r15, %r15
	jz	3f
	vmovdqu	%ymm0, 0(%r14)
	vmovdqu	%ymm1, 32(%r14)
	vmovdqu	%ymm2, 64(%r14)
	vmovdqu	%ymm3, 96(%r14)
	vmovdqu	%ymm4, 128(%r14)
	vmovdqu	%ymm5, 160(%r14)
	vmovdqu	%ymm6, 192(%r14)
	vmovdqu	%ymm7, 224(%r14)
	vmovdqu	%ymm8, 256(%r14)
	vmovdqu	%ymm9, 288(%r14)
	vmovdqu	%ymm10, 320(%r14)
	vmovdqu	%ymm11, 352(%r14)
	vmovdqu	%ymm12, 384(%r14)
	vmovdqu	%ymm13, 416(%r14)
	vmovdqu	%ymm14, 448(%r14)
	vmovdqu	%ymm15, 480(%r14)
	vzeroupper
	jmp	4f
3:	movdqu	%xmm0, 0(%r14)
	movdqu	%xmm1, 32(%r14)
	movdqu	%xmm2, 64(%r14)
	movdqu	%xmm3, 96(%r14)
	movdqu	%xmm4, 128(%r14)
	movdqu	%xmm5, 160(%r14)
	movdqu	%xmm6, 192(%r14)
	movdqu	%xmm7, 224(%r14)
	movdqu	%xmm8, 256(%r14)
	movdqu	%xmm9, 288(%r14)
	movdqu	%xmm10, 320(%r14)
	movdqu	%xmm11, 352(%r14)
	movdqu	%xmm12, 384(%r14)
	movdqu	%xmm13, 416(%r14)
	movdqu	%xmm14, 448(%r14)
	movdqu	%xmm15, 480(%r14)
4:	addq	$8, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.size	test_fpu_preempt, .-test_fpu_preempt

/*
 * void test_fresh_probe(struct fresh_state *out): the first thing a fresh
 * context runs.  Stores MXCSR, FCW, the x87 environment and xmm0-15.
 * Layout of out: 0 mxcsr, 4 fcw, 8 fnstenv (28 bytes), 48 xmm0..15.
 */
	.globl	test_fresh_probe
	.type	test_fresh_probe, @function
test_fresh_probe:
	stmxcsr	0(%rdi)
	fnstcw	4(%rdi)
	movdqu	%xmm0, 48(%rdi)
	movdqu	%xmm1, 64(%rdi)
	movdqu	%xmm2, 80(%rdi)
	movdqu	%xmm3, 96(%rdi)
	movdqu	%xmm4, 112(%rdi)
	movdqu	%xmm5, 128(%rdi)
	movdqu	%xmm6, 144(%rdi)
	movdqu	%xmm7, 160(%rdi)
	movdqu	%xmm8, 176(%rdi)
	movdqu	%xmm9, 192(%rdi)
	movdqu	%xmm10, 208(%rdi)
	movdqu	%xmm11, 224(%rdi)
	movdqu	%xmm12, 240(%rdi)
	movdqu	%xmm13, 256(%rdi)
	movdqu	%xmm14, 272(%rdi)
	movdqu	%xmm15, 288(%rdi)
	fnstenv	8(%rdi)
	fldcw	4(%rdi)			/* fnstenv masks exceptions: undo */
	ret
	.size	test_fresh_probe, .-test_fresh_probe

	.section .note.GNU-stack, "", @progbits
