// SPDX-License-Identifier: MIT
/*
 * The machine as a whole under Xen: command line, shutdown, panic, TLB
 * flushes.  Shutdown first writes status + 1 to QEMU's isa-debug-exit port
 * (0xf4): a dom0's I/O ports reach QEMU, which then exits with
 * 2(status+1)+1, the status tests read (as on kvm).  Without that device
 * (a domU, or real hardware) SCHEDOP_shutdown ends the domain: poweroff
 * for status 0, crash otherwise.  TLB shootdowns are Xen's
 * HVMOP_flush_tlbs, which flushes every vCPU of the domain.
 */
#include <errno.h>
#include <stdint.h>

#include <plat/assert.h>
#include <plat/boot.h>
#include <plat/mem.h>
#include <x86/cpu.h>
#include <x86/crash.h>
#include <x86/fmt.h>

#include "xen.h"

_Noreturn void sk_plat_shutdown(int status)
{
	unsigned v = sk_x86_shutdown_begin(status);
	struct sk_xen_sched_shutdown s = { v ? SK_XEN_SHUTDOWN_CRASH
					     : SK_XEN_SHUTDOWN_POWEROFF };

	SK_XEN_HC2(SK_XEN_HC_SCHED_OP, SK_XEN_SCHEDOP_SHUTDOWN, &s);
	for (;;)
		__asm__ __volatile__("cli; hlt");
}

void sk_xen_crash_extra(void)
{
	struct sk_xen_cpu *c = sk_xen_cpu_self();

	sk_x86_printf("cpu %lu (xen vcpu) of %u, per-CPU base %p\n",
		      (unsigned long)c->pc.cpu_id, sk_xen_ncpus, c->pc.local);
	sk_x86_crash_thread(&c->pc);
}

void sk_plat_tlb_flush(uintptr_t va, size_t len)
{
	sk_x86_tlb_flush_local(va, len);
	if (sk_xen_ncpus > 1 &&
	    SK_XEN_HC2(SK_XEN_HC_HVM_OP, SK_XEN_HVMOP_FLUSH_TLBS, 0) != 0)
		SK_PANIC(
			"HVMOP_flush_tlbs failed: other vCPUs keep stale TLBs");
}
