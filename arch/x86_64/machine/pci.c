// SPDX-License-Identifier: MIT
/*
 * PCI configuration mechanism #1.  An address write to 0xcf8 followed by a
 * data access at 0xcfc: two port operations, so each access runs with
 * interrupts off (an interrupt handler touching config space in between
 * would redirect ours).
 */
#include <errno.h>
#include <stddef.h>

#include <x86/cpu.h>
#include <x86/pci.h>

enum {
	CONFIG_ADDRESS = 0xcf8,
	CONFIG_DATA = 0xcfc,
	PCI_COMMAND = 0x04,
	PCI_STATUS = 0x06,
	PCI_HEADER_TYPE = 0x0e,
	PCI_BAR0 = 0x10,
	PCI_CAP_PTR = 0x34,
	STATUS_CAP_LIST = 1u << 4,
	COMMAND_MEMORY = 1u << 1,
	CAP_WALK_MAX = 48,
};

static uint32_t address(const struct sk_x86_pci_dev *d, uint8_t off)
{
	return 0x80000000u | (uint32_t)d->bus << 16 | (uint32_t)d->dev << 11 |
	       (uint32_t)d->fn << 8 | (off & 0xfcu);
}

static uint32_t config_rw(const struct sk_x86_pci_dev *d, uint8_t off,
			  const uint32_t *write)
{
	uint64_t flags = sk_x86_read_rflags();
	uint32_t v = 0;

	__asm__ __volatile__("cli" ::: "memory");
	sk_x86_outl(CONFIG_ADDRESS, address(d, off));
	if (write)
		sk_x86_outl(CONFIG_DATA, *write);
	else
		v = sk_x86_inl(CONFIG_DATA);
	if (flags & SK_X86_RFLAGS_IF)
		__asm__ __volatile__("sti" ::: "memory");
	return v;
}

uint32_t sk_x86_pci_read32(const struct sk_x86_pci_dev *d, uint8_t off)
{
	return config_rw(d, off, NULL);
}

uint16_t sk_x86_pci_read16(const struct sk_x86_pci_dev *d, uint8_t off)
{
	return (uint16_t)(config_rw(d, off, NULL) >> ((off & 2) * 8));
}

uint8_t sk_x86_pci_read8(const struct sk_x86_pci_dev *d, uint8_t off)
{
	return (uint8_t)(config_rw(d, off, NULL) >> ((off & 3) * 8));
}

void sk_x86_pci_write32(const struct sk_x86_pci_dev *d, uint8_t off, uint32_t v)
{
	config_rw(d, off, &v);
}

void sk_x86_pci_write16(const struct sk_x86_pci_dev *d, uint8_t off, uint16_t v)
{
	uint32_t old = config_rw(d, off, NULL);
	unsigned shift = (off & 2) * 8;

	old = (old & ~(0xffffu << shift)) | (uint32_t)v << shift;
	config_rw(d, off, &old);
}

unsigned sk_x86_pci_scan(struct sk_x86_pci_dev *out, unsigned max)
{
	unsigned n = 0;

	for (uint8_t dev = 0; dev < 32; dev++) {
		for (uint8_t fn = 0; fn < 8; fn++) {
			struct sk_x86_pci_dev d = { 0, dev, fn, 0, 0 };
			uint32_t id = sk_x86_pci_read32(&d, 0);

			if ((id & 0xffff) == 0xffff) {
				if (fn == 0)
					break;
				continue;
			}
			d.vendor = (uint16_t)id;
			d.device = (uint16_t)(id >> 16);
			if (n < max)
				out[n] = d;
			n++;
			if (fn == 0 &&
			    !(sk_x86_pci_read8(&d, PCI_HEADER_TYPE) & 0x80))
				break; /* not multi-function */
		}
	}
	return n;
}

int sk_x86_pci_bar(const struct sk_x86_pci_dev *d, unsigned bar, uint64_t *pa,
		   uint64_t *len)
{
	uint8_t off = (uint8_t)(PCI_BAR0 + 4 * bar);
	uint32_t lo, size_lo, hi = 0, size_hi = 0xffffffffu;
	uint16_t cmd;
	int is64;

	if (bar > 5)
		return -EINVAL;
	lo = sk_x86_pci_read32(d, off);
	if (lo & 1)
		return -ENOENT; /* I/O BAR */
	is64 = ((lo >> 1) & 3) == 2;
	if (is64 && bar == 5)
		return -EINVAL;
	cmd = sk_x86_pci_read16(d, PCI_COMMAND);
	sk_x86_pci_write16(d, PCI_COMMAND, cmd & (uint16_t)~COMMAND_MEMORY);
	sk_x86_pci_write32(d, off, 0xffffffffu);
	size_lo = sk_x86_pci_read32(d, off);
	sk_x86_pci_write32(d, off, lo);
	if (is64) {
		hi = sk_x86_pci_read32(d, (uint8_t)(off + 4));
		sk_x86_pci_write32(d, (uint8_t)(off + 4), 0xffffffffu);
		size_hi = sk_x86_pci_read32(d, (uint8_t)(off + 4));
		sk_x86_pci_write32(d, (uint8_t)(off + 4), hi);
	}
	sk_x86_pci_write16(d, PCI_COMMAND, cmd);
	*pa = ((uint64_t)hi << 32) | (lo & ~0xfu);
	*len = ~(((uint64_t)size_hi << 32) | (size_lo & ~0xfu)) + 1;
	if (!is64)
		*len &= 0xffffffffu;
	return *pa && *len ? 0 : -ENOENT;
}

uint8_t sk_x86_pci_cap_next(const struct sk_x86_pci_dev *d, uint8_t id,
			    uint8_t from)
{
	uint8_t off;

	if (!(sk_x86_pci_read16(d, PCI_STATUS) & STATUS_CAP_LIST))
		return 0;
	off = from ? sk_x86_pci_read8(d, (uint8_t)(from + 1))
		   : sk_x86_pci_read8(d, PCI_CAP_PTR);
	for (int i = 0; i < CAP_WALK_MAX && off >= 0x40; i++) {
		off &= 0xfc;
		if (sk_x86_pci_read8(d, off) == id)
			return off;
		off = sk_x86_pci_read8(d, (uint8_t)(off + 1));
	}
	return 0;
}
