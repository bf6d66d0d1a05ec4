// SPDX-License-Identifier: MIT
/*
 * The trivial image: boot the platform, exit at once.  Its whole-run time
 * is what QEMU and the platform's boot cost (docs/kvm.md figures); with
 * "sk.loop=N" on the command line it first runs an N-iteration ring-0 loop,
 * which tools/run uses to measure whether an accelerator really runs guest
 * kernel code fast.
 */
#include <plat/boot.h>
#include <x86/cpu.h>
#include <x86/fmt.h>
#include <kvm/boot.h>

static uint64_t cmdline_number(const char *key)
{
	const char *s = sk_plat_cmdline();
	uint64_t v = 0;

	for (; *s; s++) {
		const char *k = key, *p = s;

		while (*k && *p == *k) {
			k++;
			p++;
		}
		if (*k || (s != sk_plat_cmdline() && s[-1] != ' '))
			continue;
		while (*p >= '0' && *p <= '9')
			v = v * 10 + (uint64_t)(*p++ - '0');
		return v;
	}
	return 0;
}

void sk_kvm_main(void)
{
	const struct sk_kvm_boot_info *b = sk_kvm_boot_info();
	uint64_t n = cmdline_number("sk.loop="), t0, t1;

	uint64_t mhz = b->tsc_hz / 1000000;

	sk_x86_printf("entry to main: %lu TSC cycles (%lu us), of which "
		      "calibration %lu us, page tables %lu us\n",
		      (unsigned long)(b->main_tsc - b->entry_tsc),
		      (unsigned long)((b->main_tsc - b->entry_tsc) / mhz),
		      (unsigned long)(b->calib_tsc / mhz),
		      (unsigned long)(b->kpt_tsc / mhz));
	if (!n)
		return;
	t0 = sk_x86_rdtsc();
	__asm__ __volatile__("1: dec %0; jnz 1b" : "+r"(n));
	t1 = sk_x86_rdtsc();
	sk_x86_printf("ring-0 loop: %lu us\n",
		      (unsigned long)((t1 - t0) / (b->tsc_hz / 1000000)));
}
