/* SPDX-License-Identifier: MIT */
/*
 * Broken internal contracts.  SK_ASSERT and SK_PANIC are for bugs, never for
 * bad input: input from outside gets an error code.  The platform decides
 * what "stop" means (hosted: abort the process; kvm/xen: print a report and
 * exit the VM with a failure code).
 */
#ifndef PLAT_ASSERT_H
#define PLAT_ASSERT_H

/*
 * sk_plat_panic - report a fatal bug and stop the machine.
 * @what: what went wrong, naming the broken contract.
 * @file, @line: where.
 * Context: any, including interrupt handlers and irqs off.  Never returns.
 */
_Noreturn void sk_plat_panic(const char *what, const char *file, int line);

#define SK_PANIC(what) sk_plat_panic((what), __FILE__, __LINE__)

#define SK_ASSERT(cond, what)                                               \
	do {                                                                \
		if (__builtin_expect(!(cond), 0))                           \
			sk_plat_panic("assertion failed: " #cond ": " what, \
				      __FILE__, __LINE__);                  \
	} while (0)

#endif
