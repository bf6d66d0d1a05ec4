/* SPDX-License-Identifier: MIT */
/*
 * Private to platform/kvm/virtio: a device behind one of two transports
 * (MMIO, PCI), its status bits, and the split virtqueue the drivers share.
 */
#ifndef KVM_VIRTIO_IMPL_H
#define KVM_VIRTIO_IMPL_H

#include <stdatomic.h>
#include <stdint.h>

#include <kvm/virtio.h>
#include <plat/compiler.h>
#include <plat/irq.h>
#include <x86/pci.h>

enum sk_virtio_status {
	VIO_S_ACKNOWLEDGE = 1,
	VIO_S_DRIVER = 2,
	VIO_S_DRIVER_OK = 4,
	VIO_S_FEATURES_OK = 8,
	VIO_S_FAILED = 128,
};

enum { VIRTQ_SIZE = 8, VIRTQ_DESC_F_NEXT = 1, VIRTQ_DESC_F_WRITE = 2 };

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[VIRTQ_SIZE];
	uint16_t used_event;
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[VIRTQ_SIZE];
	uint16_t avail_event;
};

/* One split virtqueue; device-visible parts at their required alignment. */
struct sk_virtq {
	struct virtq_desc desc[VIRTQ_SIZE] SK_ALIGNED(16);
	struct virtq_avail avail SK_ALIGNED(16);
	struct virtq_used used SK_ALIGNED(16);
	uint16_t last_used; /* driver's, next used entry to consume */
};

struct sk_virtio_dev;

/* What differs between MMIO and PCI. */
struct sk_virtio_transport {
	/* Reset, negotiate VERSION_1, queue 0 = @q, interrupt -> @fn(@arg),
	 * DRIVER_OK.  0, -EIO if refused, or the interrupt set-up's error. */
	int (*setup)(struct sk_virtio_dev *d, struct sk_virtq *q,
		     sk_plat_irq_fn fn, void *arg);
	void (*notify)(struct sk_virtio_dev *d);
	void (*irq_ack)(struct sk_virtio_dev *d); /* in the handler */
	uint32_t (*config32)(struct sk_virtio_dev *d, unsigned off);
};

struct sk_virtio_dev {
	const struct sk_virtio_transport *t;
	uint32_t device_id;
	/* MMIO */
	volatile uint32_t *regs;
	unsigned irq_line;
	/* PCI */
	struct sk_x86_pci_dev pci;
	volatile uint8_t *common, *isr, *devcfg, *notify_base;
	uint32_t notify_mult; /* notify_off_multiplier */
	volatile uint16_t *notify; /* queue 0's notify register */
};

/*
 * sk_virtio_find - the @index-th device with @device_id, microvm's MMIO
 * slots first, then PCI bus 0.
 * Return: 0; -ENODEV; -ENOTSUP for a legacy-only device.
 */
int sk_virtio_find(uint32_t device_id, unsigned index,
		   struct sk_virtio_dev *out);

/* Transport probes (mmio.c, pci.c): same contract as sk_virtio_find,
 * @index counting only their own devices; *@seen gets how many matching
 * devices they passed over. */
int sk_virtio_mmio_find(uint32_t device_id, unsigned index,
			struct sk_virtio_dev *out, unsigned *seen);
int sk_virtio_pci_find(uint32_t device_id, unsigned index,
		       struct sk_virtio_dev *out);

/* One buffer of a request: physical address, length, device-writable. */
struct sk_virtq_buf {
	uint64_t pa;
	uint32_t len;
	int device_writes;
};

/*
 * Offer the chain @bufs[0..n-1] (n <= VIRTQ_SIZE) as descriptors 0..n-1
 * and notify.  One request in flight per queue: the caller waits for its
 * completion before posting the next.
 */
void sk_virtq_post(struct sk_virtio_dev *d, struct sk_virtq *q,
		   const struct sk_virtq_buf *bufs, unsigned n);

/* Take the next used element: 1 and *len, or 0 if none yet. */
int sk_virtq_take_used(struct sk_virtq *q, uint32_t *len);

#endif
