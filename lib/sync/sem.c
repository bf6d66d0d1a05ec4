// SPDX-License-Identifier: MIT
/*
 * Counting semaphore (sync/sem.h): a count under a mutex, and a condvar
 * for the sleepers.  sk_sem_up signals while holding the mutex, so the
 * wake is a morph and the sleeper wakes owning it.
 */
#include <errno.h>
#include <limits.h>

#include <sync/sem.h>

void sk_sem_init(struct sk_sem *s, unsigned long count)
{
	*s = (struct sk_sem)SK_SEM_INIT(count);
}

int sk_sem_down_until(struct sk_sem *s, uint64_t deadline_ns)
{
	int ret = 0;

	sk_mutex_lock(&s->m);
	while (s->count == 0 && ret == 0)
		ret = sk_cond_wait_until(&s->nonzero, &s->m, deadline_ns);
	/* A unit that arrived as the deadline passed is still taken. */
	if (s->count > 0) {
		s->count--;
		ret = 0;
	}
	sk_mutex_unlock(&s->m);
	return ret;
}

void sk_sem_down(struct sk_sem *s)
{
	sk_sem_down_until(s, UINT64_MAX);
}

int sk_sem_try_down(struct sk_sem *s)
{
	int ret = -EAGAIN;

	sk_mutex_lock(&s->m);
	if (s->count > 0) {
		s->count--;
		ret = 0;
	}
	sk_mutex_unlock(&s->m);
	return ret;
}

int sk_sem_up(struct sk_sem *s)
{
	int ret = -EOVERFLOW;

	sk_mutex_lock(&s->m);
	if (s->count < ULONG_MAX) {
		s->count++;
		sk_cond_signal(&s->nonzero);
		ret = 0;
	}
	sk_mutex_unlock(&s->m);
	return ret;
}

unsigned long sk_sem_count(struct sk_sem *s)
{
	sk_mutex_lock(&s->m);
	unsigned long n = s->count;

	sk_mutex_unlock(&s->m);
	return n;
}
