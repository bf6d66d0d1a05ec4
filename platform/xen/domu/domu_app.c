// SPDX-License-Identifier: MIT
/*
 * The domU tests' own image, two modes from the command line:
 *   mode=panic        panic on purpose: a domU run must end in a crash
 *                     report on the console ring and SCHEDOP_shutdown with
 *                     reason crash, which run-xen-domu reports as a failure
 *                     unless told to expect it (--expect-reason crash);
 *   mode=flood N=...  print N numbered 64-byte lines, many times the
 *                     console ring's 2 KiB, so every line arriving in
 *                     xenconsoled's log shows the writer waits for the
 *                     backend to drain the ring instead of dropping bytes;
 *   mode=echo         read one line from the console (the ring's input
 *                     side; run-xen-domu --input has dom0 write it to the
 *                     guest's console pty) within 60 s and print it back.
 */
#include <errno.h>

#include <plat/assert.h>
#include <plat/boot.h>
#include <plat/console.h>
#include <plat/cpu.h>
#include <plat/time.h>
#include <x86/fmt.h>
#include <kvm/boot.h>

#include "boottest.h" /* bt_cmdline_number, bt_cmdline_has */

enum { FLOOD_MAX = 100000, LINE_MAX = 128 };

static const uint64_t ECHO_WAIT_NS = 60000000000ull;

/* Whether "mode=@mode" is on the command line (boottest_cmdline.c). */
static int mode_is(const char *mode)
{
	char want[32] = "mode=";
	size_t n = 5;

	while (*mode && n + 1 < sizeof(want))
		want[n++] = *mode++;
	want[n] = '\0';
	return bt_cmdline_has(want);
}

/* Read one line (without its end) into @line within ECHO_WAIT_NS; its
 * length, or -ETIMEDOUT, or the console's error. */
static long read_line(char *line, size_t cap)
{
	uint64_t end = sk_plat_clock_ns() + ECHO_WAIT_NS;
	size_t n = 0;

	while (sk_plat_clock_ns() < end) {
		char c;
		long rc = sk_plat_console_read(&c, 1);

		if (rc == -EAGAIN) {
			sk_plat_cpu_relax();
			continue;
		}
		if (rc < 0)
			return rc;
		if (c == '\n' || c == '\r')
			return (long)n;
		if (n + 1 < cap)
			line[n++] = c;
	}
	return -ETIMEDOUT;
}

static void echo(void)
{
	char line[LINE_MAX];
	long n;

	sk_x86_printf("domu_app: waiting for a line of console input\n");
	n = read_line(line, sizeof(line));
	if (n < 0) {
		sk_x86_printf("domu_app: no console input (%ld)\n", n);
		sk_plat_shutdown(1);
	}
	line[n] = '\0';
	sk_x86_printf("domu_app: echo \"%s\"\n", line);
}

void sk_kvm_main(void)
{
	if (mode_is("panic")) {
		sk_x86_printf("domu_app: about to panic on purpose\n");
		SK_PANIC("domU test: panic on purpose");
	}
	if (mode_is("flood")) {
		unsigned n = (unsigned)bt_cmdline_number("lines=", 0);

		for (unsigned i = 0; i < n && i < FLOOD_MAX; i++)
			sk_x86_printf("flood %05u of %05u: 0123456789"
				      "abcdefghijklmnopqrstuvwxyz\n",
				      i, n);
		sk_x86_printf("domu_app: flood of %u lines done\n", n);
		return;
	}
	if (mode_is("echo")) {
		echo();
		return;
	}
	sk_x86_printf("domu_app: no mode=panic|flood|echo on the command "
		      "line\n");
	sk_plat_shutdown(2);
}
