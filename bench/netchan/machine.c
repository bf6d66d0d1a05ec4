// SPDX-License-Identifier: MIT
/*
 * bench_netchan, the part on the hosted skiff machine (2 vCPUs): flow
 * lookups in RCU hash tables keyed by SipHash-2-4 or by OSv's XOR of the
 * tuple, with ordinary and with XOR-colliding flows; and the wake latency
 * of a net channel whose consumer sleeps on another vCPU.
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <hosted/boot.h>
#include <plat/boot.h>
#include <plat/cpu.h>
#include <plat/time.h>
#include <rcu/hash.h>
#include <rcu/rcu.h>
#include <sched/cpu.h>
#include <sched/preempt.h>
#include <sched/thread.h>

#include <netchan/channel.h>
#include <netchan/flow.h>
#include <netchan/siphash.h>

int bm_run(unsigned wakes, double peer_eventfd_ns);

enum { NFLOWS = 1024 };

struct fnode {
	struct sk_rcu_hnode h;
	struct sk_flow_key key;
};

static unsigned bm_wakes;
static double bm_peer_ns;
static struct sk_siphash_key sipkey;

static void *bm_alloc(size_t len, void *ctx)
{
	void *p;

	(void)ctx;
	sk_preempt_disable();
	p = aligned_alloc(64, (len + 63) & ~(size_t)63);
	sk_preempt_enable();
	return p;
}

static void bm_free(void *p, size_t len, void *ctx)
{
	(void)ctx;
	(void)len;
	sk_preempt_disable();
	free(p);
	sk_preempt_enable();
}

static const struct sk_rcu_hash_mem_ops bm_mem = { bm_alloc, bm_free, NULL };

static void say(const char *fig, double skiff, const char *peer, double p,
		const char *unit, int higher_better)
{
	sk_preempt_disable();
	printf("%s: skiff %.2f %s, %s %.2f %s, ratio %.2f\n", fig, skiff, unit,
	       peer, p, unit, higher_better ? skiff / p : p / skiff);
	sk_preempt_enable();
}

static bool fmatch(const struct sk_rcu_hnode *n, const void *key)
{
	const struct fnode *f = (const struct fnode *)(const void *)n;

	return memcmp(&f->key, key, sizeof(f->key)) == 0;
}

static uint64_t hash_sip(const struct sk_flow_key *k)
{
	return sk_siphash(&sipkey, k, sizeof(*k));
}

/* OSv's flow hash: the XOR of addresses and ports. */
static uint64_t hash_xor(const struct sk_flow_key *k)
{
	uint32_t s, d;

	memcpy(&s, k->src, 4);
	memcpy(&d, k->dst, 4);
	return s ^ d ^ k->sport ^ k->dport;
}

static void make_keys(struct sk_flow_key *keys, int flood)
{
	for (unsigned i = 0; i < NFLOWS; i++) {
		struct sk_flow_key *k = &keys[i];

		memset(k, 0, sizeof(*k));
		k->family = SK_FLOW_IPV4;
		k->proto = SK_FLOW_PROTO_TCP;
		k->src[0] = 10;
		k->src[2] = flood ? 1 : (uint8_t)(i >> 8);
		k->src[3] = flood ? 1 : (uint8_t)i;
		k->dst[0] = 10;
		k->dst[3] = 1;
		/* flood: sport == dport, so every XOR hash is the same */
		k->sport = (uint16_t)(1024 + i);
		k->dport = flood ? k->sport : 80;
	}
}

static double lookups(uint64_t (*hash)(const struct sk_flow_key *),
		      const struct sk_flow_key *keys, uint64_t n)
{
	struct sk_rcu_hash_attr a = { .match = fmatch,
				      .mem = &bm_mem,
				      .flags = SK_RCU_HASH_AUTO_RESIZE };
	struct sk_rcu_hash ht;
	struct fnode *nodes = bm_alloc(sizeof(*nodes) * NFLOWS, NULL);
	uint64_t t0, found = 0;

	if (!nodes || sk_rcu_hash_init(&ht, &a))
		sk_plat_shutdown(2);
	for (unsigned i = 0; i < NFLOWS; i++) {
		nodes[i].key = keys[i];
		sk_rcu_hash_insert(&ht, &nodes[i].h, hash(&keys[i]), &keys[i]);
	}
	t0 = sk_plat_clock_ns();
	for (uint64_t i = 0; i < n; i += 64) {
		sk_rcu_read_lock();
		for (unsigned j = 0; j < 64; j++) {
			const struct sk_flow_key *k = &keys[(i + j) % NFLOWS];

			found += sk_rcu_hash_lookup(&ht, hash(k), k) != NULL;
		}
		sk_rcu_read_unlock();
	}
	t0 = sk_plat_clock_ns() - t0;
	for (unsigned i = 0; i < NFLOWS; i++)
		sk_rcu_hash_remove(&ht, &nodes[i].h);
	sk_synchronize_rcu();
	sk_rcu_hash_fini(&ht);
	bm_free(nodes, 0, NULL);
	if (found != (n + 63) / 64 * 64)
		sk_plat_shutdown(3);
	return (double)n * 1e3 / (double)t0;
}

static double med(double *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
			double t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v[n / 2];
}

static void lookup_figures(void)
{
	static struct sk_flow_key keys[NFLOWS], flood[NFLOWS];
	double s[5], x[5];

	make_keys(keys, 0);
	make_keys(flood, 1);
	for (unsigned r = 0; r < 5; r++) {
		s[r] = lookups(hash_sip, keys, 4000000);
		x[r] = lookups(hash_xor, keys, 4000000);
	}
	say("flow lookups, 1024 flows", med(s, 5), "XOR hash", med(x, 5),
	    "Mlookups/s", 1);
	for (unsigned r = 0; r < 5; r++) {
		s[r] = lookups(hash_sip, flood, 200000);
		x[r] = lookups(hash_xor, flood, 200000);
	}
	say("flow lookups, 1024 XOR-colliding flows", med(s, 5), "XOR hash",
	    med(x, 5), "Mlookups/s", 1);
}

/* Wake latency: the consumer sleeps in sk_channel_wait on vCPU 1. */
static struct sk_channel wch;
static void *wslots[64];
static uint64_t *t_sent, *t_woke;
static atomic_uint woke;

static void wsink(void *arg, struct sk_channel *ch, struct sk_pbuf **pkts,
		  unsigned n)
{
	(void)arg;
	(void)ch;
	(void)pkts;
	(void)n;
}

static void wconsumer(void *arg)
{
	(void)arg;
	for (unsigned i = 0; i < bm_wakes; i++) {
		while (!sk_channel_is_ready(&wch))
			sk_channel_wait(&wch, UINT64_MAX);
		t_woke[i] = sk_plat_clock_ns();
		sk_channel_drain(&wch, 0);
		atomic_store_explicit(&woke, i + 1, memory_order_release);
	}
}

static void wake_figure(void)
{
	struct sk_thread_attr a = { 0 };
	struct sk_cpuset set, me;
	struct sk_thread *t;
	double *d;

	t_sent = bm_alloc(sizeof(uint64_t) * bm_wakes, NULL);
	t_woke = bm_alloc(sizeof(uint64_t) * bm_wakes, NULL);
	d = bm_alloc(sizeof(double) * bm_wakes, NULL);
	sk_channel_init(&wch, wslots, 64, wsink, NULL);
	sk_cpuset_zero(&set);
	sk_cpuset_add(&set, 1);
	sk_cpuset_zero(&me);
	sk_cpuset_add(&me, 0);
	sk_thread_set_affinity(&me);
	a.affinity = &set;
	sk_thread_create(&t, &a, wconsumer, NULL);
	for (unsigned i = 0; i < bm_wakes; i++) {
		struct sk_pbuf *p = (struct sk_pbuf *)(uintptr_t)(i + 1);

		while (!atomic_load(&wch.pe.armed))
			sk_thread_yield();
		sk_thread_sleep_for(200000); /* let vCPU 1 go idle */
		t_sent[i] = sk_plat_clock_ns();
		sk_channel_send(&wch, &p, 1);
		while (atomic_load_explicit(&woke, memory_order_acquire) <= i)
			sk_thread_yield();
	}
	sk_thread_join(t);
	for (unsigned i = 0; i < bm_wakes; i++)
		d[i] = (double)(t_woke[i] - t_sent[i]);
	say("wake latency producer to sleeping consumer", med(d, bm_wakes),
	    "eventfd", bm_peer_ns, "ns", 0);
}

static void bm_boot(void *arg)
{
	static const struct sk_sched_mem_ops ops = { bm_alloc, bm_free, NULL };

	(void)arg;
	if (sk_sched_init(&ops) || sk_rcu_init() ||
	    getrandom(&sipkey, sizeof(sipkey), 0) != sizeof(sipkey))
		sk_plat_shutdown(1);
	lookup_figures();
	wake_figure();
	sk_plat_shutdown(0);
}

int bm_run(unsigned wakes, double peer_eventfd_ns)
{
	struct sk_hosted_config cfg = { .ncpus = 2 };

	bm_wakes = wakes;
	bm_peer_ns = peer_eventfd_ns;
	return sk_hosted_boot(&cfg, bm_boot, NULL);
}
