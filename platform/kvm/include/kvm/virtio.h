/* SPDX-License-Identifier: MIT */
/*
 * virtio for the kvm platform, modern interface only: MMIO version 2
 * (microvm) and PCI with MSI-X (q35, pc); one split virtqueue per device;
 * the virtio-rng and virtio-blk (read) drivers.  Drivers run in threads:
 * the interrupt handler only
 * acknowledges the device and wakes the thread waiting for a completion
 * (lib/sched's wait/wake); the thread does the rest.  Requests to one
 * device are serialised with lib/sync's mutex.
 */
#ifndef KVM_VIRTIO_H
#define KVM_VIRTIO_H

#include <stddef.h>
#include <stdint.h>

enum sk_virtio_device_id {
	SK_VIRTIO_ID_NET = 1,
	SK_VIRTIO_ID_BLK = 2,
	SK_VIRTIO_ID_RNG = 4,
};

struct sk_virtio_rng;

/*
 * sk_virtio_rng_open - initialise the first virtio-rng device: feature
 * negotiation, one virtqueue, its interrupt line.
 * Return: 0; -ENODEV if there is no such device; -ENOTSUP if it only
 * speaks the legacy interface (QEMU: -global
 * virtio-mmio.force-legacy=false, which tools/run passes on microvm) or
 * has no MSI-X (PCI); -EIO if the device refuses the features or the
 * queue; -EBUSY if already open; an error from the interrupt set-up.
 * Context: thread (lib/sched running).
 */
int sk_virtio_rng_open(struct sk_virtio_rng **out);

/*
 * sk_virtio_rng_read - fill up to @len bytes (at most 4 KiB per call) with
 * entropy from the device, sleeping until it answers.
 * Concurrent readers are served one after the other (a mutex).
 * Return: bytes read (> 0); -EINVAL for len 0; -EIO if the device answers
 * nonsense.
 * Context: thread, preemption enabled; blocks.
 */
long sk_virtio_rng_read(struct sk_virtio_rng *rng, void *buf, size_t len);

/* sk_virtio_rng_irqs - interrupts taken so far (for tests).  Context: any. */
uint64_t sk_virtio_rng_irqs(const struct sk_virtio_rng *rng);

struct sk_virtio_blk;

/*
 * sk_virtio_blk_open - initialise the @index-th virtio-blk device.
 * Return: 0; -ENODEV / -ENOTSUP / -EIO / -EBUSY as sk_virtio_rng_open.
 * Context: thread (lib/sched running).
 */
int sk_virtio_blk_open(unsigned index, struct sk_virtio_blk **out);

/* sk_virtio_blk_sectors - capacity in 512-byte sectors.  Context: any. */
uint64_t sk_virtio_blk_sectors(const struct sk_virtio_blk *blk);

/*
 * sk_virtio_blk_read - read up to 8 sectors from @sector into @buf,
 * sleeping until the device completes.
 * Concurrent callers are served one after the other (a mutex).
 * Return: sectors read (> 0); -EINVAL for a count of 0 or a range past
 * the capacity; -EIO if the device reports an error.
 * Context: thread, preemption enabled; blocks.
 */
long sk_virtio_blk_read(struct sk_virtio_blk *blk, uint64_t sector, void *buf,
			size_t nsectors);

#endif
