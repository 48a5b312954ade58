/* SPDX-License-Identifier: MIT */
/* Tests for lib/multiboot2.c: the real Xen 4.17 header, and synthetic headers broken one way each. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "le.h"
#include "multiboot2.h"
#include "support/fixture.h"

#define OPT 1   /* the "optional" tag flag */

static uint8_t img[0x9000];
static size_t hdr_off, hdr_pos;

static void begin(size_t off)
{
	memset(img, 0, sizeof(img));
	hdr_off = off;
	hdr_pos = off + 16;
	baton_put_le32(img + off, BATON_MB2_MAGIC);
}

static void tag(uint16_t type, uint16_t flags, uint32_t size, const uint32_t *body, size_t words)
{
	baton_put_le16(img + hdr_pos, type);
	baton_put_le16(img + hdr_pos + 2, flags);
	baton_put_le32(img + hdr_pos + 4, size);
	for (size_t i = 0; i < words; i++)
		baton_put_le32(img + hdr_pos + 8 + 4 * i, body[i]);
	hdr_pos += (size + 7) & ~7u;
}

#define TAG(type, flags, ...) \
	tag(type, flags, 8 + sizeof((uint32_t[]){ __VA_ARGS__ }), (uint32_t[]){ __VA_ARGS__ }, \
	    sizeof((uint32_t[]){ __VA_ARGS__ }) / 4)

/* The end tag, header_length and a checksum that adds up. */
static void end(void)
{
	tag(BATON_MB2_HTAG_END, 0, 8, NULL, 0);
	baton_put_le32(img + hdr_off + 8, (uint32_t)(hdr_pos - hdr_off));
	baton_put_le32(img + hdr_off + 12, -(BATON_MB2_MAGIC + (uint32_t)(hdr_pos - hdr_off)));
}

static void expect_fail_size(size_t size, const char *msg)
{
	struct baton_mb2_header h;
	struct baton_error err = { 0 };
	int rc = baton_mb2_parse(&h, img, size, "xen.gz", &err);

	assert_true(fx_refused(rc, &err, &h, sizeof(h), msg));
}

static void expect_fail(const char *msg)
{
	expect_fail_size(sizeof(img), msg);
}

static void parse_ok(struct baton_mb2_header *h)
{
	struct baton_error err = { 0 };
	int rc = baton_mb2_parse(h, img, sizeof(img), "xen.gz", &err);

	if (rc)
		fail_msg("refused: %s", err.msg);
}

/* Debian's Xen 4.17 (tests/fixtures/xen/xen-4.17-head, the file's first 32 KiB). */
static void real_xen_header(void **state)
{
	(void)state;
	size_t size;
	uint8_t *data = fx_read_fixture("xen/xen-4.17-head", &size);
	struct baton_mb2_header h;
	struct baton_error err = { 0 };

	assert_int_equal(size, 32768);
	assert_true(baton_mb2_probe(data, size));
	assert_int_equal(baton_mb2_parse(&h, data, size, "xen-4.17-amd64.gz", &err), 0);
	assert_int_equal(h.offset, 0x98);
	assert_int_equal(h.length, 136);
	assert_int_equal(h.present, BATON_MB2_BIT(0) | BATON_MB2_BIT(1) | BATON_MB2_BIT(4) |
			 BATON_MB2_BIT(5) | BATON_MB2_BIT(6) | BATON_MB2_BIT(7) |
			 BATON_MB2_BIT(9) | BATON_MB2_BIT(10));
	/* Required: the information request, module alignment and the end tag. */
	assert_int_equal(h.required, BATON_MB2_BIT(0) | BATON_MB2_BIT(1) | BATON_MB2_BIT(6));
	assert_int_equal(h.info_requested, BATON_MB2_BIT(BATON_MBI_BASIC_MEMINFO) |
			 BATON_MB2_BIT(BATON_MBI_MMAP));
	assert_int_equal(h.info_required, h.info_requested);
	assert_int_equal(h.relocatable.min_addr, 0x200000);
	assert_int_equal(h.relocatable.max_addr, 0xffffffff);
	assert_int_equal(h.relocatable.align, 0x200000);
	assert_int_equal(h.relocatable.preference, BATON_MB2_RELOC_HIGH);
	assert_int_equal(h.console_flags, BATON_MB2_CONSOLE_EGA_TEXT);
	assert_int_equal(h.efi64_entry, 0x3dd531);
	assert_false(baton_mb2_has(&h, BATON_MB2_HTAG_ENTRY));
	assert_false(baton_mb2_has(&h, BATON_MB2_HTAG_ADDRESS));

	/* Made required, Xen's optional EFI tags are what a kexec loader cannot honour. */
	baton_put_le16(data + 0x98 + 0x68 + 2, 0);   /* EFI boot services: flags */
	assert_int_equal(baton_mb2_parse(&h, data, size, "xen-4.17-amd64.gz", &err), -ENOEXEC);
	assert_string_equal(err.msg, "multiboot2: xen-4.17-amd64.gz: the EFI boot services tag is"
			    " required, and a kexec loader starts the image after ExitBootServices()");
	free(data);
}

static void every_tag_read(void **state)
{
	(void)state;
	struct baton_mb2_header h;

	begin(0x1000);
	TAG(BATON_MB2_HTAG_INFO_REQUEST, 0, 1, 6, 21);
	TAG(BATON_MB2_HTAG_INFO_REQUEST, OPT, 8, 14, 99);
	TAG(BATON_MB2_HTAG_ADDRESS, 0, 0x100000 + 0x1000, 0x100000, 0x108000, 0x110000);
	TAG(BATON_MB2_HTAG_ENTRY, 0, 0x100040);
	TAG(BATON_MB2_HTAG_CONSOLE, 0, BATON_MB2_CONSOLE_EGA_TEXT);
	TAG(BATON_MB2_HTAG_FRAMEBUFFER, OPT, 1024, 768, 32);
	tag(BATON_MB2_HTAG_MODULE_ALIGN, 0, 8, NULL, 0);
	tag(BATON_MB2_HTAG_EFI_BS, OPT, 8, NULL, 0);
	TAG(BATON_MB2_HTAG_ENTRY_EFI32, OPT, 0x100080);
	TAG(BATON_MB2_HTAG_ENTRY_EFI64, OPT, 0x1000c0);
	TAG(BATON_MB2_HTAG_RELOCATABLE, 0, 0x100000, 0x1000000, 0x1000, BATON_MB2_RELOC_LOW);
	TAG(42, OPT, 1, 2, 3);   /* unknown and optional: skipped */
	end();
	parse_ok(&h);
	assert_int_equal(h.offset, 0x1000);
	assert_int_equal(h.present, 0x7ff);
	assert_int_equal(h.required, 0x7ff & ~(BATON_MB2_BIT(5) | BATON_MB2_BIT(7) |
					      BATON_MB2_BIT(8) | BATON_MB2_BIT(9)));
	assert_int_equal(h.info_requested, BATON_MB2_BIT(1) | BATON_MB2_BIT(6) | BATON_MB2_BIT(21) |
			 BATON_MB2_BIT(8) | BATON_MB2_BIT(14));
	assert_int_equal(h.info_required, BATON_MB2_BIT(1) | BATON_MB2_BIT(6) | BATON_MB2_BIT(21));
	assert_int_equal(h.address.header_addr, 0x101000);
	assert_int_equal(h.address.load_addr, 0x100000);
	assert_int_equal(h.address.load_offset, 0);
	assert_int_equal(h.address.load_size, 0x8000);
	assert_int_equal(h.address.bss_end_addr, 0x110000);
	assert_int_equal(h.entry_addr, 0x100040);
	assert_int_equal(h.console_flags, 2);
	assert_int_equal(h.framebuffer.width, 1024);
	assert_int_equal(h.framebuffer.height, 768);
	assert_int_equal(h.framebuffer.depth, 32);
	assert_int_equal(h.efi32_entry, 0x100080);
	assert_int_equal(h.efi64_entry, 0x1000c0);
	assert_int_equal(h.relocatable.min_addr, 0x100000);
	assert_int_equal(h.relocatable.max_addr, 0x1000000);
	assert_int_equal(h.relocatable.align, 0x1000);
	assert_int_equal(h.relocatable.preference, BATON_MB2_RELOC_LOW);
}

static void address_tag(void **state)
{
	(void)state;
	struct baton_mb2_header h;

	/* load_addr -1: the file from its start; load_end 0: to its end. */
	begin(0x800);
	TAG(BATON_MB2_HTAG_ADDRESS, 0, 0x200800, 0xffffffff, 0, 0);
	end();
	parse_ok(&h);
	assert_int_equal(h.address.load_offset, 0);
	assert_int_equal(h.address.load_size, sizeof(img));

	begin(0x800);
	TAG(BATON_MB2_HTAG_ADDRESS, 0, 0x200000, 0x200100, 0, 0);
	end();
	expect_fail("multiboot2: xen.gz: address tag: load_addr 0x200100 is above header_addr"
		    " 0x200000");
	begin(0x800);
	TAG(BATON_MB2_HTAG_ADDRESS, 0, 0x200800, 0x100000, 0, 0);
	end();
	expect_fail("multiboot2: xen.gz: address tag: load_addr 0x100000 would start before the"
		    " file");
	begin(0x800);
	TAG(BATON_MB2_HTAG_ADDRESS, 0, 0x200800, 0x200000, 0x200000 + sizeof(img) + 1, 0);
	end();
	expect_fail("multiboot2: xen.gz: address tag: load_end_addr 0x209001 is outside the"
		    " file's 0x9000 bytes from load_addr 0x200000");
	begin(0x800);
	TAG(BATON_MB2_HTAG_ADDRESS, 0, 0x200800, 0x200000, 0x201000, 0x200800);
	end();
	expect_fail("multiboot2: xen.gz: address tag: bss_end_addr 0x200800 is below the load's"
		    " end 0x201000");
	begin(0x800);
	TAG(BATON_MB2_HTAG_ADDRESS, 0, 0x400, 0xffffffff, 0, 0);
	end();
	expect_fail("multiboot2: xen.gz: address tag: header_addr 0x400 is below the header's file"
		    " offset 0x800");
}

static void search(void **state)
{
	(void)state;
	struct baton_mb2_header h;

	memset(img, 0, sizeof(img));
	expect_fail("multiboot2: xen.gz: no multiboot2 header in the first 32 KiB");
	assert_false(baton_mb2_probe(img, sizeof(img)));

	/* A magic at a 4-byte (not 8-byte) offset is not a header. */
	begin(0x100);
	end();
	memmove(img + 0x104, img + 0x100, 0x20);
	memset(img + 0x100, 0, 4);
	expect_fail("multiboot2: xen.gz: no multiboot2 header in the first 32 KiB");

	/* Past 32 KiB: not searched. */
	begin(0x8000);
	end();
	expect_fail("multiboot2: xen.gz: no multiboot2 header in the first 32 KiB");

	/* A candidate whose checksum fails is skipped for a later good one. */
	begin(0x200);
	end();
	baton_put_le32(img + 0x100, BATON_MB2_MAGIC);
	parse_ok(&h);
	assert_int_equal(h.offset, 0x200);
	assert_true(baton_mb2_probe(img, sizeof(img)));

	begin(0x200);
	end();
	img[0x20c] ^= 1;
	expect_fail("multiboot2: xen.gz: header checksum does not add up");
	assert_false(baton_mb2_probe(img, sizeof(img)));

	/* Truncated within the 16 fixed bytes: no header. */
	begin(0x200);
	end();
	expect_fail_size(0x20c, "multiboot2: xen.gz: no multiboot2 header in the first 32 KiB");
	expect_fail_size(0x214, "multiboot2: xen.gz: header of 24 bytes at 0x200 runs past the end"
			 " of the file");

	begin(0x7ff0);
	tag(BATON_MB2_HTAG_END, 0, 8, NULL, 0);
	baton_put_le32(img + 0x7ff8, 24);
	baton_put_le32(img + 0x7ffc, -(BATON_MB2_MAGIC + 24));
	expect_fail("multiboot2: xen.gz: header of 24 bytes at 0x7ff0 runs past the first 32 KiB");
}

static void malformed_header(void **state)
{
	(void)state;

	begin(0);
	end();
	baton_put_le32(img + 4, 4);   /* MIPS */
	baton_put_le32(img + 12, -(BATON_MB2_MAGIC + 4 + 24));
	expect_fail("multiboot2: xen.gz: architecture 4 is not i386 (0)");

	begin(0);
	baton_put_le32(img + 8, 16);
	baton_put_le32(img + 12, -(BATON_MB2_MAGIC + 16));
	expect_fail("multiboot2: xen.gz: header_length 16 is too small for the header and an end"
		    " tag");

	begin(0);
	TAG(BATON_MB2_HTAG_ENTRY, 0, 0x100000);
	end();
	baton_put_le32(img + 8, 32);   /* the end tag left out */
	baton_put_le32(img + 12, -(BATON_MB2_MAGIC + 32));
	expect_fail("multiboot2: xen.gz: the header's tags run past its 32 bytes without an end"
		    " tag");

	begin(0);
	tag(BATON_MB2_HTAG_END, 0, 16, NULL, 0);
	baton_put_le32(img + 8, 32);
	baton_put_le32(img + 12, -(BATON_MB2_MAGIC + 32));
	expect_fail("multiboot2: xen.gz: end tag of 16 bytes, not 8");

	begin(0);
	TAG(BATON_MB2_HTAG_ENTRY, 0, 0x100000);
	end();
	baton_put_le32(img + 16 + 4, 0x100);
	expect_fail("multiboot2: xen.gz: tag type 3 at 0x10: size 256 runs past the header");

	begin(0);
	tag(77, OPT, 8, NULL, 0);
	end();
	baton_put_le32(img + 16 + 4, 4);
	expect_fail("multiboot2: xen.gz: tag type 77 at 0x10: size 4 runs past the header");

	begin(0);
	tag(BATON_MB2_HTAG_RELOCATABLE, 0, 20, (uint32_t[]){ 0, 0, 0 }, 3);
	end();
	expect_fail("multiboot2: xen.gz: relocatable tag of 20 bytes, less than its 24");

	begin(0);
	tag(BATON_MB2_HTAG_INFO_REQUEST, 0, 10, (uint32_t[]){ 6 }, 1);
	end();
	expect_fail("multiboot2: xen.gz: information request tag size 10 is not 8 plus a multiple"
		    " of 4");

	begin(0);
	TAG(BATON_MB2_HTAG_ENTRY, 0, 0x100000);
	TAG(BATON_MB2_HTAG_ENTRY, 0, 0x100000);
	end();
	expect_fail("multiboot2: xen.gz: two entry address tags");

	begin(0);
	TAG(BATON_MB2_HTAG_RELOCATABLE, 0, 0x200000, 0x100000, 0x1000, 0);
	end();
	expect_fail("multiboot2: xen.gz: relocatable tag: min_addr 0x200000 is above max_addr"
		    " 0x100000");
	begin(0);
	TAG(BATON_MB2_HTAG_RELOCATABLE, 0, 0x100000, 0x200000, 0x3000, 0);
	end();
	expect_fail("multiboot2: xen.gz: relocatable tag: align 0x3000 is not a power of two");
	begin(0);
	TAG(BATON_MB2_HTAG_RELOCATABLE, OPT, 0x100000, 0x200000, 0x1000, 3);
	end();
	expect_fail("multiboot2: xen.gz: relocatable tag: preference 3 is not 0, 1 or 2");
}

/* What a kexec loader cannot honour, refused only when required. */
static void unsatisfiable_tags(void **state)
{
	(void)state;
	static const struct {
		uint16_t type;
		uint32_t value;
		const char *msg;
	} cases[] = {
		{ BATON_MB2_HTAG_EFI_BS, 0, "the EFI boot services tag is required, and a kexec"
		  " loader starts the image after ExitBootServices()" },
		{ BATON_MB2_HTAG_ENTRY_EFI32, 0x100000, "the EFI i386 entry address tag is"
		  " required, and baton enters the image through its i386 entry, not under EFI" },
		{ BATON_MB2_HTAG_ENTRY_EFI64, 0x100000, "the EFI amd64 entry address tag is"
		  " required, and baton enters the image through its i386 entry, not under EFI" },
		{ BATON_MB2_HTAG_FRAMEBUFFER, 0, "the framebuffer tag is required, and baton sets"
		  " no video mode" },
		{ BATON_MB2_HTAG_CONSOLE, BATON_MB2_CONSOLE_REQUIRED, "the console flags tag is"
		  " required, and it asks for a console and baton describes none" },
		{ 11, 0, "header tag type 11 is required and baton does not know it" },
	};
	struct baton_mb2_header h;
	char msg[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t body[3] = { cases[i].value, 0, 0 };
		size_t words = cases[i].type == BATON_MB2_HTAG_FRAMEBUFFER ? 3 :
			       cases[i].type == BATON_MB2_HTAG_EFI_BS ? 0 : 1;

		begin(0);
		tag(cases[i].type, 0, 8 + 4 * words, body, words);
		end();
		snprintf(msg, sizeof(msg), "multiboot2: xen.gz: %s", cases[i].msg);
		expect_fail(msg);

		begin(0);
		tag(cases[i].type, OPT, 8 + 4 * words, body, words);
		end();
		parse_ok(&h);
	}
	/* A console the image merely supports is fine even when the tag is required. */
	begin(0);
	TAG(BATON_MB2_HTAG_CONSOLE, 0, BATON_MB2_CONSOLE_EGA_TEXT);
	end();
	parse_ok(&h);
}

/* A required information request is checked against BATON_MBI_PROVIDES exactly. */
static void information_request(void **state)
{
	(void)state;
	struct baton_mb2_header h;
	char msg[256];

	for (unsigned type = 0; type < 40; type++) {
		int provided = type < 32 && (BATON_MBI_PROVIDES & BATON_MB2_BIT(type));

		begin(0);
		TAG(BATON_MB2_HTAG_INFO_REQUEST, 0, type);
		end();
		if (provided) {
			parse_ok(&h);
			assert_int_equal(h.info_required, BATON_MB2_BIT(type));
		} else {
			snprintf(msg, sizeof(msg), "multiboot2: xen.gz: the information request tag"
				 " requires MBI tag %u (%s), which baton does not provide", type,
				 baton_mbi_tag_name(type));
			expect_fail(msg);
		}
		begin(0);
		TAG(BATON_MB2_HTAG_INFO_REQUEST, OPT, type);
		end();
		parse_ok(&h);
		assert_int_equal(h.info_required, 0);
		assert_int_equal(h.info_requested, type < 32 ? BATON_MB2_BIT(type) : 0);
	}
	assert_string_equal(baton_mbi_tag_name(BATON_MBI_FRAMEBUFFER), "framebuffer");
	assert_string_equal(baton_mbi_tag_name(99), "unknown");
	assert_string_equal(baton_mb2_htag_name(BATON_MB2_HTAG_RELOCATABLE), "relocatable");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_xen_header),
		cmocka_unit_test(every_tag_read),
		cmocka_unit_test(address_tag),
		cmocka_unit_test(search),
		cmocka_unit_test(malformed_header),
		cmocka_unit_test(unsatisfiable_tags),
		cmocka_unit_test(information_request),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
