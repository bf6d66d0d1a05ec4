/* SPDX-License-Identifier: MIT */
/*
 * lib/sched internals shared by its .c files: the thread control block, the
 * per-CPU scheduler state, and the functions the files call in each other.
 *
 * Rule of the house: a CPU's struct sk_cpu is written only by that CPU with
 * irqs off, except the fields marked "any", which are atomics with their
 * state tables in wake.c (incoming queues), balance.c (steal requests) and
 * reap.c (quiescent states).
 */
#ifndef SCHED_IMPL_H
#define SCHED_IMPL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <arch/context.h>
#include <arch/cpu.h>
#include <plat/compiler.h>
#include <plat/cpu.h>
#include <plat/irq.h>
#include <plat/percpu.h>
#include <sched/cpu.h>
#include <sched/pheap.h>
#include <sched/preempt.h>
#include <sched/thread.h>
#include <sched/timer.h>

/* Wait states of sk_thread.state (table in wake.c and docs/sched.md). */
enum thread_wstate {
	TS_RUNNING = 0, /* running or runnable, not waiting */
	TS_WAITING = 1, /* between wait_prepare and sleep/finish, on CPU */
	TS_SLEEPING = 2, /* switched out (or switching out) waiting */
	TS_WAKING = 3, /* claimed by a waker, travelling to its CPU */
	TS_DEAD = 4, /* exited */
};

/* Join states of sk_thread.jstate (table in thread.c). */
enum thread_jstate {
	JS_JOINABLE = 0,
	JS_JOINING = 1, /* a joiner is registered */
	JS_DETACHED = 2,
	JS_EXITED = 3, /* off its stack, waiting for join/detach */
	JS_RELEASED = 4, /* handed to the reaper */
};

enum thread_kind {
	TK_FAIR = SK_THREAD_FAIR,
	TK_FIFO = SK_THREAD_FIFO,
	TK_IDLE = 2,
};

enum thread_flag {
	TF_FPU_SAVED = 1 << 0, /* full FPU state in fpu_area */
	TF_MIGRATE = 1 << 1, /* hand to migrate_to after switching out */
	TF_OWN_STACK = 1 << 2, /* stack is part of mem */
	TF_TIMERS_OFF = 1 << 3, /* timers suspended (in transit) */
	TF_BOOT = 1 << 4, /* the boot context: mem holds only the TCB */
	TF_REHOME = 1 << 5, /* affinity changed remotely: leave (remote.c) */
};

struct sk_thread {
	struct sk_arch_context ctx;
	atomic_uint state; /* any: enum thread_wstate */
	atomic_uint jstate; /* any: enum thread_jstate */
	atomic_bool on_cpu; /* its CPU's current thread; that CPU writes */
	/* home CPU: written by the CPU that holds the thread (or hands it
	 * over), read relaxed by anyone (thread_cpu) */
	atomic_uint cpu;
	unsigned flags; /* home CPU */
	enum thread_kind kind;
	atomic_uint prio; /* fair weight: the thread itself, irqs off; any
			     reads (thread_prio) */
	unsigned rt_prio;
	unsigned migrate_to;
	bool queued; /* in a runqueue of its home CPU */
	struct sk_pheap_node rq_node; /* home CPU */
	uint64_t vrt; /* normalised runtime on the home CPU while queued */
	uint64_t r_stamp; /* when it left a CPU (fair.c), with either ... */
	uint64_t r_real; /* ... its decayed runtime (dep_cpu1 == 0), or */
	uint64_t dep_key; /* ... its key and c() there, on CPU dep_cpu1 - 1 */
	uint64_t dep_c; /* at epoch dep_epoch: converted on arrival */
	uint64_t dep_epoch;
	unsigned dep_cpu1;
	/* total CPU time: the home CPU writes (irqs off), any reads */
	atomic_uint_least64_t cpu_time_ns;
	uint64_t run_start_ns; /* when it last started running */
	struct sk_thread *qnext; /* incoming-queue link (wake.c) */
	struct sk_thread *znext; /* reaper list link (reap.c) */
	_Atomic(struct sk_thread *) joiner; /* claimed before JS_JOINING */
	struct sk_timer *timers; /* armed timers it owns (home CPU) */
	struct sk_timer sleep_timer;
	atomic_uint timed_out;
	sk_thread_fn fn;
	void *arg;
	void *fpu_area;
	void *mem; /* block from the allocator hook */
	size_t mem_len;
	struct sk_cpuset affinity;
	void *slots[SK_THREAD_SLOTS];
	char name[SK_THREAD_NAME_LEN];
	/* thread registry (registry.c) */
	uint64_t id; /* set before the thread is published, then constant */
	unsigned reg_cpu; /* the CPU whose registry list holds it */
	_Atomic(struct sk_thread *) reg_next; /* reg_cpu writes, any reads */
	struct sk_thread *reg_prev; /* reg_cpu only */
	/* requests from other threads (remote.c) */
	atomic_uint req_busy; /* a requester holds the fields below */
	atomic_uint req_done; /* the home CPU applied the request */
	unsigned req_what;
	unsigned req_prio;
	struct sk_cpuset req_aff;
	struct sk_thread *req_waiter;
	struct sk_thread *req_next; /* in a CPU's reqs list */
};

/*
 * Per-CPU scheduler state, found through sk_plat_cpu_local().  The
 * preemption count, the need-resched flag and a copy of @current live in
 * the per-CPU block's core words instead (sched/preempt.h), where one %gs
 * instruction reaches them.
 */
struct sk_cpu {
	unsigned id;
	bool in_sched;
	struct sk_thread *current;
	struct sk_thread *idle;
	struct sk_thread *prev; /* set across a switch for finish_switch */
	struct sk_pheap fair_rq;
	struct sk_pheap rt_rq;
	uint64_t rt_seq;
	unsigned nr_queued;
	/* fairness (fair.c) */
	uint64_t epoch_ns;
	uint64_t run_c; /* c() when current started being charged */
	uint64_t c_now, c_epoch, c_val; /* last c() computed, for reuse */
	uint64_t c_anchor_t, c_anchor; /* last exact c(), for interpolation */
	uint64_t now_ns; /* latest clock reading the fair math has seen */
	/* the switch path's clock (clock.c) */
	uint64_t clk_tsc0, clk_ns0; /* last exact reading and its TSC */
	uint64_t clk_mult; /* ns per TSC tick, 32.32; 0: not measured yet */
	uint64_t clk_window; /* TSC ticks to extrapolate over */
	uint64_t clk_cal_tsc, clk_cal_ns; /* start of the rate's span */
	/* timers (timer.c) */
	struct sk_pheap timers;
	uint64_t hw_deadline; /* armed in the platform, UINT64_MAX: none */
	uint64_t preempt_deadline;
	/* reaper (reap.c) */
	struct sk_thread *zombies_new; /* exited since the last snapshot */
	struct sk_thread *zombies_gp; /* waiting for the snapshot's GP */
	struct sk_thread *freeable; /* GP over: cache or free */
	unsigned nr_cached;
	struct sk_thread *cache; /* default-size blocks ready for reuse */
	uint64_t *qs_snap; /* [ncpus] counters at the snapshot */
	bool gp_kicked; /* lagging CPUs of this batch got their IPI */
	unsigned nr_new; /* threads on zombies_new */
	uint64_t new_since_ns; /* when zombies_new got its first */
	uint64_t gp_start_ns; /* when zombies_gp's snapshot was taken */
	struct { /* written by this CPU only, read anywhere */
		atomic_uint_least64_t switches, preemptions, ipis_sent,
			migrations, timer_arms;
	} stats;
	/* any: */
	_Atomic(struct sk_thread *) *inq; /* [ncpus] heads, by source */
	atomic_uint_least64_t inq_mask[SK_CPUSET_WORDS];
	atomic_uint steal_req; /* requester + 1, 0: none */
	atomic_uint load; /* runnable threads, for balancing */
	atomic_uint_least64_t qs_count;
	atomic_uint_least64_t next_look_ns; /* when it looks at inq anyway */
	atomic_uint idle_now;
	/* Extended quiescent state (reap.c: sk_eqs_enter/exit): odd while
	 * this CPU is halted in its idle loop with no handler running. */
	atomic_uint_least64_t eqs;
	/* Thread registry (registry.c): list written by this CPU only, read
	 * by walkers anywhere; @unreg is pushed by other CPUs. */
	_Atomic(struct sk_thread *) reg_head;
	_Atomic(struct sk_thread *) unreg;
	_Atomic(struct sk_thread *) reqs; /* remote.c: pushed by any CPU */
} SK_CACHE_ALIGNED;

/* Never used as a deadline. */
#define NO_DEADLINE UINT64_MAX

/* Bump a counter of this CPU's stats (single writer, relaxed). */
#define STAT_INC(cpu, field)                                               \
	atomic_store_explicit(&(cpu)->stats.field,                         \
			      atomic_load_explicit(&(cpu)->stats.field,    \
						   memory_order_relaxed) + \
				      1,                                   \
			      memory_order_relaxed)

extern struct sk_cpu *sk_sched_cpus;
extern unsigned sk_sched_ncpus;
extern struct sk_sched_mem_ops sk_sched_mem;

/* This CPU's struct sk_cpu: the per-CPU block's local word (%gs:8). */
static inline struct sk_cpu *this_cpu(void)
{
	return (struct sk_cpu *)(uintptr_t)SK_PLAT_PERCPU_READ(
		SK_PLAT_PERCPU_OFF_LOCAL);
}

/* This CPU's core words (sched/preempt.h).  Irqs off, except the count
 * read, which any context may do for itself. */
static inline uint64_t preempt_count(void)
{
	return sk_sched_preempt_word_count(
		SK_PLAT_PERCPU_READ(SK_SCHED_PCPU_PREEMPT));
}

static inline bool resched_is_due(void)
{
	return !(SK_PLAT_PERCPU_READ(SK_SCHED_PCPU_PREEMPT) &
		 SK_SCHED_PREEMPT_NO_RESCHED);
}

/* Clear / set the inverted need-resched bit: one btr/bts %gs each, on
 * the owner CPU with irqs off (or in its handlers), so the running
 * thread's incq/decq never interleave with them. */
static inline void resched_set(void)
{
	__asm__ __volatile__("btrq $63, %%gs:%c0"
			     :
			     : "i"(SK_SCHED_PCPU_PREEMPT)
			     : "memory", "cc");
}

static inline void resched_clear(void)
{
	__asm__ __volatile__("btsq $63, %%gs:%c0"
			     :
			     : "i"(SK_SCHED_PCPU_PREEMPT)
			     : "memory", "cc");
}

/* The fields of sk_thread that other CPUs read (the thread walk, hints):
 * relaxed atomics, a snapshot without ordering. */
static inline unsigned thread_cpu(const struct sk_thread *t)
{
	return atomic_load_explicit(&t->cpu, memory_order_relaxed);
}

static inline void thread_cpu_set(struct sk_thread *t, unsigned cpu)
{
	atomic_store_explicit(&t->cpu, cpu, memory_order_relaxed);
}

static inline uint64_t thread_prio(const struct sk_thread *t)
{
	return atomic_load_explicit(&t->prio, memory_order_relaxed);
}

/*
 * Make @t the running thread of @cpu (irqs off, on @cpu).  @on_cpu is a
 * hint for sk_thread_is_running() (relaxed: no ordering promised).
 */
static inline void set_current(struct sk_cpu *cpu, struct sk_thread *t)
{
	if (cpu->current)
		atomic_store_explicit(&cpu->current->on_cpu, false,
				      memory_order_relaxed);
	atomic_store_explicit(&t->on_cpu, true, memory_order_relaxed);
	cpu->current = t;
	SK_PLAT_PERCPU_WRITE(SK_SCHED_PCPU_CURRENT, (uintptr_t)t);
}

void sk_eqs_exit_slow(struct sk_cpu *cpu);

/*
 * Leave the extended quiescent state (reap.c): the first thing everything
 * that can run on @cpu after the idle halt does (the interrupt entry hook,
 * which every platform runs before any handler, and the idle loop when the
 * halt returns).  Irqs
 * off, on @cpu.  Inline so the common case (even) is a load and a branch.
 */
static inline void sk_eqs_exit(struct sk_cpu *cpu)
{
	if (SK_UNLIKELY(atomic_load_explicit(&cpu->eqs, memory_order_relaxed) &
			1))
		sk_eqs_exit_slow(cpu);
}

/* clock.c: "now" for the switch path, extrapolated from the last exact
 * platform reading with the TSC for up to a millisecond.  Irqs off. */
uint64_t sk_sched_clock_anchor(struct sk_cpu *cpu, uint64_t tsc);

static inline uint64_t sched_clock(struct sk_cpu *cpu)
{
	uint64_t tsc = sk_arch_rdtsc();
	uint64_t d = tsc - cpu->clk_tsc0; /* huge if the TSC went back */
	uint64_t now;

	if (SK_UNLIKELY(d >= cpu->clk_window)) /* window 0: not measured */
		return sk_sched_clock_anchor(cpu, tsc);
	now = cpu->clk_ns0 + ((d * cpu->clk_mult) >> 32);
	return now > cpu->now_ns ? now : cpu->now_ns;
}

/* core.c */
enum switch_reason {
	SW_SLEEP = 0, /* current is TS_SLEEPING: do not requeue */
	SW_YIELD = 1, /* requeue behind its peers */
	SW_PREEMPT = 2, /* involuntary: save the full FPU state */
	SW_EXIT = 3, /* current is TS_DEAD */
	SW_MIGRATE = 4, /* move current to migrate_to */
	SW_CHECK = 5, /* voluntary re-evaluation (preempt_enable) */
};
void sk_sched_switch(struct sk_cpu *cpu, enum switch_reason why);
void sk_sched_switch_to(struct sk_cpu *cpu, struct sk_thread *w);
void sk_sched_switch_resumed(enum switch_reason why);
void sk_sched_thread_finish(void);
void sk_sched_rq_insert(struct sk_cpu *cpu, struct sk_thread *t);
void sk_sched_rq_remove(struct sk_cpu *cpu, struct sk_thread *t);
void sk_sched_exit_hook(void *arg);
void sk_sched_rearm(struct sk_cpu *cpu, uint64_t now);

/* preempt.c: panic unless the caller may switch voluntarily (preemption
 * enabled).  Called first by every blocking entry point, before any fast
 * path, so the bug shows even when no switch happens. */
void sk_sched_assert_may_switch(void);

/* fair.c */
uint64_t sk_fair_c(struct sk_cpu *cpu, uint64_t now);
void sk_fair_renorm(struct sk_cpu *cpu, uint64_t now);
void sk_fair_charge(struct sk_cpu *cpu, struct sk_thread *t, uint64_t now);
void sk_fair_depart(struct sk_cpu *cpu, struct sk_thread *t, uint64_t now);
void sk_fair_arrive(struct sk_cpu *cpu, struct sk_thread *t, uint64_t now);
bool sk_fair_should_switch(struct sk_cpu *cpu, struct sk_thread *cur,
			   struct sk_thread *best, uint64_t now);
uint64_t sk_fair_deadline(struct sk_cpu *cpu, struct sk_thread *cur,
			  struct sk_thread *best, uint64_t now);
void sk_fair_start(struct sk_cpu *cpu, struct sk_thread *t, uint64_t now);
void sk_fair_handoff(struct sk_cpu *cpu, struct sk_thread *cur,
		     struct sk_thread *next, uint64_t now);
void sk_fair_switch_sleep(struct sk_cpu *cpu, struct sk_thread *cur,
			  struct sk_thread *next, uint64_t now);
void sk_fair_yield(struct sk_cpu *cpu, struct sk_thread *t);

/* wake.c */
void sk_wake_push(struct sk_cpu *src, struct sk_thread *t, unsigned target);
void sk_wake_drain(struct sk_cpu *cpu);
void sk_wake_arrive(struct sk_cpu *cpu, struct sk_thread *t, uint64_t now);
bool sk_wake_pending(struct sk_cpu *cpu);

/* timer.c */
void sk_timer_irq(void *arg);
void sk_timer_hw_update(struct sk_cpu *cpu);
void sk_timers_suspend(struct sk_cpu *cpu, struct sk_thread *t);
void sk_timers_resume(struct sk_cpu *cpu, struct sk_thread *t);
void sk_timers_cancel_all(struct sk_cpu *cpu, struct sk_thread *t);

/* balance.c */
unsigned sk_balance_place(const struct sk_cpuset *aff, unsigned here);
void sk_balance_idle_pull(struct sk_cpu *cpu);
void sk_balance_push(struct sk_cpu *cpu);
void sk_balance_steal_serve(struct sk_cpu *cpu);
void sk_balance_migrate_queued(struct sk_cpu *cpu, struct sk_thread *t,
			       unsigned target);
bool sk_cpu_allowed(const struct sk_thread *t, unsigned cpu);

/* reap.c */
void sk_reap_add(struct sk_cpu *cpu, struct sk_thread *t);
void sk_reap_advance(struct sk_cpu *cpu);
void sk_reap_collect(void);
struct sk_thread *sk_reap_cache_get(void);
void sk_qs_note(struct sk_cpu *cpu);
extern atomic_uint sk_qs_wanted;

/* The switch paths' note: only while someone watches the counters. */
static inline void sk_qs_note_if_wanted(struct sk_cpu *cpu)
{
	if (atomic_load_explicit(&sk_qs_wanted, memory_order_relaxed))
		sk_qs_note(cpu);
}
void sk_eqs_enter(struct sk_cpu *cpu);
bool sk_reap_is_pending(const struct sk_cpu *cpu);

/* registry.c */
void sk_registry_add(struct sk_cpu *cpu, struct sk_thread *t);
void sk_registry_release(struct sk_cpu *cpu, struct sk_thread *t);
void sk_registry_drain(struct sk_cpu *cpu);

/* remote.c */
void sk_remote_drain(struct sk_cpu *cpu);

/* thread.c */
void sk_thread_released(struct sk_thread *t);
void sk_thread_exited(struct sk_cpu *cpu, struct sk_thread *t);
size_t sk_thread_tcb_len(void);
void sk_thread_name_set(struct sk_thread *t, const char *name);

#endif
