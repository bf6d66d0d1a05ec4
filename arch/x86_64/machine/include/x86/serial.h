/* SPDX-License-Identifier: MIT */
/*
 * The 16550 UART at COM1 (I/O port 0x3f8), polled: the console of the kvm
 * platform and the crash report's last resort.  No interrupts, no FIFO
 * state kept in memory, so any CPU may write at any time (bytes from two
 * CPUs writing at once may interleave).
 */
#ifndef X86_SERIAL_H
#define X86_SERIAL_H

#include <stddef.h>

/* sk_x86_serial_init - 115200 8N1, FIFOs on.  Context: boot CPU. */
void sk_x86_serial_init(void);

/* sk_x86_serial_write - send @len bytes, "\n" as "\r\n".  Context: any. */
void sk_x86_serial_write(const char *buf, size_t len);

/*
 * sk_x86_serial_read - take up to @len bytes the UART holds already.
 * Return: bytes read, 0 if none.
 * Context: any.
 */
size_t sk_x86_serial_read(char *buf, size_t len);

#endif
