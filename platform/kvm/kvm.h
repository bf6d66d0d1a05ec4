/* SPDX-License-Identifier: MIT */
/*
 * Private to platform/kvm: the per-CPU record (reached through GS base)
 * and the calls between the platform's files.
 */
#ifndef KVM_KVM_H
#define KVM_KVM_H

#include <stdatomic.h>
#include <stdint.h>

#include <kvm/boot.h>
#include <plat/cpu.h>
#include <plat/percpu.h>
#include <plat/mem.h>
#include <x86/cpus.h>
#include <x86/desc.h>
#include <x86/pvclock.h>

enum { SK_KVM_STACK_SIZE = 32768 };

/*
 * One CPU.  The first three fields are read %gs-relative (cpu.c): keep
 * their offsets.  Fields marked "own" are touched only by that CPU.
 */
/*
 * KVM's steal-time record (MSR_KVM_STEAL_TIME, one per vCPU, 64-byte
 * aligned): KVM sets `preempted` bit 0 when it schedules the vCPU out
 * while it was running, and clears it when the vCPU runs again.
 */
struct sk_kvm_steal_time {
	uint64_t steal; /* ns the vCPU was runnable but not run */
	uint32_t version; /* odd while KVM writes steal */
	uint32_t flags;
	uint8_t preempted;
	uint8_t pad8[3];
	uint32_t pad32[11];
} SK_ALIGNED(64);
_Static_assert(sizeof(struct sk_kvm_steal_time) == 64, "KVM ABI");

struct sk_kvm_cpu {
	/* First: the GS base points here (plat/percpu.h); cpu_id is also
	 * the ACPI-order vcpu id. */
	struct sk_plat_percpu pc;
	uint32_t apic_id; /* constant after boot */
	atomic_int state; /* enum sk_x86_cpu_state (<x86/cpus.h>) */
	uint64_t timer_deadline_ns; /* own, irqs off; UINT64_MAX: none */
	sk_plat_cpu_entry_fn entry; /* set before start */
	void *entry_arg;
	uintptr_t stack_top; /* boot-allocated */
	uintptr_t ist_top[SK_X86_IST_COUNT];
	struct sk_x86_pvclock pvclock; /* own, kvmclock: written by the host */
	struct sk_kvm_steal_time steal; /* own, steal time: written by KVM */
	struct sk_x86_desc_cpu desc;
} SK_CACHE_ALIGNED;
_Static_assert(__builtin_offsetof(struct sk_kvm_cpu, pc) == 0,
	       "the GS base must point at the per-CPU block");

extern struct sk_kvm_cpu sk_kvm_cpus[SK_PLAT_CPUS_MAX];
extern unsigned sk_kvm_ncpus;
extern struct sk_kvm_boot_info sk_kvm_info;

/* boot.c: the platform's lines of a crash report (CPU, thread). */
void sk_kvm_crash_extra(void);

/* cpu.c */
void sk_kvm_cpu_discover(uint64_t rsdp_pa);
void sk_kvm_cpu_init_local(struct sk_kvm_cpu *c);
struct sk_kvm_cpu *sk_kvm_cpu_self(void);

/* irq.c */
void sk_kvm_irq_init(void);
void sk_kvm_irq_timer_fire(void);
void sk_kvm_irq_devices_init(uint64_t rsdp_pa);

/* time.c */
void sk_kvm_time_init_boot(void);
void sk_kvm_time_init_cpu(struct sk_kvm_cpu *c);
void sk_kvm_timer_interrupt(void);

/* mem.c */
struct sk_kvm_e820 {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};
/*
 * Report RAM only below @limit (default 4 GiB, entry.S's boot map).
 * Context: boot CPU, before sk_kvm_mem_init.
 */
void sk_kvm_mem_set_limit(uint64_t limit);
void sk_kvm_mem_init(const struct sk_kvm_e820 *map, unsigned n);
/* Boot-time memory (stacks, table pages): always below 4 GiB. */
uintptr_t sk_kvm_boot_alloc(uint64_t len);
/* A stack of @len bytes with an unmapped guard page below; returns its top. */
uintptr_t sk_kvm_stack_alloc(uint64_t len);
/* The i-th guard page (i = 0: the boot stack's); 0 past the last. */
uintptr_t sk_kvm_stack_guard(unsigned i);

/* kpt.c (or kpt_none.c without lib/mm): the kernel page tables. */
int sk_kvm_kpt_init(void);
/* Whether sk_kvm_kpt_init will map all RAM (above 4 GiB too). */
int sk_kvm_kpt_maps_all(void);

/* tlb.c */
void sk_kvm_tlb_init(void);

/* rtc.c */
uint64_t sk_kvm_rtc_epoch_s(void);

#endif
