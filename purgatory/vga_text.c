/* SPDX-License-Identifier: MIT */
/* VGA text output: built into the purgatory on 0xb8000 and into the host tests on a buffer. */
#include "vga_text.h"

static uint16_t cell(const struct baton_vga_text *t, char c)
{
	uint8_t ch = (uint8_t)c;

	if (ch < 0x20 || ch > 0x7e)
		ch = '?';
	return (uint16_t)(t->attr << 8 | ch);
}

static void new_line(struct baton_vga_text *t)
{
	uint32_t n = (uint32_t)t->cols * t->rows;

	for (uint32_t i = t->cols; i < n; i++)
		t->cells[i - t->cols] = t->cells[i];
	for (uint32_t i = n - t->cols; i < n; i++)
		t->cells[i] = cell(t, ' ');
	t->col = 0;
}

void baton_vga_text_open(struct baton_vga_text *t, volatile uint16_t *cells, uint16_t cols,
			 uint16_t rows, uint8_t attr)
{
	*t = (struct baton_vga_text){ cells, cols, rows, 0, attr };
	if (cells && cols && rows)
		new_line(t);
	else
		t->cells = 0;
}

void baton_vga_text_puts(struct baton_vga_text *t, const char *s)
{
	if (!t->cells)
		return;
	for (; *s; s++) {
		if (*s == '\n') {
			new_line(t);
			continue;
		}
		if (t->col == t->cols)
			new_line(t);
		t->cells[(uint32_t)(t->rows - 1) * t->cols + t->col++] = cell(t, *s);
	}
}
