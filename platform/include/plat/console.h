/* SPDX-License-Identifier: MIT */
/*
 * Platform contract: the console.  Bytes out, and bytes in where the
 * platform has input.  Writes are not buffered by the platform.
 */
#ifndef PLAT_CONSOLE_H
#define PLAT_CONSOLE_H

#include <stddef.h>

/*
 * sk_plat_console_write - write @len bytes; returns when they are out.
 * Context: any, including interrupt handlers and panic.
 */
void sk_plat_console_write(const char *buf, size_t len);

/*
 * sk_plat_console_read - read up to @len bytes that are already available.
 * Return: bytes read (> 0); -EAGAIN if none are available now; -ENOTSUP if
 *         the platform has no console input.
 * Context: any.
 */
long sk_plat_console_read(char *buf, size_t len);

#endif
