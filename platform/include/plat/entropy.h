/* SPDX-License-Identifier: MIT */
/*
 * Platform contract: entropy for seeding keyed hashes and random devices.
 * hosted: getrandom(2); kvm/xen: RDSEED/RDRAND where the CPU has them, a
 * virtio-rng device where one is attached.
 */
#ifndef PLAT_ENTROPY_H
#define PLAT_ENTROPY_H

#include <stddef.h>

/*
 * sk_plat_entropy - fill @buf with @len bytes from the platform's entropy
 * source, suitable for seeding a CSPRNG or a hash key.
 * Return: @len; -EINVAL if @len exceeds LONG_MAX; -ENOTSUP if the platform
 *         has no entropy source; -EIO if the source failed.  Never returns
 *         fewer bytes than asked.
 * Context: thread (may block briefly on hosted until the kernel's pool is
 *          initialised).
 */
long sk_plat_entropy(void *buf, size_t len);

#endif
