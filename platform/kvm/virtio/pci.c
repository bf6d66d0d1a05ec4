// SPDX-License-Identifier: MIT
/*
 * virtio-pci transport, modern interface (virtio 1.x section 4.1): the
 * vendor capabilities locate the common, notify, ISR and device
 * configuration structures inside memory BARs (which the platform mapped
 * at boot); the queue's completion interrupt is MSI-X entry 0, a vector
 * from sk_kvm_msi_alloc.  No INTx: a device without MSI-X is refused.
 */
#include <errno.h>

#include <kvm/msi.h>
#include <plat/mem.h>
#include <x86/pci.h>

#include "virtio_impl.h"

enum {
	VIRTIO_VENDOR = 0x1af4,
	CAP_VENDOR = 0x09,
	CAP_MSIX = 0x11,
	CFG_COMMON = 1,
	CFG_NOTIFY = 2,
	CFG_ISR = 3,
	CFG_DEVICE = 4,
	PCI_COMMAND = 0x04,
	COMMAND_MEMORY_MASTER = (1u << 1) | (1u << 2),
	MSIX_ENABLE = 1u << 15,
	MSIX_FUNCTION_MASK = 1u << 14,
	NO_VECTOR = 0xffff,
	FEATURE_VERSION_1_HI = 1u << 0,
	/* struct virtio_pci_common_cfg */
	CC_DFSELECT = 0x00,
	CC_DF = 0x04,
	CC_GFSELECT = 0x08,
	CC_GF = 0x0c,
	CC_MSIX_CONFIG = 0x10,
	CC_STATUS = 0x14,
	CC_Q_SELECT = 0x16,
	CC_Q_SIZE = 0x18,
	CC_Q_MSIX = 0x1a,
	CC_Q_ENABLE = 0x1c,
	CC_Q_NOFF = 0x1e,
	CC_Q_DESC = 0x20,
	CC_Q_AVAIL = 0x28,
	CC_Q_USED = 0x30,
};

static void cc_w32(struct sk_virtio_dev *d, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)(d->common + off) = v;
}

static uint32_t cc_r32(struct sk_virtio_dev *d, unsigned off)
{
	return *(volatile uint32_t *)(uintptr_t)(d->common + off);
}

static void cc_w16(struct sk_virtio_dev *d, unsigned off, uint16_t v)
{
	*(volatile uint16_t *)(uintptr_t)(d->common + off) = v;
}

static uint16_t cc_r16(struct sk_virtio_dev *d, unsigned off)
{
	return *(volatile uint16_t *)(uintptr_t)(d->common + off);
}

static void cc_w8(struct sk_virtio_dev *d, unsigned off, uint8_t v)
{
	*(volatile uint8_t *)(uintptr_t)(d->common + off) = v;
}

static uint8_t cc_r8(struct sk_virtio_dev *d, unsigned off)
{
	return *(volatile uint8_t *)(uintptr_t)(d->common + off);
}

static void cc_w64(struct sk_virtio_dev *d, unsigned off, uint64_t v)
{
	cc_w32(d, off, (uint32_t)v);
	cc_w32(d, off + 4, (uint32_t)(v >> 32));
}

static int negotiate(struct sk_virtio_dev *d)
{
	cc_w8(d, CC_STATUS, 0); /* reset; reads 0 once done */
	for (int i = 0; i < 1000000 && cc_r8(d, CC_STATUS); i++)
		;
	cc_w8(d, CC_STATUS, VIO_S_ACKNOWLEDGE);
	cc_w8(d, CC_STATUS, VIO_S_ACKNOWLEDGE | VIO_S_DRIVER);
	cc_w32(d, CC_DFSELECT, 1);
	if (!(cc_r32(d, CC_DF) & FEATURE_VERSION_1_HI))
		return -EIO;
	cc_w32(d, CC_GFSELECT, 0);
	cc_w32(d, CC_GF, 0);
	cc_w32(d, CC_GFSELECT, 1);
	cc_w32(d, CC_GF, FEATURE_VERSION_1_HI);
	cc_w8(d, CC_STATUS,
	      VIO_S_ACKNOWLEDGE | VIO_S_DRIVER | VIO_S_FEATURES_OK);
	return cc_r8(d, CC_STATUS) & VIO_S_FEATURES_OK ? 0 : -EIO;
}

/* MSI-X entry 0 -> a fresh vector calling @fn(@arg). */
static int msix_setup(struct sk_virtio_dev *d, sk_plat_irq_fn fn, void *arg)
{
	uint8_t cap = sk_x86_pci_cap_next(&d->pci, CAP_MSIX, 0);
	uint64_t bar_pa, bar_len;
	struct sk_kvm_msi msi;
	volatile uint32_t *entry;
	uint32_t table;
	uint16_t ctrl;
	int err;

	if (!cap)
		return -ENOTSUP;
	table = sk_x86_pci_read32(&d->pci, (uint8_t)(cap + 4));
	err = sk_x86_pci_bar(&d->pci, table & 7, &bar_pa, &bar_len);
	if (err || (table & ~7u) + 16 > bar_len)
		return -EIO;
	err = sk_kvm_msi_alloc(fn, arg, &msi);
	if (err)
		return err;
	entry = (volatile uint32_t *)(uintptr_t)(bar_pa + (table & ~7u));
	entry[0] = (uint32_t)msi.addr;
	entry[1] = (uint32_t)(msi.addr >> 32);
	entry[2] = msi.data;
	entry[3] = 0; /* unmasked */
	ctrl = sk_x86_pci_read16(&d->pci, (uint8_t)(cap + 2));
	ctrl = (uint16_t)((ctrl | MSIX_ENABLE) & ~MSIX_FUNCTION_MASK);
	sk_x86_pci_write16(&d->pci, (uint8_t)(cap + 2), ctrl);
	return 0;
}

static int pci_setup(struct sk_virtio_dev *d, struct sk_virtq *q,
		     sk_plat_irq_fn fn, void *arg)
{
	int err = negotiate(d);

	if (!err)
		err = msix_setup(d, fn, arg);
	if (err)
		goto fail;
	cc_w16(d, CC_MSIX_CONFIG, NO_VECTOR);
	cc_w16(d, CC_Q_SELECT, 0);
	if (cc_r16(d, CC_Q_SIZE) < VIRTQ_SIZE || cc_r16(d, CC_Q_ENABLE)) {
		err = -EIO;
		goto fail;
	}
	cc_w16(d, CC_Q_SIZE, VIRTQ_SIZE);
	cc_w16(d, CC_Q_MSIX, 0);
	if (cc_r16(d, CC_Q_MSIX) != 0) { /* the device refused the vector */
		err = -EIO;
		goto fail;
	}
	cc_w64(d, CC_Q_DESC, sk_plat_virt_to_phys(q->desc));
	cc_w64(d, CC_Q_AVAIL, sk_plat_virt_to_phys(&q->avail));
	cc_w64(d, CC_Q_USED, sk_plat_virt_to_phys(&q->used));
	d->notify =
		(volatile uint16_t *)(void *)(d->notify_base +
					      (uintptr_t)cc_r16(d, CC_Q_NOFF) *
						      d->notify_mult);
	cc_w16(d, CC_Q_ENABLE, 1);
	cc_w8(d, CC_STATUS,
	      VIO_S_ACKNOWLEDGE | VIO_S_DRIVER | VIO_S_FEATURES_OK |
		      VIO_S_DRIVER_OK);
	return 0;
fail:
	cc_w8(d, CC_STATUS, VIO_S_FAILED);
	return err;
}

static void pci_notify(struct sk_virtio_dev *d)
{
	*d->notify = 0; /* queue index */
}

static void pci_irq_ack(struct sk_virtio_dev *d)
{
	(void)d; /* MSI-X: edge-triggered, nothing to acknowledge */
}

static uint32_t pci_config32(struct sk_virtio_dev *d, unsigned off)
{
	return *(volatile uint32_t *)(uintptr_t)(d->devcfg + off);
}

static const struct sk_virtio_transport pci_transport = { pci_setup, pci_notify,
							  pci_irq_ack,
							  pci_config32 };

/* The virtio type of a PCI device id (modern 0x1040 + type, or the
 * transitional ids QEMU uses by default), 0 if it is not virtio. */
static uint32_t virtio_type(uint16_t device)
{
	static const uint16_t transitional[][2] = {
		{ 0x1000, SK_VIRTIO_ID_NET },
		{ 0x1001, SK_VIRTIO_ID_BLK },
		{ 0x1005, SK_VIRTIO_ID_RNG },
	};

	if (device >= 0x1040 && device < 0x1080)
		return device - 0x1040u;
	for (unsigned i = 0; i < SK_ARRAY_LEN(transitional); i++)
		if (device == transitional[i][0])
			return transitional[i][1];
	return 0;
}

/* Point @d's structure of @type at its place in a BAR; 0 or -EIO. */
static int cap_map(struct sk_virtio_dev *d, uint8_t cap, uint8_t type)
{
	uint8_t bar = sk_x86_pci_read8(&d->pci, (uint8_t)(cap + 4));
	uint32_t off = sk_x86_pci_read32(&d->pci, (uint8_t)(cap + 8));
	uint32_t len = sk_x86_pci_read32(&d->pci, (uint8_t)(cap + 12));
	uint64_t pa, bar_len;
	volatile uint8_t *p;

	if (sk_x86_pci_bar(&d->pci, bar, &pa, &bar_len) != 0 ||
	    (uint64_t)off + len > bar_len)
		return -EIO;
	p = (volatile uint8_t *)(uintptr_t)(pa + off);
	if (type == CFG_COMMON)
		d->common = p;
	else if (type == CFG_ISR)
		d->isr = p;
	else if (type == CFG_DEVICE)
		d->devcfg = p;
	else if (type == CFG_NOTIFY) {
		d->notify_base = p;
		d->notify_mult =
			sk_x86_pci_read32(&d->pci, (uint8_t)(cap + 16));
	}
	return 0;
}

static int caps_map(struct sk_virtio_dev *d)
{
	uint8_t cap = 0;

	while ((cap = sk_x86_pci_cap_next(&d->pci, CAP_VENDOR, cap)) != 0) {
		uint8_t type = sk_x86_pci_read8(&d->pci, (uint8_t)(cap + 3));

		if (type >= CFG_COMMON && type <= CFG_DEVICE &&
		    cap_map(d, cap, type) != 0)
			return -EIO;
	}
	return d->common && d->notify_base ? 0 : -ENOTSUP;
}

int sk_virtio_pci_find(uint32_t device_id, unsigned index,
		       struct sk_virtio_dev *out)
{
	static struct sk_x86_pci_dev devs[64];
	unsigned n = sk_x86_pci_scan(devs, 64);

	for (unsigned i = 0; i < n && i < 64; i++) {
		struct sk_virtio_dev d = { .t = &pci_transport };
		uint16_t cmd;
		int err;

		if (devs[i].vendor != VIRTIO_VENDOR ||
		    virtio_type(devs[i].device) != device_id || index-- > 0)
			continue;
		d.pci = devs[i];
		d.device_id = device_id;
		err = caps_map(&d);
		if (err)
			return err;
		cmd = sk_x86_pci_read16(&d.pci, PCI_COMMAND);
		sk_x86_pci_write16(&d.pci, PCI_COMMAND,
				   (uint16_t)(cmd | COMMAND_MEMORY_MASTER));
		*out = d;
		return 0;
	}
	return -ENODEV;
}
