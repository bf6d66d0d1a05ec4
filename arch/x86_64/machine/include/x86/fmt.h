/* SPDX-License-Identifier: MIT */
/*
 * A small printf for kernels without libc: %d %i %u %x %X %p %s %c %%,
 * with the flags '0' and '-', a width, and the length modifiers l, ll, z.
 * sk_x86_printf formats into a stack buffer and writes the result with
 * sk_plat_console_write, so it is safe in interrupts and crash reports.
 */
#ifndef X86_FMT_H
#define X86_FMT_H

#include <stdarg.h>
#include <stddef.h>

#include <plat/compiler.h>

/*
 * sk_x86_vfmt - format into @buf (always NUL-terminated when @cap > 0).
 * Return: the length the output would have without truncation.
 * Context: any.
 */
size_t sk_x86_vfmt(char *buf, size_t cap, const char *fmt, va_list ap);

/* sk_x86_fmt - sk_x86_vfmt with variable arguments.  Context: any. */
size_t sk_x86_fmt(char *buf, size_t cap, const char *fmt, ...) SK_PRINTF(3, 4);

/*
 * sk_x86_printf - format (up to 255 bytes) and write to the console.
 * Context: any.
 */
void sk_x86_printf(const char *fmt, ...) SK_PRINTF(1, 2);

#endif
