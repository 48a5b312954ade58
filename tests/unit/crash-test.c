/* SPDX-License-Identifier: MIT */
/* Tests for the crash facts every backend produces (lib/crash.c). */
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

#include "crash.h"
#include "crash_read.h"
#include "memmap.h"
#include "support/crash_fixture.h"
#include "support/fixture.h"

static void backup_range(void **state)
{
	struct baton_crash_info info = { 0 };
	struct baton_error err = { 0 };
	uint64_t src = 1, size = 1;

	(void)state;
	assert_int_equal(baton_crash_read(HIGH, &info, &err), 0);
	assert_int_equal(baton_crash_backup_range(&info, &src, &size), 0);
	assert_int_equal(src, 0x1000);
	assert_int_equal(size, 0x9ec00);
	baton_crash_info_free(&info);

	assert_int_equal(baton_memmap_add(&info.ram, 0, 0x100000, BATON_MEM_RAM, &err), 0);
	assert_int_equal(baton_crash_backup_range(&info, &src, &size), 0);
	assert_int_equal(src, 0);
	assert_int_equal(size, 0xa0000);   /* clipped to 640 KiB */
	baton_memmap_free(&info.ram);
	assert_int_equal(baton_memmap_add(&info.ram, 0xa0000, 0x200000, BATON_MEM_RAM, &err), 0);
	assert_int_equal(baton_crash_backup_range(&info, &src, &size), -ENOENT);
	baton_memmap_free(&info.ram);
}

static void regions_are_bounded_sorted_and_disjoint(void **state)
{
	struct baton_crash_info info = { 0 };
	struct baton_error err = { 0 };

	(void)state;
	for (int i = BATON_CRASH_MAX_REGIONS; i > 0; i--)
		assert_int_equal(baton_crash_add_region(&info, i * 0x1000ULL, i * 0x1000ULL + 0x800,
							"here", &err), 0);
	check_error(baton_crash_add_region(&info, 0, 0x800, "here", &err), &err, E2BIG,
		    "here: more than 8 \"Crash kernel\" regions", NULL);
	assert_int_equal(info.nr_crash, BATON_CRASH_MAX_REGIONS);
	assert_int_equal(baton_memmap_add(&info.ram, 0x100000, 0x200000, BATON_MEM_RAM, &err), 0);
	assert_int_equal(baton_memmap_add(&info.ram, 0, 0x100000, BATON_MEM_RAM, &err), 0);
	assert_int_equal(baton_crash_info_finish(&info, "here", &err), 0);
	for (size_t i = 0; i < info.nr_crash; i++)
		assert_int_equal(info.crash[i].start, (i + 1) * 0x1000);
	assert_int_equal(info.ram.nr, 1);   /* sorted and merged */
	assert_int_equal(info.ram.ranges[0].end, 0x200000);
	info.crash[3].end = info.crash[4].start + 1;
	check_error(baton_crash_info_finish(&info, "here", &err), &err, EINVAL,
		    "here: \"Crash kernel\" regions overlap at 0x5000", NULL);
	baton_crash_info_free(&info);
	assert_true(fx_all_zero(&info, sizeof(info)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(backup_range),
		cmocka_unit_test(regions_are_bounded_sorted_and_disjoint),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
