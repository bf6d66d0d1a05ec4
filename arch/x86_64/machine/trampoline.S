/* SPDX-License-Identifier: MIT */
/*
 * AP start-up trampoline.  smp.c copies this to SK_X86_TRAMPOLINE_PA (a
 * page below 1 MiB) and fills the mailbox at its end; a SIPI starts the AP
 * here in real mode at that page.  Real mode -> protected mode (boot GDT)
 * -> long mode with the mailbox's CR3, then a jump to the mailbox entry on
 * the mailbox stack with the mailbox argument.  The AP acknowledges once it
 * has read the mailbox, so the BSP may reuse it for the next CPU.
 */

	.set TRAMP_PA, 0x8000
	.set SEL_CODE64, 0x08
	.set SEL_DATA, 0x10
	.set SEL_CODE32, 0x18

	.section .rodata
	.balign 16
	.globl sk_x86_trampoline_start
	.globl sk_x86_trampoline_end
sk_x86_trampoline_start:
	.code16
	cli
	cld
	mov %cs, %ax
	mov %ax, %ds
	lgdtl tramp_gdt_ptr - sk_x86_trampoline_start
	mov %cr0, %eax
	or $1, %eax
	mov %eax, %cr0
	ljmpl $SEL_CODE32, $(TRAMP_PA + tramp_prot32 - sk_x86_trampoline_start)

	.code32
tramp_prot32:
	mov $SEL_DATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %cr4, %eax
	or $0x20, %eax			/* PAE */
	mov %eax, %cr4
	mov (TRAMP_PA + tramp_cr3 - sk_x86_trampoline_start), %eax
	mov %eax, %cr3
	mov $0xc0000080, %ecx		/* EFER: LME (and NXE) */
	rdmsr
	or (TRAMP_PA + tramp_efer - sk_x86_trampoline_start), %eax
	wrmsr
	mov %cr0, %eax
	or $0x80010000, %eax		/* PG | WP: read-only binds ring 0 */
	mov %eax, %cr0
	ljmp $SEL_CODE64, $(TRAMP_PA + tramp_long64 - sk_x86_trampoline_start)

	.code64
tramp_long64:
	mov $SEL_DATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	xor %eax, %eax
	mov %eax, %fs
	mov %eax, %gs
	mov tramp_stack(%rip), %rsp
	mov tramp_arg(%rip), %rdi
	mov tramp_entry(%rip), %rax
	movl $1, tramp_ack(%rip)	/* mailbox read: the BSP may reuse it */
	xor %ebp, %ebp
	push %rbp			/* no return address: ends backtraces */
	jmp *%rax

	.balign 8
tramp_gdt_ptr:
	.word 31
	.long sk_x86_boot_gdt
	.balign 8
	/* The mailbox: struct sk_x86_trampoline_mailbox in smp.c. */
tramp_cr3:
	.quad 0
tramp_stack:
	.quad 0
tramp_entry:
	.quad 0
tramp_arg:
	.quad 0
tramp_ack:
	.long 0
tramp_efer:
	.long 0
sk_x86_trampoline_end:

	.section .note.GNU-stack, "", @progbits
