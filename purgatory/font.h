/* SPDX-License-Identifier: MIT */
/* baton's console font: printable ASCII in 8x16 cells (purgatory/font.txt is the design). */
#ifndef BATON_PURGATORY_FONT_H
#define BATON_PURGATORY_FONT_H

#include <stdint.h>

#define BATON_FONT_FIRST 0x20
#define BATON_FONT_GLYPHS 95      /* 0x20 ' ' to 0x7e '~' */
#define BATON_FONT_WIDTH 8
#define BATON_FONT_HEIGHT 16

/* One byte a pixel row, bit 7 the leftmost pixel. Hidden: the purgatory reaches it
 * PC-relative, never through a GOT (clang would; the purgatory has no relocations). */
extern const uint8_t baton_font[BATON_FONT_GLYPHS][BATON_FONT_HEIGHT]
	__attribute__((visibility("hidden")));

#endif
