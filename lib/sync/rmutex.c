// SPDX-License-Identifier: MIT
/*
 * The recursive mutex: a struct sk_mutex plus a depth that only the owner
 * touches.  "Do I own it" reads the mutex's owner field, which only the
 * calling thread can set to itself, so a relaxed read is exact.
 */
#include <errno.h>
#include <limits.h>

#include <plat/assert.h>
#include <sync/mutex.h>

void sk_rmutex_init(struct sk_rmutex *r)
{
	*r = (struct sk_rmutex)SK_RMUTEX_INIT;
}

/* Return: 1 if the caller already owned @r (depth raised), 0 if not. */
static int rmutex_deepen(struct sk_rmutex *r, int *err)
{
	*err = 0;
	if (!sk_mutex_is_owned(&r->m))
		return 0;
	if (r->depth == UINT_MAX)
		*err = -EOVERFLOW;
	else
		r->depth++;
	return 1;
}

void sk_rmutex_lock(struct sk_rmutex *r)
{
	int err;

	if (rmutex_deepen(r, &err)) {
		SK_ASSERT(err == 0, "recursive mutex depth overflow");
		return;
	}
	sk_mutex_lock(&r->m);
	r->depth = 1;
}

int sk_rmutex_try_lock(struct sk_rmutex *r)
{
	int err;

	if (rmutex_deepen(r, &err))
		return err;
	if (sk_mutex_try_lock(&r->m) != 0)
		return -EBUSY;
	r->depth = 1;
	return 0;
}

int sk_rmutex_lock_until(struct sk_rmutex *r, uint64_t deadline_ns)
{
	int err;

	if (rmutex_deepen(r, &err))
		return err;
	err = sk_mutex_lock_until(&r->m, deadline_ns);
	if (err == 0)
		r->depth = 1;
	return err;
}

void sk_rmutex_unlock(struct sk_rmutex *r)
{
	SK_ASSERT(sk_mutex_is_owned(&r->m) && r->depth > 0,
		  "recursive mutex unlocked by a thread that does not own it");
	if (--r->depth == 0)
		sk_mutex_unlock(&r->m);
}

bool sk_rmutex_is_locked(const struct sk_rmutex *r)
{
	return sk_mutex_is_locked(&r->m);
}

unsigned sk_rmutex_depth(const struct sk_rmutex *r)
{
	return sk_mutex_is_owned(&r->m) ? r->depth : 0;
}
