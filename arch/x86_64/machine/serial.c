// SPDX-License-Identifier: MIT
/*
 * Polled 16550 UART on COM1.  Under QEMU the transmitter is always ready;
 * on real hardware the loop waits for the holding register to drain.
 */
#include <x86/cpu.h>
#include <x86/serial.h>

enum {
	COM1 = 0x3f8,
	UART_DATA = 0, /* THR / RBR; DLL with DLAB */
	UART_IER = 1, /* DLM with DLAB */
	UART_FCR = 2,
	UART_LCR = 3,
	UART_MCR = 4,
	UART_LSR = 5,
	LCR_DLAB = 0x80,
	LCR_8N1 = 0x03,
	FCR_ENABLE_CLEAR = 0xc7,
	MCR_DTR_RTS = 0x03,
	LSR_DATA_READY = 0x01,
	LSR_THR_EMPTY = 0x20,
};

void sk_x86_serial_init(void)
{
	sk_x86_outb(COM1 + UART_IER, 0);
	sk_x86_outb(COM1 + UART_LCR, LCR_DLAB);
	sk_x86_outb(COM1 + UART_DATA, 1); /* divisor 1: 115200 baud */
	sk_x86_outb(COM1 + UART_IER, 0);
	sk_x86_outb(COM1 + UART_LCR, LCR_8N1);
	sk_x86_outb(COM1 + UART_FCR, FCR_ENABLE_CLEAR);
	sk_x86_outb(COM1 + UART_MCR, MCR_DTR_RTS);
}

static void serial_putc(char c)
{
	while (!(sk_x86_inb(COM1 + UART_LSR) & LSR_THR_EMPTY))
		sk_x86_pause();
	sk_x86_outb(COM1 + UART_DATA, (uint8_t)c);
}

void sk_x86_serial_write(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n')
			serial_putc('\r');
		serial_putc(buf[i]);
	}
}

size_t sk_x86_serial_read(char *buf, size_t len)
{
	size_t n = 0;

	while (n < len && (sk_x86_inb(COM1 + UART_LSR) & LSR_DATA_READY))
		buf[n++] = (char)sk_x86_inb(COM1 + UART_DATA);
	return n;
}
