// SPDX-License-Identifier: MIT
/*
 * Crashes on request, to test the crash report: "crash=pf" dereferences an
 * unmapped address, "crash=ud" executes ud2, "crash=panic" calls SK_PANIC,
 * "crash=wtext" writes to the kernel's text, "crash=stack" recurses into
 * the boot stack's guard page.
 * Each happens inside sk_kvm_test_crash_target, so the report's backtrace
 * must name that function (tests/crash_check.py checks it).
 */
#include <plat/assert.h>

#include "boottest.h"

void sk_kvm_test_crash_target(int how);
unsigned bt_recurse(unsigned depth, unsigned limit);

/* 512 bytes of stack per level; the limit (far beyond any stack) is only
 * there so the compiler sees an end. */
SK_NOINLINE unsigned bt_recurse(unsigned depth, unsigned limit)
{
	volatile unsigned char pad[512];

	pad[0] = (unsigned char)depth;
	if (depth >= limit)
		return pad[0];
	return bt_recurse(depth + 1, limit) + pad[0];
}

SK_NOINLINE void sk_kvm_test_crash_target(int how)
{
	if (how == 1)
		(void)*(volatile uint64_t *)(uintptr_t)0x4000000000ull;
	if (how == 2)
		__asm__ __volatile__("ud2");
	if (how == 3)
		SK_PANIC("boot test asked for a panic");
	if (how == 4)
		*(volatile uint8_t *)(uintptr_t)sk_kvm_test_crash_target = 0xcc;
	if (how == 5)
		bt_recurse(1, (unsigned)bt_cmdline_number("depth=", 1u << 30));
}

static const char *const kinds[] = { "crash=pf", "crash=ud", "crash=panic",
				     "crash=wtext", "crash=stack" };

void bt_crash_if_asked(void)
{
	int how = 0;

	for (unsigned i = 0; i < SK_ARRAY_LEN(kinds) && !how; i++)
		if (bt_cmdline_has(kinds[i]))
			how = (int)i + 1;
	if (how)
		sk_kvm_test_crash_target(how);
}
