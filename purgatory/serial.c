/* SPDX-License-Identifier: MIT */
/* 16550 UART: programmed once, then polled; bounded waits so a missing UART cannot hang us. */
#include "serial.h"

#include "io.h"

enum { UART_THR = 0, UART_IER = 1, UART_DLL = 0, UART_DLM = 1, UART_FCR = 2, UART_LCR = 3,
       UART_MCR = 4, UART_LSR = 5 };

#define LSR_THRE 0x20
#define UART_CLOCK 115200

void serial_init(struct serial *s, uint16_t port, uint32_t baud)
{
	uint32_t divisor = baud ? UART_CLOCK / baud : 1;

	s->port = port;
	if (!port)
		return;
	if (!divisor)
		divisor = 1;
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, 0x80);   /* DLAB */
	outb(port + UART_DLL, divisor & 0xff);
	outb(port + UART_DLM, (divisor >> 8) & 0xff);
	outb(port + UART_LCR, 0x03);   /* 8N1 */
	outb(port + UART_FCR, 0x07);   /* FIFO on, cleared */
	outb(port + UART_MCR, 0x03);   /* DTR, RTS */
}

static void serial_putc(const struct serial *s, char c)
{
	for (int spin = 0; spin < 100000; spin++)
		if (inb(s->port + UART_LSR) & LSR_THRE)
			break;
	outb(s->port + UART_THR, (uint8_t)c);
}

void serial_puts(const struct serial *s, const char *str)
{
	if (!s->port)
		return;
	for (; *str; str++) {
		if (*str == '\n')
			serial_putc(s, '\r');
		serial_putc(s, *str);
	}
}
