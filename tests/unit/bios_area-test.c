/* SPDX-License-Identifier: MIT */
/* Tests for where the EBDA goes and the map that keeps it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bios_area.h"
#include "support/fixture.h"
#include "verify.h"

static void ebda_in_the_last_kib_below_640k(void **state)
{
	(void)state;
	struct baton_memmap map = { 0 };
	struct baton_error err = { 0 };
	struct baton_rsdp rsdp = { 0x3f77d014, "RSD PTR ", 36 };
	struct baton_bios_area b;

	fx_memmap_load("efi/memmap", &map);   /* OVMF: RAM 0-0x9ffff */
	assert_int_equal(baton_bios_area_plan(&map, &rsdp, &b, &err), 0);
	assert_int_equal(b.ebda, 0x9fc00);
	assert_int_equal(b.ebda_kib, 1);
	assert_int_equal(b.base_kib, 639);
	assert_int_equal(b.rsdp, 0x3f77d014);
	baton_memmap_free(&map);

	/* RAM ending below 640 KiB and off a KiB boundary: the EBDA ends at the last whole KiB. */
	assert_int_equal(baton_memmap_add(&map, 0, 0x8f800 + 0x123, BATON_MEM_RAM, NULL), 0);
	assert_int_equal(baton_memmap_add(&map, 0x100000, 0x1000000, BATON_MEM_RAM, NULL), 0);
	assert_int_equal(baton_bios_area_plan(&map, NULL, &b, &err), 0);
	assert_int_equal(b.ebda, 0x8f800 - 0x400);
	assert_int_equal(b.base_kib, (0x8f800 - 0x400) >> 10);
	assert_int_equal(b.rsdp, 0);
	baton_memmap_free(&map);
}

static void no_low_ram_is_refused(void **state)
{
	(void)state;
	struct baton_memmap map = { 0 };
	struct baton_error err = { 0 };
	struct baton_bios_area b;

	assert_int_equal(baton_memmap_add(&map, 0, 0x10000, BATON_MEM_RAM, NULL), 0);
	assert_int_equal(baton_memmap_add(&map, 0x100000, 0x1000000, BATON_MEM_RAM, NULL), 0);
	assert_int_equal(baton_bios_area_plan(&map, NULL, &b, &err), -ENOSPC);
	assert_non_null(strstr(err.msg, "no RAM below 640 KiB"));
	assert_true(fx_all_zero(&b, sizeof(b)));
	baton_memmap_free(&map);
}

static void reserve_splits_the_ram_around_it(void **state)
{
	(void)state;
	struct baton_memmap map = { 0 }, out;
	struct baton_error err = { 0 };
	struct baton_bios_area b;

	fx_memmap_load("efi/memmap", &map);
	assert_int_equal(baton_bios_area_plan(&map, NULL, &b, &err), 0);
	assert_int_equal(baton_bios_area_reserve(&map, &b, &out, &err), 0);
	assert_int_equal(out.nr, map.nr + 1);
	assert_int_equal(out.ranges[0].start, 0);
	assert_int_equal(out.ranges[0].end, 0x9fc00);
	assert_int_equal(out.ranges[0].kind, BATON_MEM_RAM);
	assert_int_equal(out.ranges[1].start, 0x9fc00);
	assert_int_equal(out.ranges[1].end, 0xa0000);
	assert_int_equal(out.ranges[1].kind, BATON_MEM_RESERVED);
	for (size_t i = 1; i < map.nr; i++) {
		assert_int_equal(out.ranges[i + 1].start, map.ranges[i].start);
		assert_int_equal(out.ranges[i + 1].end, map.ranges[i].end);
		assert_int_equal(out.ranges[i + 1].kind, map.ranges[i].kind);
	}
	baton_memmap_free(&out);
	baton_memmap_free(&map);
}

/* The purgatory writes what the parameter block says only inside conventional memory. */
static void purgatory_refuses_an_area_outside_conventional_memory(void **state)
{
	(void)state;
	static const struct { uint64_t ebda; uint16_t base, kib; uint64_t rsdp; int ok; } cases[] = {
		{ 0x9fc00, 639, 1, 0x3f77d014, 1 },
		{ 0x9f800, 638, 2, 0x3f77d014, 1 },
		{ 0x9fc00, 639, 1, 0, 1 },
		{ 0x9fc00, 639, 2, 0x3f77d014, 0 },     /* past 640 KiB */
		{ 0x9fc10, 639, 1, 0x3f77d014, 0 },     /* not KiB aligned */
		{ 0x9fc00, 640, 1, 0x3f77d014, 0 },     /* base memory past the EBDA */
		{ 0x9fc00, 639, 0, 0, 0 },              /* empty */
		{ 0xa0000, 640, 1, 0, 0 },
		{ 0, 0, 1, 0, 0 },                      /* over the IVT and the BDA */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct baton_params p;
		memset(&p, 0, sizeof(p));
		p.magic = BATON_PARAMS_MAGIC;
		p.version = BATON_ABI_VERSION;
		p.size = sizeof(p);
		p.flags = BATON_PF_BIOS_AREA;
		p.bios.ebda = cases[i].ebda;
		p.bios.base_kib = cases[i].base;
		p.bios.ebda_kib = cases[i].kib;
		p.bios.rsdp = cases[i].rsdp;
		baton_params_digest(&p, p.self_sha256);
		assert_int_equal(baton_verify_params(&p),
				 cases[i].ok ? BATON_PARAMS_OK : BATON_PARAMS_BAD_BIOS);
		p.flags = 0;   /* not asked for: not looked at */
		baton_params_digest(&p, p.self_sha256);
		assert_int_equal(baton_verify_params(&p), BATON_PARAMS_OK);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ebda_in_the_last_kib_below_640k),
		cmocka_unit_test(no_low_ram_is_refused),
		cmocka_unit_test(reserve_splits_the_ram_around_it),
		cmocka_unit_test(purgatory_refuses_an_area_outside_conventional_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
