/* SPDX-License-Identifier: MIT */
/*
 * Read-copy-update.  Readers pay nothing: sk_rcu_read_lock() is
 * sk_preempt_disable() on the native backend (no atomic, no fence).
 * Updaters publish with sk_rcu_assign_pointer(), then free old versions
 * after a grace period: sk_synchronize_rcu() (blocks), sk_call_rcu()
 * (deferred, batched per CPU) or sk_synchronize_rcu_expedited() (IPIs).
 *
 * Two implementations of this one header: skiff-rcu (on lib/sched's
 * per-CPU quiescent states) and skiff-rcu-urcu (liburcu's urcu-memb
 * flavour, for ordinary pthreads programs).  docs/rcu.md has the design.
 */
#ifndef RCU_RCU_H
#define RCU_RCU_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct sk_rcu_head;

typedef void (*sk_rcu_cb_fn)(struct sk_rcu_head *head);

/* Embed in an object freed through sk_call_rcu().  Fields are lib/rcu's. */
struct sk_rcu_head {
	struct sk_rcu_head *next;
	sk_rcu_cb_fn fn;
};

enum {
	/*
	 * Back-pressure: when more than this many callbacks queued on one
	 * CPU (one shard on liburcu) wait for their grace period, a caller
	 * of sk_call_rcu() that may block waits until they have run.
	 */
	SK_RCU_CB_HIGH = 4096,
};

/*
 * sk_rcu_init - start the callback thread.  Idempotent.
 * Return: 0; -ENOMEM or -EINVAL from thread creation (native);
 *         -EAGAIN if pthread_create fails (liburcu backend).
 * Context: thread; native: after sk_sched_init().
 */
int sk_rcu_init(void);

/*
 * sk_rcu_read_lock - enter a read-side critical section.  Nests.
 * Until the matching unlock, objects reached through
 * sk_rcu_dereference() are not freed.  The section must not block
 * (sleep, yield, take a mutex): lib/sched panics on a voluntary switch
 * with preemption disabled, so a reader that sleeps is caught.
 * Ordering: a compiler barrier only; no atomic, no fence (native).
 * Context: any (native: also interrupt handlers).
 *
 * sk_rcu_read_unlock - leave one level of read-side critical section.
 * Context: the thread that called sk_rcu_read_lock().
 *
 * sk_rcu_read_is_held - whether the caller may be inside a read-side
 * critical section (native: preemption or irqs disabled).  For
 * assertions only: a section that reads RCU data must be opened with
 * sk_rcu_read_lock(); disabling irqs alone does not hold off grace
 * periods (they may end on a CPU whose preemption count is zero).
 * Context: any.
 *
 * On the native backend the three are inline: the read side is the
 * preemption count and nothing else.  The liburcu backend (built with
 * SK_RCU_BACKEND_URCU, which its dependency and pkg-config file define)
 * has them out of line, on urcu-memb.
 */
#ifdef SK_RCU_BACKEND_URCU
void sk_rcu_read_lock(void);
void sk_rcu_read_unlock(void);
bool sk_rcu_read_is_held(void);
#else
#include <sched/preempt.h>

static inline void sk_rcu_read_lock(void)
{
	sk_preempt_disable();
}

static inline void sk_rcu_read_unlock(void)
{
	sk_preempt_enable();
}

static inline bool sk_rcu_read_is_held(void)
{
	return !sk_preempt_is_enabled();
}
#endif

/*
 * sk_synchronize_rcu - wait for a full grace period: every read-side
 * critical section that began before the call has ended when it returns.
 * Concurrent callers share grace periods.
 * Ordering: a full fence on entry and on return.
 * Context: thread, preemption enabled, not in a read-side section; blocks.
 */
void sk_synchronize_rcu(void);

/*
 * sk_synchronize_rcu_expedited - the same guarantee, sooner: every CPU
 * that has not passed a quiescent state is sent an IPI at once.  Costs
 * every other CPU an interrupt.
 * Context: as for sk_synchronize_rcu().
 */
void sk_synchronize_rcu_expedited(void);

/*
 * sk_call_rcu - run @fn(@head) after a grace period.  @head is usually
 * embedded in the object @fn frees.  Callbacks queued on one CPU run in
 * order.  When over SK_RCU_CB_HIGH callbacks wait on this CPU and the
 * caller may block, it first waits for them to run (back-pressure).
 * @fn runs on the callback thread with preemption disabled: it must not
 * block; it may call sk_call_rcu().
 * Ordering: the caller's stores before the call happen before @fn runs.
 * Context: any (may block only if called preemptible and over the mark).
 */
void sk_call_rcu(struct sk_rcu_head *head, sk_rcu_cb_fn fn);

/*
 * sk_rcu_barrier - wait until every callback queued (anywhere) before
 * the call has run.  Use before freeing what callbacks refer to.
 * Context: thread, preemption enabled, not in a read-side section; blocks.
 */
void sk_rcu_barrier(void);

/* Counters, relaxed snapshots. */
struct sk_rcu_stats {
	uint64_t gps; /* normal grace periods completed */
	uint64_t expedited; /* expedited grace periods completed */
	uint64_t kicks; /* quiescent-state IPIs sent (native) */
	uint64_t barriers; /* grace periods that used a CPU barrier (native) */
	uint64_t cbs_queued; /* sk_call_rcu() calls */
	uint64_t cbs_invoked; /* callbacks run */
	uint64_t cb_batches; /* callback-thread rounds with callbacks */
	uint64_t throttled; /* callers held back by back-pressure */
	unsigned shards; /* callback queues (CPUs on native) */
};

/* sk_rcu_stats_get - copy the counters.  Return: 0; -EINVAL. */
int sk_rcu_stats_get(struct sk_rcu_stats *out);

/*
 * RCU-protected pointers are declared _Atomic(T *).
 *
 * sk_rcu_assign_pointer - publish @v in @p: release, so a reader that
 * loads @v sees @v's initialisation.  Context: updaters (serialised by
 * the caller, or use atomic_exchange_explicit with acq_rel).
 *
 * sk_rcu_dereference - load @p for use inside a read-side section.  An
 * acquire load (pairs with the release in sk_rcu_assign_pointer).  C11's
 * memory_order_consume would be the exact match, but every compiler
 * promotes it to acquire and C++26 deprecates it; acquire is a plain mov
 * on x86 and LDAPR/LDAR on arm64, and needs no dependency discipline.
 *
 * sk_rcu_dereference_protected - load @p where updates cannot happen
 * (the caller holds the update-side lock): relaxed.
 *
 * sk_rcu_access_pointer - load @p only to test or compare it, never to
 * dereference: relaxed.
 *
 * sk_rcu_init_pointer - store @v where no reader can see it yet, or @v
 * is NULL: relaxed.
 */
#define sk_rcu_assign_pointer(p, v) \
	atomic_store_explicit(&(p), (v), memory_order_release)
#define sk_rcu_dereference(p) atomic_load_explicit(&(p), memory_order_acquire)
#define sk_rcu_dereference_protected(p) \
	atomic_load_explicit(&(p), memory_order_relaxed)
#define sk_rcu_access_pointer(p) \
	atomic_load_explicit(&(p), memory_order_relaxed)
#define sk_rcu_init_pointer(p, v) \
	atomic_store_explicit(&(p), (v), memory_order_relaxed)

#endif
