/* SPDX-License-Identifier: MIT */
/* Tests that the purgatory as built matches include/baton/abi.h: the header entry.S lays out, the
 * offsets its assembly reads, and a parameter area the loader alone fills. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "purgatory_image.h"

static void offsets_entry_s_uses_are_the_structs(void **state)
{
	(void)state;
	assert_int_equal(offsetof(struct baton_purgatory_header, magic), BATON_HDR_MAGIC);
	assert_int_equal(offsetof(struct baton_purgatory_header, version), BATON_HDR_VERSION);
	assert_int_equal(offsetof(struct baton_purgatory_header, params_offset),
			 BATON_HDR_PARAMS_OFFSET);
	assert_int_equal(sizeof(struct baton_purgatory_header), BATON_HDR_SIZE);
	assert_int_equal(offsetof(struct baton_params, exit_mode), BATON_PARAMS_EXIT_MODE);
	assert_int_equal(offsetof(struct baton_params, exit_entry), BATON_PARAMS_EXIT_ENTRY);
	assert_int_equal(offsetof(struct baton_params, exit_regs), BATON_PARAMS_EXIT_REGS);
	assert_int_equal(offsetof(struct baton_params, exit_regs[BATON_EXIT_RSI]),
			 BATON_PARAMS_EXIT_REGS + 8 * BATON_EXIT_RSI);
	assert_int_equal(offsetof(struct baton_params, bios), 0xb0);
	assert_int_equal(offsetof(struct baton_purgatory_header, trampoline_offset),
			 BATON_HDR_TRAMPOLINE);
	assert_int_equal(offsetof(struct baton_params, exit_trampoline),
			 BATON_PARAMS_EXIT_TRAMPOLINE);
	assert_int_equal(offsetof(struct baton_params, exit_real_seg), BATON_PARAMS_EXIT_REAL_SEG);
	assert_int_equal(offsetof(struct baton_params, exit_real_sp), BATON_PARAMS_EXIT_REAL_SP);
	assert_int_equal(offsetof(struct baton_params, regions), 0x100);
	assert_int_equal(sizeof(struct baton_timing), 0x38);
	assert_int_equal(offsetof(struct baton_timing, nmis), BATON_TIMING_V1_SIZE);
}

static void built_header_matches_abi(void **state)
{
	(void)state;
	const uint8_t *img = baton_purgatory_image;
	struct baton_purgatory_header h;
	struct baton_purgatory_layout l;
	struct baton_error err = { 0 };
	int32_t rel;

	memcpy(&h, img, sizeof(h));
	assert_int_equal(h.magic, BATON_HEADER_MAGIC);
	assert_int_equal(h.version, BATON_ABI_VERSION);
	assert_int_equal(h.reserved, 0);
	assert_int_equal(baton_purgatory_layout(img, baton_purgatory_image_size, &l, &err), 0);
	/* The entry: a jmp rel32 over the header into the hashed code. */
	assert_int_equal(img[0], 0xe9);
	memcpy(&rel, img + 1, sizeof(rel));
	assert_true(5 + rel >= (int32_t)sizeof(h) && (uint32_t)(5 + rel) < l.text_end);
	assert_int_equal(l.text_offset, 0);
	assert_int_equal(l.params_offset % 64, 0);
	assert_true(l.text_end <= l.params_offset);
	assert_int_equal(l.image_size % 4096, 0);
	/* The real-mode trampoline: inside the hashed part, small, its start a segment base. */
	assert_true(l.trampoline_size > 0 && l.trampoline_size <= BATON_TRAMPOLINE_MAX);
	assert_true(l.trampoline_offset >= sizeof(h));
	assert_true(l.trampoline_offset + l.trampoline_size <= l.text_end);
	assert_int_equal(l.trampoline_offset % 16, 0);
	/* Nothing but the parameter block follows the hashed part in the file: no .data. */
	assert_int_equal(baton_purgatory_image_size, l.params_offset + sizeof(struct baton_params));
}

static void parameter_area_is_empty_until_the_loader_fills_it(void **state)
{
	(void)state;
	struct baton_purgatory_layout l;
	struct baton_error err = { 0 };
	static const uint8_t zero[sizeof(struct baton_params)];

	assert_int_equal(baton_purgatory_layout(baton_purgatory_image, baton_purgatory_image_size,
						&l, &err), 0);
	assert_memory_equal(baton_purgatory_image + l.params_offset, zero, sizeof(zero));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(offsets_entry_s_uses_are_the_structs),
		cmocka_unit_test(built_header_matches_abi),
		cmocka_unit_test(parameter_area_is_empty_until_the_loader_fills_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
