// SPDX-License-Identifier: MIT
/*
 * Net channels (netchan/channel.h): the producer's push and batched
 * notify, the consumer's drain and wait, the slow path's flush and
 * inject.  Built on netchan/ring.h and the wait/wake protocol of
 * sched/wait.h; the wake-up handshake is the poll entry's `armed` word
 * (state table in netchan/poll.h).
 *
 * flusher: NULL -> slow-path thread (sk_channel_flush registers, relaxed,
 * before its wait_prepare fence) -> NULL (it unregisters).  The consumer
 * publishes `processed` (release) then fences and reads flusher.
 */
#include <errno.h>
#include <string.h>

#include <rcu/rcu.h>
#include <sched/preempt.h>
#include <sched/wait.h>

#include <netchan/channel.h>

/* Single-writer counters: a load and a store, never an RMW. */
static inline void stat_add(_Atomic uint64_t *c, uint64_t n)
{
	atomic_store_explicit(c,
			      atomic_load_explicit(c, memory_order_relaxed) + n,
			      memory_order_relaxed);
}

int sk_channel_init(struct sk_channel *ch, void **slots, uint32_t nslots,
		    sk_channel_fn fn, void *arg)
{
	int err;

	if (!ch || !fn)
		return -EINVAL;
	memset(ch, 0, sizeof(*ch));
	err = sk_ring_init(&ch->ring, slots, nslots);
	if (err)
		return err;
	atomic_init(&ch->st_pushed, 0);
	atomic_init(&ch->st_wakes, 0);
	atomic_init(&ch->st_bursts, 0);
	atomic_init(&ch->processed, 0);
	atomic_init(&ch->st_processed, 0);
	atomic_init(&ch->pe.armed, 0);
	atomic_init(&ch->pe.ready_next, NULL);
	atomic_init(&ch->pe.waiter, NULL);
	ch->pe.kind = SK_POLL_CHANNEL;
	atomic_init(&ch->slow_pending, 0);
	atomic_init(&ch->flusher, NULL);
	atomic_init(&ch->refs, 1);
	atomic_init(&ch->consumer, NULL);
	ch->fn = fn;
	ch->arg = arg;
	return 0;
}

unsigned sk_channel_push_burst(struct sk_channel *ch, struct sk_pbuf **pkts,
			       unsigned n)
{
	unsigned k = sk_ring_push_burst(&ch->ring, (void *const *)pkts, n);

	stat_add(&ch->st_pushed, k);
	return k;
}

void sk_channel_notify(struct sk_channel *ch)
{
	struct sk_thread *t;

	stat_add(&ch->st_bursts, 1);
	/* Pairs with the fence in sk_poll_entry_arm_: either the consumer
	 * sees our packets when it re-checks, or we see armed == 1. */
	atomic_thread_fence(memory_order_seq_cst);
	if (!atomic_load_explicit(&ch->pe.armed, memory_order_relaxed))
		return;
	if (!sk_poll_entry_disarm_(&ch->pe))
		return; /* the consumer disarmed itself: it is awake */
	stat_add(&ch->st_wakes, 1);
	if (ch->pe.poll) {
		sk_poll_entry_signal_(&ch->pe);
		return;
	}
	t = atomic_load_explicit(&ch->pe.waiter, memory_order_relaxed);
	if (t)
		sk_thread_wake(t);
}

unsigned sk_channel_send(struct sk_channel *ch, struct sk_pbuf **pkts,
			 unsigned n)
{
	unsigned k;

	sk_preempt_disable();
	k = sk_channel_push_burst(ch, pkts, n);
	if (k)
		sk_channel_notify(ch);
	sk_preempt_enable();
	return k;
}

static void wake_flusher(struct sk_channel *ch)
{
	struct sk_thread *f;

	/* Preemption off from before reading the pointer: the flusher
	 * cannot be freed until we are done waking it. */
	sk_preempt_disable();
	/* Pairs with the fence in the flusher's sk_wait_prepare(): either
	 * it sees our `processed` store or we see it registered. */
	atomic_thread_fence(memory_order_seq_cst);
	f = atomic_load_explicit(&ch->flusher, memory_order_relaxed);
	if (f)
		sk_thread_wake(f);
	sk_preempt_enable();
}

unsigned sk_channel_drain(struct sk_channel *ch, unsigned budget)
{
	struct sk_pbuf *b[SK_CHANNEL_BURST];
	unsigned total = 0;

	if (budget == 0)
		budget = ~0u;
	while (total < budget) {
		unsigned want = budget - total;
		unsigned n;
		uint32_t done;

		if (want > SK_CHANNEL_BURST)
			want = SK_CHANNEL_BURST;
		n = sk_ring_pop_burst(&ch->ring, (void **)b, want);
		if (n == 0)
			break;
		ch->fn(ch->arg, ch, b, n);
		total += n;
		done = atomic_load_explicit(&ch->processed,
					    memory_order_relaxed);
		/* release: the processing above happens before a flusher's
		 * acquire load that sees this count. */
		atomic_store_explicit(&ch->processed, done + n,
				      memory_order_release);
	}
	if (total) {
		stat_add(&ch->st_processed, total);
		wake_flusher(ch);
	}
	return total;
}

int sk_channel_wait(struct sk_channel *ch, uint64_t deadline_ns)
{
	if (ch->pe.poll)
		return -EBUSY;
	atomic_store_explicit(&ch->pe.waiter, sk_thread_current(),
			      memory_order_relaxed);
	atomic_store_explicit(&ch->consumer, sk_thread_current(),
			      memory_order_relaxed);
	for (;;) {
		int err;

		if (sk_channel_is_ready(ch))
			return 0;
		sk_wait_prepare();
		sk_poll_entry_arm_(&ch->pe);
		if (sk_channel_is_ready(ch)) {
			sk_poll_entry_disarm_(&ch->pe);
			sk_wait_finish();
			return 0;
		}
		err = sk_wait_until(deadline_ns);
		sk_poll_entry_disarm_(&ch->pe);
		if (err == -ETIMEDOUT)
			return sk_channel_is_ready(ch) ? 0 : -ETIMEDOUT;
	}
}

int sk_channel_flush(struct sk_channel *ch)
{
	struct sk_thread *self = sk_thread_current();
	uint32_t target;

	/* acquire: pairs with the producer's release of head; the caller
	 * stopped new pushes, so this is the last packet to wait for. */
	target = atomic_load_explicit(&ch->ring.head, memory_order_acquire);
	/* acquire: as below, when nothing is left to wait for. */
	if (atomic_load_explicit(&ch->processed, memory_order_acquire) ==
	    target)
		return 0;
	if (atomic_load_explicit(&ch->consumer, memory_order_relaxed) == self) {
		sk_channel_drain(ch, 0);
		return 0;
	}
	atomic_store_explicit(&ch->flusher, self, memory_order_relaxed);
	for (;;) {
		sk_wait_prepare();
		/* acquire: pairs with the release store in sk_channel_drain,
		 * so the consumer's processing happens before ours. */
		if ((int32_t)(atomic_load_explicit(&ch->processed,
						   memory_order_acquire) -
			      target) >= 0)
			break;
		sk_wait();
	}
	sk_wait_finish();
	atomic_store_explicit(&ch->flusher, NULL, memory_order_relaxed);
	return 0;
}

/*
 * Inside a read-side section: sk_classifier_remove() sets CLOSING, then
 * waits a grace period before reading head, so an inject that missed the
 * bit has finished pushing by then.
 */
static int inject_once(struct sk_channel *ch, struct sk_pbuf *p)
{
	uint32_t pending;
	int err = 0;

	sk_rcu_read_lock();
	/* acquire: pairs with the release decrement that handed the
	 * producer role back and forth (classifier.c). */
	pending = atomic_load_explicit(&ch->slow_pending, memory_order_acquire);
	if (pending == 0)
		err = -EPERM;
	else if (pending >= SK_CHANNEL_CLOSING)
		err = -EPIPE;
	else if (sk_channel_push_burst(ch, &p, 1) == 1)
		sk_channel_notify(ch);
	else
		err = -ENOBUFS;
	sk_rcu_read_unlock();
	return err;
}

int sk_channel_inject(struct sk_channel *ch, struct sk_pbuf *p)
{
	int err = inject_once(ch, p);

	while (err == -ENOBUFS) {
		sk_channel_flush(ch);
		err = inject_once(ch, p);
	}
	return err;
}

void sk_channel_get(struct sk_channel *ch)
{
	atomic_fetch_add_explicit(&ch->refs, 1, memory_order_relaxed);
}

void sk_channel_put(struct sk_channel *ch)
{
	/* release: our uses before the last put's acquire fence. */
	if (atomic_fetch_sub_explicit(&ch->refs, 1, memory_order_release) != 1)
		return;
	/* Pairs with the release decrements of the other references. */
	atomic_thread_fence(memory_order_acquire);
	if (ch->release)
		ch->release(ch);
}

void sk_channel_stats_get(const struct sk_channel *ch,
			  struct sk_channel_stats *out)
{
	out->pushed =
		atomic_load_explicit(&ch->st_pushed, memory_order_relaxed);
	out->wakes = atomic_load_explicit(&ch->st_wakes, memory_order_relaxed);
	out->bursts =
		atomic_load_explicit(&ch->st_bursts, memory_order_relaxed);
	out->processed =
		atomic_load_explicit(&ch->st_processed, memory_order_relaxed);
}
