// SPDX-License-Identifier: MIT
/*
 * rcutorture in small: readers keep dereferencing objects that writers
 * replace and retire (call_rcu, synchronize, expedited synchronize).
 * A retired object is poisoned and then really freed, so a reader that
 * still holds one sees a bad magic, a broken check word, or (once malloc
 * reuses the memory) a generation that changes under it; ASan reports the
 * access itself.  More threads than vCPUs, a bounded number of updates.
 */
#include "rt.h"

#include <plat/compiler.h>
#include <rcu/rcu.h>

enum {
	SLOTS = 4,
	READERS = 4,
	WRITERS = 3,
	UPDATES = 1500 * STRESS_SCALE, /* per writer */
	LINGER = 1024, /* reader re-reads per section */
};

static const uint64_t MAGIC = 0x5ca1ab1e0ddba11ull;
static const uint64_t POISON = 0xdeaddeaddeaddeadull;
static const uint64_t SALT = 0x9e3779b97f4a7c15ull;

struct tobj {
	uint64_t magic;
	uint64_t gen;
	uint64_t check; /* gen ^ SALT */
	struct sk_rcu_head rh;
};

enum err_kind {
	ERR_NONE = 0,
	ERR_NULL = 1,
	ERR_MAGIC = 2,
	ERR_CHECK = 3,
	ERR_CHANGED = 4,
};

static _Atomic(struct tobj *) slots[SLOTS];
static atomic_uint_least64_t next_gen;
static atomic_int stop;
static atomic_int first_err;
static atomic_uint_least64_t errors, reads, retired_cb;

static struct tobj *obj_new(void)
{
	struct tobj *o = rt_alloc(sizeof(*o));

	if (!o)
		return NULL;
	o->gen = atomic_fetch_add(&next_gen, 1) + 1;
	o->check = o->gen ^ SALT;
	o->magic = MAGIC;
	return o;
}

static void obj_kill(struct tobj *o)
{
	o->magic = POISON;
	o->gen = POISON;
	o->check = 0;
	rt_free(o);
}

static void obj_retire_cb(struct sk_rcu_head *h)
{
	obj_kill(SK_CONTAINER_OF(h, struct tobj, rh));
	atomic_fetch_add_explicit(&retired_cb, 1, memory_order_relaxed);
}

static void note_err(enum err_kind k)
{
	int none = ERR_NONE;

	atomic_fetch_add(&errors, 1);
	atomic_compare_exchange_strong(&first_err, &none, (int)k);
}

static enum err_kind check_obj(const volatile struct tobj *o, uint64_t gen)
{
	if (o->magic != MAGIC)
		return ERR_MAGIC;
	if (o->check != (o->gen ^ SALT))
		return ERR_CHECK;
	if (o->gen != gen)
		return ERR_CHANGED;
	return ERR_NONE;
}

static void reader(void *arg)
{
	uint64_t seed = (uintptr_t)arg * 7919 + 1, n = 0;

	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		const volatile struct tobj *o;
		enum err_kind k = ERR_NONE;
		uint64_t gen;

		sk_rcu_read_lock();
		o = sk_rcu_dereference(slots[rt_rand(&seed) % SLOTS]);
		if (!o) {
			k = ERR_NULL;
		} else {
			gen = o->gen;
			for (unsigned i = 0; i < LINGER && !k; i++)
				k = check_obj(o, gen);
		}
		sk_rcu_read_unlock();
		if (k)
			note_err(k);
		n++;
	}
	atomic_fetch_add(&reads, n);
}

enum wmode { W_CALL_RCU = 0, W_SYNC = 1, W_EXPEDITED = 2 };

static void writer(void *arg)
{
	enum wmode mode = (enum wmode)(uintptr_t)arg;
	uint64_t seed = (uintptr_t)arg * 104729 + 3;

	for (unsigned i = 0; i < UPDATES; i++) {
		struct tobj *o = obj_new(), *old;

		if (!o) {
			note_err(ERR_NULL);
			break;
		}
		/* acq_rel: release publishes @o; acquire gets @old whole */
		old = atomic_exchange_explicit(&slots[rt_rand(&seed) % SLOTS],
					       o, memory_order_acq_rel);
		if (mode == W_CALL_RCU) {
			sk_call_rcu(&old->rh, obj_retire_cb);
			continue;
		}
		if (mode == W_SYNC)
			sk_synchronize_rcu();
		else
			sk_synchronize_rcu_expedited();
		obj_kill(old);
	}
}

static void test_torture_readers_never_see_freed(void **state)
{
	struct rt_thread *r[READERS], *w[WRITERS];
	struct sk_rcu_stats st;

	(void)state;
	for (unsigned i = 0; i < SLOTS; i++) {
		struct tobj *o = obj_new();

		assert_non_null(o);
		sk_rcu_assign_pointer(slots[i], o);
	}
	for (unsigned i = 0; i < READERS; i++) {
		r[i] = rt_spawn(RT_ANY_CPU, reader, (void *)(uintptr_t)i);
		assert_non_null(r[i]);
	}
	for (unsigned i = 0; i < WRITERS; i++) {
		w[i] = rt_spawn(RT_ANY_CPU, writer, (void *)(uintptr_t)i);
		assert_non_null(w[i]);
	}
	for (unsigned i = 0; i < WRITERS; i++)
		rt_join(w[i]);
	atomic_store(&stop, 1);
	for (unsigned i = 0; i < READERS; i++)
		rt_join(r[i]);
	sk_rcu_barrier();
	for (unsigned i = 0; i < SLOTS; i++)
		obj_kill(sk_rcu_dereference_protected(slots[i]));
	assert_int_equal(atomic_load(&first_err), ERR_NONE);
	assert_int_equal(atomic_load(&errors), 0);
	assert_true(atomic_load(&reads) > 0);
	assert_int_equal(atomic_load(&retired_cb), UPDATES);
	assert_int_equal(sk_rcu_stats_get(&st), 0);
	assert_true(st.cbs_invoked == st.cbs_queued);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		rt_test(test_torture_readers_never_see_freed),
	};

	return rt_main("rcu_torture", tests, sizeof(tests) / sizeof(tests[0]));
}
