// SPDX-License-Identifier: MIT
/*
 * TLB shootdown.  A flush bumps a global generation, flushes locally, sends
 * the TLB vector to every other running CPU, and waits until each has
 * reported a generation at least as new.  Remote CPUs flush everything
 * (a CR3 reload: skiff sets no global pages), so concurrent flushes of
 * different ranges need no per-request state and no lock.
 */
#include <plat/mem.h>
#include <x86/cpu.h>
#include <x86/lapic.h>
#include <x86/trap.h>

#include "kvm.h"

static _Atomic uint64_t tlb_gen;
static _Atomic uint64_t tlb_done[SK_PLAT_CPUS_MAX];

/* Flush everything and acknowledge every generation published so far. */
static void tlb_ack(unsigned me)
{
	/* Acquire: pairs with the release increment in sk_plat_tlb_flush, so
	 * the page-table change published before it is what we re-read. */
	uint64_t g = atomic_load_explicit(&tlb_gen, memory_order_acquire);

	if (atomic_load_explicit(&tlb_done[me], memory_order_relaxed) >= g)
		return;
	sk_x86_write_cr3(sk_x86_read_cr3());
	/* Release: our flush happens before the flusher sees the ack. */
	atomic_store_explicit(&tlb_done[me], g, memory_order_release);
}

static void vector_tlb(struct sk_x86_frame *f)
{
	(void)f;
	tlb_ack(sk_plat_cpu_id());
	sk_x86_lapic_eoi();
}

void sk_kvm_tlb_init(void)
{
	sk_x86_vector_set(SK_X86_VEC_TLB, vector_tlb);
}

void sk_plat_tlb_flush(uintptr_t va, size_t len)
{
	unsigned me = sk_plat_cpu_id();
	/* Release: the caller's page-table writes before the generation the
	 * remote handlers acquire. */
	uint64_t g =
		atomic_fetch_add_explicit(&tlb_gen, 1, memory_order_release) +
		1;

	sk_x86_tlb_flush_local(va, len);
	for (unsigned c = 0; c < sk_kvm_ncpus; c++) {
		if (c == me || atomic_load_explicit(&sk_kvm_cpus[c].state,
						    memory_order_acquire) !=
				       SK_X86_CPU_RUNNING)
			continue;
		sk_x86_lapic_ipi(sk_kvm_cpus[c].apic_id, SK_X86_VEC_TLB);
	}
	for (unsigned c = 0; c < sk_kvm_ncpus; c++) {
		if (c == me || atomic_load_explicit(&sk_kvm_cpus[c].state,
						    memory_order_acquire) !=
				       SK_X86_CPU_RUNNING)
			continue;
		/* Acquire: pairs with the handler's release of its ack.  While
		 * waiting we answer requests aimed at us ourselves: two CPUs
		 * flushing at once, irqs off, must not wait for each other. */
		while (atomic_load_explicit(&tlb_done[c],
					    memory_order_acquire) < g) {
			tlb_ack(me);
			sk_x86_pause();
		}
	}
}
