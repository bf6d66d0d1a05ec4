/* SPDX-License-Identifier: MIT */
/*
 * Run-once flag.  All-zero bytes are a flag whose function has not run.
 */
#ifndef SYNC_ONCE_H
#define SYNC_ONCE_H

#include <stdatomic.h>
#include <stdbool.h>

#include <sync/mutex.h>

/*
 * done   0: not run (or every run so far failed); 1: ran and succeeded.
 *        Set once, with release, under m; read lock-free with acquire.
 */
struct sk_once {
	atomic_uint done;
	struct sk_mutex m;
};

#define SK_ONCE_INIT             \
	{                        \
		0, SK_MUTEX_INIT \
	}

typedef int (*sk_once_fn)(void *arg);

/*
 * sk_once - run @fn(@arg) unless a call on @o already succeeded.
 * Concurrent callers wait for the running call.  If @fn fails, @o stays
 * not-done and the next caller runs its own function.
 * Return: 0 once @o is done; the negative errno @fn returned.
 * Ordering: every return of 0 happens after the successful @fn.
 * Context: thread, preemption enabled; may block.  @fn must not call
 * sk_once on @o.
 */
int sk_once(struct sk_once *o, sk_once_fn fn, void *arg);

/* sk_once_is_done - whether a call on @o has succeeded.  Context: any. */
bool sk_once_is_done(struct sk_once *o);

#endif
