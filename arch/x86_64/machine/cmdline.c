// SPDX-License-Identifier: MIT
/*
 * The boot command line, copied out of the loader's memory at boot
 * (kvm: PVH start info; xen: the dom0 module string), for sk_plat_cmdline.
 */
#include <stddef.h>
#include <stdint.h>

#include <plat/boot.h>
#include <x86/irq.h>

enum { CMDLINE_MAX = 4096 };

static char cmdline[CMDLINE_MAX];

void sk_x86_cmdline_set(const char *s, uint64_t len)
{
	size_t i = 0;

	for (; i + 1 < sizeof(cmdline) && i < len && s[i]; i++)
		cmdline[i] = s[i];
	cmdline[i] = '\0';
}

const char *sk_plat_cmdline(void)
{
	return cmdline;
}
