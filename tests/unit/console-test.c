/* SPDX-License-Identifier: MIT */
/* Tests for choosing the purgatory's screens: what each flag gets on each machine, and the
 * refusals, each one line and an empty plan. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "baton/baton.h"
#include "console.h"
#include "support/fixture.h"
#include "verify.h"

static uint8_t seabios[0x40], ovmf[0x40];

static int setup(void **state)
{
	(void)state;
	size_t size;
	uint8_t *a = fx_read_fixture("qemu-1g.boot_params", &size);
	uint8_t *b = fx_read_fixture("efi/boot_params", &size);

	memcpy(seabios, a, sizeof(seabios));
	memcpy(ovmf, b, sizeof(ovmf));
	free(a);
	free(b);
	return 0;
}

static int plan(unsigned flags, const uint8_t *si, struct baton_console_plan *out,
		struct baton_error *err)
{
	return baton_console_plan(flags, si, NULL, out, err);
}

static void refused(int rc, const struct baton_error *err, const struct baton_console_plan *out,
		    const char *msg)
{
	assert_true(rc < 0);
	assert_non_null(strstr(err->msg, msg));
	assert_null(strchr(err->msg, '\n'));
	assert_true(fx_all_zero(out, sizeof(*out)));
}

static void nothing_asked_nothing_read(void **state)
{
	(void)state;
	struct baton_console_plan out;
	struct baton_error err = { 0 };

	assert_int_equal(plan(BATON_LOAD_SERIAL, NULL, &out, &err), 0);
	assert_true(fx_all_zero(&out, sizeof(out)));
}

static void vga_text_under_seabios(void **state)
{
	(void)state;
	struct baton_console_plan out;
	struct baton_error err = { 0 };

	assert_int_equal(plan(BATON_LOAD_CONSOLE_VGA, seabios, &out, &err), 0);
	assert_int_equal(out.pf, BATON_PF_CONSOLE_VGA);
	assert_int_equal(plan(BATON_LOAD_CONSOLE_VGA | BATON_LOAD_RESET_VGA, seabios, &out, &err),
			 0);
	assert_int_equal(out.pf, BATON_PF_CONSOLE_VGA | BATON_PF_RESET_VGA);
	assert_int_equal(plan(BATON_LOAD_RESET_VGA, seabios, &out, &err), 0);
	assert_int_equal(out.pf, BATON_PF_RESET_VGA);
	refused(plan(BATON_LOAD_CONSOLE_FB, seabios, &out, &err), &err, &out,
		"console: screen_info shows VGA text, no linear framebuffer (type 0x01)");
}

static void framebuffer_under_ovmf(void **state)
{
	(void)state;
	struct baton_console_plan out;
	struct baton_error err = { 0 };

	for (int i = 0; i < 2; i++) {
		unsigned flag = i ? BATON_LOAD_CONSOLE_FB : BATON_LOAD_CONSOLE_VGA;
		assert_int_equal(plan(flag, ovmf, &out, &err), 0);
		assert_int_equal(out.pf, BATON_PF_CONSOLE_FB);
		assert_int_equal(out.fb.base, 0xc0000000);
		assert_int_equal(out.fb.stride, 5120);
		assert_int_equal(out.fb.width, 1280);
		assert_int_equal(out.fb.height, 800);
		assert_int_equal(out.fb.bpp, 32);
		assert_int_equal(out.fb.red_pos, 16);
		assert_int_equal(out.fb.green_pos, 8);
		assert_int_equal(out.fb.blue_size, 8);
	}
	refused(plan(BATON_LOAD_RESET_VGA, ovmf, &out, &err), &err, &out,
		"console: cannot reset the VGA: the screen is an EFI framebuffer");
	refused(plan(BATON_LOAD_RESET_VGA | BATON_LOAD_CONSOLE_VGA, ovmf, &out, &err), &err, &out,
		"EFI framebuffer");
}

static void headless_and_unknown(void **state)
{
	(void)state;
	uint8_t none[0x40] = { 0 };
	struct baton_console_plan out;
	struct baton_error err = { 0 };

	refused(plan(BATON_LOAD_CONSOLE_VGA, none, &out, &err), &err, &out,
		"console: screen_info shows neither VGA text nor a linear framebuffer (type 0x00)");
	refused(plan(BATON_LOAD_RESET_VGA, none, &out, &err), &err, &out,
		"console: cannot reset the VGA: screen_info shows no VGA adapter (type 0x00)");
	refused(plan(BATON_LOAD_CONSOLE_VGA, NULL, &out, &err), &err, &out,
		"console: the running kernel's screen_info is unknown");
}

/* A VESA framebuffer on a BIOS machine: a VGA is behind it, so --reset-vga brings text back. */
static void vesa_with_reset(void **state)
{
	(void)state;
	uint8_t si[0x40];
	struct baton_console_plan out;
	struct baton_error err = { 0 };

	memcpy(si, ovmf, sizeof(si));
	si[0x0f] = 0x23;
	assert_int_equal(plan(BATON_LOAD_CONSOLE_VGA | BATON_LOAD_RESET_VGA, si, &out, &err), 0);
	assert_int_equal(out.pf, BATON_PF_CONSOLE_VGA | BATON_PF_RESET_VGA);
	assert_int_equal(plan(BATON_LOAD_CONSOLE_VGA, si, &out, &err), 0);
	assert_int_equal(out.pf, BATON_PF_CONSOLE_FB);
	refused(plan(BATON_LOAD_CONSOLE_FB | BATON_LOAD_RESET_VGA, si, &out, &err), &err, &out,
		"hides the framebuffer");
}

static void framebuffer_the_purgatory_cannot_draw(void **state)
{
	(void)state;
	uint8_t si[0x40];
	struct baton_console_plan out;
	struct baton_error err = { 0 };
	struct baton_memmap map = { 0 };

	memcpy(si, ovmf, sizeof(si));
	si[0x16] = 8;
	refused(plan(BATON_LOAD_CONSOLE_FB, si, &out, &err), &err, &out,
		"console: the framebuffer has 8 bits per pixel; the purgatory draws 16, 24 or 32");
	memcpy(si, ovmf, sizeof(si));
	si[0x24] = 0x00; si[0x25] = 0x10;   /* 4096 bytes a line for 1280 pixels of 4 bytes */
	refused(plan(BATON_LOAD_CONSOLE_FB, si, &out, &err), &err, &out,
		"inconsistent framebuffer (1280x800, 32 bpp, 4096 bytes a line)");

	/* Above 4 GiB: only where the memory map lists it is it identity-mapped. */
	memcpy(si, ovmf, sizeof(si));
	si[0x36] = 2;
	si[0x3a] = 0x80;                    /* 0x80'c0000000 */
	refused(baton_console_plan(BATON_LOAD_CONSOLE_FB, si, NULL, &out, &err), &err, &out,
		"console: the framebuffer at 0x80c0000000-0x80c03e7fff lies above 4 GiB outside "
		"the memory map");
	assert_int_equal(baton_memmap_add(&map, 0x8000000000ULL, 0x80c0200000ULL,
					  BATON_MEM_RESERVED, &err), 0);
	refused(baton_console_plan(BATON_LOAD_CONSOLE_FB, si, &map, &out, &err), &err, &out,
		"above 4 GiB outside the memory map");
	assert_int_equal(baton_memmap_add(&map, 0x80c0200000ULL, 0x80d0000000ULL,
					  BATON_MEM_RESERVED, &err), 0);
	assert_int_equal(baton_console_plan(BATON_LOAD_CONSOLE_FB, si, &map, &out, &err), 0);
	assert_int_equal(out.fb.base, 0x80c0000000ULL);
	baton_memmap_free(&map);
}

/* The purgatory's own check of the block's framebuffer, whatever the digest says. */
static void purgatory_refuses_a_framebuffer_it_cannot_draw(void **state)
{
	(void)state;
	struct baton_params p;
	struct baton_fb good = { 0xc0000000, 5120, 1280, 800, 32, 16, 8, 8, 8, 0, 8, 0 };
	struct { struct baton_fb fb; int ok; } cases[] = {
		{ good, 1 },
		{ { 0xc0000000, 3840, 1280, 800, 24, 16, 8, 8, 8, 0, 8, 0 }, 1 },
		{ { 0xc0000000, 2560, 1280, 800, 16, 11, 5, 5, 6, 0, 5, 0 }, 1 },
		{ { 0, 5120, 1280, 800, 32, 16, 8, 8, 8, 0, 8, 0 }, 0 },            /* no address */
		{ { 0xc0000000, 5119, 1280, 800, 32, 16, 8, 8, 8, 0, 8, 0 }, 0 },   /* short line */
		{ { 0xc0000000, 5120, 1280, 800, 8, 0, 3, 3, 3, 6, 2, 0 }, 0 },     /* 8 bpp */
		{ { 0xc0000000, 5120, 1280, 800, 32, 28, 8, 8, 8, 0, 8, 0 }, 0 },   /* red outside */
		{ { (1ULL << 47) - 4096, 5120, 1280, 800, 32, 16, 8, 8, 8, 0, 8, 0 }, 0 },  /* past 2^47 */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&p, 0, sizeof(p));
		p.magic = BATON_PARAMS_MAGIC;
		p.version = BATON_ABI_VERSION;
		p.size = sizeof(p);
		p.flags = BATON_PF_CONSOLE_FB;
		p.fb = cases[i].fb;
		baton_params_digest(&p, p.self_sha256);
		assert_int_equal(baton_verify_params(&p),
				 cases[i].ok ? BATON_PARAMS_OK : BATON_PARAMS_BAD_FB);
		p.flags = BATON_PF_CONSOLE_VGA;   /* not asked for: not looked at */
		baton_params_digest(&p, p.self_sha256);
		assert_int_equal(baton_verify_params(&p), BATON_PARAMS_OK);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nothing_asked_nothing_read),
		cmocka_unit_test(vga_text_under_seabios),
		cmocka_unit_test(framebuffer_under_ovmf),
		cmocka_unit_test(headless_and_unknown),
		cmocka_unit_test(vesa_with_reset),
		cmocka_unit_test(framebuffer_the_purgatory_cannot_draw),
		cmocka_unit_test(purgatory_refuses_a_framebuffer_it_cannot_draw),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
