// SPDX-License-Identifier: MIT
/*
 * The native backend: read side = preemption disable, grace periods from
 * lib/sched's per-CPU quiescent-state counters (sched/cpu.h).  A grace
 * period snapshots every other CPU's counter and waits until each CPU is
 * done: its counter has moved, or it is halted in idle (its extended-
 * quiescent-state counter is odd), or, after a full barrier on every CPU
 * (sk_plat_cpu_barrier_all, plat/cpu.h; hosted has it, kvm and xen answer
 * -ENOSYS), its preemption count is zero.  The caller's own CPU is
 * quiescent (it runs the caller, which is preemptible).
 *
 * Without the CPU barrier, CPUs that lag are kicked with
 * sk_sched_cpu_qs_kick (an IPI): after a short adaptive hold-off (1 to
 * 32 us) on a normal grace period, at once on an expedited one.  With it,
 * no kick is needed: a CPU that is not inside a read-side section is seen
 * as done right away.
 *
 * G.seq: grace periods * 2, odd while one runs.  Only the driver (holder
 * of G.lock) writes it; sk_synchronize_rcu() waits for the value that
 * proves a whole grace period began after its call, so concurrent callers
 * share one (the first to get G.lock drives it, the rest find it done).
 *
 * Ordering (docs/rcu.md has the argument): a seq_cst fence between the
 * updater's stores and the counter snapshot; acquire loads of the counters
 * pair with lib/sched's release stores in sk_qs_note and its seq_cst
 * idle entry; the CPU barrier orders every CPU's earlier read-side
 * sections against the preemption-count loads; a seq_cst fence on return
 * orders the caller's frees after every reader it waited for.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>

#include <plat/assert.h>
#include <plat/compiler.h>
#include <plat/cpu.h>
#include <plat/percpu.h>
#include <plat/time.h>
#include <sched/cpu.h>
#include <sched/preempt.h>
#include <sched/thread.h>
#include <sync/mutex.h>

#include "internal.h"

/*
 * Waiting policy.  With a CPU barrier the waiter polls for the adaptive
 * poll time, then sleeps.  Without one, busy CPUs get an adaptive hold-off
 * (a normal grace period only) before they are kicked; after the kicks the
 * waiter polls, then sleeps with a growing delay.  A waiter that sleeps
 * kicks the laggards again now and then, on both paths.
 */
static const uint64_t HOLDOFF_MIN_NS = 1000, HOLDOFF_MAX_NS = 32000;
static const uint64_t SPIN_MIN_NS = 2000, SPIN_MAX_NS = 32000;
static const uint64_t REKICK_NS = 2000000; /* kick laggards again after */
static const uint64_t SLEEP_MIN_NS = 5000, SLEEP_MAX_NS = 1000000;
enum { SPIN_RELAX = 16 };

enum gp_mode { GP_NORMAL = 0, GP_EXPEDITED = 1 };

/*
 * The CPU barrier is not used under ThreadSanitizer: TSan sees neither the
 * barrier nor the inline %gs count updates, so it would report every free
 * after such a grace period as a race.  The counters give it the
 * release/acquire edges it understands.  SK_RCU_NO_CPU_BARRIER builds the
 * kick-only grace periods of platforms without the barrier (kvm, xen) on
 * any platform, for lib/rcu's tests and bench_rcu_kick.
 */
#if defined(SK_RCU_NO_CPU_BARRIER) || defined(__SANITIZE_THREAD__)
#define GP_NO_CPU_BARRIER 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GP_NO_CPU_BARRIER 1
#endif
#endif

static struct {
	struct sk_mutex lock; /* the grace-period driver */
	atomic_uint_least64_t seq; /* written under lock */
	uint64_t holdoff_ns; /* lock: current normal hold-off */
	atomic_uint_least64_t spin_ns; /* poll after kicks/barrier (a hint) */
	atomic_uint no_barrier; /* 1: the CPU barrier failed once */
	atomic_uint_least64_t gps, expedited, kicks, barriers;
} G;

/*
 * Snapshot of the other CPUs' counters; moved[c] marks the ones done.
 * @barrier: a CPU barrier ran after the snapshot, so a zero preemption
 * count now means done.
 */
struct gp_snap {
	unsigned ncpus, me, left;
	bool barrier;
	uint64_t count[SK_PLAT_CPUS_MAX];
	unsigned char moved[SK_PLAT_CPUS_MAX];
};

/* @cpu is halted in its idle loop: its EQS counter is odd.  Acquire (in
 * sk_sched_cpu_eqs_count): pairs with lib/sched's seq_cst idle entry. */
static bool cpu_is_idle(unsigned cpu)
{
	return sk_sched_cpu_eqs_count(cpu) & 1;
}

/*
 * @cpu's preemption count (sched/preempt.h: the word's count bits; bit 63
 * is the inverted need-resched flag) is zero: it is in no read-side
 * section now.  Only meaningful after a CPU barrier that followed the
 * updater's stores (docs/rcu.md, "Preemption counts after a CPU barrier").
 * The owner writes the word with plain %gs instructions; acquire: the
 * updater's frees come after this load, and on x86 (the only home of the
 * %gs words) the owner's decrement is ordered after its section's loads.
 */
static bool cpu_count_is_zero(unsigned cpu)
{
	struct sk_plat_percpu *pc = sk_plat_percpu_of(cpu);
	_Atomic uint64_t *w;

	if (!pc)
		return false;
	w = (_Atomic uint64_t *)(void *)((char *)pc + SK_SCHED_PCPU_PREEMPT);
	return sk_sched_preempt_word_count(
		       atomic_load_explicit(w, memory_order_acquire)) == 0;
}

static void snap_take(struct gp_snap *s)
{
	s->ncpus = sk_plat_cpu_count();
	s->left = 0;
	s->barrier = false;
	sk_preempt_disable(); /* a stable "me", and not in a reader */
	s->me = sk_plat_cpu_id();
	for (unsigned c = 0; c < s->ncpus; c++) {
		/* acquire (in sk_sched_cpu_qs_count): pairs with the release
		 * in lib/sched's sk_qs_note */
		s->count[c] = sk_sched_cpu_qs_count(c);
		s->moved[c] = c == s->me || cpu_is_idle(c);
		s->left += !s->moved[c];
	}
	sk_preempt_enable();
}

static bool cpu_is_done(struct gp_snap *s, unsigned c)
{
	return sk_sched_cpu_qs_count(c) != s->count[c] || cpu_is_idle(c) ||
	       (s->barrier && cpu_count_is_zero(c));
}

static bool snap_is_done(struct gp_snap *s)
{
	for (unsigned c = 0; c < s->ncpus && s->left; c++) {
		if (s->moved[c] || !cpu_is_done(s, c))
			continue;
		s->moved[c] = 1;
		s->left--;
	}
	return s->left == 0;
}

/*
 * Run a full barrier on every CPU (sk_plat_cpu_barrier_all), so that from
 * now on a zero preemption count means done.  False if the platform has no
 * such call, it failed (then it is not tried again), or under TSan.
 */
static bool snap_barrier(struct gp_snap *s)
{
#ifdef GP_NO_CPU_BARRIER
	(void)s;
	return false;
#else
	if (atomic_load_explicit(&G.no_barrier, memory_order_relaxed))
		return false;
	/* a full fence on every CPU, the caller's included: orders the
	 * updater's stores (already fenced in gp_run) before every later
	 * reader section, and every earlier one before the count loads */
	if (sk_plat_cpu_barrier_all()) {
		atomic_store_explicit(&G.no_barrier, 1, memory_order_relaxed);
		return false;
	}
	s->barrier = true;
	atomic_fetch_add_explicit(&G.barriers, 1, memory_order_relaxed);
	return true;
#endif
}

/* Kick the CPUs still lagging. */
static void snap_kick(struct gp_snap *s)
{
	unsigned n = 0;

	for (unsigned c = 0; c < s->ncpus; c++) {
		if (s->moved[c])
			continue;
		sk_sched_cpu_qs_kick(c);
		n++;
	}
	atomic_fetch_add_explicit(&G.kicks, n, memory_order_relaxed);
}

/* Poll until @s is done or @limit_ns has passed since @t0.  True: done. */
static bool snap_poll(struct gp_snap *s, uint64_t t0, uint64_t limit_ns)
{
	while (!snap_is_done(s)) {
		if (sk_plat_clock_ns() - t0 >= limit_ns)
			return false;
		for (unsigned i = 0; i < SPIN_RELAX; i++)
			sk_plat_cpu_relax();
	}
	return true;
}

/*
 * The normal hold-off adapts to how soon busy CPUs pass a quiescent state
 * by themselves: a grace period that ended within it after @took_ns pulls
 * it up to twice that (so CPUs that switch often are not interrupted); one
 * that needed kicks shrinks it by a quarter, down to HOLDOFF_MIN_NS (so CPU
 * hogs cost a grace period little more than the IPI).  It starts at 0,
 * which the first grace period clamps.
 */
static void holdoff_adapt(bool natural, uint64_t took_ns)
{
	uint64_t h = G.holdoff_ns;

	if (natural && 2 * took_ns > h)
		h = 2 * took_ns;
	else if (!natural)
		h -= h / 4;
	G.holdoff_ns = h < HOLDOFF_MIN_NS   ? HOLDOFF_MIN_NS
		       : h > HOLDOFF_MAX_NS ? HOLDOFF_MAX_NS
					    : h;
}

/*
 * How long to poll after kicking adapts the same way.  A kicked vCPU that
 * runs answers within a microsecond or two; one that the host (or the
 * hypervisor) does not run answers only once it runs, and polling then
 * only keeps a host CPU from it.  So a grace period that ended within the
 * poll, after @took_ns, pulls the poll up to twice that; one that had to
 * sleep halves it.  Racy updates by concurrent expedited callers only
 * blur the hint.
 */
static void spin_adapt(bool answered, uint64_t took_ns)
{
	uint64_t v = atomic_load_explicit(&G.spin_ns, memory_order_relaxed);

	if (answered && 2 * took_ns > v)
		v = 2 * took_ns;
	else if (!answered)
		v /= 2;
	v = v < SPIN_MIN_NS ? SPIN_MIN_NS : v > SPIN_MAX_NS ? SPIN_MAX_NS : v;
	atomic_store_explicit(&G.spin_ns, v, memory_order_relaxed);
}

/* Sleep with a growing delay until @s is done, kicking laggards again
 * every REKICK_NS (a vCPU the host does not run is not worth spinning on). */
static void snap_sleep(struct gp_snap *s)
{
	uint64_t delay = SLEEP_MIN_NS, last_kick = sk_plat_clock_ns();

	while (!snap_is_done(s)) {
		uint64_t now = sk_plat_clock_ns();

		if (now - last_kick >= REKICK_NS) {
			snap_kick(s);
			last_kick = now;
		}
		sk_thread_sleep_for(delay);
		delay = delay * 2 > SLEEP_MAX_NS ? SLEEP_MAX_NS : delay * 2;
	}
}

/*
 * Without a CPU barrier.  Idle CPUs need no kick: a halted one is done
 * already (EQS), one still in its idle loop passes a quiescent state at the
 * loop's next turn or halts.  Busy ones often pass one by themselves, so a
 * normal grace period (run by the holder of G.lock) polls for the adaptive
 * hold-off before kicking them; an expedited one kicks at once.  Then the
 * waiter polls (adaptive; a running vCPU answers an IPI in a microsecond or
 * two) and sleeps after that.
 */
static void gp_wait_kicks(struct gp_snap *s, enum gp_mode mode)
{
	uint64_t t0 = sk_plat_clock_ns();
	bool answered;

	if (mode == GP_NORMAL) {
		bool natural = snap_poll(s, t0, G.holdoff_ns);

		holdoff_adapt(natural, sk_plat_clock_ns() - t0);
		if (natural)
			return;
	}
	snap_kick(s);
	t0 = sk_plat_clock_ns();
	answered = snap_poll(
		s, t0, atomic_load_explicit(&G.spin_ns, memory_order_relaxed));
	spin_adapt(answered, sk_plat_clock_ns() - t0);
	if (!answered)
		snap_sleep(s);
}

/*
 * After a CPU barrier the CPUs still lagging are inside a read-side
 * section, and a kick would not end it sooner: poll for the adaptive time
 * (a running reader leaves its section within it), then sleep (its vCPU
 * is not running; polling would only keep a host CPU from it).  Normal and
 * expedited grace periods are the same here.
 */
static void gp_wait_counts(struct gp_snap *s)
{
	uint64_t t0 = sk_plat_clock_ns();
	bool answered = snap_poll(
		s, t0, atomic_load_explicit(&G.spin_ns, memory_order_relaxed));

	spin_adapt(answered, sk_plat_clock_ns() - t0);
	if (!answered)
		snap_sleep(s);
}

/* Wait until every CPU of @s is done. */
static void gp_wait(struct gp_snap *s, enum gp_mode mode)
{
	if (snap_is_done(s))
		return;
	if (snap_barrier(s))
		gp_wait_counts(s);
	else
		gp_wait_kicks(s, mode);
}

static void check_may_wait(void)
{
	SK_ASSERT(sk_preempt_is_enabled(),
		  "rcu: grace-period wait inside a read-side section "
		  "(or with preemption disabled)");
}

/* One whole grace period, run by the holder of G.lock. */
static void gp_run(void)
{
	struct gp_snap s;
	uint64_t seq = atomic_load_explicit(&G.seq, memory_order_relaxed);

	atomic_store_explicit(&G.seq, seq + 1, memory_order_relaxed);
	sk_sched_qs_want(); /* switches note quiescent states meanwhile */
	/* seq_cst: pairs with the fence in sk_synchronize_rcu (a caller
	 * that read the old seq has its stores ordered before the snapshot)
	 * and with the fence after lib/sched's counter increment */
	atomic_thread_fence(memory_order_seq_cst);
	snap_take(&s);
	gp_wait(&s, GP_NORMAL);
	sk_sched_qs_unwant();
	/* release: pairs with the acquire in sk_synchronize_rcu */
	atomic_store_explicit(&G.seq, seq + 2, memory_order_release);
	atomic_fetch_add_explicit(&G.gps, 1, memory_order_relaxed);
}

static bool seq_is_done(uint64_t cur, uint64_t target)
{
	return (int64_t)(cur - target) >= 0;
}

void sk_synchronize_rcu(void)
{
	uint64_t target;

	check_may_wait();
	/* seq_cst: pairs with the fence in gp_run */
	atomic_thread_fence(memory_order_seq_cst);
	/* the end of the first grace period to start after this read */
	target = (atomic_load_explicit(&G.seq, memory_order_relaxed) + 3) &
		 ~(uint64_t)1;
	/* acquire: pairs with the release of the driver's final seq */
	while (!seq_is_done(atomic_load_explicit(&G.seq, memory_order_acquire),
			    target)) {
		sk_mutex_lock(&G.lock);
		if (!seq_is_done(
			    atomic_load_explicit(&G.seq, memory_order_relaxed),
			    target))
			gp_run();
		sk_mutex_unlock(&G.lock);
	}
	/* seq_cst: the caller's frees come after every reader waited for */
	atomic_thread_fence(memory_order_seq_cst);
}

void sk_synchronize_rcu_expedited(void)
{
	struct gp_snap s;

	check_may_wait();
	sk_sched_qs_want();
	/* seq_cst: pairs with the fence after lib/sched's counter store */
	atomic_thread_fence(memory_order_seq_cst);
	snap_take(&s);
	gp_wait(&s, GP_EXPEDITED);
	sk_sched_qs_unwant();
	atomic_thread_fence(memory_order_seq_cst); /* as in synchronize */
	atomic_fetch_add_explicit(&G.expedited, 1, memory_order_relaxed);
}

int sk_rcu_init(void)
{
	return sk_rcu_cb_start();
}

unsigned sk_rcu_be_shards(void)
{
	unsigned n = sk_plat_cpu_count();

	return n < SK_RCU_SHARDS_MAX ? n : SK_RCU_SHARDS_MAX;
}

unsigned sk_rcu_be_shard_id(void)
{
	unsigned id = sk_plat_cpu_id();

	return id < SK_RCU_SHARDS_MAX ? id : id % SK_RCU_SHARDS_MAX;
}

bool sk_rcu_be_may_block(void)
{
	return sk_preempt_is_enabled();
}

int sk_rcu_be_thread_start(void (*fn)(void *), void *arg)
{
	struct sk_thread_attr attr = {
		.name = "rcu_cb",
		.flags = SK_THREAD_DETACHED,
	};

	return sk_thread_create(NULL, &attr, fn, arg);
}

void sk_rcu_be_stats(struct sk_rcu_stats *out)
{
	out->gps = atomic_load_explicit(&G.gps, memory_order_relaxed);
	out->expedited =
		atomic_load_explicit(&G.expedited, memory_order_relaxed);
	out->kicks = atomic_load_explicit(&G.kicks, memory_order_relaxed);
	out->barriers = atomic_load_explicit(&G.barriers, memory_order_relaxed);
}
