/* SPDX-License-Identifier: MIT */
/* Lines in VGA text memory: cells of a character and an attribute, scrolling up from the bottom. */
#ifndef BATON_PURGATORY_VGA_TEXT_H
#define BATON_PURGATORY_VGA_TEXT_H

#include <stdint.h>

struct baton_vga_text {
	volatile uint16_t *cells;   /* cols * rows; NULL: off */
	uint16_t cols, rows;
	uint16_t col;               /* where the next character goes on the bottom row */
	uint8_t attr;               /* the lines' colours (background << 4 | foreground) */
};

/* Start a fresh bottom line (what the old kernel left, its panic say, scrolls up, not away). */
void baton_vga_text_open(struct baton_vga_text *t, volatile uint16_t *cells, uint16_t cols,
			 uint16_t rows, uint8_t attr);
/* '\n' starts a new line, a full line wraps, anything but printable ASCII shows as '?'. */
void baton_vga_text_puts(struct baton_vga_text *t, const char *s);

#endif
