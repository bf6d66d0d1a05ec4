// SPDX-License-Identifier: MIT
/*
 * The console is COM1.  Input is polled: whatever the UART holds now.
 */
#include <errno.h>

#include <plat/console.h>
#include <x86/serial.h>

void sk_plat_console_write(const char *buf, size_t len)
{
	sk_x86_serial_write(buf, len);
}

long sk_plat_console_read(char *buf, size_t len)
{
	size_t n;

	if (len == 0)
		return -EAGAIN;
	n = sk_x86_serial_read(buf, len);
	return n ? (long)n : -EAGAIN;
}
