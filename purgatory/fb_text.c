/* SPDX-License-Identifier: MIT */
/* Framebuffer text: built into the purgatory on the screen and into the host tests on a buffer. */
#include "fb_text.h"

#include "font.h"

static uint32_t colour_max(uint8_t pos, uint8_t size)
{
	return size ? (uint32_t)(((1ULL << size) - 1) << pos) : 0;
}

static void put_pixel(const struct baton_fb_text *t, uint32_t x, uint32_t y, uint32_t v)
{
	volatile uint8_t *p = t->base + (uint64_t)y * t->stride + (uint64_t)x * t->bytes;

	switch (t->bytes) {
	case 4:
		*(volatile uint32_t *)p = v;
		break;
	case 2:
		*(volatile uint16_t *)p = (uint16_t)v;
		break;
	default:
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)(v >> 8);
		p[2] = (uint8_t)(v >> 16);
	}
}

static void clear_rows(const struct baton_fb_text *t, uint32_t first, uint32_t n)
{
	uint32_t y0 = t->top + first * BATON_FONT_HEIGHT;

	for (uint32_t y = y0; y < y0 + n * BATON_FONT_HEIGHT; y++)
		for (uint32_t x = 0; x < (uint32_t)t->cols * BATON_FONT_WIDTH; x++)
			put_pixel(t, x, y, t->bg);
}

static void draw(const struct baton_fb_text *t, char c)
{
	uint8_t ch = (uint8_t)c;
	const uint8_t *g;
	uint32_t x0 = (uint32_t)t->col * BATON_FONT_WIDTH;
	uint32_t y0 = t->top + (uint32_t)t->row * BATON_FONT_HEIGHT;

	if (ch < BATON_FONT_FIRST || ch >= BATON_FONT_FIRST + BATON_FONT_GLYPHS)
		ch = '?';
	g = baton_font[ch - BATON_FONT_FIRST];
	for (uint32_t y = 0; y < BATON_FONT_HEIGHT; y++)
		for (uint32_t x = 0; x < BATON_FONT_WIDTH; x++)
			put_pixel(t, x0 + x, y0 + y, (g[y] & (0x80 >> x)) ? t->fg : t->bg);
}

static void new_line(struct baton_fb_text *t)
{
	uint32_t line = (uint32_t)t->cols * BATON_FONT_WIDTH * t->bytes;

	t->col = 0;
	if (++t->row < t->band)
		return;
	t->row = t->band - 1;
	for (uint32_t y = t->top; y < t->top + (uint32_t)t->row * BATON_FONT_HEIGHT; y++) {
		volatile uint8_t *dst = t->base + (uint64_t)y * t->stride;
		const volatile uint8_t *src = dst + (uint64_t)BATON_FONT_HEIGHT * t->stride;
		for (uint32_t i = 0; i < line; i++)
			dst[i] = src[i];
	}
	clear_rows(t, t->row, 1);
}

void baton_fb_text_open(struct baton_fb_text *t, const struct baton_fb *fb)
{
	uint32_t rows = fb->height / BATON_FONT_HEIGHT;

	*t = (struct baton_fb_text){ 0 };
	if (!rows || fb->width < BATON_FONT_WIDTH)
		return;
	t->base = (volatile uint8_t *)(uintptr_t)fb->base;
	t->stride = fb->stride;
	t->cols = fb->width / BATON_FONT_WIDTH;
	t->band = rows < BATON_FB_BAND_ROWS ? (uint16_t)rows : BATON_FB_BAND_ROWS;
	t->top = (uint16_t)((rows - t->band) * BATON_FONT_HEIGHT);
	t->bytes = fb->bpp / 8;
	t->fg = colour_max(fb->red_pos, fb->red_size) | colour_max(fb->green_pos, fb->green_size) |
		colour_max(fb->blue_pos, fb->blue_size);
	t->bg = 0;
	clear_rows(t, 0, t->band);
}

void baton_fb_text_puts(struct baton_fb_text *t, const char *s)
{
	if (!t->base)
		return;
	for (; *s; s++) {
		if (*s == '\n') {
			new_line(t);
			continue;
		}
		if (t->col == t->cols)
			new_line(t);
		draw(t, *s);
		t->col++;
	}
}
