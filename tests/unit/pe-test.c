/* SPDX-License-Identifier: MIT */
/* PE/COFF parser (lib/pe.c): a well-formed image as objcopy lays one out, and one refusal per
 * malformed header or section, each a single line with nothing left in the output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "le.h"
#include "pe.h"
#include "support/fixture.h"

static const char text[] = "stub code";
static const char linux_[] = "a kernel, 27 bytes of it...";
static const char cmdline[] = "console=ttyS0\n";

static uint8_t *image(size_t *size)
{
	const struct fx_pe_section sec[] = {
		{ ".text", text, sizeof(text) }, { ".linux", linux_, sizeof(linux_) - 1 },
		{ ".cmdline", cmdline, sizeof(cmdline) - 1 },
	};
	const struct fx_pe spec = { 0, sec, 3 };
	return fx_pe_build(&spec, size);
}

static void a_well_formed_image_gives_its_sections(void **state)
{
	(void)state;
	struct baton_pe pe;
	struct baton_error err = { 0 };
	size_t size;
	uint8_t *b = image(&size);
	const struct baton_pe_section *s;

	assert_true(baton_pe_probe(b, size));
	assert_int_equal(baton_pe_parse(&pe, b, size, "uki.efi", &err), 0);
	assert_int_equal(pe.machine, BATON_PE_MACHINE_X86_64);
	assert_int_equal(pe.magic, 0x20b);
	assert_int_equal(pe.nr_sections, 3);
	s = baton_pe_find(&pe, ".linux");
	assert_non_null(s);
	/* VirtualSize, not the 512-byte padded SizeOfRawData: the signed bytes exactly */
	assert_int_equal(s->size, sizeof(linux_) - 1);
	assert_memory_equal(s->data, linux_, s->size);
	assert_ptr_equal(s->data, b + baton_le32(b + FX_PE_SECTION(1) + 20));
	assert_string_equal(baton_pe_find(&pe, ".cmdline")->name, ".cmdline");
	assert_null(baton_pe_find(&pe, ".initrd"));
	/* VirtualSize 0 (some tools write none): the raw size */
	baton_put_le32(b + FX_PE_SECTION(1) + 8, 0);
	assert_int_equal(baton_pe_parse(&pe, b, size, "uki.efi", &err), 0);
	assert_int_equal(baton_pe_find(&pe, ".linux")->size, 512);
	free(b);
}

/* Each case corrupts one field of the good image; the parser must name it. */
struct bad {
	size_t at;
	int width;          /* 2 or 4 bytes, or 0: truncate the file to `value` bytes */
	uint32_t value;
	const char *msg;
};

static void put(uint8_t *b, const struct bad *c)
{
	if (c->width == 2)
		baton_put_le16(b + c->at, (uint16_t)c->value);
	else if (c->width == 4)
		baton_put_le32(b + c->at, c->value);
	else if (c->width == 1)
		b[c->at] = (uint8_t)c->value;
}

static void malformed_headers_are_refused_by_name(void **state)
{
	(void)state;
	const size_t coff = FX_PE_LFANEW + 4, sec1 = FX_PE_SECTION(1);
	const struct bad cases[] = {
		{ 0, 1, 'Z', "pe: k: not a PE/COFF image (no MZ header)" },
		{ 0, 0, 0x3f, "pe: k: not a PE/COFF image (no MZ header)" },
		{ 0x3c, 4, 0x7fffffff, "pe: k: e_lfanew 0x7fffffff points outside the file "
		  "(2048 bytes)" },
		{ 0x3c, 4, 0xfffffffc, "pe: k: e_lfanew 0xfffffffc points outside the file "
		  "(2048 bytes)" },
		{ 0x3c, 4, 0x10, "pe: k: e_lfanew 0x10 points outside the file (2048 bytes)" },
		{ FX_PE_LFANEW, 1, 'N', "pe: k: no PE signature at e_lfanew 0x80" },
		{ coff + 2, 2, 0, "pe: k: no sections" },
		{ coff + 2, 2, 97, "pe: k: 97 sections, more than the 96 an image may have" },
		{ coff + 16, 2, 0xffff, "pe: k: optional header of 65535 bytes at 0x98 does not "
		  "fit the file (2048 bytes)" },
		{ coff + 20, 2, 0x107, "pe: k: optional header magic 0x107 is neither PE32 nor "
		  "PE32+" },
		{ coff + 2, 2, 50, "pe: k: section table (50 entries at 0x188) runs past the end "
		  "of the file (2048 bytes)" },
		{ sec1 + 20, 4, 0xfffffe00, "pe: k: section 1 (.linux): 0x200 bytes at 0xfffffe00 "
		  "run past the end of the file (2048 bytes)" },
		{ sec1 + 16, 4, 0xffffffff, "pe: k: section 1 (.linux): 0xffffffff bytes at 0x400 "
		  "run past the end of the file (2048 bytes)" },
		{ sec1 + 8, 4, 0x201, "pe: k: section 1 (.linux): VirtualSize 0x201 is larger "
		  "than its 0x200 bytes in the file" },
		{ sec1, 1, 7, "pe: k: section 1 (?linux): VirtualSize 0x201 is larger than its "
		  "0x200 bytes in the file" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct baton_pe pe;
		struct baton_error err = { 0 };
		size_t size;
		uint8_t *b = image(&size);

		assert_int_equal(size, 2048);
		put(b, &cases[i]);
		if (i == sizeof(cases) / sizeof(cases[0]) - 1)   /* both: the name made printable */
			baton_put_le32(b + sec1 + 8, 0x201);
		if (!cases[i].width)
			size = cases[i].value;
		assert_true(fx_refused(baton_pe_parse(&pe, b, size, "k", &err), &err, &pe,
				       sizeof(pe), cases[i].msg));
		free(b);
	}
}

static void probe_needs_mz_and_the_signature(void **state)
{
	(void)state;
	size_t size;
	uint8_t *b = image(&size);

	assert_false(baton_pe_probe(b, 0x3f));
	b[FX_PE_LFANEW + 1] = 'X';
	assert_false(baton_pe_probe(b, size));
	b[FX_PE_LFANEW + 1] = 'E';
	baton_put_le32(b + 0x3c, (uint32_t)size - 8);
	assert_false(baton_pe_probe(b, size));
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_well_formed_image_gives_its_sections),
		cmocka_unit_test(malformed_headers_are_refused_by_name),
		cmocka_unit_test(probe_needs_mz_and_the_signature),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
