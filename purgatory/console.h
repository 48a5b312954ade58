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

struct console {
	struct serial serial;         /* port 0: off */
	struct baton_vga_text vga;    /* cells NULL: off */
	struct baton_fb_text fb;      /* base NULL: off */
};

void console_init(struct console *c);   /* all off */
/* VGA text at its fixed address: safe before the parameter block is verified. */
void console_open_vga(struct console *c);
/* Only from a verified parameter block: the address is the loader's word. */
void console_open_fb(struct console *c, const struct baton_fb *fb);

void console_puts(struct console *c, const char *s);
void console_hex(struct console *c, uint64_t v);
void console_dec(struct console *c, uint64_t v);

#endif
