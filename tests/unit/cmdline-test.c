/* SPDX-License-Identifier: MIT */
/* Tests for command-line assembly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cmdline.h"

static void exact_text_is_kept(void **state)
{
	(void)state;
	struct baton_cmdline c = { 0 };

	assert_int_equal(baton_cmdline_append(&c, "console=ttyS0  quiet x=\"a b\"", NULL), 0);
	assert_string_equal(c.text, "console=ttyS0  quiet x=\"a b\"");
	baton_cmdline_free(&c);
}

static void parts_join_with_one_space(void **state)
{
	(void)state;
	struct baton_cmdline c = { 0 };

	baton_cmdline_append(&c, "a=1", NULL);
	baton_cmdline_append(&c, "", NULL);
	baton_cmdline_append(&c, "b=2", NULL);
	assert_string_equal(c.text, "a=1 b=2");
	assert_int_equal(c.len, 7);
	baton_cmdline_free(&c);
}

static void empty_is_null(void **state)
{
	(void)state;
	struct baton_cmdline c = { 0 };

	baton_cmdline_append(&c, "", NULL);
	assert_null(c.text);
	assert_int_equal(c.len, 0);
}

static void reuse_drops_boot_image(void **state)
{
	(void)state;
	struct baton_cmdline c = { 0 };

	assert_int_equal(baton_cmdline_append_reused(&c, "BOOT_IMAGE=/vmlinuz-6.1 root=/dev/vda1 "
						     "ro quiet\n", 0, NULL), 0);
	assert_string_equal(c.text, "root=/dev/vda1 ro quiet");
	baton_cmdline_append(&c, "extra", NULL);
	assert_string_equal(c.text, "root=/dev/vda1 ro quiet extra");
	baton_cmdline_free(&c);
}

static void reuse_keeps_quoted_tokens(void **state)
{
	(void)state;
	struct baton_cmdline c = { 0 };

	baton_cmdline_append_reused(&c, "a \"BOOT_IMAGE=x y\" dyndbg=\"file a.c +p\"  b", 0, NULL);
	assert_string_equal(c.text, "a \"BOOT_IMAGE=x y\" dyndbg=\"file a.c +p\" b");
	baton_cmdline_free(&c);
}

static void reuse_can_drop_crashkernel(void **state)
{
	(void)state;
	struct baton_cmdline c = { 0 };

	baton_cmdline_append_reused(&c, "crashkernel=256M root=/dev/sda", BATON_DROP_CRASHKERNEL,
				    NULL);
	assert_string_equal(c.text, "root=/dev/sda");
	baton_cmdline_free(&c);
	baton_cmdline_append_reused(&c, "crashkernel=256M root=/dev/sda", 0, NULL);
	assert_string_equal(c.text, "crashkernel=256M root=/dev/sda");
	baton_cmdline_free(&c);
}

static void an_open_quote_is_closed_where_the_kernel_closed_it(void **state)
{
	(void)state;
	struct baton_cmdline c = { 0 };

	baton_cmdline_append_reused(&c, "root=/dev/vda foo=\"bar baz\n", 0, NULL);
	baton_cmdline_append(&c, "elfcorehdr=0x7f000000", NULL);
	assert_string_equal(c.text, "root=/dev/vda foo=\"bar baz\" elfcorehdr=0x7f000000");
	baton_cmdline_free(&c);
}

static void every_kernel_space_separates(void **state)
{
	(void)state;
	struct baton_cmdline c = { 0 };

	baton_cmdline_append_reused(&c, "a\vBOOT_IMAGE=/k\fb\r\tc\240crashkernel=1G",
				    BATON_DROP_CRASHKERNEL, NULL);
	assert_string_equal(c.text, "a b c");
	baton_cmdline_free(&c);
}

/* An argument is a whole token as the kernel splits them; "name=" matches any value. */
static void has_finds_whole_arguments(void **state)
{
	(void)state;
	const char *line = "console=com1\tno-real-mode acpi_rsdp=0x3f77d014\nx=\"a retain_initrd\"";

	assert_true(baton_cmdline_has(line, "no-real-mode"));
	assert_true(baton_cmdline_has(line, "acpi_rsdp="));
	assert_true(baton_cmdline_has(line, "console="));
	assert_false(baton_cmdline_has(line, "no-real"));          /* a prefix is not the word */
	assert_false(baton_cmdline_has(line, "console"));          /* the word, not its value's */
	assert_false(baton_cmdline_has(line, "retain_initrd"));    /* inside a quoted value */
	assert_true(baton_cmdline_has("root=/dev/vda retain_initrd\n", "retain_initrd"));
	assert_false(baton_cmdline_has(NULL, "retain_initrd"));
	assert_false(baton_cmdline_has("", "acpi_rsdp="));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exact_text_is_kept),
		cmocka_unit_test(parts_join_with_one_space),
		cmocka_unit_test(empty_is_null),
		cmocka_unit_test(reuse_drops_boot_image),
		cmocka_unit_test(reuse_keeps_quoted_tokens),
		cmocka_unit_test(reuse_can_drop_crashkernel),
		cmocka_unit_test(every_kernel_space_separates),
		cmocka_unit_test(an_open_quote_is_closed_where_the_kernel_closed_it),
		cmocka_unit_test(has_finds_whole_arguments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
