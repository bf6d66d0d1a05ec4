/* SPDX-License-Identifier: MIT */
/*
 * Packet buffers, shared by drivers, the classifier and protocol code.
 * A packet is a chain of segments; each segment is a fixed-size buffer from
 * a pool with room in front of the data for headers that outer layers
 * prepend (Ethernet, IP, TCP on transmit) and room behind it for more
 * payload.  The head segment carries the packet's total length and the flow
 * metadata the classifier found, so protocol code need not parse again.
 *
 *   base            base+off          base+off+len        base+cap
 *    |<- headroom ->|<------ data ------>|<-- tailroom -->|
 *
 * A pbuf has one owner at a time (the driver, a channel's ring, the
 * consumer); ownership moves with the pointer, so fields need no locks.
 * Pools: a fixed number of equal buffers in memory the caller provides
 * (no allocator below netchan), with a per-CPU cache in front of a
 * lock-free global free stack.
 */
#ifndef NETCHAN_PBUF_H
#define NETCHAN_PBUF_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <netchan/flow.h>

struct sk_pbuf_pool;

enum sk_pbuf_flags {
	SK_PBUF_PARSED = 1 << 0, /* the flow_* fields are valid */
	SK_PBUF_CSUM_OK = 1 << 1, /* a device verified L3/L4 checksums */
};

struct sk_pbuf {
	struct sk_pbuf *next; /* next segment of this packet, or NULL */
	struct sk_pbuf *link; /* the owner's queue link (any use) */
	uint8_t *base; /* storage, cap bytes; never changes */
	uint32_t cap;
	uint32_t off; /* first data byte; also the headroom */
	uint32_t len; /* data bytes in this segment */
	uint32_t pkt_len; /* head segment: bytes in the whole chain */
	uint32_t flags; /* enum sk_pbuf_flags */
	/* Flow metadata (head segment, valid with SK_PBUF_PARSED). */
	uint8_t flow_cls; /* enum sk_flow_class */
	uint8_t tcp_flags;
	uint8_t slow_reason; /* classifier: why it took the slow path */
	uint16_t l3_off, l4_off, payload_off; /* from the data start */
	uint64_t flow_hash; /* keyed hash of the flow key */
	void *slow_chan; /* classifier: channel a slow packet orders after */
	/* Pool bookkeeping. */
	struct sk_pbuf_pool *pool;
	uint32_t index; /* position in the pool */
	_Atomic uint32_t free_next; /* global free stack: index + 1, 0 = end */
};

enum {
	SK_PBUF_CACHE = 64, /* buffers a CPU keeps */
	SK_PBUF_BATCH = 32, /* moved to/from the global stack at a time */
	SK_PBUF_HEADROOM_DEFAULT = 128,
};

struct sk_pbuf_pool_attr {
	uint32_t nbufs; /* >= 1 */
	uint32_t buf_len; /* storage per buffer, >= 64 */
	uint32_t headroom; /* 0: SK_PBUF_HEADROOM_DEFAULT; < buf_len */
};

struct sk_pbuf_cache;

struct sk_pbuf_pool {
	_Atomic uint64_t free_top; /* (tag << 32) | (index + 1); 0 = empty */
	struct sk_pbuf *bufs;
	struct sk_pbuf_cache *caches; /* one per CPU */
	unsigned ncpus;
	uint32_t nbufs, buf_len, headroom;
};

/*
 * sk_pbuf_pool_mem_size - bytes of memory sk_pbuf_pool_init() needs for
 * @attr on this machine (buffers, descriptors and per-CPU caches).
 * Return: the size; 0 if @attr is invalid or the size overflows.
 * Context: any.
 */
size_t sk_pbuf_pool_mem_size(const struct sk_pbuf_pool_attr *attr);

/*
 * sk_pbuf_pool_init - carve a pool out of @mem[0..@mem_len), aligned to
 * 64 bytes.  No allocation; @mem must outlive the pool.
 * Return: 0; -EINVAL for a bad @attr, misaligned @mem or @mem_len below
 *         sk_pbuf_pool_mem_size(@attr).
 * Context: thread, before the pool is shared.
 */
int sk_pbuf_pool_init(struct sk_pbuf_pool *pool, void *mem, size_t mem_len,
		      const struct sk_pbuf_pool_attr *attr);

/*
 * sk_pbuf_alloc - one empty segment (len 0, the pool's headroom, no chain,
 * no flags).
 * Return: the pbuf; NULL if the pool is exhausted.
 * Context: any (uses the current CPU's cache with preemption disabled).
 */
struct sk_pbuf *sk_pbuf_alloc(struct sk_pbuf_pool *pool);

/*
 * sk_pbuf_free - return every segment of @p's chain to its pool.  NULL
 * is ignored.  Context: any.
 */
void sk_pbuf_free(struct sk_pbuf *p);

/*
 * sk_pbuf_pool_avail - buffers not allocated (a snapshot that counts the
 * per-CPU caches; exact only when nothing runs concurrently).
 * Context: any.
 */
uint32_t sk_pbuf_pool_avail(struct sk_pbuf_pool *pool);

/* sk_pbuf_data - the first data byte of segment @p.  Context: owner. */
static inline uint8_t *sk_pbuf_data(const struct sk_pbuf *p)
{
	return p->base + p->off;
}

static inline uint32_t sk_pbuf_headroom(const struct sk_pbuf *p)
{
	return p->off;
}

static inline uint32_t sk_pbuf_tailroom(const struct sk_pbuf *p)
{
	return p->cap - p->off - p->len;
}

/*
 * sk_pbuf_push - grow the head segment @p by @n bytes at the front (to
 * prepend a header).
 * Return: the new first data byte; NULL if the headroom is below @n.
 * Context: owner.
 */
uint8_t *sk_pbuf_push(struct sk_pbuf *p, uint32_t n);

/*
 * sk_pbuf_pull - drop @n bytes from the front of the head segment @p (a
 * parsed header).
 * Return: the new first data byte; NULL if the segment holds fewer.
 * Context: owner.
 */
uint8_t *sk_pbuf_pull(struct sk_pbuf *p, uint32_t n);

/*
 * sk_pbuf_put - extend the last segment of the packet @head by @n bytes.
 * Return: the first added byte; NULL if its tailroom is below @n.
 * Context: owner.
 */
uint8_t *sk_pbuf_put(struct sk_pbuf *head, uint32_t n);

/*
 * sk_pbuf_chain - append the segment chain @seg to the packet @head.
 * Context: owner of both.
 */
void sk_pbuf_chain(struct sk_pbuf *head, struct sk_pbuf *seg);

/*
 * sk_pbuf_copy_in - build a packet holding a copy of @data[0..@len),
 * chaining as many segments of @pool as it needs.
 * Return: 0 with *@out set; -ENOMEM if the pool ran out (nothing kept).
 * Context: any.
 */
int sk_pbuf_copy_in(struct sk_pbuf_pool *pool, const void *data, size_t len,
		    struct sk_pbuf **out);

/*
 * sk_pbuf_copy_out - copy @len bytes at packet offset @off of @head into
 * @buf, across segments.
 * Return: 0; -EINVAL if [@off, @off + @len) is not inside the packet.
 * Context: owner.
 */
int sk_pbuf_copy_out(const struct sk_pbuf *head, size_t off, void *buf,
		     size_t len);

#endif
