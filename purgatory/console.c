/* SPDX-License-Identifier: MIT */
/* One interface over the purgatory's consoles, so a failure's reason reaches all of them. */
#include "console.h"

/* Bright white on red: what the purgatory says stands out from what the old kernel left. */
#define VGA_ATTR 0x4f

void console_init(struct console *c)
{
	*c = (struct console){ 0 };
}

static void history(const struct console *c, char *out)
{
	for (uint32_t i = 0; i < c->history_len; i++)
		out[i] = c->history[i];
	out[c->history_len] = 0;
}

void console_open_vga(struct console *c)
{
	char said[CONSOLE_HISTORY + 1];

	baton_vga_text_open(&c->vga, (volatile uint16_t *)(uintptr_t)BATON_VGA_TEXT, BATON_VGA_COLS,
			    BATON_VGA_ROWS, VGA_ATTR);
	history(c, said);
	baton_vga_text_puts(&c->vga, said);
}

void console_open_fb(struct console *c, const struct baton_fb *fb)
{
	char said[CONSOLE_HISTORY + 1];

	baton_fb_text_open(&c->fb, fb);
	history(c, said);
	baton_fb_text_puts(&c->fb, said);
}

void console_puts(struct console *c, const char *s)
{
	for (const char *t = s; *t && c->history_len < CONSOLE_HISTORY; t++)
		c->history[c->history_len++] = *t;
	serial_puts(&c->serial, s);
	baton_vga_text_puts(&c->vga, s);
	baton_fb_text_puts(&c->fb, s);
}

void console_hex(struct console *c, uint64_t v)
{
	char buf[19];
	int i = 18;

	buf[i] = 0;
	do {
		buf[--i] = "0123456789abcdef"[v & 0xf];
		v >>= 4;
	} while (v);
	buf[--i] = 'x';
	buf[--i] = '0';
	console_puts(c, &buf[i]);
}

void console_dec(struct console *c, uint64_t v)
{
	char buf[21];
	int i = 20;

	buf[i] = 0;
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	console_puts(c, &buf[i]);
}
