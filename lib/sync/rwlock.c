// SPDX-License-Identifier: MIT
/*
 * Writer-preferring rwlock (sync/rwlock.h) over a skiff mutex and two wait
 * queues.  Every field is guarded by rw->m; a woken waiter returns from
 * sk_waitq_wait() owning rw->m and re-tests its condition.
 */
#include <errno.h>

#include <plat/assert.h>
#include <sync/rwlock.h>

void sk_rwlock_init(struct sk_rwlock *rw)
{
	*rw = (struct sk_rwlock)SK_RWLOCK_INIT;
}

static int reader_may_enter(const struct sk_rwlock *rw)
{
	return !rw->writer && rw->writers_waiting == 0;
}

void sk_rwlock_read_lock(struct sk_rwlock *rw)
{
	sk_mutex_lock(&rw->m);
	while (!reader_may_enter(rw))
		sk_waitq_wait(&rw->readers, &rw->m);
	rw->nreaders++;
	sk_mutex_unlock(&rw->m);
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

void sk_rwlock_write_lock(struct sk_rwlock *rw)
{
	sk_mutex_lock(&rw->m);
	rw->writers_waiting++;
	while (rw->writer || rw->nreaders > 0)
		sk_waitq_wait(&rw->writers, &rw->m);
	rw->writers_waiting--;
	rw->writer = 1;
	sk_mutex_unlock(&rw->m);
}

int sk_rwlock_try_write_lock(struct sk_rwlock *rw)
{
	int ret = -EBUSY;

	sk_mutex_lock(&rw->m);
	if (!rw->writer && rw->nreaders == 0) {
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
