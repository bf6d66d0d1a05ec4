/* SPDX-License-Identifier: MIT */
/* tests/libtest's calls between its own files (see boot.c). */
#ifndef KVM_LIBTEST_LIBTEST_H
#define KVM_LIBTEST_LIBTEST_H

#include <stdint.h>

/*
 * sk_kvm_libtest_ram_carve - leave exactly @len bytes (rounded up to
 * pages) of usable RAM, at 4 GiB if possible, else 2 MiB aligned in the
 * largest usable region.
 * Return: 0; -ENOMEM if no usable region has room; sk_kvm_mem_keep_only's
 *         errors.
 * Context: boot CPU, before lib/mm's page allocator starts.
 */
int sk_kvm_libtest_ram_carve(uint64_t len);

#endif
