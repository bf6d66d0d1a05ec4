// SPDX-License-Identifier: MIT
/*
 * Shutdown: arch/x86_64/machine's sk_x86_shutdown_begin writes to QEMU's
 * isa-debug-exit port (0xf4), which ends QEMU with status (v << 1) | 1 for
 * v = status + 1, so that QEMU's own failures (status 1) stay apart from a
 * guest exit 0 (status 3): tools/run turns the QEMU status back into the
 * guest's.  Without that device, a triple fault ends the VM (status 0 with
 * -no-reboot).  sk_plat_panic is arch/x86_64/machine's (crash.c).
 */
#include <stdint.h>

#include <plat/assert.h>
#include <plat/boot.h>
#include <x86/cpu.h>
#include <x86/crash.h>

#include "kvm.h"

_Noreturn void sk_plat_shutdown(int status)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} SK_PACKED null_idt = { 0, 0 };

	sk_x86_shutdown_begin(status);
	/* No debug-exit device: a triple fault ends (or resets) the VM. */
	__asm__ __volatile__("lidt %0; int3" ::"m"(null_idt));
	for (;;)
		__asm__ __volatile__("cli; hlt");
}
