// SPDX-License-Identifier: MIT
/*
 * The machine as a whole: command line, shutdown and panic.  Shutdown
 * writes to QEMU's isa-debug-exit port (0xf4), which ends QEMU with status
 * (v << 1) | 1; we send v = status + 1 so that QEMU's own failures (status
 * 1) stay distinguishable from a guest exit 0 (status 3): tools/run turns
 * the QEMU status back into the guest's.  Without that device, a triple
 * fault ends the VM (status 0 with -no-reboot).
 */
#include <stdint.h>

#include <plat/assert.h>
#include <plat/boot.h>
#include <x86/cpu.h>
#include <x86/crash.h>
#include <x86/fmt.h>

#include "kvm.h"

enum {
	DEBUG_EXIT_PORT = 0xf4,
	STATUS_MAX = 254,
};

_Noreturn void sk_plat_shutdown(int status)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} SK_PACKED null_idt = { 0, 0 };
	unsigned v = status < 0		   ? STATUS_MAX
		     : status > STATUS_MAX ? STATUS_MAX
					   : (unsigned)status;

	__asm__ __volatile__("cli");
	sk_x86_printf("skiff: shutdown, status %d\n", status);
	sk_x86_outb(DEBUG_EXIT_PORT, (uint8_t)(v + 1));
	/* No debug-exit device: a triple fault ends (or resets) the VM. */
	__asm__ __volatile__("lidt %0; int3" ::"m"(null_idt));
	for (;;)
		__asm__ __volatile__("cli; hlt");
}

_Noreturn void sk_plat_panic(const char *what, const char *file, int line)
{
	uintptr_t rbp = (uintptr_t)__builtin_frame_address(0);

	__asm__ __volatile__("cli");
	if (!sk_x86_crash_enter())
		sk_plat_shutdown(SK_X86_CRASH_STATUS);
	sk_x86_printf("\n*** skiff panic: %s at %s:%d\n", what, file, line);
	sk_kvm_crash_extra();
	sk_x86_crash_backtrace((uintptr_t)__builtin_return_address(0) - 1,
			       *(const uintptr_t *)rbp);
	sk_x86_printf("*** end of crash report\n");
	sk_plat_shutdown(SK_X86_CRASH_STATUS);
}
