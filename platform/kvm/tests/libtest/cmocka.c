// SPDX-License-Identifier: MIT
/*
 * The test runner of the libtest CMocka subset.  A failure jumps back to
 * the runner with __builtin_setjmp/__builtin_longjmp (no libc setjmp in
 * the image); the teardown still runs, as with CMocka.
 */
#include <stdarg.h>

#include <plat/console.h>
#include <x86/fmt.h>

#include "cmocka.h"

static void *fail_jump[5];
static int in_test;

_Noreturn void sk_kvm_cmocka_fail(const char *file, int line, const char *what,
				  uintmax_t a, uintmax_t b)
{
	sk_x86_printf("  assertion failed at %s:%d: %s (0x%llx, 0x%llx)\n",
		      file, line, what, (unsigned long long)a,
		      (unsigned long long)b);
	if (!in_test) {
		sk_x86_printf("  (outside a test: stopping)\n");
		for (;;)
			__asm__ __volatile__("cli; hlt");
	}
	__builtin_longjmp(fail_jump, 1);
}

static void vprint(const char *fmt, va_list ap)
{
	char buf[256];
	size_t n = sk_x86_vfmt(buf, sizeof(buf), fmt, ap);

	sk_plat_console_write(buf, n < sizeof(buf) ? n : sizeof(buf) - 1);
}

void print_message(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
}

void print_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
}

/* One test; returns 0 if it passed.  noinline: owns the setjmp frame. */
static SK_NOINLINE int run_one(const struct CMUnitTest *t)
{
	void *state = t->initial_state;
	volatile int failed = 0;

	if (t->setup_func && t->setup_func(&state) != 0)
		return 1;
	in_test = 1;
	if (__builtin_setjmp(fail_jump) == 0)
		t->test_func(&state);
	else
		failed = 1;
	in_test = 0;
	if (t->teardown_func && t->teardown_func(&state) != 0)
		failed = 1;
	return failed;
}

int _cmocka_run_group_tests(const char *group_name,
			    const struct CMUnitTest *tests, size_t count,
			    CMFixtureFunction group_setup,
			    CMFixtureFunction group_teardown)
{
	void *state = NULL;
	int failed = 0;

	sk_x86_printf("[==========] %s: running %zu test(s)\n", group_name,
		      count);
	if (group_setup && group_setup(&state) != 0)
		return (int)count;
	for (size_t i = 0; i < count; i++) {
		int f;

		sk_x86_printf("[ RUN      ] %s\n", tests[i].name);
		f = run_one(&tests[i]);
		sk_x86_printf("[ %s ] %s\n", f ? "FAILED  " : "      OK",
			      tests[i].name);
		failed += f;
	}
	if (group_teardown)
		group_teardown(&state);
	sk_x86_printf("[==========] %s: %zu test(s), %d failed\n", group_name,
		      count, failed);
	return failed;
}
