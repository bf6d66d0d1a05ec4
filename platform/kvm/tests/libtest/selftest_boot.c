// SPDX-License-Identifier: MIT
/*
 * sk_kvm_main for the libtest self-test: main()'s failure count becomes
 * the exit status.
 */
#include <plat/boot.h>
#include <kvm/boot.h>

int main(void);

void sk_kvm_main(void)
{
	sk_plat_shutdown(main());
}
