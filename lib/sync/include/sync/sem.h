/* SPDX-License-Identifier: MIT */
/*
 * Counting semaphore over a skiff mutex and condvar.  All-zero bytes are a
 * semaphore with count 0.
 */
#ifndef SYNC_SEM_H
#define SYNC_SEM_H

#include <stdint.h>

#include <sync/cond.h>
#include <sync/mutex.h>

struct sk_sem {
	struct sk_mutex m;
	struct sk_cond nonzero;
	unsigned long count; /* m */
};

#define SK_SEM_INIT(n)                           \
	{                                        \
		SK_MUTEX_INIT, SK_COND_INIT, (n) \
	}

/* sk_sem_init - make @s a semaphore holding @count units. */
void sk_sem_init(struct sk_sem *s, unsigned long count);

/*
 * sk_sem_down - take one unit, sleeping while there is none.
 * Ordering: acquire (pairs with the sk_sem_up that gave the unit).
 * Context: thread, preemption enabled; may block.
 */
void sk_sem_down(struct sk_sem *s);

/*
 * sk_sem_try_down - take one unit only if one is there.
 * Return: 0; -EAGAIN if the count is zero.
 * Context: thread, preemption enabled (the inner mutex may block briefly).
 */
int sk_sem_try_down(struct sk_sem *s);

/*
 * sk_sem_down_until - sk_sem_down() giving up at @deadline_ns.
 * Return: 0; -ETIMEDOUT.
 * Context: thread, preemption enabled; may block.
 */
int sk_sem_down_until(struct sk_sem *s, uint64_t deadline_ns);

/*
 * sk_sem_up - give back one unit, waking one waiter.
 * Return: 0; -EOVERFLOW if the count is already ULONG_MAX (unchanged).
 * Ordering: release.
 * Context: thread.
 */
int sk_sem_up(struct sk_sem *s);

/* sk_sem_count - the count now (a snapshot).  Context: thread. */
unsigned long sk_sem_count(struct sk_sem *s);

#endif
