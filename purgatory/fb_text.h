/* SPDX-License-Identifier: MIT */
/* Lines drawn into a linear framebuffer with baton's font, in a band at the bottom of the screen. */
#ifndef BATON_PURGATORY_FB_TEXT_H
#define BATON_PURGATORY_FB_TEXT_H

#include <stdint.h>

#include "baton/abi.h"

/* Text rows the purgatory takes at the bottom; the rest (the old kernel's last words) stays. */
#define BATON_FB_BAND_ROWS 12

struct baton_fb_text {
	volatile uint8_t *base;     /* pixel (0, 0); NULL: off */
	uint32_t stride;            /* bytes a pixel line */
	uint16_t cols;              /* text columns across the screen */
	uint16_t top;               /* first pixel line of the band */
	uint16_t band;              /* text rows in the band */
	uint16_t row, col;          /* the next character's cell in the band */
	uint8_t bytes;              /* bytes a pixel: 2, 3 or 4 */
	uint32_t fg, bg;            /* pixel values of the text and the band */
};

/* Clear the band and start at its first row; fb as checked by baton_verify_params. */
void baton_fb_text_open(struct baton_fb_text *t, const struct baton_fb *fb);
/* As baton_vga_text_puts; a full band scrolls up by one row (within the band only: reading a
 * framebuffer back is slow). */
void baton_fb_text_puts(struct baton_fb_text *t, const char *s);

#endif
