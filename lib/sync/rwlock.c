// SPDX-License-Identifier: MIT
/*
 * Writer-preferring rwlock (sync/rwlock.h) over a skiff mutex and two wait
 * queues.  Every field is guarded by rw->m; a woken waiter returns from
 * sk_waitq_wait_until() owning rw->m and re-tests its condition.  The
 * timed calls rely on the wait queue's exact timeout: a wake that picked
 * a waiter is never lost to its timeout (docs/sync.md, "Reader-writer lock").
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include <plat/assert.h>
#include <sync/rwlock.h>

void sk_rwlock_init(struct sk_rwlock *rw)
{
	*rw = (struct sk_rwlock)SK_RWLOCK_INIT;
}

static bool reader_may_enter(const struct sk_rwlock *rw)
{
	return !rw->writer && rw->writers_waiting == 0;
}

static bool writer_may_enter(const struct sk_rwlock *rw)
{
	return !rw->writer && rw->nreaders == 0;
}

int sk_rwlock_read_lock_until(struct sk_rwlock *rw, uint64_t deadline_ns)
{
	int ret = 0;

	sk_mutex_lock(&rw->m);
	while (!reader_may_enter(rw)) {
		/* Timed out: give up unless the way is clear by now. */
		if (sk_waitq_wait_until(&rw->readers, &rw->m, deadline_ns) &&
		    !reader_may_enter(rw)) {
			ret = -ETIMEDOUT;
			break;
		}
	}
	if (ret == 0)
		rw->nreaders++;
	sk_mutex_unlock(&rw->m);
	return ret;
}

void sk_rwlock_read_lock(struct sk_rwlock *rw)
{
	sk_rwlock_read_lock_until(rw, UINT64_MAX);
}

int sk_rwlock_try_read_lock(struct sk_rwlock *rw)
{
	int ret = -EBUSY;

	sk_mutex_lock(&rw->m);
	if (reader_may_enter(rw)) {
		rw->nreaders++;
		ret = 0;
	}
	sk_mutex_unlock(&rw->m);
	return ret;
}

void sk_rwlock_read_unlock(struct sk_rwlock *rw)
{
	sk_mutex_lock(&rw->m);
	SK_ASSERT(rw->nreaders > 0 && !rw->writer, "rwlock read unlock");
	if (--rw->nreaders == 0)
		sk_waitq_wake_one(&rw->writers);
	sk_mutex_unlock(&rw->m);
}

/*
 * A timed writer gives up.  It never gives up while the lock is free (it
 * takes it instead), so whoever is inside will wake the next writer or
 * the readers on its unlock.  What it must do itself: if it was the last
 * waiting writer and no writer is inside, the readers it held back (new
 * readers wait while any writer waits) may enter now.
 */
static void writer_give_up(struct sk_rwlock *rw)
{
	if (rw->writers_waiting == 0 && !rw->writer)
		sk_waitq_wake_all(&rw->readers);
}

int sk_rwlock_write_lock_until(struct sk_rwlock *rw, uint64_t deadline_ns)
{
	int ret = 0;

	sk_mutex_lock(&rw->m);
	rw->writers_waiting++;
	while (!writer_may_enter(rw)) {
		if (sk_waitq_wait_until(&rw->writers, &rw->m, deadline_ns) &&
		    !writer_may_enter(rw)) {
			ret = -ETIMEDOUT;
			break;
		}
	}
	rw->writers_waiting--;
	if (ret == 0)
		rw->writer = 1;
	else
		writer_give_up(rw);
	sk_mutex_unlock(&rw->m);
	return ret;
}

void sk_rwlock_write_lock(struct sk_rwlock *rw)
{
	sk_rwlock_write_lock_until(rw, UINT64_MAX);
}

int sk_rwlock_try_write_lock(struct sk_rwlock *rw)
{
	int ret = -EBUSY;

	sk_mutex_lock(&rw->m);
	if (writer_may_enter(rw)) {
		rw->writer = 1;
		ret = 0;
	}
	sk_mutex_unlock(&rw->m);
	return ret;
}

void sk_rwlock_write_unlock(struct sk_rwlock *rw)
{
	sk_mutex_lock(&rw->m);
	SK_ASSERT(rw->writer, "rwlock write unlock without the write lock");
	rw->writer = 0;
	if (rw->writers_waiting == 0 || !sk_waitq_wake_one(&rw->writers))
		sk_waitq_wake_all(&rw->readers);
	sk_mutex_unlock(&rw->m);
}
