// SPDX-License-Identifier: MIT
/*
 * A library test program (one with its own main() and a hosted-platform
 * harness) as a kvm image: sk_kvm_main calls main(), and sk_hosted_boot
 * runs the harness's boot function right here, on CPU 0 with irqs off,
 * which is how the hosted platform starts it too.  The boot function ends
 * with sk_plat_shutdown(failures), which exits QEMU.
 */
#include <hosted/boot.h>
#include <plat/boot.h>
#include <kvm/boot.h>

int main(void);

int sk_hosted_boot(const struct sk_hosted_config *cfg,
		   sk_hosted_main_fn main_fn, void *arg)
{
	(void)cfg;
	main_fn(arg);
	return 0;
}

void sk_kvm_main(void)
{
	sk_plat_shutdown(main());
}
