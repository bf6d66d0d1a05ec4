/* SPDX-License-Identifier: MIT */
/*
 * Message-signalled interrupts for PCI drivers on the kvm platform: the
 * platform hands out a vector with its handler; the driver writes the
 * address/data pair into its device's MSI or MSI-X table.
 */
#ifndef KVM_MSI_H
#define KVM_MSI_H

#include <stdint.h>

#include <plat/irq.h>

struct sk_kvm_msi {
	uint64_t addr; /* write this to the table entry's address */
	uint32_t data; /* and this to its data */
};

/*
 * sk_kvm_msi_alloc - a new interrupt vector on CPU 0 that calls @fn(@arg),
 * then the exit hook, like a device line.
 * Return: 0; -EINVAL for a NULL @fn; -ENOSPC when all 64 are taken.
 * Context: thread.
 */
int sk_kvm_msi_alloc(sk_plat_irq_fn fn, void *arg, struct sk_kvm_msi *out);

#endif
