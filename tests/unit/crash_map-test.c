/* SPDX-License-Identifier: MIT */
/* Tests for the capture kernel's memory map (lib/crash_map.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <elf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cmdline.h"
#include "crash_map.h"
#include "crash_read.h"
#include "support/crash_fixture.h"
#include "support/fixture.h"

struct expect {
	uint64_t start, end;
	enum baton_mem_kind kind;
};

static void check_map(const struct baton_memmap *map, const struct expect *e, size_t n)
{
	for (size_t i = 0; i < map->nr && i < n; i++) {
		const struct baton_mem_range *r = &map->ranges[i];

		if (r->start != e[i].start || r->end != e[i].end || r->kind != e[i].kind)
			fail_msg("range %zu: got 0x%" PRIx64 "-0x%" PRIx64 " %s, want 0x%" PRIx64
				 "-0x%" PRIx64 " %s", i, r->start, r->end,
				 baton_mem_kind_name(r->kind), e[i].start, e[i].end,
				 baton_mem_kind_name(e[i].kind));
	}
	assert_int_equal(map->nr, n);
}

/* kexec-tools' E820 for this boot (qemu-6g-high.kexec-tools), except that the segments kept
 * are RESERVED instead of holes, and page 0 is a hole: the firmware map calls it RAM, and of the
 * low RAM only the backup source is offered. */
static void capture_e820(void **state)
{
	static const struct expect want[] = {
		{ 0x1000, 0x9fc00, RAM },                 /* backup source: its bytes are saved */
		{ 0x9fc00, 0xa0000, RES },
		{ 0xf0000, 0x100000, RES },
		{ 0xae000000, 0xbe000000, RAM },          /* the low crash region: DMA, swiotlb */
		{ 0xbffe0000, 0xc0000000, RES },
		{ 0xfffc0000, 0x100000000, RES },
		{ 0x1af000000, 0x1bef5d000, RAM },
		{ 0x1bef5d000, 0x1bef5e000, RES },        /* the ELF header */
		{ 0x1bef5e000, 0x1bef61000, RAM },
		{ 0x1bef61000, 0x1bf000000, RES },        /* the backup copy */
		{ 0xfd00000000, 0x10000000000, RES },
	};
	static const struct baton_phys_range keep[] = {
		{ 0x1bef61000, 0x1bf000000 },
		{ 0x1bef5d000, 0x1bef5e000 },
	};
	struct baton_crash_info info;
	struct baton_memmap fw = { 0 }, out;
	struct baton_error err = { 0 };

	(void)state;
	assert_int_equal(baton_crash_read(HIGH, &info, &err), 0);
	assert_int_equal(baton_memmap_read_machine(&fw, HIGH, &err), 0);
	assert_int_equal(baton_crash_memmap(&fw, &info, info.crash[1].start, info.crash[1].end,
					    keep, NELEM(keep), &out, &err), 0);
	check_map(&out, want, NELEM(want));
	baton_memmap_free(&out);
	baton_memmap_free(&fw);
	baton_crash_info_free(&info);
}

/* --pass-memmap-cmdline on the capture map above: RAM of 100 KiB or more (the 12 KiB between
 * the header and the backup copy is not), reserved ranges left out, as kexec-tools does. */
static void capture_map_on_the_command_line(void **state)
{
	static const struct baton_phys_range keep[] = {
		{ 0x1bef61000, 0x1bf000000 },
		{ 0x1bef5d000, 0x1bef5e000 },
	};
	struct baton_crash_info info;
	struct baton_memmap fw = { 0 }, out;
	struct baton_cmdline c = { 0 };
	struct baton_error err = { 0 };

	(void)state;
	assert_int_equal(baton_crash_read(HIGH, &info, &err), 0);
	assert_int_equal(baton_memmap_read_machine(&fw, HIGH, &err), 0);
	assert_int_equal(baton_crash_memmap(&fw, &info, info.crash[1].start, info.crash[1].end,
					    keep, NELEM(keep), &out, &err), 0);
	assert_int_equal(baton_cmdline_append(&c, "console=ttyS0", &err), 0);
	assert_int_equal(baton_crash_memmap_cmdline(&out, &c, &err), 0);
	assert_string_equal(c.text, "console=ttyS0 memmap=exactmap memmap=635K@4K "
			    "memmap=262144K@2850816K memmap=261492K@7061504K");
	baton_cmdline_free(&c);
	baton_memmap_free(&out);
	baton_memmap_free(&fw);
	baton_crash_info_free(&info);
}

/* ACPI tables and NVS are '#', persistent memory '!', their ends rounded up to KiB; a RAM end
 * rounded down; 99 KiB of RAM is left out, 100 KiB is not. */
static void memmap_tokens_by_type(void **state)
{
	struct baton_memmap map = { 0 };
	struct baton_cmdline c = { 0 };
	struct baton_error err = { 0 };

	(void)state;
	assert_int_equal(baton_memmap_add(&map, 0x100000, 0x100000 + 99 * 1024, BATON_MEM_RAM,
					  &err), 0);
	assert_int_equal(baton_memmap_add(&map, 0x200000, 0x200000 + 100 * 1024 + 1023,
					  BATON_MEM_RAM, &err), 0);
	assert_int_equal(baton_memmap_add(&map, 0x300000, 0x300001, BATON_MEM_ACPI, &err), 0);
	assert_int_equal(baton_memmap_add(&map, 0x400400, 0x400800, BATON_MEM_NVS, &err), 0);
	assert_int_equal(baton_memmap_add(&map, 0x500000, 0x600000, BATON_MEM_RESERVED, &err), 0);
	assert_int_equal(baton_memmap_add(&map, 0x100000000, 0x140000000, BATON_MEM_PMEM, &err), 0);
	assert_int_equal(baton_memmap_add(&map, 0x140000000, 0x150000000, BATON_MEM_UNUSABLE, &err),
			 0);
	assert_int_equal(baton_crash_memmap_cmdline(&map, &c, &err), 0);
	assert_string_equal(c.text, "memmap=exactmap memmap=100K@2048K memmap=1K#3072K "
			    "memmap=1K#4097K memmap=1048576K!4194304K");
	baton_cmdline_free(&c);
	baton_memmap_free(&map);
}

static void capture_e820_keeps_firmware_types(void **state)
{
	static const struct expect want[] = {
		{ 0x0, 0x1000, RES },
		{ 0x1000, 0x9f000, RAM },
		{ 0x9f000, 0xa0000, RES },
		{ 0xe0000, 0x100000, RES },
		{ 0x5000000, 0x6000000, RAM },
		{ 0x6000000, 0x6001000, RES },
		{ 0x6001800, 0x6002000, RES },                 /* 0x6001000-0x6001800: too small */
		{ 0x6002000, 0x7000000, RAM },
		{ 0x7ff00000, 0x7ff80000, BATON_MEM_ACPI },
		{ 0x7ff80000, 0x80000000, BATON_MEM_NVS },
		{ 0x80000000, 0x80100000, BATON_MEM_UNUSABLE },
		{ 0x100000000, 0x140000000, BATON_MEM_PMEM },
		{ 0x140000000, 0x180000000, BATON_MEM_SOFT_RESERVED },
	};
	static const struct baton_phys_range keep[] = {
		{ 0x6000000, 0x6001000 },
		{ 0x6001800, 0x6002000 },
	};
	struct baton_crash_info info = { 0 };
	struct baton_memmap fw = { 0 }, out;
	struct baton_error err = { 0 };

	(void)state;
	assert_int_equal(baton_memmap_add(&fw, 0x0, 0x1000, RES, &err), 0);
	assert_int_equal(baton_memmap_add(&fw, 0x1000, 0x9f000, RAM, &err), 0);
	assert_int_equal(baton_memmap_add(&fw, 0x9f000, 0xa0000, RES, &err), 0);
	assert_int_equal(baton_memmap_add(&fw, 0xe0000, 0x100000, RES, &err), 0);
	assert_int_equal(baton_memmap_add(&fw, 0x100000, 0x7ff00000, RAM, &err), 0);
	assert_int_equal(baton_memmap_add(&fw, 0x7ff00000, 0x7ff80000, BATON_MEM_ACPI, &err), 0);
	assert_int_equal(baton_memmap_add(&fw, 0x7ff80000, 0x80000000, BATON_MEM_NVS, &err), 0);
	assert_int_equal(baton_memmap_add(&fw, 0x80000000, 0x80100000, BATON_MEM_UNUSABLE, &err),
			 0);
	assert_int_equal(baton_memmap_add(&fw, 0x100000000, 0x140000000, BATON_MEM_PMEM, &err), 0);
	assert_int_equal(baton_memmap_add(&fw, 0x140000000, 0x180000000, BATON_MEM_SOFT_RESERVED,
					  &err), 0);
	assert_int_equal(baton_memmap_add(&info.ram, 0x1000, 0x9f000, RAM, &err), 0);
	assert_int_equal(baton_memmap_add(&info.ram, 0x100000, 0x7ff00000, RAM, &err), 0);
	info.crash[0] = (struct baton_phys_range){ 0x5000000, 0x7000000 };
	info.nr_crash = 1;
	assert_int_equal(baton_crash_memmap(&fw, &info, 0x5000000, 0x7000000, keep, NELEM(keep),
					    &out, &err), 0);
	check_map(&out, want, NELEM(want));
	baton_memmap_free(&out);

	/* Segments outside the crash regions cannot be kept this way. */
	{
		static const struct baton_phys_range bad[] = { { 0x4fff000, 0x5001000 } };
		int rc = baton_crash_memmap(&fw, &info, 0x5000000, 0x7000000, bad, 1, &out, &err);
		check_error(rc, &err, EINVAL, "0x4fff000-0x5000fff", "outside the crash regions");
		assert_int_equal(out.nr, 0);
	}
	check_error(baton_crash_memmap(&fw, &info, 0x7000000, 0x7000000, NULL, 0, &out, &err), &err,
		    EINVAL, "empty crash region", NULL);
	baton_memmap_free(&info.ram);
	baton_memmap_free(&fw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(capture_e820),
		cmocka_unit_test(capture_e820_keeps_firmware_types),
		cmocka_unit_test(capture_map_on_the_command_line),
		cmocka_unit_test(memmap_tokens_by_type),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
