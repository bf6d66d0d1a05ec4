// SPDX-License-Identifier: MIT
/*
 * The liburcu backend (skiff-rcu-urcu): the RCU API for ordinary Linux
 * programs on pthreads.  Read side and grace periods come from liburcu's
 * urcu-memb flavour: its readers need no quiescent-state announcements
 * (urcu-qsbr would make every skiff caller sprinkle them) and it uses
 * membarrier(2) instead of signals (urcu-signal would take a signal).  A
 * thread is registered with liburcu on its first sk_rcu_read_lock() and
 * unregistered when it exits.  sk_call_rcu and the hash table are the
 * shared code, on lib/sync's pthread port for wait/wake.
 *
 * liburcu is LGPL: this file calls its exported functions only (no
 * _LGPL_SOURCE inlining), so a program links it dynamically.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>

#include <urcu/urcu-memb.h>

#include <plat/assert.h>
#include <plat/compiler.h>
#include <sched/preempt.h>

#include "internal.h"

enum { URCU_SHARDS = 16 };

/*
 * liburcu is not built with ThreadSanitizer, so TSan cannot see that a
 * grace period orders every earlier reader before the updater's frees.
 * Tell it: each read_unlock releases, each grace period acquires, one
 * sync object.  Only in TSan builds.
 */
#if defined(__SANITIZE_THREAD__)
#define RCU_URCU_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RCU_URCU_TSAN 1
#endif
#endif
#ifdef RCU_URCU_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
static char tsan_gp;
#define TSAN_RELEASE() __tsan_release(&tsan_gp)
#define TSAN_ACQUIRE() __tsan_acquire(&tsan_gp)
#else
#define TSAN_RELEASE() ((void)0)
#define TSAN_ACQUIRE() ((void)0)
#endif

static pthread_key_t reg_key;
static pthread_once_t reg_once = PTHREAD_ONCE_INIT;
static _Thread_local int reg_done;
static _Thread_local unsigned shard_plus1;
static atomic_uint shard_next;
static atomic_uint_least64_t gps, expedited;

static void reg_thread_exit(void *p)
{
	(void)p;
	urcu_memb_unregister_thread();
}

static void reg_key_make(void)
{
	if (pthread_key_create(&reg_key, reg_thread_exit) != 0)
		SK_PANIC("rcu-urcu: no thread key");
}

static SK_NOINLINE void reg_thread(void)
{
	pthread_once(&reg_once, reg_key_make);
	urcu_memb_register_thread();
	pthread_setspecific(reg_key, &reg_done);
	reg_done = 1;
}

void sk_rcu_read_lock(void)
{
	if (SK_UNLIKELY(!reg_done))
		reg_thread();
	urcu_memb_read_lock();
}

void sk_rcu_read_unlock(void)
{
	TSAN_RELEASE();
	urcu_memb_read_unlock();
}

bool sk_rcu_read_is_held(void)
{
	return reg_done && urcu_memb_read_ongoing();
}

void sk_synchronize_rcu(void)
{
	SK_ASSERT(!sk_rcu_read_is_held(),
		  "rcu: grace-period wait inside a read-side section");
	urcu_memb_synchronize_rcu();
	TSAN_ACQUIRE();
	atomic_fetch_add_explicit(&gps, 1, memory_order_relaxed);
}

void sk_synchronize_rcu_expedited(void)
{
	/* urcu-memb's grace periods are already expedited (membarrier) */
	SK_ASSERT(!sk_rcu_read_is_held(),
		  "rcu: grace-period wait inside a read-side section");
	urcu_memb_synchronize_rcu();
	TSAN_ACQUIRE();
	atomic_fetch_add_explicit(&expedited, 1, memory_order_relaxed);
}

int sk_rcu_init(void)
{
	return sk_rcu_cb_start();
}

unsigned sk_rcu_be_shards(void)
{
	return URCU_SHARDS;
}

unsigned sk_rcu_be_shard_id(void)
{
	if (SK_UNLIKELY(!shard_plus1))
		shard_plus1 = atomic_fetch_add_explicit(&shard_next, 1,
							memory_order_relaxed) %
				      URCU_SHARDS +
			      1;
	return shard_plus1 - 1;
}

bool sk_rcu_be_may_block(void)
{
	return sk_preempt_is_enabled() && !sk_rcu_read_is_held();
}

struct start_arg {
	void (*fn)(void *);
	void *arg;
};

static struct start_arg start_arg;

static void *thread_entry(void *p)
{
	struct start_arg *a = p;

	a->fn(a->arg);
	return NULL;
}

int sk_rcu_be_thread_start(void (*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	pthread_t t;
	int err;

	start_arg.fn = fn; /* once: sk_rcu_cb_start lets one caller in */
	start_arg.arg = arg;
	if (pthread_attr_init(&attr))
		return -EAGAIN;
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&t, &attr, thread_entry, &start_arg);
	pthread_attr_destroy(&attr);
	return err ? -EAGAIN : 0;
}

void sk_rcu_be_stats(struct sk_rcu_stats *out)
{
	out->gps = atomic_load_explicit(&gps, memory_order_relaxed);
	out->expedited = atomic_load_explicit(&expedited, memory_order_relaxed);
	out->kicks = 0;
	out->barriers = 0;
}
