/* SPDX-License-Identifier: MIT */
/*
 * Private to platform/xen: the per-CPU record (reached through GS base, the
 * same first three fields as platform/kvm's, which arch code relies on),
 * the shared info page, and the calls between the platform's files.
 */
#ifndef XEN_XEN_H
#define XEN_XEN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <kvm/boot.h>
#include <plat/cpu.h>
#include <plat/percpu.h>
#include <plat/irq.h>
#include <x86/cpus.h>
#include <x86/desc.h>
#include <xen/xen.h>

#include "abi.h"

enum { SK_XEN_STACK_SIZE = 32768, SK_XEN_VEC_UPCALL = 0xe0 };

/* One vCPU.  Fields marked "own" are touched only by that CPU. */
struct sk_xen_cpu {
	/* First: the GS base points here (plat/percpu.h); cpu_id is also
	 * the Xen vcpu id. */
	struct sk_plat_percpu pc;
	atomic_int state; /* enum sk_x86_cpu_state (<x86/cpus.h>) */
	atomic_int idle; /* enum sk_xen_idle: the polling-idle handshake */
	uint32_t timer_port; /* set by its own init, then constant */
	uint32_t ipi_port; /* set by its own init, then constant */
	uint64_t timer_deadline_ns; /* own, irqs off; UINT64_MAX: none */
	uint64_t timer_set_ns; /* own: the last one-shot asked of Xen */
	long timer_set_rc; /* own: what Xen answered (for the debug dump) */
	struct sk_xen_vcpu_info *vi; /* registered or the shared slot */
	sk_plat_cpu_entry_fn entry; /* set before start */
	void *entry_arg;
	uintptr_t stack_top; /* boot-allocated */
	uintptr_t ist_top[SK_X86_IST_COUNT];
	struct sk_xen_vcpu_info vcpu_info; /* written by Xen once registered */
	struct sk_xen_runstate runstate; /* written by Xen once registered */
	atomic_bool runstate_ok; /* set by its own bind, then constant */
	struct sk_x86_desc_cpu desc;
} SK_CACHE_ALIGNED;
_Static_assert(__builtin_offsetof(struct sk_xen_cpu, pc) == 0,
	       "the GS base must point at the per-CPU block");

/*
 * A vCPU's idle word (cpu.c).  An idle vCPU first polls for a while, and an
 * IPI to a polling vCPU is a store instead of a hypercall and a wake-up of
 * a halted vCPU (each a nested VM exit, a Xen scheduler pass and a host
 * thread wake-up when Xen runs under TCG):
 *   RUNNING -> POLLING   the vCPU itself, entering idle (seq_cst)
 *   POLLING -> KICKED    a sender, by CAS (acq_rel): no hypercall needed
 *   any     -> RUNNING   the vCPU, leaving the poll (exchange, acq_rel); it
 *                        runs the IPI handler itself if it finds KICKED
 * A sender that finds RUNNING sends the event channel as usual; one that
 * finds KICKED coalesces with the pending kick.
 */
enum sk_xen_idle {
	SK_XEN_IDLE_RUNNING = 0,
	SK_XEN_IDLE_POLLING = 1,
	SK_XEN_IDLE_KICKED = 2,
};

extern struct sk_xen_cpu sk_xen_cpus[SK_PLAT_CPUS_MAX];
extern unsigned sk_xen_ncpus;
extern struct sk_kvm_boot_info sk_xen_boot;
extern struct sk_xen_shared_info *sk_xen_shared;
extern uint32_t sk_xen_start_flags;

/* boot.c */
_Noreturn void sk_xen_boot_fail(const char *why);
void sk_xen_crash_extra(void);

/* cpu.c */
void sk_xen_cpu_init_local(struct sk_xen_cpu *c);
struct sk_xen_cpu *sk_xen_cpu_self(void);
void sk_xen_cpu_discover(void);
/* Per-vCPU Xen state of the calling CPU: vcpu_info, upcall, timer, IPI. */
void sk_xen_cpu_bind(struct sk_xen_cpu *c);

/* idle.c: poll for up to @poll_us before halting (0: halt at once), halt
 * for at most @rescue_us (0: no limit), print counts once a second. */
void sk_xen_idle_set(uint64_t poll_us, uint64_t rescue_us, bool stats);

/* evtchn.c */
void sk_xen_evtchn_init(void);
/* Each vCPU's platform words (idle.c), on Xen's debug key 'q'. */
void sk_xen_debug_dump(void);

struct sk_x86_frame;
/*
 * sk_xen_idle_fixup - an interrupt that came in sk_xen_halt's sti shadow,
 * before its hlt, resumes after the hlt instead (idle.c).
 * Context: the upcall vector's handler, on the interrupted vCPU, irqs off.
 */
void sk_xen_idle_fixup(struct sk_x86_frame *f);
/* Where an interrupt that came at @rip returns to: past sk_xen_halt's hlt
 * if @rip is that hlt (sk_xen_halt_hlt), else @rip. */
uint64_t sk_xen_idle_resume_rip(uint64_t rip);
extern const char sk_xen_halt_hlt[];

enum sk_xen_bind_kind { SK_XEN_BIND_TIMER, SK_XEN_BIND_IPI, SK_XEN_BIND_DEBUG };
/* Bind @c's timer VIRQ or IPI port to @c (into c->timer_port/ipi_port). */
int sk_xen_evtchn_bind_cpu(enum sk_xen_bind_kind kind, struct sk_xen_cpu *c);
/* The upcall vector's body: dispatch every pending, unmasked port. */
void sk_xen_evtchn_dispatch(void);

/* irq.c */
void sk_xen_irq_init(void);

/* time.c */
void sk_xen_time_init_boot(void);
void sk_xen_time_init_cpu(struct sk_xen_cpu *c);
/*
 * sk_xen_timer_rescue - make Xen send @c's timer event within @after_ns
 * even if nothing is due then (the event finds no deadline, or an early
 * one, and is ignored or re-armed).  Context: @c's own vCPU, irqs off.
 */
void sk_xen_timer_rescue(struct sk_xen_cpu *c, uint64_t after_ns);
/* The handler of each vCPU's VIRQ_TIMER port. */
void sk_xen_timer_event(void *arg);

/* console.c */
void sk_xen_console_init(void);

/* grant.c */
int sk_xen_grant_init(void);

/* Reused from platform/kvm/mem.c (plain x86 e820 handling). */
struct sk_kvm_e820 {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};
void sk_kvm_mem_init(const struct sk_kvm_e820 *map, unsigned n);
uintptr_t sk_kvm_boot_alloc(uint64_t len);
uintptr_t sk_kvm_stack_alloc(uint64_t len);

#endif
