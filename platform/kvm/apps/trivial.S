/* SPDX-License-Identifier: MIT */
/*
 * The trivial kernel: a PVH note and two instructions that exit QEMU
 * through isa-debug-exit with guest status 0.  Its whole-run time is what
 * QEMU itself needs, the baseline of the boot figures in docs/kvm.md.
 */
	.section .note.Xen, "a", @note
	.balign 4
	.long 4, 8, 18		/* "Xen\0", 8-byte desc, PHYS32_ENTRY */
	.asciz "Xen"
	.balign 4
	.quad sk_x86_pvh_start
	.balign 4

	.section .boot.text, "ax"
	.code32
	.globl sk_x86_pvh_start
sk_x86_pvh_start:
	mov $1, %al		/* status 0 + 1, see platform/kvm/shutdown.c */
	outb %al, $0xf4
1:	hlt
	jmp 1b

	.section .note.GNU-stack, "", @progbits
