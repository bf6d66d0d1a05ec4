/* SPDX-License-Identifier: MIT */
/*
 * The object the hash-table tests store: a 64-bit key, a generation, a
 * liveness magic that call_rcu poisons before the memory is freed.
 */
#ifndef RCU_TESTS_HOBJ_H
#define RCU_TESTS_HOBJ_H

#include "rt.h"

#include <plat/compiler.h>
#include <rcu/hash.h>
#include <rcu/rcu.h>

#define HOBJ_LIVE 0x1111222233334444ull
#define HOBJ_DEAD 0xdeaddeadbeefbeefull

struct hobj {
	uint64_t magic;
	uint64_t key;
	uint64_t gen;
	struct sk_rcu_hnode hn;
	struct sk_rcu_head rh;
};

static inline struct hobj *hobj_of(const struct sk_rcu_hnode *n)
{
	return SK_CONTAINER_OF(n, struct hobj, hn);
}

static inline bool hobj_match(const struct sk_rcu_hnode *n, const void *key)
{
	return hobj_of(n)->key == *(const uint64_t *)key;
}

static inline uint64_t hobj_hash(uint64_t key)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdull;
	key ^= key >> 33;
	return key;
}

static inline struct hobj *hobj_new(uint64_t key, uint64_t gen)
{
	struct hobj *o = rt_alloc(sizeof(*o));

	if (o) {
		o->magic = HOBJ_LIVE;
		o->key = key;
		o->gen = gen;
	}
	return o;
}

static inline void hobj_kill(struct hobj *o)
{
	o->magic = HOBJ_DEAD;
	o->key = ~0ull;
	rt_free(o);
}

static void *hobj_mem_alloc(size_t len, void *ctx)
{
	(void)ctx;
	return rt_alloc(len);
}

static void hobj_mem_free(void *p, size_t len, void *ctx)
{
	(void)ctx;
	(void)len;
	rt_free(p);
}

static const struct sk_rcu_hash_mem_ops hobj_mem = {
	.alloc = hobj_mem_alloc,
	.free = hobj_mem_free,
};

#endif
