/* SPDX-License-Identifier: MIT */
/* Tests for segment placement. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "plan.h"

static struct baton_mem_range qemu_1g[] = {
	{ 0x0, 0x9fc00, BATON_MEM_RAM },
	{ 0x9fc00, 0xa0000, BATON_MEM_RESERVED },
	{ 0xf0000, 0x100000, BATON_MEM_RESERVED },
	{ 0x100000, 0x3ffe0000, BATON_MEM_RAM },
	{ 0x3ffe0000, 0x40000000, BATON_MEM_RESERVED },
	{ 0xfffc0000, 0x100000000ULL, BATON_MEM_RESERVED },
};

static struct baton_memmap map_of(struct baton_mem_range *r, size_t n)
{
	struct baton_memmap m = { r, n, n };
	return m;
}

static void free_memory_is_ram_only_and_page_aligned(void **state)
{
	(void)state;
	struct baton_mem_range r[] = {
		{ 0x0, 0x9fc00, BATON_MEM_RAM },
		{ 0x9fc00, 0xa0000, BATON_MEM_RESERVED },
		{ 0x100800, 0x200400, BATON_MEM_RAM },
	};
	struct baton_memmap m = map_of(r, 3);
	struct baton_free f;

	assert_int_equal(baton_free_init(&f, &m, 0, UINT64_MAX, NULL), 0);
	assert_int_equal(f.nr, 2);
	assert_int_equal(f.r[0].start, 0);
	assert_int_equal(f.r[0].end, 0x9f000);
	assert_int_equal(f.r[1].start, 0x101000);
	assert_int_equal(f.r[1].end, 0x200000);
}

static void window_clips_free_memory(void **state)
{
	(void)state;
	struct baton_memmap m = map_of(qemu_1g, 6);
	struct baton_free f;

	assert_int_equal(baton_free_init(&f, &m, BATON_LOW_RESERVE, BATON_4G, NULL), 0);
	assert_int_equal(f.nr, 1);
	assert_int_equal(f.r[0].start, 0x100000);
	assert_int_equal(f.r[0].end, 0x3ffe0000);
}

static void lowest_and_highest_respect_alignment(void **state)
{
	(void)state;
	struct baton_memmap m = map_of(qemu_1g, 6);
	struct baton_free f;
	uint64_t a, b;

	baton_free_init(&f, &m, BATON_LOW_RESERVE, BATON_4G, NULL);
	struct baton_place_req k = { 0x2000000, 0x200000, 0x1000000, BATON_4G, BATON_PLACE_LOWEST };
	assert_int_equal(baton_free_take(&f, &k, &a), 0);
	assert_int_equal(a, 0x1000000);
	struct baton_place_req h = { 0x1800, 0x1000, 0, BATON_4G, BATON_PLACE_HIGHEST };
	assert_int_equal(baton_free_take(&f, &h, &b), 0);
	assert_int_equal(b, 0x3ffe0000 - 0x2000);
	/* The kernel's range is gone: a second kernel goes after it. */
	assert_int_equal(baton_free_take(&f, &k, &a), 0);
	assert_int_equal(a, 0x3000000);
}

static void placements_never_overlap(void **state)
{
	(void)state;
	struct baton_memmap m = map_of(qemu_1g, 6);
	struct baton_free f;
	uint64_t at[64];

	baton_free_init(&f, &m, BATON_LOW_RESERVE, BATON_4G, NULL);
	for (int i = 0; i < 64; i++) {
		struct baton_place_req r = { 0x3000 + (uint64_t)i * 0x1000, 0x1000 << (i % 5), 0,
					     BATON_4G, i % 2 ? BATON_PLACE_HIGHEST
							     : BATON_PLACE_LOWEST };
		assert_int_equal(baton_free_take(&f, &r, &at[i]), 0);
		assert_int_equal(at[i] % (0x1000 << (i % 5)), 0);
		assert_true(at[i] >= 0x100000 && at[i] + r.size <= 0x3ffe0000);
		for (int j = 0; j < i; j++) {
			uint64_t js = 0x3000 + (uint64_t)j * 0x1000;
			assert_true(at[i] + r.size <= at[j] || at[j] + js <= at[i]);
		}
	}
}

static void too_big_is_enospc(void **state)
{
	(void)state;
	struct baton_memmap m = map_of(qemu_1g, 6);
	struct baton_free f;
	uint64_t a;

	baton_free_init(&f, &m, BATON_LOW_RESERVE, BATON_4G, NULL);
	struct baton_place_req r = { 0x40000000, 0x1000, 0, BATON_4G, BATON_PLACE_HIGHEST };
	assert_int_equal(baton_free_take(&f, &r, &a), -ENOSPC);
	struct baton_place_req w = { 0x1000, 0x1000, 0x40000000, BATON_4G, BATON_PLACE_LOWEST };
	assert_int_equal(baton_free_take(&f, &w, &a), -ENOSPC);
}

static void deterministic(void **state)
{
	(void)state;
	struct baton_memmap m = map_of(qemu_1g, 6);
	uint64_t first[8], again[8];

	for (int run = 0; run < 2; run++) {
		struct baton_free f;
		baton_free_init(&f, &m, BATON_LOW_RESERVE, BATON_4G, NULL);
		for (int i = 0; i < 8; i++) {
			struct baton_place_req r = { 0x5000, 0x1000, 0, BATON_4G, i & 1 };
			baton_free_take(&f, &r, run ? &again[i] : &first[i]);
		}
	}
	assert_memory_equal(first, again, sizeof(first));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(free_memory_is_ram_only_and_page_aligned),
		cmocka_unit_test(window_clips_free_memory),
		cmocka_unit_test(lowest_and_highest_respect_alignment),
		cmocka_unit_test(placements_never_overlap),
		cmocka_unit_test(too_big_is_enospc),
		cmocka_unit_test(deterministic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
