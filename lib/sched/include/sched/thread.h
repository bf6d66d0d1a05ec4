/* SPDX-License-Identifier: MIT */
/*
 * Threads: create with attributes, exit, join, detach, yield, sleep, CPU
 * affinity, and a few thread-local slots for skiff's own libraries.  See
 * docs/sched.md for the states a thread goes through.
 *
 * Memory: a thread's control block (and its stack unless the caller gives
 * one) comes from the allocator hook passed to sk_sched_init().  It is
 * returned only after every CPU has passed a quiescent state since the
 * thread exited, so sk_thread_wake() on an exiting thread stays safe.
 *
 * Stack size: hosted delivers interrupts as signals on the thread's stack,
 * and a signal frame with AVX-512 XSAVE state takes ~4 KiB on top of the
 * handlers' own frames: give every thread at least SK_THREAD_STACK_MIN.
 */
#ifndef SCHED_THREAD_H
#define SCHED_THREAD_H

#include <stddef.h>
#include <stdint.h>

#include <plat/cpu.h>
#include <sched/wait.h>

enum {
	SK_THREAD_STACK_MIN = 64 * 1024,
	SK_THREAD_STACK_DEFAULT = 128 * 1024,
	SK_THREAD_NAME_LEN = 32, /* including the NUL */
	SK_THREAD_PRIO_MIN = 1, /* heaviest claim on the CPU */
	SK_THREAD_PRIO_DEFAULT = 64,
	SK_THREAD_PRIO_MAX = 1024,
	SK_THREAD_RT_PRIO_MIN = 1,
	SK_THREAD_RT_PRIO_MAX = 99,
	SK_THREAD_SLOTS = 8,
	SK_CPUSET_WORDS = SK_PLAT_CPUS_MAX / 64,
};

/* A set of CPUs of any width up to SK_PLAT_CPUS_MAX. */
struct sk_cpuset {
	uint64_t bits[SK_CPUSET_WORDS];
};

static inline void sk_cpuset_zero(struct sk_cpuset *s)
{
	for (unsigned i = 0; i < SK_CPUSET_WORDS; i++)
		s->bits[i] = 0;
}

static inline void sk_cpuset_fill(struct sk_cpuset *s)
{
	for (unsigned i = 0; i < SK_CPUSET_WORDS; i++)
		s->bits[i] = ~(uint64_t)0;
}

static inline void sk_cpuset_add(struct sk_cpuset *s, unsigned cpu)
{
	if (cpu < SK_PLAT_CPUS_MAX)
		s->bits[cpu / 64] |= (uint64_t)1 << (cpu % 64);
}

static inline void sk_cpuset_del(struct sk_cpuset *s, unsigned cpu)
{
	if (cpu < SK_PLAT_CPUS_MAX)
		s->bits[cpu / 64] &= ~((uint64_t)1 << (cpu % 64));
}

static inline int sk_cpuset_has(const struct sk_cpuset *s, unsigned cpu)
{
	return cpu < SK_PLAT_CPUS_MAX &&
	       ((s->bits[cpu / 64] >> (cpu % 64)) & 1);
}

/* Scheduling classes. */
enum sk_thread_class {
	SK_THREAD_FAIR = 0, /* weighted fair share (the default) */
	SK_THREAD_FIFO = 1, /* real-time FIFO, ahead of every fair thread */
};

enum sk_thread_flags {
	SK_THREAD_DETACHED = 1 << 0, /* start detached: never joined */
};

/*
 * Creation attributes.  A zeroed struct means: allocated stack of
 * SK_THREAD_STACK_DEFAULT bytes, no name, fair class, default priority,
 * any CPU, joinable.
 */
struct sk_thread_attr {
	void *stack; /* caller memory, or NULL: allocate */
	size_t stack_len; /* 0: default; >= SK_THREAD_STACK_MIN */
	const char *name; /* copied; truncated to SK_THREAD_NAME_LEN - 1 */
	unsigned prio; /* fair weight: p/2 gets twice the CPU of p; 0: 64 */
	enum sk_thread_class sched_class;
	unsigned rt_prio; /* FIFO: 1..99, higher runs first */
	const struct sk_cpuset *affinity; /* NULL: every CPU */
	unsigned flags; /* enum sk_thread_flags */
};

typedef void (*sk_thread_fn)(void *arg);

/*
 * sk_thread_create - start a thread running @fn(@arg).  Returning from @fn
 * is the same as calling sk_thread_exit().
 * @out: receives the thread (may be NULL for a detached thread).
 * Return: 0; -EINVAL for a bad attribute (stack too small, priority out of
 *         range, affinity with no online CPU, bad class); -ENOMEM if the
 *         allocator hook fails.
 * Context: thread; may block in the allocator hook.
 */
int sk_thread_create(struct sk_thread **out, const struct sk_thread_attr *attr,
		     sk_thread_fn fn, void *arg);

/*
 * sk_thread_exit - end the calling thread.  Its timers are cancelled.
 * Context: thread, preemption enabled.  Never returns.
 */
_Noreturn void sk_thread_exit(void);

/*
 * sk_thread_join - wait until @t has exited, then release it.  Once this
 * returns a caller-provided stack may be reused at once.
 * Return: 0; -EINVAL if @t is detached, already joined or being joined,
 *         or is the caller.
 * Context: thread; blocks.
 */
int sk_thread_join(struct sk_thread *t);

/*
 * sk_thread_detach - let @t be released when it exits, without a join.
 * Return: 0; -EINVAL if already detached, joined or being joined.
 * Context: thread.
 */
int sk_thread_detach(struct sk_thread *t);

/* sk_thread_yield: declared in sched/wait.h (included above). */

/*
 * sk_thread_sleep_until - sleep until the clock reaches @deadline_ns
 * (sk_plat_clock_ns scale).  sk_thread_sleep_for - sleep @ns from now.
 * Context: thread, preemption enabled; blocks.
 */
void sk_thread_sleep_until(uint64_t deadline_ns);
void sk_thread_sleep_for(uint64_t ns);

/*
 * sk_thread_set_affinity - restrict the calling thread to @set, moving it
 * now if its CPU is not in @set.  Returns on a CPU of @set.
 * Return: 0; -EINVAL if @set holds no CPU of this machine.
 * Context: thread, preemption enabled.
 */
int sk_thread_set_affinity(const struct sk_cpuset *set);

/*
 * sk_thread_set_affinity_of - restrict thread @t to @set.  For @t the
 * caller this is sk_thread_set_affinity().  Otherwise @t's CPU applies it
 * (an IPI) and the call returns once it has: a queued @t has moved by
 * then, a running one moves at its next switch (the request asks for one
 * at once), a sleeping one moves when it is woken and wakes on a CPU of
 * @set.  A pinned thread never moves otherwise.
 * Return: 0; -EINVAL if @t is NULL or an idle thread, or @set holds no CPU
 *         of this machine; -EBUSY while another change of @t is under way.
 * Context: thread, preemption enabled; blocks.  @t must stay allocated
 * for the call (not joined or released meanwhile).
 */
int sk_thread_set_affinity_of(struct sk_thread *t, const struct sk_cpuset *set);

/* sk_thread_affinity_get - copy @t's affinity into @out.  Context: any. */
void sk_thread_affinity_get(const struct sk_thread *t, struct sk_cpuset *out);

/*
 * sk_thread_set_prio - change the calling thread's fair weight.
 * Return: 0; -EINVAL if out of range.
 * Context: thread.
 */
int sk_thread_set_prio(unsigned prio);

/*
 * sk_thread_set_prio_of - change thread @t's fair weight (for the caller,
 * sk_thread_set_prio()).  Applied by @t's CPU before this returns; @t's
 * run time so far is charged at the old weight.
 * Return: 0; -EINVAL if @t is NULL or an idle thread or @prio out of
 *         range; -EBUSY while another change of @t is under way.
 * Context: thread, preemption enabled; blocks.  @t as above.
 */
int sk_thread_set_prio_of(struct sk_thread *t, unsigned prio);

/* sk_thread_name - @t's name ("" if none).  Context: any. */
const char *sk_thread_name(const struct sk_thread *t);

/*
 * sk_thread_cpu_time_ns - CPU time @t has consumed so far, in ns.  Exact
 * for the caller itself; for another running thread, as of its last
 * switch or timer interrupt.  Context: any.
 */
uint64_t sk_thread_cpu_time_ns(const struct sk_thread *t);

/*
 * sk_thread_cpu - the CPU @t last ran on or is queued on.  Only a hint
 * for another thread.  Context: any.
 */
unsigned sk_thread_cpu(const struct sk_thread *t);

/*
 * Thread-local slots for skiff's own libraries (TLS of lib/elf, errno of
 * lib/posix, ...): SK_THREAD_SLOTS pointers per thread, NULL at creation.
 * sk_thread_slot_key_alloc - reserve a slot number for a library.
 * Return: 0; -ENOSPC when all are taken.
 * Context: any.
 */
int sk_thread_slot_key_alloc(unsigned *key);

/* sk_thread_slot_get/set - the calling thread's slot @key.  Context: thread. */
void *sk_thread_slot_get(unsigned key);
void sk_thread_slot_set(unsigned key, void *value);

/* sk_thread_slot_get_of - another thread's slot (no ordering).  Any. */
void *sk_thread_slot_get_of(const struct sk_thread *t, unsigned key);

/*
 * sk_thread_id - @t's id: unique, never reused, growing with creation
 * order (1 is the boot thread "main", then one "idle" thread per CPU).
 * Context: any.
 */
uint64_t sk_thread_id(const struct sk_thread *t);

/* What a thread is doing, as reported by sk_thread_walk(). */
enum sk_thread_run_state {
	SK_THREAD_RUNNING = 0, /* on a CPU now */
	SK_THREAD_RUNNABLE = 1, /* queued, or on its way to a CPU */
	SK_THREAD_SLEEPING = 2, /* blocked in a wait */
	SK_THREAD_EXITED = 3, /* exited, not yet joined */
};

/* One thread, as seen by sk_thread_walk().  A copy: no pointer to it. */
struct sk_thread_info {
	uint64_t id; /* sk_thread_id() */
	char name[SK_THREAD_NAME_LEN];
	enum sk_thread_run_state state;
	unsigned cpu; /* the CPU it runs on, last ran on or is queued on */
	uint64_t cpu_time_ns; /* as sk_thread_cpu_time_ns() */
	enum sk_thread_class sched_class;
	unsigned prio; /* fair weight, or the RT priority of a FIFO thread */
	int is_idle; /* a CPU's idle thread (sched_class reads FAIR) */
};

/* Called once per thread; a non-zero return stops the walk. */
typedef int (*sk_thread_walk_fn)(const struct sk_thread_info *ti, void *arg);

/*
 * sk_thread_walk - call @fn(info, @arg) for every live thread: from its
 * creation until it is joined, or released after exiting detached
 * (exited-but-unjoined threads are reported as SK_THREAD_EXITED).  Idle
 * threads are included.  @fn runs in the caller's context with preemption
 * enabled, on a copy, so it may block and may create or join threads.
 *
 * Concurrency: threads created or released during the walk may or may
 * not be reported; every thread live for the whole walk is reported
 * exactly once.  The state fields are a snapshot taken a few threads
 * ahead of the call, without stopping anyone.  No lock is taken: each
 * CPU keeps the threads created on it in a list only it writes, walkers
 * read it with preemption disabled (an RCU-style read side), and a
 * released thread's memory waits for a grace period after its unlink.
 *
 * Return: 0 after the last thread; @fn's non-zero value if it stopped
 *         the walk; -EINVAL if @fn is NULL or the scheduler is not
 *         initialised.
 * Context: thread, preemption enabled.
 */
int sk_thread_walk(sk_thread_walk_fn fn, void *arg);

#endif
