/* SPDX-License-Identifier: MIT */
/* Tests for the purgatory's VGA text lines, on a buffer standing in for 0xb8000. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vga_text.h"

#define COLS 80
#define ROWS 25
#define ATTR 0x4f

static uint16_t screen[COLS * ROWS];

/* The old kernel's screen: row r full of the letter 'a' + r, attribute 0x07. */
static void old_screen(void)
{
	for (int r = 0; r < ROWS; r++)
		for (int c = 0; c < COLS; c++)
			screen[r * COLS + c] = (uint16_t)(0x0700 | ('a' + r));
}

static void row_is(int row, const char *text, uint8_t attr)
{
	for (int c = 0; c < COLS; c++) {
		char want = c < (int)strlen(text) ? text[c] : ' ';
		assert_int_equal(screen[row * COLS + c] & 0xff, (uint8_t)want);
		assert_int_equal(screen[row * COLS + c] >> 8, attr);
	}
}

static void old_lines_scroll_up(void **state)
{
	(void)state;
	struct baton_vga_text t;

	old_screen();
	baton_vga_text_open(&t, screen, COLS, ROWS, ATTR);
	/* One fresh row at the bottom: everything the old kernel showed moved up by one. */
	for (int r = 0; r < ROWS - 1; r++)
		assert_int_equal(screen[r * COLS], 0x0700 | ('a' + r + 1));
	row_is(ROWS - 1, "", ATTR);

	baton_vga_text_puts(&t, "baton: purgatory: verifying\n");
	baton_vga_text_puts(&t, "baton: purgatory: ");
	baton_vga_text_puts(&t, "7 segments verified\n");
	row_is(ROWS - 3, "baton: purgatory: verifying", ATTR);
	row_is(ROWS - 2, "baton: purgatory: 7 segments verified", ATTR);
	row_is(ROWS - 1, "", ATTR);
	assert_int_equal(screen[(ROWS - 4) * COLS], 0x0700 | ('a' + ROWS - 4 + 3));   /* 3 scrolls */
}

static void long_lines_wrap_and_odd_bytes_show(void **state)
{
	(void)state;
	struct baton_vga_text t;
	char line[COLS + 12];

	old_screen();
	baton_vga_text_open(&t, screen, COLS, ROWS, ATTR);
	memset(line, 'x', COLS + 10);
	line[COLS + 10] = '\n';
	line[COLS + 11] = 0;
	line[3] = '\t';
	line[4] = (char)0xe9;
	baton_vga_text_puts(&t, line);
	assert_int_equal(screen[(ROWS - 3) * COLS + 3] & 0xff, '?');
	assert_int_equal(screen[(ROWS - 3) * COLS + 4] & 0xff, '?');
	assert_int_equal(screen[(ROWS - 3) * COLS + COLS - 1] & 0xff, 'x');
	row_is(ROWS - 2, "xxxxxxxxxx", ATTR);
	row_is(ROWS - 1, "", ATTR);
}

static void more_lines_than_rows(void **state)
{
	(void)state;
	struct baton_vga_text t;
	char line[8];

	old_screen();
	baton_vga_text_open(&t, screen, COLS, ROWS, ATTR);
	for (int i = 0; i < 40; i++) {
		line[0] = (char)('A' + i % 26);
		line[1] = '\n';
		line[2] = 0;
		baton_vga_text_puts(&t, line);
	}
	for (int r = 0; r < ROWS - 1; r++) {
		char want[2] = { (char)('A' + (40 - (ROWS - 1) + r) % 26), 0 };
		row_is(r, want, ATTR);
	}
}

static void no_memory_is_off(void **state)
{
	(void)state;
	struct baton_vga_text t;

	baton_vga_text_open(&t, NULL, COLS, ROWS, ATTR);
	baton_vga_text_puts(&t, "nothing\n");   /* must not crash */
	assert_null(t.cells);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(old_lines_scroll_up),
		cmocka_unit_test(long_lines_wrap_and_odd_bytes_show),
		cmocka_unit_test(more_lines_than_rows),
		cmocka_unit_test(no_memory_is_off),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
