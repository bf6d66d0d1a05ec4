// SPDX-License-Identifier: MIT
/*
 * A state dump for hangs (sched/cpu.h: sk_sched_debug_dump): every CPU's
 * scheduler words and every registered thread, printed on the platform
 * console.  It reads everything without locks or atomics' ordering, from
 * any context (lib/sched registers it as the SK_PLAT_IRQ_DEBUG handler, so
 * under Xen the debug key 'q' prints it), so the picture can be torn; it is
 * for a machine that is stuck, where nothing moves any more.
 */
#include <plat/console.h>
#include <plat/irq.h>
#include <plat/time.h>
#include <sched/cpu.h>

#include "sched_impl.h"

struct line {
	char buf[200];
	unsigned len;
};

static void put_str(struct line *l, const char *s)
{
	while (*s && l->len < sizeof(l->buf) - 1)
		l->buf[l->len++] = *s++;
}

static void put_num(struct line *l, uint64_t v, unsigned base)
{
	char tmp[24];
	unsigned n = 0;

	if (v == NO_DEADLINE) {
		put_str(l, "none");
		return;
	}
	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (base == 16)
		put_str(l, "0x");
	while (n && l->len < sizeof(l->buf) - 1)
		l->buf[l->len++] = tmp[--n];
}

/* " key=value" in decimal; a deadline as microseconds from @now. */
static void put_kv(struct line *l, const char *key, uint64_t v)
{
	put_str(l, " ");
	put_str(l, key);
	put_str(l, "=");
	put_num(l, v, 10);
}

static void put_due(struct line *l, const char *key, uint64_t at, uint64_t now)
{
	put_str(l, " ");
	put_str(l, key);
	put_str(l, "=");
	if (at == NO_DEADLINE || at == 0) {
		put_str(l, at ? "none" : "0");
		return;
	}
	if (at < now) {
		put_str(l, "-");
		put_num(l, (now - at) / 1000, 10);
	} else {
		put_num(l, (at - now) / 1000, 10);
	}
	put_str(l, "us");
}

static void line_end(struct line *l)
{
	l->buf[l->len++] = '\n';
	sk_plat_console_write(l->buf, l->len);
	l->len = 0;
}

static void dump_cpu(const struct sk_cpu *c, uint64_t now)
{
	const struct sk_pheap_node *top = c->timers.root;
	const struct sk_thread *cur = c->current;
	struct line l = { .len = 0 };

	put_str(&l, "sched cpu ");
	put_num(&l, c->id, 10);
	put_kv(&l, "current", cur ? cur->id : 0);
	put_kv(&l, "queued", c->nr_queued);
	put_kv(&l, "idle_now",
	       atomic_load_explicit(&c->idle_now, memory_order_relaxed));
	put_kv(&l, "eqs", atomic_load_explicit(&c->eqs, memory_order_relaxed));
	put_str(&l, " inq_mask=");
	put_num(&l, atomic_load_explicit(&c->inq_mask[0], memory_order_relaxed),
		16);
	put_due(&l, "look",
		atomic_load_explicit(&c->next_look_ns, memory_order_relaxed),
		now);
	put_due(&l, "hw", c->hw_deadline, now);
	put_due(&l, "preempt", c->preempt_deadline, now);
	put_due(&l, "timer", top ? top->key : NO_DEADLINE, now);
	line_end(&l);
}

static void dump_thread(const struct sk_thread *t, uint64_t now)
{
	static const char *const states[] = { "running", "waiting", "sleeping",
					      "waking", "dead" };
	unsigned s = atomic_load_explicit(&t->state, memory_order_relaxed);
	struct line l = { .len = 0 };

	put_str(&l, "sched thread ");
	put_num(&l, t->id, 10);
	put_str(&l, " \"");
	put_str(&l, t->name);
	put_str(&l, "\" ");
	put_str(&l, s < 5 ? states[s] : "?");
	put_kv(&l, "cpu", atomic_load_explicit(&t->cpu, memory_order_relaxed));
	put_kv(&l, "on_cpu",
	       atomic_load_explicit(&t->on_cpu, memory_order_relaxed));
	put_kv(&l, "queued", t->queued);
	put_kv(&l, "flags", t->flags);
	put_due(&l, "timer", t->timers ? t->timers->node.key : NO_DEADLINE,
		now);
	if (!atomic_load_explicit(&t->on_cpu, memory_order_relaxed) &&
	    s != TS_DEAD) {
		uintptr_t pcs[8];
		unsigned n = sk_arch_context_pcs(&t->ctx, pcs, 8);

		put_str(&l, " at");
		for (unsigned i = 0; i < n; i++) {
			put_str(&l, " ");
			put_num(&l, pcs[i], 16);
		}
	}
	line_end(&l);
}

void sk_sched_debug_dump(void)
{
	uint64_t now = sk_plat_clock_ns();
	struct line l = { .len = 0 };

	if (!sk_sched_cpus)
		return;
	put_str(&l, "sched dump: ");
	put_num(&l, sk_sched_ncpus, 10);
	put_str(&l, " cpus, deadlines in us from now");
	line_end(&l);
	for (unsigned i = 0; i < sk_sched_ncpus; i++)
		dump_cpu(&sk_sched_cpus[i], now);
	for (unsigned i = 0; i < sk_sched_ncpus; i++)
		for (const struct sk_thread *t = atomic_load_explicit(
			     &sk_sched_cpus[i].reg_head, memory_order_relaxed);
		     t; t = atomic_load_explicit(&t->reg_next,
						 memory_order_relaxed))
			dump_thread(t, now);
}
