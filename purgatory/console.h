/* SPDX-License-Identifier: MIT */
/* Every line the purgatory says goes to every console the parameter block names: the UART,
 * VGA text memory, a linear framebuffer. */
#ifndef BATON_PURGATORY_CONSOLE_H
#define BATON_PURGATORY_CONSOLE_H

#include <stdint.h>

#include "baton/abi.h"
#include "fb_text.h"
#include "serial.h"
#include "vga_text.h"

/* What was said before a screen opened, shown on it when it does. */
#define CONSOLE_HISTORY 512

struct console {
	struct serial serial;         /* port 0: off */
	struct baton_vga_text vga;    /* cells NULL: off */
	struct baton_fb_text fb;      /* base NULL: off */
	char history[CONSOLE_HISTORY];
	uint32_t history_len;
};

void console_init(struct console *c);   /* all off */
/* The screens open only on baton's own identity map (the old kernel's need not map them), and
 * the framebuffer only from a verified parameter block; each first shows the history. */
void console_open_vga(struct console *c);
void console_open_fb(struct console *c, const struct baton_fb *fb);

void console_puts(struct console *c, const char *s);
void console_hex(struct console *c, uint64_t v);
void console_dec(struct console *c, uint64_t v);

#endif
