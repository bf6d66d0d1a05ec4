// SPDX-License-Identifier: MIT
/*
 * virtio-mmio transport, version 2 (the modern interface): microvm's slot
 * probing, the initialisation sequence of virtio 1.x section 3.1, queue
 * notification and the interrupt acknowledge.  Slot i interrupts on GSI
 * 24 + i (microvm's second I/O APIC), level-triggered: the handler must
 * ack it, which irq_ack does.
 */
#include <errno.h>

#include <plat/mem.h>

#include "virtio_impl.h"

enum sk_virtio_mmio_reg {
	VIO_MAGIC = 0x000,
	VIO_VERSION = 0x004,
	VIO_DEVICE_ID = 0x008,
	VIO_DEVICE_FEATURES = 0x010,
	VIO_DEVICE_FEATURES_SEL = 0x014,
	VIO_DRIVER_FEATURES = 0x020,
	VIO_DRIVER_FEATURES_SEL = 0x024,
	VIO_QUEUE_SEL = 0x030,
	VIO_QUEUE_NUM_MAX = 0x034,
	VIO_QUEUE_NUM = 0x038,
	VIO_QUEUE_READY = 0x044,
	VIO_QUEUE_NOTIFY = 0x050,
	VIO_INTERRUPT_STATUS = 0x060,
	VIO_INTERRUPT_ACK = 0x064,
	VIO_STATUS = 0x070,
	VIO_QUEUE_DESC_LO = 0x080,
	VIO_QUEUE_AVAIL_LO = 0x090,
	VIO_QUEUE_USED_LO = 0x0a0,
	VIO_CONFIG = 0x100,
};

static const uint64_t SLOT_BASE = 0xfeb00000u;

enum {
	SLOT_SIZE = 512,
	SLOTS = 32,
	MAGIC_VIRT = 0x74726976, /* "virt" */
	IRQ_BASE = 24,
	FEATURE_VERSION_1_HI = 1u << 0, /* feature bit 32 */
};

static uint32_t rd(const struct sk_virtio_dev *d, unsigned reg)
{
	return d->regs[reg / 4];
}

static void wr(const struct sk_virtio_dev *d, unsigned reg, uint32_t v)
{
	d->regs[reg / 4] = v;
}

static void write64(const struct sk_virtio_dev *d, unsigned lo, uint64_t v)
{
	wr(d, lo, (uint32_t)v);
	wr(d, lo + 4, (uint32_t)(v >> 32));
}

static int negotiate(const struct sk_virtio_dev *d)
{
	wr(d, VIO_STATUS, 0); /* reset */
	wr(d, VIO_STATUS, VIO_S_ACKNOWLEDGE);
	wr(d, VIO_STATUS, VIO_S_ACKNOWLEDGE | VIO_S_DRIVER);
	wr(d, VIO_DEVICE_FEATURES_SEL, 1);
	if (!(rd(d, VIO_DEVICE_FEATURES) & FEATURE_VERSION_1_HI))
		return -EIO;
	wr(d, VIO_DRIVER_FEATURES_SEL, 0);
	wr(d, VIO_DRIVER_FEATURES, 0);
	wr(d, VIO_DRIVER_FEATURES_SEL, 1);
	wr(d, VIO_DRIVER_FEATURES, FEATURE_VERSION_1_HI);
	wr(d, VIO_STATUS, VIO_S_ACKNOWLEDGE | VIO_S_DRIVER | VIO_S_FEATURES_OK);
	if (!(rd(d, VIO_STATUS) & VIO_S_FEATURES_OK))
		return -EIO;
	return 0;
}

static int mmio_setup(struct sk_virtio_dev *d, struct sk_virtq *q,
		      sk_plat_irq_fn fn, void *arg)
{
	int err = negotiate(d);

	if (err)
		goto fail;
	wr(d, VIO_QUEUE_SEL, 0);
	if (rd(d, VIO_QUEUE_READY) || rd(d, VIO_QUEUE_NUM_MAX) < VIRTQ_SIZE) {
		err = -EIO;
		goto fail;
	}
	wr(d, VIO_QUEUE_NUM, VIRTQ_SIZE);
	write64(d, VIO_QUEUE_DESC_LO, sk_plat_virt_to_phys(q->desc));
	write64(d, VIO_QUEUE_AVAIL_LO, sk_plat_virt_to_phys(&q->avail));
	write64(d, VIO_QUEUE_USED_LO, sk_plat_virt_to_phys(&q->used));
	wr(d, VIO_QUEUE_READY, 1);
	err = sk_plat_irq_register(d->irq_line, fn, arg);
	if (err)
		goto fail;
	wr(d, VIO_STATUS,
	   VIO_S_ACKNOWLEDGE | VIO_S_DRIVER | VIO_S_FEATURES_OK |
		   VIO_S_DRIVER_OK);
	return 0;
fail:
	wr(d, VIO_STATUS, VIO_S_FAILED);
	return err;
}

static void mmio_notify(struct sk_virtio_dev *d)
{
	wr(d, VIO_QUEUE_NOTIFY, 0);
}

static void mmio_irq_ack(struct sk_virtio_dev *d)
{
	wr(d, VIO_INTERRUPT_ACK, rd(d, VIO_INTERRUPT_STATUS));
}

static uint32_t mmio_config32(struct sk_virtio_dev *d, unsigned off)
{
	return rd(d, VIO_CONFIG + off);
}

static const struct sk_virtio_transport mmio_transport = {
	mmio_setup, mmio_notify, mmio_irq_ack, mmio_config32
};

int sk_virtio_mmio_find(uint32_t device_id, unsigned index,
			struct sk_virtio_dev *out, unsigned *seen)
{
	*seen = 0;
	for (unsigned slot = 0; slot < SLOTS; slot++) {
		struct sk_virtio_dev d = { .t = &mmio_transport };

		d.regs = (volatile uint32_t *)(uintptr_t)(SLOT_BASE +
							  slot * SLOT_SIZE);
		d.irq_line = IRQ_BASE + slot;
		if (rd(&d, VIO_MAGIC) != MAGIC_VIRT)
			continue;
		d.device_id = rd(&d, VIO_DEVICE_ID);
		if (d.device_id != device_id)
			continue;
		if ((*seen)++ < index)
			continue;
		if (rd(&d, VIO_VERSION) != 2)
			return -ENOTSUP;
		*out = d;
		return 0;
	}
	return -ENODEV;
}
