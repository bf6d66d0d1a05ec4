// SPDX-License-Identifier: MIT
/*
 * The pbuf pool (netchan/pbuf.h): a fixed set of buffers in caller memory.
 * Each CPU keeps up to SK_PBUF_CACHE free buffers, touched only with irqs
 * off on that CPU (so interrupt handlers may allocate too); misses and
 * overflows move SK_PBUF_BATCH buffers to or from a global Treiber stack.
 *
 * free_top state table (64 bits: tag << 32 | top):
 *   top == 0          stack empty
 *   top == i + 1      bufs[i] is on top; its free_next links the rest
 *   tag               incremented by every push and pop, so a pop that
 *                     read a stale free_next fails its CAS (ABA)
 * push: (t, x) -> (t + 1, i + 1) after free_next := x   (CAS, release)
 * pop:  (t, i + 1) -> (t + 1, bufs[i].free_next)         (CAS, acquire)
 */
#include <errno.h>
#include <string.h>

#include <plat/compiler.h>
#include <plat/cpu.h>
#include <plat/irq.h>

#include <netchan/pbuf.h>

struct sk_pbuf_cache {
	SK_CACHE_ALIGNED uint32_t n;
	struct sk_pbuf *objs[SK_PBUF_CACHE];
};

enum { POOL_ALIGN = SK_CACHELINE, BUF_LEN_MIN = 64 };

struct layout {
	size_t caches, descs, data, total;
};

static size_t round_up(size_t x)
{
	return (x + POOL_ALIGN - 1) & ~(size_t)(POOL_ALIGN - 1);
}

static int pool_layout(const struct sk_pbuf_pool_attr *a, unsigned ncpus,
		       struct layout *l)
{
	size_t buf_len;

	if (!a || a->nbufs == 0 || a->buf_len < BUF_LEN_MIN ||
	    a->headroom >= a->buf_len || a->nbufs > UINT32_MAX - 1)
		return -EINVAL;
	buf_len = round_up(a->buf_len);
	if ((SIZE_MAX / 2) / buf_len < a->nbufs)
		return -EINVAL;
	l->caches = 0;
	l->descs = round_up((size_t)ncpus * sizeof(struct sk_pbuf_cache));
	l->data =
		l->descs + round_up((size_t)a->nbufs * sizeof(struct sk_pbuf));
	l->total = l->data + (size_t)a->nbufs * buf_len;
	return 0;
}

size_t sk_pbuf_pool_mem_size(const struct sk_pbuf_pool_attr *attr)
{
	struct layout l;

	if (pool_layout(attr, sk_plat_cpu_count(), &l))
		return 0;
	return l.total;
}

static void global_push(struct sk_pbuf_pool *pool, struct sk_pbuf *p)
{
	uint64_t old =
		atomic_load_explicit(&pool->free_top, memory_order_relaxed);
	uint64_t new;

	do {
		atomic_store_explicit(&p->free_next, (uint32_t)old,
				      memory_order_relaxed);
		new = ((old >> 32) + 1) << 32 | (p->index + 1);
		/* release: free_next and the buffer's last use before it can
		 * be popped (pairs with the acquire in global_pop). */
	} while (!atomic_compare_exchange_weak_explicit(
		&pool->free_top, &old, new, memory_order_release,
		memory_order_relaxed));
}

static struct sk_pbuf *global_pop(struct sk_pbuf_pool *pool)
{
	/* acquire: see free_next as the pusher wrote it (pairs with the
	 * release CAS in global_push). */
	uint64_t old =
		atomic_load_explicit(&pool->free_top, memory_order_acquire);
	uint64_t new;
	struct sk_pbuf *p;

	do {
		uint32_t top = (uint32_t)old;

		if (top == 0)
			return NULL;
		p = &pool->bufs[top - 1];
		new = ((old >> 32) + 1) << 32 |
		      atomic_load_explicit(&p->free_next, memory_order_relaxed);
	} while (!atomic_compare_exchange_weak_explicit(
		&pool->free_top, &old, new, memory_order_acquire,
		memory_order_acquire));
	return p;
}

static void pbuf_setup(struct sk_pbuf_pool *pool, struct sk_pbuf *p,
		       uint8_t *base, uint32_t index)
{
	memset(p, 0, sizeof(*p));
	p->base = base;
	p->cap = pool->buf_len;
	p->pool = pool;
	p->index = index;
	atomic_init(&p->free_next, 0);
}

int sk_pbuf_pool_init(struct sk_pbuf_pool *pool, void *mem, size_t mem_len,
		      const struct sk_pbuf_pool_attr *attr)
{
	unsigned ncpus = sk_plat_cpu_count();
	struct layout l;
	uint8_t *m = mem;
	size_t stride;

	if (!pool || !m || ((uintptr_t)m & (POOL_ALIGN - 1)) ||
	    pool_layout(attr, ncpus, &l) || mem_len < l.total)
		return -EINVAL;
	stride = round_up(attr->buf_len);
	atomic_init(&pool->free_top, 0);
	pool->caches = (struct sk_pbuf_cache *)(void *)(m + l.caches);
	pool->bufs = (struct sk_pbuf *)(void *)(m + l.descs);
	pool->ncpus = ncpus;
	pool->nbufs = attr->nbufs;
	pool->buf_len = (uint32_t)attr->buf_len;
	pool->headroom =
		attr->headroom ? attr->headroom : SK_PBUF_HEADROOM_DEFAULT;
	if (pool->headroom >= pool->buf_len)
		pool->headroom = pool->buf_len / 2;
	for (unsigned c = 0; c < ncpus; c++)
		pool->caches[c].n = 0;
	for (uint32_t i = attr->nbufs; i-- > 0;) {
		pbuf_setup(pool, &pool->bufs[i], m + l.data + i * stride, i);
		global_push(pool, &pool->bufs[i]);
	}
	return 0;
}

static void cache_refill(struct sk_pbuf_pool *pool, struct sk_pbuf_cache *c)
{
	while (c->n < SK_PBUF_BATCH) {
		struct sk_pbuf *p = global_pop(pool);

		if (!p)
			break;
		c->objs[c->n++] = p;
	}
}

struct sk_pbuf *sk_pbuf_alloc(struct sk_pbuf_pool *pool)
{
	sk_plat_irq_flags fl = sk_plat_irq_save();
	struct sk_pbuf_cache *c = &pool->caches[sk_plat_cpu_id()];
	struct sk_pbuf *p = NULL;

	if (c->n == 0)
		cache_refill(pool, c);
	if (c->n)
		p = c->objs[--c->n];
	sk_plat_irq_restore(fl);
	if (!p)
		return NULL;
	p->next = NULL;
	p->link = NULL;
	p->off = pool->headroom;
	p->len = 0;
	p->pkt_len = 0;
	p->flags = 0;
	p->slow_chan = NULL;
	return p;
}

static void pbuf_put_one(struct sk_pbuf *p)
{
	struct sk_pbuf_pool *pool = p->pool;
	sk_plat_irq_flags fl = sk_plat_irq_save();
	struct sk_pbuf_cache *c = &pool->caches[sk_plat_cpu_id()];

	if (c->n == SK_PBUF_CACHE) {
		while (c->n > SK_PBUF_CACHE - SK_PBUF_BATCH)
			global_push(pool, c->objs[--c->n]);
	}
	c->objs[c->n++] = p;
	sk_plat_irq_restore(fl);
}

void sk_pbuf_free(struct sk_pbuf *p)
{
	while (p) {
		struct sk_pbuf *next = p->next;

		pbuf_put_one(p);
		p = next;
	}
}

uint32_t sk_pbuf_pool_avail(struct sk_pbuf_pool *pool)
{
	/* acquire: pairs with the release CAS in global_push. */
	uint64_t top =
		atomic_load_explicit(&pool->free_top, memory_order_acquire);
	uint32_t n = 0;

	for (uint32_t i = (uint32_t)top; i && n <= pool->nbufs; n++)
		i = atomic_load_explicit(&pool->bufs[i - 1].free_next,
					 memory_order_relaxed);
	for (unsigned c = 0; c < pool->ncpus; c++)
		n += pool->caches[c].n;
	return n;
}
