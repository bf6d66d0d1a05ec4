// SPDX-License-Identifier: MIT
/*
 * Fair-share math (docs/sched.md has the derivation).  Each fair thread's
 * claim is its run time decayed exponentially with tau = 200 ms, weighted
 * by its priority.  Instead of decaying every thread, each CPU keeps a
 * normaliser c(t) = exp((t - epoch) / tau) and a thread's key is
 *
 *     R = w * (tau / 1024) * sum over its runs of (c(end) - c(start))
 *
 * so R / c(now) is the weighted decayed run time of every thread at once,
 * and only the running thread's R changes.  c is 16.16 fixed point; when
 * it passes 256 the epoch moves forward and every key on the CPU is
 * shifted right by 8 (order is preserved).  Integer only: this runs in
 * interrupt context, where the interrupted thread owns the FPU.
 */
#include "sched_impl.h"

enum {
	FX_ONE = 1 << 16, /* c == 1.0 */
	RENORM_BITS = 8, /* renormalise when c reaches 2^8 */
	FX_RECIP = 2030413, /* 2^48 / (tau * ln 2) */
	C_LINEAR_RECIP = 703687, /* 2^47 / tau */
};

static const uint64_t TAU_NS = 200000000; /* 200 ms */
static const uint64_t TAU_LN2_NS = 138629436; /* tau * ln 2 */
static const uint64_t RENORM_NS = 1109035489; /* 8 * tau * ln 2 */
static const uint64_t HYST_NS = 5000000; /* 5 ms hysteresis */
static const uint64_t PENALTY_NS = 20000; /* switch penalty, 20 us */
static const uint64_t SLICE_MAX_NS = 1000000000;
static const uint64_t SLICE_MIN_NS = 50000;
static const uint64_t C_LINEAR_NS = 1u << 20; /* ~1 ms */
static const uint64_t C_LINEAR_MAX = 1u << 24; /* c == 256.0 */

/* 2^(k/64) in 2.30 fixed point, k = 0..64. */
static const uint32_t exp2_tab[65] = {
	1073741824u, 1085434106u, 1097253708u, 1109202018u, 1121280436u,
	1133490379u, 1145833280u, 1158310587u, 1170923762u, 1183674286u,
	1196563654u, 1209593378u, 1222764986u, 1236080024u, 1249540052u,
	1263146652u, 1276901417u, 1290805962u, 1304861917u, 1319070932u,
	1333434672u, 1347954824u, 1362633090u, 1377471191u, 1392470869u,
	1407633882u, 1422962010u, 1438457051u, 1454120821u, 1469955159u,
	1485961921u, 1502142985u, 1518500250u, 1535035634u, 1551751076u,
	1568648537u, 1585730000u, 1602997467u, 1620452965u, 1638098541u,
	1655936265u, 1673968228u, 1692196547u, 1710623359u, 1729250827u,
	1748081133u, 1767116489u, 1786359126u, 1805811301u, 1825475297u,
	1845353420u, 1865448001u, 1885761398u, 1906295993u, 1927054196u,
	1948038440u, 1969251188u, 1990694927u, 2012372174u, 2034285470u,
	2056437387u, 2078830522u, 2101467502u, 2124350982u, 2147483648u,
};

/* exp(x / tau) in 16.16 fixed point; 0 far below, saturating far above. */
static uint64_t fx_exp(int64_t x_ns)
{
	int64_t lim = (int64_t)TAU_LN2_NS * 40;
	int64_t y, i;
	uint64_t f, v, lo, hi;

	if (x_ns <= -lim)
		return 0;
	if (x_ns > (int64_t)TAU_LN2_NS * 30)
		x_ns = (int64_t)TAU_LN2_NS * 30;
	/* log2 of c with 16 fraction bits: x * 2^16 / (tau ln 2), as a
	 * multiply by 2^48 / (tau ln 2) and a shift (no division) */
	y = (x_ns * FX_RECIP) / (1ll << 32);
	i = y >= 0 ? y / 65536 : -((-y + 65535) / 65536);
	f = (uint64_t)(y - i * 65536); /* 0..65535 */
	lo = exp2_tab[f >> 10];
	hi = exp2_tab[(f >> 10) + 1];
	v = lo + (((hi - lo) * (f & 1023)) >> 10); /* 2^f, 2.30 */
	if (i >= 14)
		return v << (i - 14);
	if (14 - i >= 64)
		return 0;
	return v >> (14 - i);
}

/*
 * c(now), from a cache: the same instant again is free, and within
 * C_LINEAR_NS of the last exact value (same epoch) c is interpolated as
 * c0 * (1 + dt / tau), a multiply instead of fx_exp.  That underestimates
 * exp by c0 * (dt / tau)^2 / 2, under 1.4e-5 of c for dt < 2^20 ns, about
 * the 16.16 resolution; errors do not accumulate because every estimate
 * starts from an exact anchor.  c0 < 2^24 (c below 256, the
 * renormalisation point) keeps c0 * dt * C_LINEAR_RECIP below 2^64.
 */
uint64_t sk_fair_c(struct sk_cpu *cpu, uint64_t now)
{
	uint64_t dt = now - cpu->c_anchor_t;

	if (now == cpu->c_now && cpu->epoch_ns == cpu->c_epoch)
		return cpu->c_val;
	if (cpu->epoch_ns == cpu->c_epoch && now >= cpu->c_anchor_t &&
	    dt < C_LINEAR_NS && cpu->c_anchor < C_LINEAR_MAX) {
		cpu->c_val = cpu->c_anchor +
			     ((cpu->c_anchor * dt * C_LINEAR_RECIP) >> 47);
	} else {
		cpu->c_val = fx_exp((int64_t)(now - cpu->epoch_ns));
		cpu->c_anchor = cpu->c_val;
		cpu->c_anchor_t = now;
		cpu->c_epoch = cpu->epoch_ns;
	}
	cpu->c_now = now;
	return cpu->c_val;
}

static bool shift_key(struct sk_pheap_node *n, void *arg)
{
	unsigned sh = *(unsigned *)arg;

	n->key = sh >= 64 ? 0 : n->key >> sh;
	return false;
}

/* Charge the running fair thread and move the epoch if c got too big. */
static void charge_to(struct sk_cpu *cpu, struct sk_thread *t, uint64_t now)
{
	uint64_t c = sk_fair_c(cpu, now);

	if (t->kind == TK_FAIR && c > cpu->run_c)
		t->rq_node.key +=
			thread_prio(t) * (TAU_NS >> 10) * (c - cpu->run_c);
	cpu->run_c = c;
}

/* Move the epoch (once c has grown by 2^8); out of line: rare. */
static SK_NOINLINE void renorm_slow(struct sk_cpu *cpu, uint64_t now)
{
	struct sk_thread *cur = cpu->current;
	uint64_t k;
	unsigned sh;

	charge_to(cpu, cur, cpu->epoch_ns + RENORM_NS);
	k = (now - cpu->epoch_ns) / RENORM_NS;
	sh = k >= 8 ? 64 : (unsigned)(k * RENORM_BITS);
	cpu->epoch_ns += k * RENORM_NS;
	sk_pheap_walk(&cpu->fair_rq, UINT32_MAX, shift_key, &sh);
	shift_key(&cur->rq_node, &sh);
	if (k > 1 && cur->kind == TK_FAIR) /* ran through: near saturation */
		cur->rq_node.key += thread_prio(cur) * (TAU_NS >> 10) *
					    (FX_ONE << RENORM_BITS) >>
				    RENORM_BITS;
	cpu->run_c = sk_fair_c(cpu, cpu->epoch_ns);
}

void sk_fair_renorm(struct sk_cpu *cpu, uint64_t now)
{
	if (now > cpu->now_ns)
		cpu->now_ns = now; /* for wakes that skip the clock (wake.c) */
	if (SK_UNLIKELY(now - cpu->epoch_ns >= RENORM_NS))
		renorm_slow(cpu, now);
}

void sk_fair_charge(struct sk_cpu *cpu, struct sk_thread *t, uint64_t now)
{
	sk_fair_renorm(cpu, now);
	charge_to(cpu, t, now);
	/* Forward only: a same-CPU wake charges with an older "now" (wake.c),
	 * which may precede the start of a run that began at a fresh reading
	 * (boot, a CPU's first thread). */
	if (now > t->run_start_ns) {
		uint64_t ct = atomic_load_explicit(&t->cpu_time_ns,
						   memory_order_relaxed);

		atomic_store_explicit(&t->cpu_time_ns,
				      ct + now - t->run_start_ns,
				      memory_order_relaxed);
		t->run_start_ns = now;
	}
}

/*
 * A thread leaving the CPU keeps its key and c(now).  Its decayed run time
 * r = key / c(now) is only worked out (two divisions) if it arrives where
 * the key cannot be reused: on another CPU, or after this one moved its
 * epoch.  Back on the same CPU in the same epoch, r * c(stamp) is the key
 * it left with, so a sleep and wake on one CPU costs no division and no
 * fx_exp.
 */
void sk_fair_depart(struct sk_cpu *cpu, struct sk_thread *t, uint64_t now)
{
	t->dep_key = t->rq_node.key;
	t->dep_c = sk_fair_c(cpu, now);
	t->dep_epoch = cpu->epoch_ns;
	t->dep_cpu1 = cpu->id + 1;
	t->r_stamp = now;
}

/* r = key / c(stamp), kept at the c == 1.0 scale. */
static void depart_resolve(struct sk_thread *t)
{
	uint64_t key = t->dep_key, c = t->dep_c;

	t->r_real = (key / c) * FX_ONE + ((key % c) * FX_ONE) / c;
	t->dep_cpu1 = 0;
}

void sk_fair_arrive(struct sk_cpu *cpu, struct sk_thread *t, uint64_t now)
{
	uint64_t m;

	sk_fair_renorm(cpu, now);
	if (t->dep_cpu1 == cpu->id + 1 && t->dep_epoch == cpu->epoch_ns) {
		t->rq_node.key = t->dep_key;
		t->dep_cpu1 = 0;
		return;
	}
	if (t->dep_cpu1)
		depart_resolve(t);
	if (!t->r_real) { /* nothing to decay (a new thread) */
		t->rq_node.key = 0;
		return;
	}
	/* decayed to now and scaled by c(now): r * exp((stamp - epoch)/tau) */
	m = fx_exp((int64_t)(t->r_stamp - cpu->epoch_ns));
	t->rq_node.key =
		(t->r_real >> 16) * m + (((t->r_real & 0xffff) * m) >> 16);
}

/* @cur leaves to sleep (charged, keeps its key and c(now)); c(now) is
 * cpu->run_c afterwards, ready for the next thread's start. */
static void charge_depart(struct sk_cpu *cpu, struct sk_thread *cur,
			  uint64_t now)
{
	sk_fair_charge(cpu, cur, now);
	cur->dep_key = cur->rq_node.key;
	cur->dep_c = cpu->run_c; /* c(now), just computed by the charge */
	cur->dep_epoch = cpu->epoch_ns;
	cur->dep_cpu1 = cpu->id + 1;
	cur->r_stamp = now;
}

/*
 * The accounting of a direct same-CPU hand-off (core.c: switch_to) in one
 * pass: charge @cur and let it depart, let @next arrive and start it, with
 * one c(now).  Both fair; @next comes back from a sleep on this CPU; the
 * fair runqueue is empty (so no switch penalty).
 */
void sk_fair_handoff(struct sk_cpu *cpu, struct sk_thread *cur,
		     struct sk_thread *next, uint64_t now)
{
	charge_depart(cpu, cur, now);
	if (next->dep_cpu1 == cpu->id + 1 && next->dep_epoch == cpu->epoch_ns) {
		next->rq_node.key = next->dep_key;
		next->dep_cpu1 = 0;
	} else {
		sk_fair_arrive(cpu, next, now);
	}
	next->run_start_ns = now;
}

/* Same, for @next taken from the runqueue (already arrived), which is
 * empty now (core.c: sleep_to_only_rival). */
void sk_fair_switch_sleep(struct sk_cpu *cpu, struct sk_thread *cur,
			  struct sk_thread *next, uint64_t now)
{
	charge_depart(cpu, cur, now);
	next->run_start_ns = now;
}

void sk_fair_start(struct sk_cpu *cpu, struct sk_thread *t, uint64_t now)
{
	cpu->run_c = sk_fair_c(cpu, now);
	t->run_start_ns = now;
	if (t->kind == TK_FAIR && !sk_pheap_is_empty(&cpu->fair_rq))
		t->rq_node.key +=
			thread_prio(t) * cpu->run_c * PENALTY_NS / 1024;
}

static uint64_t hysteresis(const struct sk_cpu *cpu, const struct sk_thread *t)
{
	return thread_prio(t) * cpu->run_c * HYST_NS / 1024;
}

bool sk_fair_should_switch(struct sk_cpu *cpu, struct sk_thread *cur,
			   struct sk_thread *best, uint64_t now)
{
	(void)now;
	if (!best)
		return false;
	if (cur->kind == TK_IDLE)
		return true;
	if (best->kind == TK_FIFO)
		return cur->kind != TK_FIFO || best->rt_prio > cur->rt_prio;
	if (cur->kind == TK_FIFO)
		return false;
	return cur->rq_node.key >= best->rq_node.key + hysteresis(cpu, cur);
}

uint64_t sk_fair_deadline(struct sk_cpu *cpu, struct sk_thread *cur,
			  struct sk_thread *best, uint64_t now)
{
	uint64_t target, diff, rate, dt;

	if (!best || cur->kind != TK_FAIR || best->kind != TK_FAIR)
		return NO_DEADLINE;
	target = best->rq_node.key + hysteresis(cpu, cur);
	if (cur->rq_node.key >= target)
		return now + SLICE_MIN_NS;
	diff = target - cur->rq_node.key;
	rate = thread_prio(cur) * cpu->run_c; /* key units per 1024 ns */
	if (SK_LIKELY(diff < (uint64_t)1 << 53)) /* diff * 1024 fits */
		dt = diff * 1024 / rate;
	else
		dt = (diff / rate) * 1024 + ((diff % rate) * 1024) / rate;
	if (dt < SLICE_MIN_NS)
		dt = SLICE_MIN_NS;
	if (dt > SLICE_MAX_NS)
		dt = SLICE_MAX_NS;
	return now + dt;
}

void sk_fair_yield(struct sk_cpu *cpu, struct sk_thread *t)
{
	struct sk_pheap_node *best = sk_pheap_peek(&cpu->fair_rq);

	if (t->kind == TK_FAIR && best && t->rq_node.key <= best->key)
		t->rq_node.key = best->key + 1;
}
