/* SPDX-License-Identifier: MIT */
/*
 * PCI configuration space through the legacy port mechanism (0xcf8/0xcfc,
 * present on pc and q35), bus-0 enumeration, memory BARs and capability
 * lists.  Config space is input from outside: capability walks are bounded.
 */
#ifndef X86_PCI_H
#define X86_PCI_H

#include <stdint.h>

struct sk_x86_pci_dev {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
};

/* sk_x86_pci_read32/16/8, write32/16 - config space of @d at @off. */
uint32_t sk_x86_pci_read32(const struct sk_x86_pci_dev *d, uint8_t off);
uint16_t sk_x86_pci_read16(const struct sk_x86_pci_dev *d, uint8_t off);
uint8_t sk_x86_pci_read8(const struct sk_x86_pci_dev *d, uint8_t off);
void sk_x86_pci_write32(const struct sk_x86_pci_dev *d, uint8_t off,
			uint32_t v);
void sk_x86_pci_write16(const struct sk_x86_pci_dev *d, uint8_t off,
			uint16_t v);

/*
 * sk_x86_pci_scan - the functions present on bus 0, in slot order.
 * Return: the number found (may exceed @max; only @max are stored).
 * Context: boot or thread.
 */
unsigned sk_x86_pci_scan(struct sk_x86_pci_dev *out, unsigned max);

/*
 * sk_x86_pci_bar - the physical address and size of memory BAR @bar.
 * Return: 0; -ENOENT for an I/O, absent or unassigned BAR; -EINVAL for
 * @bar > 5 (or the upper half of a 64-bit BAR).
 * Context: boot (sizing writes the BAR briefly).
 */
int sk_x86_pci_bar(const struct sk_x86_pci_dev *d, unsigned bar, uint64_t *pa,
		   uint64_t *len);

/*
 * sk_x86_pci_cap_next - the config offset of the next capability with id
 * @id after offset @from (0: from the start of the list).
 * Return: the offset, or 0 if there is none.
 * Context: any.
 */
uint8_t sk_x86_pci_cap_next(const struct sk_x86_pci_dev *d, uint8_t id,
			    uint8_t from);

#endif
