// SPDX-License-Identifier: MIT
/*
 * The interrupt stack table on every vCPU: vectors 2 (NMI) and 18 (#MC)
 * are entered with "int $n", which goes through the same gate and IST
 * slot as the real event (#DF's slot is built the same way; its stub
 * expects an error code, so it is not entered by hand).  The handler must
 * run on that vCPU's own IST stack for the vector, which the TSS this
 * vCPU loaded names; a broken TSS, GDT or IST stack would end in a triple
 * fault here instead of in a rare NMI.
 */
#include <stdatomic.h>

#include <plat/cpu.h>
#include <plat/irq.h>
#include <x86/trap.h>

#include "../xen.h"
#include "xentest.h"

static _Atomic uintptr_t seen_sp[SK_PLAT_CPUS_MAX][2];

static void on_ist(struct sk_x86_frame *f)
{
	unsigned slot = f->vector == SK_X86_VEC_NMI ? 0 : 1;

	atomic_store_explicit(&seen_sp[sk_plat_cpu_id()][slot],
			      (uintptr_t)__builtin_frame_address(0),
			      memory_order_release);
}

void xt_ist_enter(void)
{
	__asm__ __volatile__("int $2\n\tint $18" ::: "memory");
}

static int on_ist_stack(unsigned cpu, unsigned ist, uintptr_t sp)
{
	uintptr_t top = sk_xen_cpus[cpu].ist_top[ist - 1];

	return sp < top && sp >= top - SK_X86_IST_STACK_SIZE;
}

void xt_ist_check(void)
{
	unsigned n = sk_plat_cpu_count();

	sk_x86_printf("case ist_stacks\n");
	for (unsigned c = 0; c < n && c < SK_PLAT_CPUS_MAX; c++) {
		uintptr_t nmi = atomic_load_explicit(&seen_sp[c][0],
						     memory_order_acquire);
		uintptr_t mc = atomic_load_explicit(&seen_sp[c][1],
						    memory_order_acquire);

		CHECK(on_ist_stack(c, SK_X86_IST_NMI, nmi));
		CHECK(on_ist_stack(c, SK_X86_IST_MC, mc));
	}
}

void xt_ist_init(void)
{
	sk_x86_vector_set(SK_X86_VEC_NMI, on_ist);
	sk_x86_vector_set(SK_X86_VEC_MC, on_ist);
}
