/* SPDX-License-Identifier: MIT */
/* Tests for the purgatory's framebuffer lines, on a buffer standing in for the screen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fb_text.h"
#include "font.h"

/* A small screen with a line longer than its pixels: 20 columns x 20 rows of text. */
#define W (20 * BATON_FONT_WIDTH)
#define H (20 * BATON_FONT_HEIGHT + 5)

struct screen {
	struct baton_fb fb;
	uint8_t *mem;
};

static struct screen make(uint8_t bpp, uint32_t stride)
{
	struct screen s;

	s.mem = malloc((size_t)stride * H);
	assert_non_null(s.mem);
	memset(s.mem, 0x5a, (size_t)stride * H);   /* the old kernel's picture */
	s.fb = (struct baton_fb){ (uint64_t)(uintptr_t)s.mem, stride, W, H, bpp, 16, 8, 8, 8, 0, 8,
				  0 };
	if (bpp == 16)
		s.fb = (struct baton_fb){ (uint64_t)(uintptr_t)s.mem, stride, W, H, 16, 11, 5, 5, 6,
					  0, 5, 0 };
	return s;
}

static uint32_t pixel(const struct screen *s, uint32_t x, uint32_t y)
{
	const uint8_t *p = s->mem + (size_t)y * s->fb.stride + (size_t)x * (s->fb.bpp / 8);
	uint32_t v = 0;

	for (int i = 0; i < s->fb.bpp / 8; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

/* The cell at text row `row` of the band holds glyph c, drawn in fg on black. */
static void cell_is(const struct screen *s, const struct baton_fb_text *t, int row, int col, char c,
		    uint32_t fg)
{
	const uint8_t *g = baton_font[(uint8_t)c - BATON_FONT_FIRST];

	for (uint32_t y = 0; y < BATON_FONT_HEIGHT; y++)
		for (uint32_t x = 0; x < BATON_FONT_WIDTH; x++)
			assert_int_equal(pixel(s, (uint32_t)col * 8 + x,
					       t->top + (uint32_t)row * 16 + y),
					 (g[y] & (0x80 >> x)) ? fg : 0);
}

static void band_at_the_bottom_old_picture_above(void **state)
{
	(void)state;
	struct screen s = make(32, W * 4 + 64);
	struct baton_fb_text t;

	baton_fb_text_open(&t, &s.fb);
	assert_int_equal(t.cols, 20);
	assert_int_equal(t.band, BATON_FB_BAND_ROWS);
	assert_int_equal(t.top, (20 - BATON_FB_BAND_ROWS) * 16);
	/* Above the band, and right of the text columns (the stride's padding): untouched. */
	assert_int_equal(pixel(&s, 0, t.top - 1), 0x5a5a5a5a);
	assert_int_equal(s.mem[(size_t)t.top * s.fb.stride + W * 4], 0x5a);
	baton_fb_text_puts(&t, "OK: 1\nb");
	cell_is(&s, &t, 0, 0, 'O', 0xffffff);
	cell_is(&s, &t, 0, 1, 'K', 0xffffff);
	cell_is(&s, &t, 0, 2, ':', 0xffffff);
	cell_is(&s, &t, 0, 4, '1', 0xffffff);
	cell_is(&s, &t, 0, 5, ' ', 0xffffff);
	cell_is(&s, &t, 1, 0, 'b', 0xffffff);
	cell_is(&s, &t, 2, 0, ' ', 0xffffff);
	free(s.mem);
}

static void wrap_and_scroll_inside_the_band(void **state)
{
	(void)state;
	struct screen s = make(32, W * 4);
	struct baton_fb_text t;
	char line[4] = "?\n";

	baton_fb_text_open(&t, &s.fb);
	for (int i = 0; i < BATON_FB_BAND_ROWS + 3; i++) {
		line[0] = (char)('A' + i);
		baton_fb_text_puts(&t, line);
	}
	/* 15 lines in 12 rows: E..O on rows 0-10, the last row blank for the next line. */
	for (int r = 0; r < BATON_FB_BAND_ROWS - 1; r++)
		cell_is(&s, &t, r, 0, (char)('E' + r), 0xffffff);
	cell_is(&s, &t, BATON_FB_BAND_ROWS - 1, 0, ' ', 0xffffff);
	assert_int_equal(pixel(&s, 0, t.top - 1), 0x5a5a5a5a);

	baton_fb_text_puts(&t, "0123456789abcdefghijKL");   /* 22 characters in 20 columns */
	cell_is(&s, &t, BATON_FB_BAND_ROWS - 2, 19, 'j', 0xffffff);
	cell_is(&s, &t, BATON_FB_BAND_ROWS - 1, 0, 'K', 0xffffff);
	cell_is(&s, &t, BATON_FB_BAND_ROWS - 1, 1, 'L', 0xffffff);
	free(s.mem);
}

static void sixteen_and_twentyfour_bits(void **state)
{
	(void)state;
	struct screen s16 = make(16, W * 2);
	struct screen s24 = make(24, W * 3);
	struct baton_fb_text t;

	baton_fb_text_open(&t, &s16.fb);
	baton_fb_text_puts(&t, "W");
	cell_is(&s16, &t, 0, 0, 'W', 0xffff);   /* 5:6:5 all on */
	baton_fb_text_open(&t, &s24.fb);
	baton_fb_text_puts(&t, "#");
	cell_is(&s24, &t, 0, 0, '#', 0xffffff);
	free(s16.mem);
	free(s24.mem);
}

static void a_tiny_screen_is_all_band(void **state)
{
	(void)state;
	struct screen s = make(32, W * 4);
	struct baton_fb_text t;

	s.fb.height = 3 * BATON_FONT_HEIGHT;
	baton_fb_text_open(&t, &s.fb);
	assert_int_equal(t.band, 3);
	assert_int_equal(t.top, 0);
	s.fb.height = BATON_FONT_HEIGHT - 1;     /* not one row: off */
	baton_fb_text_open(&t, &s.fb);
	assert_null(t.base);
	baton_fb_text_puts(&t, "x");
	free(s.mem);
}

/* The font: every printable character, a blank top row, columns 1-5 only, no two alike. */
static void font_covers_printable_ascii(void **state)
{
	(void)state;
	for (int c = 0; c < BATON_FONT_GLYPHS; c++) {
		int ink = 0;
		assert_int_equal(baton_font[c][0], 0);
		for (int y = 0; y < BATON_FONT_HEIGHT; y++) {
			assert_int_equal(baton_font[c][y] & 0x83, 0);
			ink |= baton_font[c][y];
		}
		assert_true(c == 0 ? !ink : ink != 0);
		for (int d = 0; d < c; d++)
			assert_memory_not_equal(baton_font[c], baton_font[d], BATON_FONT_HEIGHT);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(band_at_the_bottom_old_picture_above),
		cmocka_unit_test(wrap_and_scroll_inside_the_band),
		cmocka_unit_test(sixteen_and_twentyfour_bits),
		cmocka_unit_test(a_tiny_screen_is_all_band),
		cmocka_unit_test(font_covers_printable_ascii),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
