/* SPDX-License-Identifier: MIT */
/* Tests for lib/elf_load.c: Xen 4.17's ELF32 headers, synthetic ELF32 and ELF64 files. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "elf_load.h"
#include "le.h"
#include "support/fixture.h"

#define FILE_SIZE 0x4000
#define PHOFF 0x40

static uint8_t img[FILE_SIZE];
static int is64;

struct seg {
	uint32_t type;
	uint64_t offset, paddr, filesz, memsz, align;
};

static void put_word(size_t off, uint64_t v)
{
	if (is64)
		baton_put_le64(img + off, v);
	else
		baton_put_le32(img + off, (uint32_t)v);
}

/* An ET_EXEC of the class asked for, with these program headers at PHOFF. */
static void make(int sixty_four, const struct seg *segs, size_t n)
{
	size_t phent = sixty_four ? 56 : 32;

	is64 = sixty_four;
	memset(img, 0, sizeof(img));
	memcpy(img, "\177ELF", 4);
	img[4] = sixty_four ? 2 : 1;
	img[5] = 1;
	img[6] = 1;
	baton_put_le16(img + 16, 2);
	baton_put_le16(img + 18, sixty_four ? 62 : 3);
	baton_put_le32(img + 20, 1);
	put_word(24, 0x100000c);                           /* e_entry */
	put_word(sixty_four ? 32 : 28, PHOFF);             /* e_phoff */
	baton_put_le16(img + (sixty_four ? 54 : 42), (uint16_t)phent);
	baton_put_le16(img + (sixty_four ? 56 : 44), (uint16_t)n);
	for (size_t i = 0; i < n; i++) {
		uint8_t *ph = img + PHOFF + i * phent;

		baton_put_le32(ph, segs[i].type);
		if (sixty_four) {
			baton_put_le64(ph + 8, segs[i].offset);
			baton_put_le64(ph + 16, segs[i].paddr);
			baton_put_le64(ph + 24, segs[i].paddr);
			baton_put_le64(ph + 32, segs[i].filesz);
			baton_put_le64(ph + 40, segs[i].memsz);
			baton_put_le64(ph + 48, segs[i].align);
		} else {
			baton_put_le32(ph + 4, (uint32_t)segs[i].offset);
			baton_put_le32(ph + 8, (uint32_t)segs[i].paddr);
			baton_put_le32(ph + 12, (uint32_t)segs[i].paddr);
			baton_put_le32(ph + 16, (uint32_t)segs[i].filesz);
			baton_put_le32(ph + 20, (uint32_t)segs[i].memsz);
			baton_put_le32(ph + 28, (uint32_t)segs[i].align);
		}
	}
}

static const struct seg two[] = {
	{ 1, 0x1000, 0x1000000, 0x1000, 0x1000, 0x1000 },
	{ 4, 0x2000, 0x500000, 0x10, 0x10, 4 },             /* PT_NOTE: not loaded */
	{ 1, 0x2000, 0x1001000, 0x800, 0x3000, 0x1000 },
};

static void expect_fail_size(size_t size, const char *msg)
{
	struct baton_elf_image e;
	struct baton_error err = { 0 };
	int rc = baton_elf_load_parse(&e, img, size, "xen", &err);

	assert_true(fx_refused(rc, &err, &e, sizeof(e), msg));
}

static void expect_fail(const char *msg)
{
	expect_fail_size(sizeof(img), msg);
}

static void parse_ok(struct baton_elf_image *e)
{
	struct baton_error err = { 0 };

	if (baton_elf_load_parse(e, img, sizeof(img), "xen", &err))
		fail_msg("refused: %s", err.msg);
}

/* The Xen 4.17 image's first 32 KiB: its one PT_LOAD runs past the cut; made to fit, it reads. */
static void real_xen(void **state)
{
	(void)state;
	size_t size;
	uint8_t *data = fx_read_fixture("xen/xen-4.17-head", &size);
	struct baton_elf_image e;
	struct baton_error err = { 0 };

	assert_int_equal(baton_elf_load_parse(&e, data, size, "xen-4.17-amd64", &err), -ENOEXEC);
	assert_string_equal(err.msg, "elf: xen-4.17-amd64: PT_LOAD 0: file bytes 0x80+0x271920 run"
			    " past the file's 0x8000 bytes");
	baton_put_le32(data + 52 + 16, (uint32_t)(size - 0x80));   /* p_filesz of the cut */
	assert_int_equal(baton_elf_load_parse(&e, data, size, "xen-4.17-amd64", &err), 0);
	assert_int_equal(e.elf_class, BATON_ELF_32);
	assert_int_equal(e.entry, 0x200000);
	assert_int_equal(e.nr_loads, 1);     /* its PT_NOTE is not one */
	assert_int_equal(e.loads[0].paddr, 0x200000);
	assert_int_equal(e.loads[0].vaddr, 0x200000);
	assert_int_equal(e.loads[0].offset, 0x80);
	assert_int_equal(e.loads[0].filesz, size - 0x80);
	assert_int_equal(e.loads[0].memsz, 0x3a7000);
	assert_int_equal(e.loads[0].align, 0x40);
	free(data);
}

static void both_classes(void **state)
{
	(void)state;
	struct baton_elf_image e;

	for (int c = 0; c < 2; c++) {
		make(c, two, 3);
		parse_ok(&e);
		assert_int_equal(e.elf_class, c ? BATON_ELF_64 : BATON_ELF_32);
		assert_int_equal(e.entry, 0x100000c);
		assert_int_equal(e.nr_loads, 2);
		assert_int_equal(e.loads[0].paddr, 0x1000000);
		assert_int_equal(e.loads[0].offset, 0x1000);
		assert_int_equal(e.loads[1].paddr, 0x1001000);
		assert_int_equal(e.loads[1].filesz, 0x800);
		assert_int_equal(e.loads[1].memsz, 0x3000);
		assert_int_equal(e.loads[1].align, 0x1000);
	}
	/* ELF64 addresses above 4 GiB. */
	make(1, (struct seg[]){ { 1, 0x1000, 0x100000000ull, 0x100, 0x100, 0 } }, 1);
	parse_ok(&e);
	assert_int_equal(e.loads[0].paddr, 0x100000000ull);
}

static void bad_identity(void **state)
{
	(void)state;

	make(0, two, 3);
	expect_fail_size(15, "elf: xen: not an ELF file");
	expect_fail_size(40, "elf: xen: file too small (40 bytes) for its ELF header");
	img[1] = 'e';
	expect_fail("elf: xen: not an ELF file");
	make(0, two, 3);
	img[4] = 3;
	expect_fail("elf: xen: ELF class 3 is neither 32- nor 64-bit");
	make(0, two, 3);
	img[5] = 2;
	expect_fail("elf: xen: not little-endian (EI_DATA 2)");
	make(0, two, 3);
	img[6] = 0;
	expect_fail("elf: xen: ELF version 0, not 1");
	make(0, two, 3);
	baton_put_le16(img + 16, 3);
	expect_fail("elf: xen: e_type 3 is not an executable (ET_EXEC)");
	make(0, two, 3);
	baton_put_le16(img + 18, 62);
	expect_fail("elf: xen: machine 62 is not i386 (3) for an ELF32");
	make(1, two, 3);
	baton_put_le16(img + 18, 40);
	expect_fail("elf: xen: machine 40 is not x86-64 (62) for an ELF64");
}

static void bad_program_headers(void **state)
{
	(void)state;

	make(0, two, 0);
	expect_fail("elf: xen: no program headers");
	make(0, two, 3);
	baton_put_le16(img + 44, 0xffff);
	expect_fail("elf: xen: too many program headers");
	make(1, two, 3);
	baton_put_le16(img + 54, 32);
	expect_fail("elf: xen: e_phentsize 32, not 56");
	make(1, two, 3);
	expect_fail_size(PHOFF + 2 * 56, "elf: xen: program headers at 0x40 run past the file's"
			 " 0xb0 bytes");
	make(1, two, 3);
	baton_put_le64(img + 32, UINT64_MAX - 8);
	expect_fail("elf: xen: program headers at 0xfffffffffffffff7 run past the file's 0x4000"
		    " bytes");
	make(0, (struct seg[]){ { 4, 0, 0, 0, 0, 0 } }, 1);
	expect_fail("elf: xen: no PT_LOAD segment");

	struct seg many[BATON_ELF_MAX_LOADS + 1];
	for (size_t i = 0; i <= BATON_ELF_MAX_LOADS; i++)
		many[i] = (struct seg){ 1, 0x1000, 0x100000 * (i + 1), 0x10, 0x10, 0 };
	make(1, many, BATON_ELF_MAX_LOADS);
	struct baton_elf_image e;
	parse_ok(&e);
	assert_int_equal(e.nr_loads, BATON_ELF_MAX_LOADS);
	make(1, many, BATON_ELF_MAX_LOADS + 1);
	expect_fail("elf: xen: more than 16 PT_LOAD segments");
}

static void bad_segments(void **state)
{
	(void)state;

	make(0, (struct seg[]){ { 1, 0x3000, 0x100000, 0x1001, 0x2000, 0 } }, 1);
	expect_fail("elf: xen: PT_LOAD 0: file bytes 0x3000+0x1001 run past the file's 0x4000"
		    " bytes");
	make(1, (struct seg[]){ { 1, 0x5000, 0x100000, 0, 0x2000, 0 } }, 1);
	expect_fail("elf: xen: PT_LOAD 0: file bytes 0x5000+0x0 run past the file's 0x4000 bytes");
	make(1, (struct seg[]){ { 1, 0x1000, 0x100000, UINT64_MAX, UINT64_MAX, 0 } }, 1);
	expect_fail("elf: xen: PT_LOAD 0: file bytes 0x1000+0xffffffffffffffff run past the file's"
		    " 0x4000 bytes");
	make(0, (struct seg[]){ { 1, 0x1000, 0x100000, 0x2000, 0x1000, 0 } }, 1);
	expect_fail("elf: xen: PT_LOAD 0: filesz 0x2000 is more than memsz 0x1000");
	make(0, (struct seg[]){ { 1, 0x1000, 0xfffff000, 0x1000, 0x2000, 0 } }, 1);
	expect_fail("elf: xen: PT_LOAD 0: 0xfffff000+0x2000 wraps the address space");
	make(0, (struct seg[]){ { 1, 0x1000, 0xfffff000, 0x1000, 0x1000, 0 } }, 1);
	struct baton_elf_image e;
	parse_ok(&e);   /* ends exactly at 4 GiB */
	make(1, (struct seg[]){ { 1, 0x1000, UINT64_MAX - 0xfff, 0x1000, 0x1001, 0 } }, 1);
	expect_fail("elf: xen: PT_LOAD 0: 0xfffffffffffff000+0x1001 wraps the address space");
	make(1, (struct seg[]){ { 1, 0x1000, 0x100000, 0x10, 0x10, 0x3000 } }, 1);
	expect_fail("elf: xen: PT_LOAD 0: p_align 0x3000 is not a power of two");
	make(0, (struct seg[]){ { 1, 0x1000, 0x100000, 0x1000, 0x2000, 0 },
				{ 1, 0x2000, 0x101fff, 0x10, 0x10, 0 } }, 2);
	expect_fail("elf: xen: PT_LOAD 1 (0x101fff+0x10) overlaps PT_LOAD 0 (0x100000+0x2000)");
	make(0, (struct seg[]){ { 1, 0x1000, 0x100000, 0x1000, 0x2000, 0 },
				{ 1, 0x2000, 0xff000, 0x10, 0x1001, 0 } }, 2);
	expect_fail("elf: xen: PT_LOAD 1 (0xff000+0x1001) overlaps PT_LOAD 0 (0x100000+0x2000)");
	/* Touching is not overlapping; empty segments overlap nothing. */
	make(0, (struct seg[]){ { 1, 0x1000, 0x100000, 0x1000, 0x2000, 0 },
				{ 1, 0x2000, 0x102000, 0x10, 0x10, 0 },
				{ 1, 0x2000, 0x100000, 0, 0, 0 } }, 3);
	parse_ok(&e);
	assert_int_equal(e.nr_loads, 3);
}

/* PT_NOTEs are recorded where they lie in the file and walked note by note (name and descriptor
 * each padded to 4); a note running past its PT_NOTE ends the walk, a PT_NOTE outside the file is
 * skipped, not refused. */
static void notes(void **state)
{
	(void)state;
	struct baton_elf_image e;
	const struct seg with_notes[] = {
		{ 1, 0x1000, 0x1000000, 0x1000, 0x1000, 0x1000 },
		{ 4, 0x3000, 0, 48, 48, 4 },
		{ 4, 0x3f00, 0, 0x200, 0x200, 4 },     /* past the file's end */
	};

	make(1, with_notes, 3);
	/* "GNU" type 3 with 8 bytes, then "Linux" type 0x100 with "6.1\0" */
	baton_put_le32(img + 0x3000, 4);
	baton_put_le32(img + 0x3004, 8);
	baton_put_le32(img + 0x3008, 3);
	memcpy(img + 0x300c, "GNU", 4);
	baton_put_le32(img + 0x3018, 6);
	baton_put_le32(img + 0x301c, 4);
	baton_put_le32(img + 0x3020, 0x100);
	memcpy(img + 0x3024, "Linux", 6);
	memcpy(img + 0x302c, "6.1", 4);
	parse_ok(&e);
	assert_int_equal(e.nr_notes, 1);
	assert_int_equal(e.notes[0].offset, 0x3000);
	assert_true(baton_elf_has_note(&e, img, "Linux", -1, NULL, 0));
	assert_true(baton_elf_has_note(&e, img, "Linux", 0x100, "6.1", 4));
	assert_false(baton_elf_has_note(&e, img, "Linux", 0x101, NULL, 0));
	assert_false(baton_elf_has_note(&e, img, "Linux", 0x100, "6.2", 4));
	assert_true(baton_elf_has_note(&e, img, "GNU", 3, NULL, 0));
	assert_false(baton_elf_has_note(&e, img, "Xen", -1, NULL, 0));
	assert_false(baton_elf_has_note(&e, img, "Linu", -1, NULL, 0));
	/* the GNU note's descriptor claims more than the PT_NOTE holds: nothing after it is read */
	baton_put_le32(img + 0x3004, 0x100);
	parse_ok(&e);
	assert_false(baton_elf_has_note(&e, img, "Linux", -1, NULL, 0));
	assert_false(baton_elf_has_note(&e, img, "GNU", -1, NULL, 0));
	baton_put_le32(img + 0x3004, 0xfffffffc);      /* no wrap in the padding arithmetic */
	parse_ok(&e);
	assert_false(baton_elf_has_note(&e, img, "GNU", -1, NULL, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_xen),
		cmocka_unit_test(both_classes),
		cmocka_unit_test(bad_identity),
		cmocka_unit_test(bad_program_headers),
		cmocka_unit_test(bad_segments),
		cmocka_unit_test(notes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
