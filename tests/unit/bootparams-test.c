/* SPDX-License-Identifier: MIT */
/* Tests for the zero page builder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bootparams.h"
#include "bzimage.h"
#include "support/fixture.h"

static struct baton_mem_range ranges[] = {
	{ 0x0, 0x9fc00, BATON_MEM_RAM },
	{ 0x9fc00, 0xa0000, BATON_MEM_RESERVED },
	{ 0xf0000, 0x100000, BATON_MEM_RESERVED },
	{ 0x100000, 0xbffe0000, BATON_MEM_RAM },
	{ 0xbffe0000, 0xc0000000, BATON_MEM_ACPI },
	{ 0xc0000000, 0xc0010000, BATON_MEM_NVS },
	{ 0xc0010000, 0xc0020000, BATON_MEM_UNUSABLE },
	{ 0xc0020000, 0xc0030000, BATON_MEM_SOFT_RESERVED },
	{ 0x100000000ULL, 0x1c0000000ULL, BATON_MEM_RAM },
	{ 0x1c0000000ULL, 0x200000000ULL, BATON_MEM_PMEM },
};

static void build(struct boot_params *bp, const struct boot_params *running,
		  const struct baton_boot_layout *l)
{
	struct fx_bzimage spec = fx_bzimage_defaults();
	size_t size;
	uint8_t *data = fx_bzimage_build(&spec, &size);
	struct baton_bzimage img;
	struct baton_memmap map = { ranges, 10, 10 };
	struct baton_error err = { 0 };

	assert_int_equal(baton_bzimage_parse(&img, data, size, "vmlinuz", &err), 0);
	baton_bootparams_build(bp, img.data + offsetof(struct boot_params, hdr), img.header_size,
			       &map, running, l);
	/* The header bytes come from the image; `data` is freed, so check them here. */
	assert_memory_equal((uint8_t *)bp + 0x202, "HdrS", 4);
	assert_int_equal(bp->hdr.version, 0x020f);
	assert_int_equal(bp->hdr.init_size, spec.init_size);
	free(data);
}

static void e820_comes_from_the_memory_map(void **state)
{
	(void)state;
	static const uint32_t types[] = { 1, 2, 2, 1, 3, 4, 5, 0xefffffff, 1, 7 };
	struct boot_params bp;
	struct baton_boot_layout l = { 0x1000000, 0, 0, 0x7fff0000 };

	build(&bp, NULL, &l);
	assert_int_equal(bp.e820_entries, 10);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(bp.e820_table[i].addr, ranges[i].start);
		assert_int_equal(bp.e820_table[i].size, ranges[i].end - ranges[i].start);
		assert_int_equal(bp.e820_table[i].type, types[i]);
	}
	assert_int_equal(bp.alt_mem_k, (0x1c0000000ULL - 0x100000) >> 10);
}

static void placement_fields_split_at_4g(void **state)
{
	(void)state;
	struct boot_params bp;
	struct baton_boot_layout l = { 0x1000000, 0x123456000ULL, 0x1000000, 0x17fff0000ULL };

	build(&bp, NULL, &l);
	assert_int_equal(bp.hdr.code32_start, 0x1000000);
	assert_int_equal(bp.hdr.ramdisk_image, 0x23456000);
	assert_int_equal(bp.ext_ramdisk_image, 1);
	assert_int_equal(bp.hdr.ramdisk_size, 0x1000000);
	assert_int_equal(bp.ext_ramdisk_size, 0);
	assert_int_equal(bp.hdr.cmd_line_ptr, 0x7fff0000);
	assert_int_equal(bp.ext_cmd_line_ptr, 1);
	assert_int_equal(bp.hdr.type_of_loader, 0xff);
	assert_true(bp.hdr.loadflags & LOADFLAG_LOADED_HIGH);
	assert_false(bp.hdr.loadflags & 0x80);
	assert_int_equal(bp.hdr.setup_data, 0);
	assert_int_equal(bp.sentinel, 0);
}

static void firmware_facts_carry_over(void **state)
{
	(void)state;
	struct boot_params running, bp;
	struct baton_boot_layout l = { 0x1000000, 0, 0, 0x7fff0000 };

	memset(&running, 0x5a, sizeof(running));
	running.acpi_rsdp_addr = 0xf5a40;
	build(&bp, &running, &l);
	assert_int_equal(bp.acpi_rsdp_addr, 0xf5a40);
	assert_memory_equal(bp.screen_info, running.screen_info, sizeof(bp.screen_info));
	assert_memory_equal(bp.efi_info, running.efi_info, sizeof(bp.efi_info));
	assert_memory_equal(bp.edid_info, running.edid_info, sizeof(bp.edid_info));
	/* Nothing else of the old zero page leaks through. */
	assert_int_equal(bp.tboot_addr, 0);
	assert_int_equal(bp.e820_entries, 10);
	assert_int_equal(bp.hdr.type_of_loader, 0xff);
}

static void real_qemu_boot_params_carry_rsdp(void **state)
{
	(void)state;
	struct boot_params running, bp;
	struct baton_boot_layout l = { 0x1000000, 0, 0, 0x7fff0000 };
	FILE *f = fopen(FIXTURES "/qemu-1g.boot_params", "rb");

	assert_non_null(f);
	assert_int_equal(fread(&running, 1, sizeof(running), f), sizeof(running));
	fclose(f);
	build(&bp, &running, &l);
	assert_int_equal(bp.acpi_rsdp_addr, running.acpi_rsdp_addr);
	assert_memory_equal(bp.screen_info, running.screen_info, sizeof(bp.screen_info));
}

static void the_zero_page_takes_the_first_128_entries(void **state)
{
	(void)state;
	static struct baton_mem_range many[200];
	struct baton_memmap map = { many, 200, 200 };
	static struct boot_params bp;
	struct e820_entry rest[72];

	for (int i = 0; i < 200; i++) {
		many[i].start = (uint64_t)i << 20;
		many[i].end = ((uint64_t)i << 20) + 0x1000;
		many[i].kind = i % 2 ? BATON_MEM_RESERVED : BATON_MEM_RAM;
	}
	memset(&bp, 0, sizeof(bp));
	baton_bootparams_e820(&bp, &map);
	assert_int_equal(bp.e820_entries, 128);
	assert_int_equal(bp.e820_table[127].addr, 127ULL << 20);
	baton_bootparams_e820_entries(rest, &map, 128, 72);
	assert_int_equal(rest[0].addr, 128ULL << 20);
	assert_int_equal(rest[71].addr, 199ULL << 20);
	assert_int_equal(rest[71].type, 2);
	assert_int_equal(rest[70].size, 0x1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(e820_comes_from_the_memory_map),
		cmocka_unit_test(placement_fields_split_at_4g),
		cmocka_unit_test(firmware_facts_carry_over),
		cmocka_unit_test(real_qemu_boot_params_carry_rsdp),
		cmocka_unit_test(the_zero_page_takes_the_first_128_entries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
