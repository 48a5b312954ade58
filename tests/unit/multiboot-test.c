/* SPDX-License-Identifier: MIT */
/* Tests for lib/multiboot.c: the real Xen 4.17 header, and synthetic headers broken one way each. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "le.h"
#include "multiboot.h"
#include "support/fixture.h"

static uint8_t img[0x4000];

/* A header at off with these flags and a checksum that adds up; address fields when given. */
static void make(size_t off, uint32_t flags, const uint32_t *addr)
{
	memset(img, 0, sizeof(img));
	baton_put_le32(img + off, BATON_MB1_MAGIC);
	baton_put_le32(img + off + 4, flags);
	baton_put_le32(img + off + 8, -(BATON_MB1_MAGIC + flags));
	for (size_t i = 0; addr && i < 5; i++)
		baton_put_le32(img + off + 12 + 4 * i, addr[i]);
}

static void expect_fail_size(size_t size, const char *msg)
{
	struct baton_mb1_header h;
	struct baton_error err = { 0 };
	int rc = baton_mb1_parse(&h, img, size, "xen.gz", &err);

	assert_true(fx_refused(rc, &err, &h, sizeof(h), msg));
}

static void expect_fail(const char *msg)
{
	expect_fail_size(sizeof(img), msg);
}

static void parse_ok(struct baton_mb1_header *h)
{
	struct baton_error err = { 0 };

	if (baton_mb1_parse(h, img, sizeof(img), "xen.gz", &err))
		fail_msg("refused: %s", err.msg);
}

static void real_xen_header(void **state)
{
	(void)state;
	size_t size;
	uint8_t *data = fx_read_fixture("xen/xen-4.17-head", &size);
	struct baton_mb1_header h;
	struct baton_error err = { 0 };

	assert_true(baton_mb1_probe(data, size));
	assert_int_equal(baton_mb1_parse(&h, data, size, "xen-4.17-amd64.gz", &err), 0);
	assert_int_equal(h.offset, 0x88);
	assert_int_equal(h.flags, BATON_MB1_PAGE_ALIGN | BATON_MB1_MEMORY_INFO);
	assert_int_equal(h.address.load_size, 0);
	free(data);
}

static void flags(void **state)
{
	(void)state;
	struct baton_mb1_header h;

	make(0x40, BATON_MB1_PAGE_ALIGN | BATON_MB1_MEMORY_INFO | 0x00f00000u, NULL);
	parse_ok(&h);   /* bits 17-31 are optional features: ignored */
	assert_int_equal(h.offset, 0x40);
	make(0x40, BATON_MB1_VIDEO_MODE, NULL);
	expect_fail("multiboot: xen.gz: the image requires a video mode (flag 2); baton sets none");
	make(0x40, 1u << 5 | 1u << 15, NULL);
	expect_fail("multiboot: xen.gz: the image requires flag bits 0x8020, which baton does not"
		    " know");
}

static void search(void **state)
{
	(void)state;
	struct baton_mb1_header h;

	memset(img, 0, sizeof(img));
	expect_fail("multiboot: xen.gz: no multiboot header in the first 8 KiB");
	make(0x2000, 0, NULL);
	expect_fail("multiboot: xen.gz: no multiboot header in the first 8 KiB");
	make(0x1ff4, 0, NULL);
	parse_ok(&h);
	make(0x1ff4, BATON_MB1_ADDRESS, NULL);
	expect_fail("multiboot: xen.gz: header of 32 bytes at 0x1ff4 runs past the first 8 KiB");
	make(0x100, BATON_MB1_ADDRESS, NULL);
	expect_fail_size(0x110, "multiboot: xen.gz: header of 32 bytes at 0x100 runs past the end"
			 " of the file");
	make(0x102, 0, NULL);   /* not 4-byte aligned */
	expect_fail("multiboot: xen.gz: no multiboot header in the first 8 KiB");
	make(0x100, 0, NULL);
	img[0x108] ^= 1;
	expect_fail("multiboot: xen.gz: header checksum does not add up");
	assert_false(baton_mb1_probe(img, sizeof(img)));
	/* A bad candidate first, then a good one: the good one. */
	make(0x200, 0, NULL);
	baton_put_le32(img + 0x10, BATON_MB1_MAGIC);
	parse_ok(&h);
	assert_int_equal(h.offset, 0x200);
}

static void address_fields(void **state)
{
	(void)state;
	struct baton_mb1_header h;

	/* header at file offset 0x100, loaded at 1 MiB from the file's start */
	make(0x100, BATON_MB1_ADDRESS, (uint32_t[]){ 0x100100, 0x100000, 0x102000, 0x108000,
						     0x100200 });
	parse_ok(&h);
	assert_int_equal(h.address.header_addr, 0x100100);
	assert_int_equal(h.address.load_addr, 0x100000);
	assert_int_equal(h.address.load_end_addr, 0x102000);
	assert_int_equal(h.address.bss_end_addr, 0x108000);
	assert_int_equal(h.address.entry_addr, 0x100200);
	assert_int_equal(h.address.load_offset, 0);
	assert_int_equal(h.address.load_size, 0x2000);

	make(0x100, BATON_MB1_ADDRESS, (uint32_t[]){ 0x100100, 0x100080, 0, 0, 0x100200 });
	parse_ok(&h);
	assert_int_equal(h.address.load_offset, 0x80);
	assert_int_equal(h.address.load_size, sizeof(img) - 0x80);

	make(0x100, BATON_MB1_ADDRESS, (uint32_t[]){ 0x100100, 0x100200, 0, 0, 0x100200 });
	expect_fail("multiboot: xen.gz: load_addr 0x100200 is above header_addr 0x100100");
	make(0x100, BATON_MB1_ADDRESS, (uint32_t[]){ 0x100100, 0xff000, 0, 0, 0x100200 });
	expect_fail("multiboot: xen.gz: load_addr 0xff000 would start before the file");
	make(0x100, BATON_MB1_ADDRESS, (uint32_t[]){ 0x100100, 0x100000, 0x105000, 0, 0x100200 });
	expect_fail("multiboot: xen.gz: load_end_addr 0x105000 is outside the file's 0x4000 bytes"
		    " from load_addr 0x100000");
	make(0x100, BATON_MB1_ADDRESS, (uint32_t[]){ 0x100100, 0x100000, 0xff000, 0, 0x100200 });
	expect_fail("multiboot: xen.gz: load_end_addr 0xff000 is outside the file's 0x4000 bytes"
		    " from load_addr 0x100000");
	make(0x100, BATON_MB1_ADDRESS, (uint32_t[]){ 0x100100, 0x100000, 0x102000, 0x101000,
						     0x100200 });
	expect_fail("multiboot: xen.gz: bss_end_addr 0x101000 is below the load's end 0x102000");
	make(0x100, BATON_MB1_ADDRESS, (uint32_t[]){ 0x100100, 0x100000, 0x102000, 0, 0x102000 });
	expect_fail("multiboot: xen.gz: entry_addr 0x102000 is outside the loaded image");
	make(0x100, BATON_MB1_ADDRESS, (uint32_t[]){ 0xfffff100, 0xfffff000, 0, 0, 0xfffff200 });
	expect_fail("multiboot: xen.gz: the load ends above 4 GiB");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_xen_header),
		cmocka_unit_test(flags),
		cmocka_unit_test(search),
		cmocka_unit_test(address_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
