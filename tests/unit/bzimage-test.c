/* SPDX-License-Identifier: MIT */
/* Tests for lib/bzimage.c: a synthetic header broken one field at a time, and a real kernel. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bzimage.h"

#define PAYLOAD 0x3000          /* synthetic protected-mode payload size */
#define SETUP_SECTS 3
#define SETUP_SIZE ((SETUP_SECTS + 1) * 512)
#define IMAGE_SIZE (SETUP_SIZE + PAYLOAD)

static uint8_t img_buf[IMAGE_SIZE];

static void put16(size_t off, uint16_t v)
{
	img_buf[off] = (uint8_t)v;
	img_buf[off + 1] = (uint8_t)(v >> 8);
}

static void put32(size_t off, uint32_t v)
{
	put16(off, (uint16_t)v);
	put16(off + 2, (uint16_t)(v >> 16));
}

static void put64(size_t off, uint64_t v)
{
	put32(off, (uint32_t)v);
	put32(off + 4, (uint32_t)(v >> 32));
}

/* A minimal header a 64-bit loader accepts, shaped like a 6.1 kernel's (protocol 2.15). */
static void make_image(void)
{
	memset(img_buf, 0, sizeof(img_buf));
	img_buf[0x1f1] = SETUP_SECTS;
	put32(0x1f4, PAYLOAD / 16);               /* syssize */
	put16(0x1fe, 0xaa55);
	img_buf[0x200] = 0xeb;                    /* jmp to the end of the header at 0x26c */
	img_buf[0x201] = 0x6a;
	memcpy(img_buf + 0x202, "HdrS", 4);
	put16(0x206, 0x020f);
	put32(0x22c, 0x7fffffff);                 /* initrd_addr_max */
	put32(0x230, 0x200000);                   /* kernel_alignment */
	img_buf[0x234] = 1;                       /* relocatable_kernel */
	img_buf[0x235] = 21;                      /* min_alignment */
	put16(0x236, 0x7f);                       /* xloadflags */
	put32(0x238, 0x7ff);                      /* cmdline_size */
	put64(0x258, 0x1000000);                  /* pref_address */
	put32(0x260, 0x100000);                   /* init_size */
	memset(img_buf + SETUP_SIZE, 0x90, PAYLOAD);
}

static int parse(size_t size, struct baton_bzimage *img, struct baton_error *err)
{
	return baton_bzimage_parse(img, img_buf, size, "vmlinuz", err);
}

/* The image as built, with one change applied by the caller, must fail with this message. */
static void expect_fail(size_t size, const char *msg)
{
	struct baton_bzimage img;
	struct baton_error err = { 0 };
	int ret = parse(size, &img, &err);

	if (ret != -ENOEXEC)
		fail_msg("got %d, want -ENOEXEC for \"%s\"", ret, msg);
	assert_int_equal(err.code, ENOEXEC);
	assert_null(strchr(err.msg, '\n'));
	if (strcmp(err.msg, msg))
		fail_msg("message\n  \"%s\"\nwant\n  \"%s\"", err.msg, msg);
}

static void test_valid(void **state)
{
	struct baton_bzimage img;
	struct baton_error err = { 0 };

	(void)state;
	make_image();
	assert_int_equal(parse(IMAGE_SIZE, &img, &err), 0);
	assert_ptr_equal(img.data, img_buf);
	assert_int_equal(img.size, IMAGE_SIZE);
	assert_int_equal(img.setup_size, SETUP_SIZE);
	assert_ptr_equal(img.kernel, img_buf + SETUP_SIZE);
	assert_int_equal(img.kernel_size, PAYLOAD);
	assert_int_equal(img.header_size, 0x26c - 0x1f1);
	assert_int_equal(img.protocol, 0x020f);
	assert_int_equal(img.xloadflags, 0x7f);
	assert_int_equal(img.relocatable, 1);
	assert_int_equal(img.kernel_alignment, 0x200000);
	assert_int_equal(img.pref_address, 0x1000000);
	assert_int_equal(img.init_size, 0x100000);
	assert_int_equal(img.cmdline_size, 0x7ff);
	assert_int_equal(img.initrd_addr_max, 0x7fffffff);
}

static void test_setup_sects_zero_means_four(void **state)
{
	struct baton_bzimage img;
	struct baton_error err = { 0 };

	(void)state;
	make_image();
	img_buf[0x1f1] = 0;
	put32(0x1f4, (IMAGE_SIZE - 5 * 512) / 16);
	assert_int_equal(parse(IMAGE_SIZE, &img, &err), 0);
	assert_int_equal(img.setup_size, 5 * 512);
	assert_int_equal(img.kernel_size, IMAGE_SIZE - 5 * 512);
}

static void test_oldest_accepted_protocol(void **state)
{
	struct baton_bzimage img;
	struct baton_error err = { 0 };

	(void)state;
	make_image();
	put16(0x206, 0x020c);
	img_buf[0x201] = 0x66;   /* a 2.12 header ends after handover_offset */
	assert_int_equal(parse(IMAGE_SIZE, &img, &err), 0);
	assert_int_equal(img.header_size, 0x268 - 0x1f1);
}

/* A signed kernel carries its signature after the syssize bytes of payload. */
static void test_trailing_signature(void **state)
{
	struct baton_bzimage img;
	struct baton_error err = { 0 };

	(void)state;
	make_image();
	put32(0x1f4, (PAYLOAD - 0x5c0) / 16);
	assert_int_equal(parse(IMAGE_SIZE, &img, &err), 0);
	assert_int_equal(img.kernel_size, PAYLOAD);
}

static void test_too_small(void **state)
{
	(void)state;
	make_image();
	expect_fail(0, "bzimage: vmlinuz: file too small (0 bytes) to hold a setup header");
	expect_fail(0x207, "bzimage: vmlinuz: file too small (519 bytes) to hold a setup header");
	/* Big enough for the signature and version, not for the header the jump announces. */
	expect_fail(0x268, "bzimage: vmlinuz: file too small (616 bytes) for its setup header"
		    " (to 0x26c)");
}

static void test_no_boot_flag(void **state)
{
	(void)state;
	make_image();
	put16(0x1fe, 0x55aa);
	expect_fail(IMAGE_SIZE, "bzimage: vmlinuz: not a Linux kernel image (no boot flag 0xAA55"
		    " at 0x1fe)");
}

static void test_no_hdrs(void **state)
{
	(void)state;
	make_image();
	memcpy(img_buf + 0x202, "HdrZ", 4);
	expect_fail(IMAGE_SIZE, "bzimage: vmlinuz: not a bzImage (no HdrS signature at 0x202)");
}

static void test_old_protocol(void **state)
{
	(void)state;
	make_image();
	put16(0x206, 0x020a);
	expect_fail(IMAGE_SIZE, "bzimage: vmlinuz: boot protocol 2.10 is older than 2.12");
	put16(0x206, 0x020b);
	expect_fail(IMAGE_SIZE, "bzimage: vmlinuz: boot protocol 2.11 is older than 2.12");
	put16(0x206, 0x0104);
	expect_fail(IMAGE_SIZE, "bzimage: vmlinuz: boot protocol 1.04 is older than 2.12");
}

static void test_bad_header_length(void **state)
{
	(void)state;
	make_image();
	img_buf[0x200] = 0xe9;
	expect_fail(IMAGE_SIZE, "bzimage: vmlinuz: no short jump (0xEB) at 0x200 to give the setup"
		    " header length");
	make_image();
	img_buf[0x201] = 0x50;
	expect_fail(IMAGE_SIZE, "bzimage: vmlinuz: setup header ends at 0x252, outside"
		    " 0x264..0x290 for protocol 2.15");
	img_buf[0x201] = 0xff;
	expect_fail(IMAGE_SIZE, "bzimage: vmlinuz: setup header ends at 0x301, outside"
		    " 0x264..0x290 for protocol 2.15");
}

static void test_no_payload(void **state)
{
	(void)state;
	make_image();
	expect_fail(SETUP_SIZE, "bzimage: vmlinuz: setup_sects 3 puts the payload at 0x800, at or"
		    " past the end of the 2048-byte file");
	img_buf[0x1f1] = 200;
	expect_fail(IMAGE_SIZE, "bzimage: vmlinuz: setup_sects 200 puts the payload at 0x19200, at"
		    " or past the end of the 14336-byte file");
}

static void test_truncated(void **state)
{
	(void)state;
	make_image();
	expect_fail(IMAGE_SIZE - 16, "bzimage: vmlinuz: truncated: syssize says 0x3000 payload"
		    " bytes, the file holds 0x2ff0");
}

static void test_not_64bit(void **state)
{
	(void)state;
	make_image();
	put16(0x236, 0x7e);
	expect_fail(IMAGE_SIZE, "bzimage: vmlinuz: xloadflags lacks XLF_KERNEL_64: not a 64-bit"
		    " kernel");
}

static void test_not_relocatable(void **state)
{
	(void)state;
	make_image();
	img_buf[0x234] = 0;
	expect_fail(IMAGE_SIZE, "bzimage: vmlinuz: relocatable_kernel is 0: not relocatable");
}

static void test_kernel_alignment(void **state)
{
	static const uint32_t bad[] = { 0, 1, 0x800, 0x300000, 0x80000001 };
	struct baton_bzimage img;
	struct baton_error err = { 0 };
	char msg[160];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		make_image();
		put32(0x230, bad[i]);
		snprintf(msg, sizeof(msg), "bzimage: vmlinuz: kernel_alignment 0x%x is not a power"
			 " of two of at least 4 KiB", bad[i]);
		expect_fail(IMAGE_SIZE, msg);
	}
	make_image();
	put32(0x230, 0x1000);
	assert_int_equal(parse(IMAGE_SIZE, &img, &err), 0);
	put32(0x230, 0x80000000);
	assert_int_equal(parse(IMAGE_SIZE, &img, &err), 0);
}

static void test_init_size(void **state)
{
	struct baton_bzimage img;
	struct baton_error err = { 0 };

	(void)state;
	make_image();
	put32(0x260, 0);
	expect_fail(IMAGE_SIZE, "bzimage: vmlinuz: init_size is 0");
	put32(0x260, PAYLOAD - 1);
	expect_fail(IMAGE_SIZE, "bzimage: vmlinuz: init_size 0x2fff is smaller than the 0x3000-byte"
		    " payload");
	put32(0x260, PAYLOAD);
	assert_int_equal(parse(IMAGE_SIZE, &img, &err), 0);
}

/* Any single corrupted header byte must give a clean answer, never a crash or an overread. */
static void test_every_byte_flipped(void **state)
{
	struct baton_bzimage img;
	struct baton_error err;

	(void)state;
	for (size_t off = 0x1f1; off < 0x270; off++) {
		for (unsigned bit = 0; bit < 8; bit++) {
			int ret;

			make_image();
			img_buf[off] ^= (uint8_t)(1u << bit);
			memset(&err, 0, sizeof(err));
			ret = parse(IMAGE_SIZE, &img, &err);
			assert_true(ret == 0 || ret == -ENOEXEC);
			if (ret)
				assert_true(strncmp(err.msg, "bzimage: vmlinuz: ", 18) == 0);
		}
	}
}

/* Every short length of a valid image: each read must stay inside the given size (run under
 * ASan or valgrind to see an overread). */
static void test_every_short_size(void **state)
{
	struct baton_bzimage img;
	struct baton_error err = { 0 };

	(void)state;
	make_image();
	for (size_t size = 0; size <= SETUP_SIZE + 16; size++) {
		uint8_t *copy = malloc(size ? size : 1);

		assert_non_null(copy);
		memcpy(copy, img_buf, size);
		assert_int_equal(baton_bzimage_parse(&img, copy, size, "vmlinuz", &err), -ENOEXEC);
		free(copy);
	}
}

static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
		*size = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* The test asset kernel if it was fetched, else one from /boot (often readable by root only). */
static void test_real_kernel(void **state)
{
	const char *asset = FIXTURES "/../../build/assets/vmlinuz";
	struct baton_bzimage img;
	struct baton_error err = { 0 };
	uint8_t *data = NULL;
	size_t size = 0;
	glob_t g;

	(void)state;
	data = read_file(asset, &size);
	if (!data && glob("/boot/vmlinuz-*", 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc && !data; i++)
			data = read_file(g.gl_pathv[i], &size);
		globfree(&g);
	}
	if (!data)
		skip();
	if (baton_bzimage_parse(&img, data, size, "vmlinuz", &err))
		fail_msg("%s", err.msg);
	assert_true(img.protocol >= BATON_BZIMAGE_MIN_PROTOCOL);
	assert_true(img.xloadflags & BATON_XLF_KERNEL_64);
	assert_true(img.xloadflags & BATON_XLF_CAN_BE_LOADED_ABOVE_4G);
	assert_true(img.kernel_alignment >= 0x200000);
	assert_true(img.init_size > img.kernel_size);
	assert_true(img.cmdline_size >= 255);
	assert_int_equal(img.kernel_size + img.setup_size, size);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_setup_sects_zero_means_four),
		cmocka_unit_test(test_oldest_accepted_protocol),
		cmocka_unit_test(test_trailing_signature),
		cmocka_unit_test(test_too_small),
		cmocka_unit_test(test_no_boot_flag),
		cmocka_unit_test(test_no_hdrs),
		cmocka_unit_test(test_old_protocol),
		cmocka_unit_test(test_bad_header_length),
		cmocka_unit_test(test_no_payload),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_not_64bit),
		cmocka_unit_test(test_not_relocatable),
		cmocka_unit_test(test_kernel_alignment),
		cmocka_unit_test(test_init_size),
		cmocka_unit_test(test_every_byte_flipped),
		cmocka_unit_test(test_every_short_size),
		cmocka_unit_test(test_real_kernel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
