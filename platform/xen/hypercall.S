/* SPDX-License-Identifier: MIT */
/*
 * The hypercall page Xen fills with one 32-byte stub per hypercall
 * ("mov $nr, %eax; vmcall/vmmcall; ret"), and the C entry into it.  The page
 * starts as int3s, so a hypercall before sk_xen_hypercall_init() traps
 * instead of running zeros.
 */

	.section .text.xen_hypercall_page, "ax"
	.balign 4096
	.globl sk_xen_hypercall_page
sk_xen_hypercall_page:
	.fill 4096, 1, 0xcc

	.text
	/*
	 * long sk_xen_hypercall(a1 rdi, a2 rsi, a3 rdx, a4 rcx, a5 r8, nr r9d)
	 * Xen takes the arguments in rdi, rsi, rdx, r10, r8 and returns in rax.
	 * The stub's ret returns straight to our caller.
	 */
	.globl sk_xen_hypercall
	.type sk_xen_hypercall, @function
sk_xen_hypercall:
	mov %rcx, %r10
	mov %r9d, %eax
	shl $5, %rax
	lea sk_xen_hypercall_page(%rip), %r9
	add %r9, %rax
	jmp *%rax
	.size sk_xen_hypercall, . - sk_xen_hypercall

	.section .note.GNU-stack, "", @progbits
