/* SPDX-License-Identifier: MIT */
/*
 * PVH entry: the ELF note QEMU and Xen read, the 32-bit entry point, an
 * identity map of the first 4 GiB with 2 MiB pages, and the switch to long
 * mode.  Ends in sk_x86_pvh_main(start_info_pa, entry_tsc), which the
 * platform provides.  HYPERVISORS.md has the measured entry state: only
 * ebx (the start info) and protected mode with paging off can be relied on.
 */

	.section .note.Xen, "a", @note
	.balign 4
	.long 2f - 1f		/* namesz */
	.long 4f - 3f		/* descsz */
	.long 18		/* XEN_ELFNOTE_PHYS32_ENTRY */
1:	.asciz "Xen"
2:	.balign 4
3:	.quad sk_x86_pvh_start
4:	.balign 4

	.set SK_BOOT_PD_COUNT, 4	/* 4 GiB of 2 MiB pages */
	.set SK_SEL_CODE64, 0x08
	.set SK_SEL_DATA, 0x10
	.set SK_SEL_CODE32, 0x18

	.section .boot.text, "ax"
	.code32
	.globl sk_x86_pvh_start
	.type sk_x86_pvh_start, @function
sk_x86_pvh_start:
	cli
	cld
	mov %ebx, %esi			/* start info pa, kept until C */
	rdtsc
	mov %eax, %edi			/* entry TSC, low half */
	mov %edx, %ebp			/* entry TSC, high half */
	lgdt sk_x86_boot_gdt_ptr
	ljmp $SK_SEL_CODE32, $1f
1:	mov $SK_SEL_DATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %eax, %fs
	mov %eax, %gs
	mov $sk_x86_boot_stack_top, %esp
	push %edi
	mov $sk_x86_boot_pml4, %edi	/* zero PML4, PDPT and the PDs */
	mov $((2 + SK_BOOT_PD_COUNT) * 1024), %ecx
	xor %eax, %eax
	rep stosl
	pop %edi
	movl $(sk_x86_boot_pdpt + 3), sk_x86_boot_pml4
	xor %ecx, %ecx
2:	mov %ecx, %eax			/* pdpt[i] = pd + i * 4096 | P|RW */
	shl $12, %eax
	add $(sk_x86_boot_pd + 3), %eax
	mov %eax, sk_x86_boot_pdpt(, %ecx, 8)
	inc %ecx
	cmp $SK_BOOT_PD_COUNT, %ecx
	jb 2b
	xor %ecx, %ecx
3:	mov %ecx, %eax			/* pd[i] = i * 2 MiB | P|RW|PS */
	shl $21, %eax
	or $0x83, %eax
	mov %eax, sk_x86_boot_pd(, %ecx, 8)
	inc %ecx
	cmp $(SK_BOOT_PD_COUNT * 512), %ecx
	jb 3b
	mov %cr4, %eax
	or $0x20, %eax			/* PAE */
	mov %eax, %cr4
	mov $sk_x86_boot_pml4, %eax
	mov %eax, %cr3
	mov %edi, %ebx			/* rdmsr clobbers eax/edx */
	mov $0xc0000080, %ecx		/* EFER */
	rdmsr
	or $0x100, %eax			/* LME */
	wrmsr
	mov %cr0, %eax
	or $0x80000001, %eax		/* PG | PE */
	mov %eax, %cr0
	ljmp $SK_SEL_CODE64, $4f

	.code64
4:	cld
	mov $SK_SEL_DATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	xor %eax, %eax
	mov %eax, %fs
	mov %eax, %gs
	mov $sk_x86_boot_stack_top, %rsp
	mov %esi, %edi			/* arg 0: start info pa */
	mov %ebp, %esi			/* arg 1: entry TSC */
	shl $32, %rsi
	mov %ebx, %eax			/* zero-extends */
	or %rax, %rsi
	xor %ebp, %ebp			/* ends backtraces */
	call sk_x86_pvh_main		/* rsp is 16-byte aligned here */
5:	cli
	hlt
	jmp 5b
	.size sk_x86_pvh_start, . - sk_x86_pvh_start

	/* The boot GDT, also used by the AP trampoline. */
	.section .rodata
	.balign 16
	.globl sk_x86_boot_gdt
sk_x86_boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08 code64 */
	.quad 0x00cf92000000ffff	/* 0x10 data */
	.quad 0x00cf9a000000ffff	/* 0x18 code32 */
sk_x86_boot_gdt_end:
	.balign 8
	.globl sk_x86_boot_gdt_ptr
sk_x86_boot_gdt_ptr:
	.word sk_x86_boot_gdt_end - sk_x86_boot_gdt - 1
	.quad sk_x86_boot_gdt

	.section .bss
	.balign 4096
	.globl sk_x86_boot_pml4
sk_x86_boot_pml4:
	.skip 4096
sk_x86_boot_pdpt:
	.skip 4096
sk_x86_boot_pd:
	.skip 4096 * SK_BOOT_PD_COUNT
	.balign 4096
	.globl sk_x86_boot_stack_guard
sk_x86_boot_stack_guard:		/* unmapped by the kernel page tables */
	.skip 4096
	.skip 16384
sk_x86_boot_stack_top:

	.section .note.GNU-stack, "", @progbits
