/* SPDX-License-Identifier: MIT */
/*
 * Platform contract: the machine as a whole.  The command line the image
 * was started with, and shutdown with an exit status.
 */
#ifndef PLAT_BOOT_H
#define PLAT_BOOT_H

/*
 * sk_plat_cmdline - the kernel command line ("" if none).  Never NULL.
 * Context: any.
 */
const char *sk_plat_cmdline(void);

/*
 * sk_plat_shutdown - stop every CPU and end the machine with @status
 * (0 = success).  On kvm/xen the VM exits; on hosted sk_hosted_boot()
 * returns @status.
 * Context: any.  Never returns.
 */
_Noreturn void sk_plat_shutdown(int status);

#endif
