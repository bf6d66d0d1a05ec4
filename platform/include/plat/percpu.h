/* SPDX-License-Identifier: MIT */
/*
 * Platform contract: the per-CPU block and one-instruction access to it.
 *
 * On x86-64 every platform points the GS base of each CPU at that CPU's
 * per-CPU block, which starts with struct sk_plat_percpu.  A %gs-relative
 * instruction therefore reaches the running CPU's word, and because a thread
 * cannot migrate (nor an interrupt run) in the middle of one instruction,
 * a single read, write, add or increment is atomic with respect to
 * everything else on that CPU, with no lock prefix and no irq-off section.
 * That is what makes preempt_disable, the current-thread lookup and the
 * allocator's per-CPU fast paths a handful of instructions.
 *
 * Who sets the GS base:
 *  - kvm, xen: IA32_GS_BASE of each CPU, before any skiff code runs on it.
 *  - hosted: each vCPU pthread, with arch_prctl(ARCH_SET_GS), before it runs
 *    skiff code; the process's main thread gets a block too (cpu_id
 *    SK_PLAT_PERCPU_NO_CPU, local NULL) so that code called before
 *    sk_hosted_boot finds "no CPU" instead of faulting.  Other pthreads the
 *    embedder creates have no block: they must not call skiff code that
 *    needs a CPU (that is already the contract of every "Context: skiff
 *    thread" function).
 *
 * Layout (byte offsets are ABI: assembly and the inline accessors use them):
 *   +0   self    address of this block (lets code turn %gs into a pointer)
 *   +8   local   the core's per-CPU base, sk_plat_cpu_local()
 *   +16  cpu_id  this CPU's number, sk_plat_cpu_id()
 *   +24  core[0..SK_PLAT_PERCPU_CORE_WORDS-1]: owned by the core (lib/sched
 *        and the libraries above it); the platform zeroes them and never
 *        touches them again.  Their assignment is in <sched/preempt.h>.
 * The platform may put its own fields after struct sk_plat_percpu.
 *
 * Other CPUs may read (never write, unless the core's documentation of that
 * word says so) another CPU's block through sk_plat_percpu_of().
 */
#ifndef PLAT_PERCPU_H
#define PLAT_PERCPU_H

#include <stdint.h>

enum {
	SK_PLAT_PERCPU_CORE_WORDS = 5,
	SK_PLAT_PERCPU_OFF_SELF = 0,
	SK_PLAT_PERCPU_OFF_LOCAL = 8,
	SK_PLAT_PERCPU_OFF_CPU_ID = 16,
	SK_PLAT_PERCPU_OFF_CORE = 24,
};

/* cpu_id of a thread that is not a CPU (hosted main thread before boot). */
#define SK_PLAT_PERCPU_NO_CPU UINT64_MAX

struct sk_plat_percpu {
	struct sk_plat_percpu *self;
	void *local;
	uint64_t cpu_id;
	uint64_t core[SK_PLAT_PERCPU_CORE_WORDS];
};

_Static_assert(__builtin_offsetof(struct sk_plat_percpu, local) ==
		       SK_PLAT_PERCPU_OFF_LOCAL,
	       "percpu layout");
_Static_assert(__builtin_offsetof(struct sk_plat_percpu, cpu_id) ==
		       SK_PLAT_PERCPU_OFF_CPU_ID,
	       "percpu layout");
_Static_assert(__builtin_offsetof(struct sk_plat_percpu, core) ==
		       SK_PLAT_PERCPU_OFF_CORE,
	       "percpu layout");

/* Byte offset of core word @i, for the accessors below. */
#define SK_PLAT_PERCPU_CORE(i) (SK_PLAT_PERCPU_OFF_CORE + 8 * (i))

/*
 * sk_plat_percpu_of - CPU @cpu's block, for remote reads.
 * Return: the block; NULL if @cpu is out of range or not set up yet.
 * Context: any.
 */
struct sk_plat_percpu *sk_plat_percpu_of(unsigned cpu);

/*
 * One-instruction accessors of the running CPU's word at byte offset @off
 * (an integer constant expression).  Each is a single %gs-relative
 * instruction: atomic with respect to interrupts and preemption on this CPU,
 * not with respect to other CPUs (use sk_plat_percpu_of() and C11 atomics
 * for words other CPUs write).  Each is also a compiler barrier, so the
 * compiler neither caches the word nor moves memory accesses across it.
 *
 * SK_PLAT_PERCPU_READ(off)     the 64-bit word
 * SK_PLAT_PERCPU_WRITE(off, v) store v
 * SK_PLAT_PERCPU_ADD(off, v)   add v (v an integer)
 * SK_PLAT_PERCPU_INC(off), SK_PLAT_PERCPU_DEC(off)
 * SK_PLAT_PERCPU_DEC_IS_ZERO(off) decrement; true if the result is 0 (one
 *                              `decq` and its zero flag)
 */
#define SK_PLAT_PERCPU_READ(off)                         \
	__extension__({                                  \
		uint64_t sk_pcpu_v_;                     \
		__asm__ __volatile__("movq %%gs:%c1, %0" \
				     : "=r"(sk_pcpu_v_)  \
				     : "i"(off)          \
				     : "memory");        \
		sk_pcpu_v_;                              \
	})

#define SK_PLAT_PERCPU_WRITE(off, v)                        \
	__asm__ __volatile__("movq %0, %%gs:%c1"            \
			     :                              \
			     : "r"((uint64_t)(v)), "i"(off) \
			     : "memory")

#define SK_PLAT_PERCPU_ADD(off, v)                          \
	__asm__ __volatile__("addq %0, %%gs:%c1"            \
			     :                              \
			     : "er"((int64_t)(v)), "i"(off) \
			     : "memory", "cc")

#define SK_PLAT_PERCPU_INC(off) \
	__asm__ __volatile__("incq %%gs:%c0" : : "i"(off) : "memory", "cc")

#define SK_PLAT_PERCPU_DEC(off) \
	__asm__ __volatile__("decq %%gs:%c0" : : "i"(off) : "memory", "cc")

#define SK_PLAT_PERCPU_DEC_IS_ZERO(off)                    \
	__extension__({                                    \
		_Bool sk_pcpu_z_;                          \
		__asm__ __volatile__("decq %%gs:%c1"       \
				     : "=@ccz"(sk_pcpu_z_) \
				     : "i"(off)            \
				     : "memory");          \
		sk_pcpu_z_;                                \
	})

#endif
