// SPDX-License-Identifier: MIT
/*
 * The split virtqueue operations and device lookup shared by both
 * transports.  Ordering with the device uses fences: x86 keeps stores in
 * order, but the compiler must not move the ring index store before the
 * descriptor stores, nor the used-ring reads before the index read.
 */
#include <errno.h>

#include "virtio_impl.h"

int sk_virtio_find(uint32_t device_id, unsigned index,
		   struct sk_virtio_dev *out)
{
	unsigned seen = 0;
	int err = sk_virtio_mmio_find(device_id, index, out, &seen);

	if (err != -ENODEV)
		return err;
	return sk_virtio_pci_find(device_id, index - seen, out);
}

void sk_virtq_post(struct sk_virtio_dev *d, struct sk_virtq *q,
		   const struct sk_virtq_buf *bufs, unsigned n)
{
	uint16_t idx = q->avail.idx;

	for (unsigned i = 0; i < n; i++) {
		uint16_t flags = bufs[i].device_writes ? VIRTQ_DESC_F_WRITE : 0;

		if (i + 1 < n)
			flags |= VIRTQ_DESC_F_NEXT;
		q->desc[i] = (struct virtq_desc){ bufs[i].pa, bufs[i].len,
						  flags, (uint16_t)(i + 1) };
	}
	q->avail.ring[idx % VIRTQ_SIZE] = 0;
	/* Release: the descriptors and ring slot before the index the device
	 * reads (virtio 2.7.13: a write barrier before the idx update). */
	atomic_thread_fence(memory_order_release);
	*(volatile uint16_t *)&q->avail.idx = (uint16_t)(idx + 1);
	/* Full fence: the idx store before the notify write. */
	atomic_thread_fence(memory_order_seq_cst);
	d->t->notify(d);
}

int sk_virtq_take_used(struct sk_virtq *q, uint32_t *len)
{
	uint16_t idx = *(volatile uint16_t *)&q->used.idx;

	if (idx == q->last_used)
		return 0;
	/* Acquire: the used element after the index that published it. */
	atomic_thread_fence(memory_order_acquire);
	*len = q->used.ring[q->last_used % VIRTQ_SIZE].len;
	q->last_used++;
	return 1;
}
