/* SPDX-License-Identifier: MIT */
/*
 * epoll-style readiness: one thread waits on many channels and timers at
 * once and learns which are ready, in time proportional to the number
 * ready (not registered).  Sources announce readiness by pushing their
 * entry onto the set's lock-free ready stack, at most once per arming,
 * then waking the owner.  Level-triggered for channels: a channel stays
 * reported by every sk_poll_wait() while its ring is not empty.
 *
 * Entry word `armed` (struct sk_poll_entry):
 *   0  not armed: the owner is (or will be) looking at the source, or the
 *      entry is on the ready stack / the owner's pending list
 *   1  armed: the owner sleeps or will re-check; the first source event
 *      exchanges 1 -> 0 and alone queues the entry and wakes the owner
 *
 * Who may run concurrently on one set:
 *   sk_poll_add/del/wait/timer_arm/timer_cancel: the owner thread only
 *   source events (channel push, timer expiry): any CPU, irq handlers
 * A channel may be deleted only once no producer can push into it (after
 * sk_classifier_remove(), or when its producer has stopped).
 */
#ifndef NETCHAN_POLL_H
#define NETCHAN_POLL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <sched/timer.h>

struct sk_poll;
struct sk_thread;

enum sk_poll_kind {
	SK_POLL_CHANNEL = 1,
	SK_POLL_TIMER = 2,
};

struct sk_poll_entry {
	_Atomic uint32_t armed; /* state table above */
	_Atomic(struct sk_poll_entry *) ready_next; /* on the ready stack */
	struct sk_poll_entry *pend_next; /* owner's pending list */
	struct sk_poll *poll; /* NULL: not in a set (direct waits) */
	_Atomic(struct sk_thread *) waiter; /* thread a direct wait wakes */
	uint64_t user; /* caller's cookie, reported back */
	enum sk_poll_kind kind;
	bool pending; /* owner: on the pending list */
};

struct sk_poll {
	_Atomic(struct sk_poll_entry *) ready; /* MPSC stack, newest first */
	struct sk_thread *owner;
	struct sk_poll_entry *pend_head, *pend_tail; /* owner only */
	struct sk_poll_entry **reported; /* owner only: last batch */
	unsigned nreported, max_reported;
	unsigned nentries;
};

/*
 * A timer a poll set can wait on: fires once per sk_poll_timer_arm().
 * fired: 0 -> 1 in the timer callback (release), 1 -> 0 when the owner
 * reports it or arms it again.
 */
struct sk_poll_timer {
	struct sk_poll_entry pe;
	struct sk_timer timer;
	_Atomic uint32_t fired;
};

struct sk_poll_event {
	enum sk_poll_kind kind;
	void *source; /* the struct sk_channel or struct sk_poll_timer */
	uint64_t user;
};

/*
 * sk_poll_init - an empty set owned by the calling thread.  @reported is
 * caller memory for @max entries: the most one sk_poll_wait() reports.
 * Return: 0; -EINVAL if @max is 0 or a pointer is NULL.
 * Context: thread (becomes the owner).
 */
int sk_poll_init(struct sk_poll *poll, struct sk_poll_entry **reported,
		 unsigned max);

/*
 * sk_poll_timer_init - set up @pt; sk_poll_timer_add() puts it in a set.
 * Context: any.
 */
void sk_poll_timer_init(struct sk_poll_timer *pt);

/*
 * sk_poll_timer_add - register @pt in @poll with cookie @user.
 * Return: 0; -EBUSY if @pt is already in a set.
 * Context: the owner.
 */
int sk_poll_timer_add(struct sk_poll *poll, struct sk_poll_timer *pt,
		      uint64_t user);

/*
 * sk_poll_timer_arm - make @pt ready at @deadline_ns (sk_plat_clock_ns).
 * Return: 0; -EINVAL if @pt is not in a set.
 * Context: the owner.
 */
int sk_poll_timer_arm(struct sk_poll_timer *pt, uint64_t deadline_ns);

/*
 * sk_poll_timer_del - cancel @pt and remove it from its set.
 * Return: 0; -ENOENT if it is in no set.
 * Context: the owner.
 */
int sk_poll_timer_del(struct sk_poll_timer *pt);

/*
 * sk_poll_wait - report up to @max ready sources into @out, waiting until
 * at least one is ready or the clock reaches @deadline_ns (UINT64_MAX: no
 * deadline).  Channels reported last time are re-armed first (level
 * triggering); a timer is reported once per expiry.
 * Return: number of events (>= 1); -ETIMEDOUT; -EINVAL if @max is 0;
 *         -EPERM if the caller is not the owner.
 * Context: the owner, preemption enabled; blocks.
 */
int sk_poll_wait(struct sk_poll *poll, struct sk_poll_event *out, unsigned max,
		 uint64_t deadline_ns);

/*
 * sk_poll_entry_signal_ - queue @pe on its set's ready stack and wake the
 * owner.  For the sources in netchan (channel, timer); the caller must
 * have won armed 1 -> 0.
 * Ordering: release on the ready stack (pairs with the owner's acquire
 *           exchange in sk_poll_wait).
 * Context: any, irq handlers included.
 */
void sk_poll_entry_signal_(struct sk_poll_entry *pe);

/*
 * sk_poll_entry_arm_ - the owner's half of the handshake: armed := 1,
 * full fence.  The caller re-checks the source afterwards.
 * sk_poll_entry_disarm_ - armed := 0.  Return: true if it was armed (the
 * caller now owns the notification), false if a source took it.
 * Context: the entry's owner (poll owner or direct waiter).
 */
void sk_poll_entry_arm_(struct sk_poll_entry *pe);
bool sk_poll_entry_disarm_(struct sk_poll_entry *pe);

#endif
