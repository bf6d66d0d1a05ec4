// SPDX-License-Identifier: MIT
/*
 * virtio-blk, reads only for now.  A request is the usual three-part chain
 * (header the device reads, data and status it writes); the calling thread
 * posts it and sleeps, the interrupt handler acks the device and wakes it.
 * One request in flight per device: callers queue on a skiff mutex (the
 * lock-free one of lib/sync; a driver thread may block, no spinlock).  Sector numbers and counts from callers are checked
 * against the capacity the device reports.
 */
#include <errno.h>

#include <plat/irq.h>
#include <plat/mem.h>
#include <sched/wait.h>
#include <sync/mutex.h>

#include "virtio_impl.h"

enum {
	BLK_DEVICES = 4,
	SECTOR = 512,
	MAX_SECTORS = 8, /* 4 KiB per request */
	VIRTIO_BLK_T_IN = 0,
	VIRTIO_BLK_S_OK = 0,
	STATUS_PENDING = 0xff,
};

struct blk_req_header {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct sk_virtio_blk {
	struct sk_virtq q;
	struct sk_virtio_dev dev;
	struct blk_req_header hdr SK_ALIGNED(16);
	uint8_t data[MAX_SECTORS * SECTOR] SK_ALIGNED(64);
	volatile uint8_t status;
	uint64_t capacity; /* sectors */
	struct sk_mutex lock; /* one request in flight */
	_Atomic(struct sk_thread *) waiter;
	_Atomic uint64_t irqs;
};

static struct sk_virtio_blk blk_devs[BLK_DEVICES];
static _Atomic int blk_opened[BLK_DEVICES];

static void blk_irq(void *arg)
{
	struct sk_virtio_blk *b = arg;
	struct sk_thread *t;

	b->dev.t->irq_ack(&b->dev);
	atomic_fetch_add_explicit(&b->irqs, 1, memory_order_relaxed);
	/* Acquire: pairs with the reader's release of itself as waiter. */
	t = atomic_load_explicit(&b->waiter, memory_order_acquire);
	if (t)
		sk_thread_wake(t);
}

int sk_virtio_blk_open(unsigned index, struct sk_virtio_blk **out)
{
	struct sk_virtio_blk *b;
	int expected = 0, err;

	if (index >= BLK_DEVICES)
		return -ENODEV;
	b = &blk_devs[index];
	if (!atomic_compare_exchange_strong_explicit(
		    &blk_opened[index], &expected, 1, memory_order_relaxed,
		    memory_order_relaxed))
		return -EBUSY;
	sk_mutex_init(&b->lock);
	err = sk_virtio_find(SK_VIRTIO_ID_BLK, index, &b->dev);
	if (!err)
		err = b->dev.t->setup(&b->dev, &b->q, blk_irq, b);
	if (err) {
		atomic_store_explicit(&blk_opened[index], 0,
				      memory_order_relaxed);
		return err;
	}
	b->capacity = b->dev.t->config32(&b->dev, 0) |
		      (uint64_t)b->dev.t->config32(&b->dev, 4) << 32;
	*out = b;
	return 0;
}

uint64_t sk_virtio_blk_sectors(const struct sk_virtio_blk *b)
{
	return b->capacity;
}

static void blk_wait_used(struct sk_virtio_blk *b)
{
	uint32_t len;

	sk_wait_prepare();
	while (!sk_virtq_take_used(&b->q, &len)) {
		sk_wait();
		sk_wait_prepare();
	}
	sk_wait_finish();
}

static int blk_do_read(struct sk_virtio_blk *b, uint64_t sector, unsigned n)
{
	struct sk_virtq_buf chain[3] = {
		{ sk_plat_virt_to_phys(&b->hdr), sizeof(b->hdr), 0 },
		{ sk_plat_virt_to_phys(b->data), n * SECTOR, 1 },
		{ sk_plat_virt_to_phys((const void *)&b->status), 1, 1 },
	};

	b->hdr = (struct blk_req_header){ VIRTIO_BLK_T_IN, 0, sector };
	b->status = STATUS_PENDING;
	/* Release: we are the waiter before the device can complete. */
	atomic_store_explicit(&b->waiter, sk_thread_current(),
			      memory_order_release);
	sk_virtq_post(&b->dev, &b->q, chain, 3);
	blk_wait_used(b);
	atomic_store_explicit(&b->waiter, NULL, memory_order_relaxed);
	return b->status == VIRTIO_BLK_S_OK ? 0 : -EIO;
}

long sk_virtio_blk_read(struct sk_virtio_blk *b, uint64_t sector, void *buf,
			size_t nsectors)
{
	int err;
	unsigned n = nsectors > MAX_SECTORS ? MAX_SECTORS : (unsigned)nsectors;

	if (nsectors == 0 || sector >= b->capacity || n > b->capacity - sector)
		return -EINVAL;
	sk_mutex_lock(&b->lock);
	err = blk_do_read(b, sector, n);
	if (!err)
		for (size_t i = 0; i < (size_t)n * SECTOR; i++)
			((uint8_t *)buf)[i] = b->data[i];
	sk_mutex_unlock(&b->lock);
	return err ? err : (long)n;
}
