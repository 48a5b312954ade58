/* SPDX-License-Identifier: MIT */
/* The format table: lookup by name and alias, detection, and each format's exit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "format.h"

static void names_and_aliases_find_their_format(void **state)
{
	(void)state;
	assert_ptr_equal(baton_format_at(0), &baton_format_bzimage);
	assert_ptr_equal(baton_format_lookup("bzImage"), &baton_format_bzimage);
	assert_ptr_equal(baton_format_lookup("bzImage64"), &baton_format_bzimage);
	assert_null(baton_format_lookup("bzimage"));
	assert_null(baton_format_lookup("elf-x86"));
	for (size_t i = 0; baton_format_at(i); i++) {
		const struct baton_format *f = baton_format_at(i);
		assert_non_null(f->probe);
		assert_non_null(f->parse);
		assert_non_null(f->plan);
		assert_non_null(f->exit);
	}
}

static void detection_parses_or_says_why_not(void **state)
{
	(void)state;
	uint8_t junk[4096] = { 0 };
	struct baton_kernel k;
	struct baton_error err = { 0 };

	assert_int_equal(baton_format_detect(junk, sizeof(junk), "junk", &k, &err), -ENOEXEC);
	assert_non_null(strstr(err.msg, "bzimage: junk: not a Linux kernel image"));
	assert_null(k.format);
}

static void bzimage_exit_follows_the_boot_protocol(void **state)
{
	(void)state;
	struct baton_segments segs = { 0 };
	struct baton_load_opts o = { 0 };
	struct baton_format_ctx ctx = { .opts = &o, .segs = &segs };
	struct baton_segment *k;
	struct baton_exit e;

	assert_int_equal(baton_segments_add(&segs, BATON_SEG_KERNEL, NULL, &k, NULL), 0);
	k->mem = 0x1000000;
	baton_format_bzimage.exit(&ctx, 0x7000, &e);
	assert_int_equal(e.mode, BATON_EXIT_LONG64);
	assert_int_equal(e.entry, 0x1000200);
	assert_int_equal(e.regs[BATON_EXIT_RSI], 0x7000);
	assert_int_equal(e.regs[BATON_EXIT_RCX], 0);
	o.flags = BATON_LOAD_ENTRY_32BIT;
	baton_format_bzimage.exit(&ctx, 0x7000, &e);
	assert_int_equal(e.mode, BATON_EXIT_PROTECTED32);
	assert_int_equal(e.entry, 0x1000000);
	assert_int_equal(e.regs[BATON_EXIT_RSI], 0x7000);
	assert_int_equal(e.regs[BATON_EXIT_RCX], 0x1000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_and_aliases_find_their_format),
		cmocka_unit_test(detection_parses_or_says_why_not),
		cmocka_unit_test(bzimage_exit_follows_the_boot_protocol),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
