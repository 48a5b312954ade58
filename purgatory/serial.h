/* SPDX-License-Identifier: MIT */
/* Minimal 16550 UART output for the purgatory's progress and failure reports. */
#ifndef BATON_PURGATORY_SERIAL_H
#define BATON_PURGATORY_SERIAL_H

#include <stdint.h>

struct serial {
	uint16_t port;   /* 0: output disabled */
};

void serial_init(struct serial *s, uint16_t port, uint32_t baud);
void serial_puts(const struct serial *s, const char *str);

#endif
