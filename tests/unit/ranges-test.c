/* SPDX-License-Identifier: MIT */
/* Tests for the range arithmetic (lib/ranges.c), against a byte-set oracle. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ranges.h"

#define SPACE 256   /* the oracle's address space: one flag per address */

static void mark(uint8_t *set, const struct baton_phys_range *r, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		for (uint64_t a = r[i].start; a < r[i].end; a++)
			set[a] = v;
}

/* Sorted, disjoint and not touching: what normalize promises. */
static void check_normal(const struct baton_ranges *r)
{
	for (size_t i = 0; i < r->nr; i++) {
		assert_true(r->v[i].start < r->v[i].end);
		assert_true(!i || r->v[i - 1].end < r->v[i].start);
	}
}

static void normalize_sorts_merges_and_drops_empty(void **state)
{
	(void)state;
	static const struct baton_phys_range in[] = {
		{ 50, 60 }, { 10, 20 }, { 20, 30 }, { 5, 5 }, { 55, 58 }, { 40, 39 }, { 12, 25 },
	};
	struct baton_ranges r;

	assert_int_equal(baton_ranges_normalize(&r, in, sizeof(in) / sizeof(in[0]), NULL), 0);
	assert_int_equal(r.nr, 2);
	assert_int_equal(r.v[0].start, 10);
	assert_int_equal(r.v[0].end, 30);
	assert_int_equal(r.v[1].start, 50);
	assert_int_equal(r.v[1].end, 60);
	baton_ranges_free(&r);
	assert_null(r.v);
	assert_int_equal(baton_ranges_normalize(&r, NULL, 0, NULL), 0);
	assert_int_equal(r.nr, 0);
	baton_ranges_free(&r);
}

static void subtract_cuts_every_way(void **state)
{
	(void)state;
	static const struct baton_phys_range cut_in[] = { { 0, 10 }, { 20, 30 }, { 40, 50 } };
	struct baton_ranges cut, out = { 0 };

	assert_int_equal(baton_ranges_normalize(&cut, cut_in, 3, NULL), 0);
	assert_int_equal(baton_ranges_subtract(&out, 5, 45, &cut, NULL), 0);
	assert_int_equal(out.nr, 2);
	assert_int_equal(out.v[0].start, 10);
	assert_int_equal(out.v[0].end, 20);
	assert_int_equal(out.v[1].start, 30);
	assert_int_equal(out.v[1].end, 40);
	assert_int_equal(baton_ranges_subtract(&out, 22, 28, &cut, NULL), 0);   /* all cut */
	assert_int_equal(out.nr, 2);
	assert_int_equal(baton_ranges_subtract(&out, 60, 70, &cut, NULL), 0);   /* none cut */
	assert_int_equal(out.nr, 3);
	assert_int_equal(out.v[2].start, 60);
	assert_int_equal(out.v[2].end, 70);
	baton_ranges_free(&out);
	baton_ranges_free(&cut);
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Random inputs: normalize keeps exactly the bytes of its input, subtract exactly the bytes of
 * [start, end) outside the cut, in order; many ranges make the lists grow. */
static void random_against_a_byte_set(void **state)
{
	uint64_t seed = 0x2545f4914f6cdd1dULL;

	(void)state;
	for (int iter = 0; iter < 3000; iter++) {
		struct baton_phys_range in[80];
		size_t n = rnd(&seed) % 80;
		uint8_t want[SPACE] = { 0 }, got[SPACE] = { 0 };
		struct baton_ranges cut, out = { 0 };
		uint64_t s = rnd(&seed) % SPACE, e = rnd(&seed) % (SPACE + 1);

		for (size_t i = 0; i < n; i++) {
			in[i].start = rnd(&seed) % SPACE;
			in[i].end = in[i].start + rnd(&seed) % 12;
			if (in[i].end > SPACE)
				in[i].end = SPACE;
		}
		assert_int_equal(baton_ranges_normalize(&cut, in, n, NULL), 0);
		check_normal(&cut);
		mark(want, in, n, 1);
		mark(got, cut.v, cut.nr, 1);
		assert_memory_equal(got, want, SPACE);

		assert_int_equal(baton_ranges_subtract(&out, s, e, &cut, NULL), 0);
		check_normal(&out);
		memset(want, 0, sizeof(want));
		for (uint64_t a = s; a < e; a++)
			want[a] = !got[a];
		memset(got, 0, sizeof(got));
		mark(got, out.v, out.nr, 1);
		assert_memory_equal(got, want, SPACE);
		baton_ranges_free(&out);
		baton_ranges_free(&cut);
	}
}

static void compare_orders_by_start_then_end(void **state)
{
	(void)state;
	struct baton_phys_range a = { 1, 5 }, b = { 1, 6 }, c = { 2, 3 };

	assert_true(baton_phys_range_cmp(&a, &b) < 0);
	assert_true(baton_phys_range_cmp(&b, &a) > 0);
	assert_true(baton_phys_range_cmp(&b, &c) < 0);
	assert_int_equal(baton_phys_range_cmp(&a, &a), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(normalize_sorts_merges_and_drops_empty),
		cmocka_unit_test(subtract_cuts_every_way),
		cmocka_unit_test(random_against_a_byte_set),
		cmocka_unit_test(compare_orders_by_start_then_end),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
