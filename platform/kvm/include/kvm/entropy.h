/* SPDX-License-Identifier: MIT */
/*
 * Entropy sources of the kvm platform beyond the CPU's own: a driver (the
 * virtio-rng one) registers itself, and sk_plat_entropy() uses it when the
 * CPU has neither RDSEED nor RDRAND.
 */
#ifndef KVM_ENTROPY_H
#define KVM_ENTROPY_H

#include <stddef.h>

/* Fill @buf with @len bytes; @len or a negative errno.  Thread context. */
typedef long (*sk_kvm_entropy_fn)(void *buf, size_t len);

/*
 * sk_kvm_entropy_register - make @fn the fallback entropy source.
 * Return: 0; -EBUSY if one is registered already; -EINVAL for NULL.
 * Context: thread.
 */
int sk_kvm_entropy_register(sk_kvm_entropy_fn fn);

#endif
