/* SPDX-License-Identifier: MIT */
/* Tests for reading screen_info: the running kernels QEMU booted, and synthetic ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "screen_info.h"
#include "support/fixture.h"

static void seabios_text_mode(void **state)
{
	(void)state;
	size_t size;
	uint8_t *bp = fx_read_fixture("qemu-1g.boot_params", &size);
	struct baton_screen s;

	baton_screen_info_parse(bp, &s);
	assert_int_equal(s.kind, BATON_SCREEN_VGA_TEXT);
	assert_int_equal(s.type, BATON_VIDEO_VGA_FLAG);
	assert_int_equal(s.cols, 80);
	assert_int_equal(s.lines, 25);
	assert_int_equal(s.fb.addr, 0);
	free(bp);
}

static void ovmf_gop_framebuffer(void **state)
{
	(void)state;
	size_t size;
	uint8_t *bp = fx_read_fixture("efi/boot_params", &size);
	struct baton_screen s;

	baton_screen_info_parse(bp, &s);
	assert_int_equal(s.kind, BATON_SCREEN_LFB);
	assert_int_equal(s.type, BATON_VIDEO_EFI);
	assert_int_equal(s.fb.addr, 0xc0000000);
	assert_int_equal(s.fb.width, 1280);
	assert_int_equal(s.fb.height, 800);
	assert_int_equal(s.fb.bpp, 32);
	assert_int_equal(s.fb.pitch, 5120);
	assert_int_equal(s.fb.red_pos, 16);
	assert_int_equal(s.fb.red_size, 8);
	assert_int_equal(s.fb.green_pos, 8);
	assert_int_equal(s.fb.blue_pos, 0);
	free(bp);
}

static void high_framebuffer_and_unknown_types(void **state)
{
	(void)state;
	uint8_t si[0x40] = { 0 };
	struct baton_screen s;

	si[0x0f] = BATON_VIDEO_VLFB;
	si[0x12] = 0x00; si[0x13] = 0x04;   /* 1024 */
	si[0x14] = 0x00; si[0x15] = 0x03;   /* 768 */
	si[0x16] = 16;
	si[0x18] = 0x00; si[0x19] = 0x00; si[0x1a] = 0x00; si[0x1b] = 0x80;
	si[0x36] = 2;                       /* VIDEO_CAPABILITY_64BIT_BASE */
	si[0x3a] = 0x40;                    /* ext_lfb_base: 0x40 << 32 */
	si[0x24] = 0x00; si[0x25] = 0x08;   /* 2048 bytes a line */
	baton_screen_info_parse(si, &s);
	assert_int_equal(s.kind, BATON_SCREEN_LFB);
	assert_int_equal(s.fb.addr, 0x4080000000ULL);
	assert_int_equal(s.fb.pitch, 2048);

	si[0x18] = si[0x19] = si[0x1a] = si[0x1b] = 0;
	si[0x3a] = 0;                       /* no address: no framebuffer */
	baton_screen_info_parse(si, &s);
	assert_int_equal(s.kind, BATON_SCREEN_NONE);
	assert_int_equal(s.fb.width, 0);

	memset(si, 0, sizeof(si));          /* headless */
	baton_screen_info_parse(si, &s);
	assert_int_equal(s.kind, BATON_SCREEN_NONE);
	si[0x0f] = BATON_VIDEO_VGAC;
	si[0x06] = 7;                       /* monochrome text at 0xb0000: not ours */
	baton_screen_info_parse(si, &s);
	assert_int_equal(s.kind, BATON_SCREEN_NONE);
	si[0x06] = 3;
	baton_screen_info_parse(si, &s);
	assert_int_equal(s.kind, BATON_SCREEN_VGA_TEXT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seabios_text_mode),
		cmocka_unit_test(ovmf_gop_framebuffer),
		cmocka_unit_test(high_framebuffer_and_unknown_types),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
