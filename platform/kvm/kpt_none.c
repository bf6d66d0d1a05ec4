// SPDX-License-Identifier: MIT
/*
 * Built instead of kpt.c when lib/mm (its page-table code) is not in the
 * tree: the image keeps entry.S's 4 GiB boot map.
 */
#include <errno.h>

#include "kvm.h"

int sk_kvm_kpt_init(void)
{
	return -ENOTSUP;
}

int sk_kvm_kpt_maps_all(void)
{
	return 0;
}

const struct sk_pt *sk_kvm_kernel_pt(void)
{
	return NULL;
}

int sk_kvm_kpt_map(uintptr_t va, uint64_t pa, size_t len, unsigned prot)
{
	(void)va;
	(void)pa;
	(void)len;
	(void)prot;
	return -ENOTSUP;
}

int sk_kvm_kpt_unmap(uintptr_t va, size_t len)
{
	(void)va;
	(void)len;
	return -ENOTSUP;
}

int sk_kvm_kpt_protect(uintptr_t va, size_t len, unsigned prot)
{
	(void)va;
	(void)len;
	(void)prot;
	return -ENOTSUP;
}
