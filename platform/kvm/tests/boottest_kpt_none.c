// SPDX-License-Identifier: MIT
/*
 * Without lib/mm the image runs on the boot map: there are no kernel page
 * tables to check, which this case confirms.
 */
#include <errno.h>

#include <kvm/boot.h>

#include "boottest.h"

int bt_case_kernel_map_protections(void)
{
	BT_CHECK(sk_kvm_kernel_pt() == NULL);
	return 0;
}

int bt_case_tlb_shootdown_remap(void)
{
	BT_CHECK(sk_kvm_kpt_map(0x40000000000ull, 0, 4096, 1) == -ENOTSUP);
	return 0;
}
