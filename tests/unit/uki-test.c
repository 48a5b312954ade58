/* SPDX-License-Identifier: MIT */
/* UKI sections (lib/uki.c): what a loader takes from the PE section table, the refusals, and the
 * .cmdline as systemd-stub passes it on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "le.h"
#include "uki.h"
#include "support/fixture.h"

static const char k[] = "KERNEL", rd[] = "INITRD", uc[] = "UCODE", un[] = "6.1.0-42-amd64\n";

static uint8_t *build(const struct fx_pe_section *sec, size_t nr, uint16_t machine, size_t *size)
{
	const struct fx_pe spec = { machine, sec, nr };
	return fx_pe_build(&spec, size);
}

static void the_sections_a_loader_uses_are_found(void **state)
{
	(void)state;
	static const char cmd[] = "console=ttyS0 root=/dev/vda\n";
	const struct fx_pe_section sec[] = {
		{ ".text", "x", 1 }, { ".sbat", "sbat", 4 }, { ".cmdline", cmd, sizeof(cmd) - 1 },
		{ ".uname", un, sizeof(un) - 1 }, { ".ucode", uc, sizeof(uc) - 1 },
		{ ".linux", k, sizeof(k) - 1 }, { ".initrd", rd, sizeof(rd) - 1 },
	};
	struct baton_uki u;
	struct baton_error err = { 0 };
	size_t size;
	uint8_t *b = build(sec, 7, 0, &size);
	char line[64];

	assert_true(baton_uki_probe(b, size));
	assert_int_equal(baton_uki_parse(&u, b, size, "uki.efi", &err), 0);
	assert_int_equal(u.linux_.size, 6);
	assert_memory_equal(u.linux_.data, k, 6);
	assert_memory_equal(u.initrd.data, rd, 6);
	assert_memory_equal(u.ucode.data, uc, 5);
	assert_int_equal(u.uname.size, sizeof(un) - 1);
	assert_null(u.dtb.data);
	/* the trailing newline goes, as systemd-stub drops it */
	assert_int_equal(baton_uki_cmdline(&u, line, sizeof(line)), strlen("console=ttyS0 "
									  "root=/dev/vda"));
	assert_string_equal(line, "console=ttyS0 root=/dev/vda");
	free(b);
}

static void the_cmdline_is_text_up_to_its_nul(void **state)
{
	(void)state;
	static const char cmd[] = "a\tb\nc  \0ignored";
	const struct fx_pe_section sec[] = {
		{ ".linux", k, 6 }, { ".cmdline", cmd, sizeof(cmd) },
	};
	struct baton_uki u;
	size_t size;
	uint8_t *b = build(sec, 2, 0, &size);
	char line[64];

	assert_int_equal(baton_uki_parse(&u, b, size, "uki.efi", NULL), 0);
	assert_int_equal(baton_uki_cmdline(&u, line, sizeof(line)), 5);
	assert_string_equal(line, "a b c");
	assert_int_equal(baton_uki_cmdline(&u, line, 4), 3);   /* cut to fit */
	assert_string_equal(line, "a b");
	assert_int_equal(baton_uki_cmdline(&u, line, 3), 1);   /* and still no trailing space */
	assert_string_equal(line, "a");
	free(b);
}

static void what_is_not_a_loadable_uki_is_refused(void **state)
{
	(void)state;
	const struct fx_pe_section no_linux[] = { { ".text", "x", 1 }, { ".initrd", rd, 6 } };
	const struct fx_pe_section empty[] = { { ".linux", "", 0 } };
	const struct fx_pe_section twice[] = { { ".linux", k, 6 }, { ".initrd", rd, 6 },
					       { ".initrd", rd, 6 } };
	const struct fx_pe_section profile[] = { { ".linux", k, 6 }, { ".profile", "ID=a", 4 },
						 { ".cmdline", "x", 1 } };
	const struct {
		const struct fx_pe_section *sec;
		size_t nr;
		uint16_t machine;
		const char *msg;
	} cases[] = {
		{ no_linux, 2, 0, "uki: u.efi: a PE image without a .linux section is not a UKI" },
		{ empty, 1, 0, "uki: u.efi: its .linux section is empty" },
		{ twice, 3, 0, "uki: u.efi: two .initrd sections (section 2 is the second)" },
		{ profile, 3, 0, "uki: u.efi: a multi-profile UKI (.profile, section 1): baton "
		  "does not choose a profile" },
		{ twice, 1, 0xaa64, "uki: u.efi: built for PE machine 0xaa64, not x86-64 (0x8664)" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct baton_uki u;
		struct baton_error err = { 0 };
		size_t size;
		uint8_t *b = build(cases[i].sec, cases[i].nr, cases[i].machine, &size);

		assert_true(fx_refused(baton_uki_parse(&u, b, size, "u.efi", &err), &err, &u,
				       sizeof(u), cases[i].msg));
		free(b);
	}
	/* the PE parser's refusals come through as they are */
	{
		struct baton_uki u;
		struct baton_error err = { 0 };
		size_t size;
		uint8_t *b = build(twice, 1, 0, &size);

		baton_put_le32(b + FX_PE_SECTION(0) + 16, 0x10000);
		assert_true(baton_uki_probe(b, size));   /* a UKI, a broken one: parse says why */
		assert_true(fx_refused(baton_uki_parse(&u, b, size, "u.efi", &err), &err, &u,
				       sizeof(u), "pe: u.efi: section 0 (.linux): 0x10000 bytes at "
				       "0x200 run past the end of the file (1024 bytes)"));
		free(b);
	}
}

static void probe_wants_a_linux_section(void **state)
{
	(void)state;
	const struct fx_pe_section stub[] = { { ".text", "x", 1 }, { ".sbat", "s", 1 } };
	size_t size;
	uint8_t *b = build(stub, 2, 0, &size);

	assert_false(baton_uki_probe(b, size));   /* a plain EFI program, a signed bzImage */
	memcpy(b + FX_PE_SECTION(1), ".linux\0", 8);
	assert_true(baton_uki_probe(b, size));
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_sections_a_loader_uses_are_found),
		cmocka_unit_test(the_cmdline_is_text_up_to_its_nul),
		cmocka_unit_test(what_is_not_a_loadable_uki_is_refused),
		cmocka_unit_test(probe_wants_a_linux_section),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
