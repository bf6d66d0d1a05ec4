// SPDX-License-Identifier: MIT
/*
 * INIT-SIPI-SIPI.  Like Linux on current CPUs, we skip the historic 10 ms
 * wait after INIT (QEMU and KVM need none); the second SIPI is sent only if
 * the AP has not answered the first within 200 us.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>

#include <x86/cpu.h>
#include <x86/lapic.h>
#include <x86/smp.h>

extern const char sk_x86_trampoline_start[];
extern const char sk_x86_trampoline_end[];

enum { EFER_AP_BITS = 0x1 | 0x100 | 0x800 }; /* SCE, LME, NXE */

struct sk_x86_trampoline_mailbox {
	uint64_t cr3;
	uint64_t stack;
	uint64_t entry;
	uint64_t arg;
	_Atomic uint32_t ack;
	uint32_t efer; /* bits the AP sets in EFER: the BSP's LME, NXE, SCE */
};

void sk_x86_delay_us(uint64_t us, uint64_t tsc_hz)
{
	uint64_t start = sk_x86_rdtsc();
	uint64_t ticks = us * (tsc_hz / 1000000);

	while (sk_x86_rdtsc() - start < ticks)
		sk_x86_pause();
}

static struct sk_x86_trampoline_mailbox *trampoline_install(void)
{
	size_t len = (size_t)(sk_x86_trampoline_end - sk_x86_trampoline_start);
	volatile char *dst = (volatile char *)(uintptr_t)SK_X86_TRAMPOLINE_PA;

	for (size_t i = 0; i < len; i++)
		dst[i] = sk_x86_trampoline_start[i];
	return (struct sk_x86_trampoline_mailbox
			*)(uintptr_t)(SK_X86_TRAMPOLINE_PA + len -
				      sizeof(struct sk_x86_trampoline_mailbox));
}

static int ack_wait(struct sk_x86_trampoline_mailbox *mb, uint64_t us,
		    uint64_t tsc_hz)
{
	uint64_t start = sk_x86_rdtsc();
	uint64_t ticks = us * (tsc_hz / 1000000);

	/* Acquire: pairs with the AP's store of 1 after it read the mailbox,
	 * so our next mailbox writes cannot overtake its reads. */
	while (!atomic_load_explicit(&mb->ack, memory_order_acquire)) {
		if (sk_x86_rdtsc() - start >= ticks)
			return -EIO;
		sk_x86_pause();
	}
	return 0;
}

int sk_x86_ap_start(const struct sk_x86_ap_boot *b)
{
	struct sk_x86_trampoline_mailbox *mb;

	if (!b || !b->entry || (b->stack_top & 15) || b->cr3 >> 32 ||
	    b->tsc_hz < 1000000)
		return -EINVAL;
	mb = trampoline_install();
	mb->cr3 = b->cr3;
	mb->stack = b->stack_top;
	mb->entry = (uintptr_t)b->entry;
	mb->arg = (uintptr_t)b->arg;
	mb->efer = (uint32_t)(sk_x86_rdmsr(SK_X86_MSR_EFER) & EFER_AP_BITS);
	/* Release: the mailbox fields before ack = 0, and (with the fence)
	 * before the INIT/SIPI writes that start the AP reading them. */
	atomic_store_explicit(&mb->ack, 0, memory_order_release);
	atomic_thread_fence(memory_order_seq_cst);
	sk_x86_lapic_init_ipi(b->apic_id);
	sk_x86_delay_us(100, b->tsc_hz);
	sk_x86_lapic_sipi(b->apic_id, SK_X86_TRAMPOLINE_PA >> 12);
	if (ack_wait(mb, 200, b->tsc_hz) == 0)
		return 0;
	sk_x86_lapic_sipi(b->apic_id, SK_X86_TRAMPOLINE_PA >> 12);
	return ack_wait(mb, 2000000, b->tsc_hz);
}
