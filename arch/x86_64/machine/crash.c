// SPDX-License-Identifier: MIT
/*
 * The end of the machine, shared by kvm and xen: sk_plat_panic (a crash
 * report with the platform's lines from its crash hook and a backtrace),
 * the current thread's report line, and the common start of
 * sk_plat_shutdown.  How the machine finally stops without QEMU's
 * isa-debug-exit device is the platform's (kvm: a triple fault; xen:
 * SCHEDOP_shutdown).
 */
#include <plat/assert.h>
#include <plat/boot.h>
#include <plat/percpu.h>
#include <x86/cpu.h>
#include <x86/crash.h>
#include <x86/fmt.h>

enum {
	DEBUG_EXIT_PORT = 0xf4,
	STATUS_MAX = 254,
};

/*
 * lib/sched names the current thread when it is linked into the image.
 * Weak references: the machine code sits below the libraries and must link
 * without them; the per-CPU base is non-NULL once the scheduler runs.
 */
struct sk_thread;
SK_WEAK struct sk_thread *sk_thread_current(void);
SK_WEAK const char *sk_thread_name(const struct sk_thread *t);

void sk_x86_crash_thread(const struct sk_plat_percpu *pc)
{
	struct sk_thread *t;

	if (!sk_thread_current || !sk_thread_name || !pc->local)
		return;
	t = sk_thread_current();
	sk_x86_printf("thread %p \"%s\"\n", (void *)t,
		      t ? sk_thread_name(t) : "");
}

unsigned sk_x86_shutdown_begin(int status)
{
	unsigned v = status < 0		   ? STATUS_MAX
		     : status > STATUS_MAX ? STATUS_MAX
					   : (unsigned)status;

	__asm__ __volatile__("cli");
	sk_x86_printf("skiff: shutdown, status %d\n", status);
	sk_x86_outb(DEBUG_EXIT_PORT, (uint8_t)(v + 1));
	return v;
}

_Noreturn void sk_plat_panic(const char *what, const char *file, int line)
{
	uintptr_t rbp = (uintptr_t)__builtin_frame_address(0);

	__asm__ __volatile__("cli");
	if (!sk_x86_crash_enter())
		sk_plat_shutdown(SK_X86_CRASH_STATUS);
	sk_x86_printf("\n*** skiff panic: %s at %s:%d\n", what, file, line);
	sk_x86_crash_extra();
	sk_x86_crash_backtrace((uintptr_t)__builtin_return_address(0) - 1,
			       *(const uintptr_t *)rbp);
	sk_x86_printf("*** end of crash report\n");
	sk_plat_shutdown(SK_X86_CRASH_STATUS);
}
