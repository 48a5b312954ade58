/* SPDX-License-Identifier: MIT */
/* Tests for the multi-buffer block functions (common/sha256_mb.c, sha256_ni_x2.S,
 * sha256_mb_lanes.h): every kind this CPU can run, lane by lane against the portable block
 * function, on random states and messages (unaligned, every lane its own), and the choice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sha256.h"
#include "sha256_mb.h"

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void fill(uint64_t *s, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rng_next(s);
}

/* The kind a test runs on (its prestate); skipped where this CPU cannot run it. */
static struct baton_sha256_mb kind_of(void **state)
{
	enum baton_sha256_mb_kind k = *(enum baton_sha256_mb_kind *)*state;
	struct baton_sha256_mb mb = baton_sha256_mb_get(k);

	if (!baton_sha256_mb_usable(k)) {
		print_message("%s: not on this CPU, skipped\n", mb.name);
		skip();
	}
	return mb;
}

static void lanes_match_the_portable_code(void **state)
{
	struct baton_sha256_mb mb = kind_of(state);
	static const size_t counts[] = { 0, 1, 2, 3, 4, 7, 16, 17, 64 };
	uint64_t seed = 0x9e3779b97f4a7c15ULL + mb.kind;

	assert_true(mb.lanes >= 1 && mb.lanes <= BATON_SHA256_MB_MAX_LANES);
	for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		for (int round = 0; round < 4; round++) {
			size_t n = counts[c], len = 64 * n;
			uint32_t h[BATON_SHA256_MB_MAX_LANES][8], want[BATON_SHA256_MB_MAX_LANES][8];
			uint8_t *buf[BATON_SHA256_MB_MAX_LANES];
			const uint8_t *p[BATON_SHA256_MB_MAX_LANES];

			for (unsigned l = 0; l < mb.lanes; l++) {
				/* Each lane its own allocation, at its own misalignment. */
				size_t skew = (size_t)(rng_next(&seed) % 64);
				buf[l] = malloc(len + skew + 1);
				assert_non_null(buf[l]);
				fill(&seed, buf[l], len + skew + 1);
				p[l] = buf[l] + skew;
				fill(&seed, (uint8_t *)h[l], sizeof(h[l]));
				memcpy(want[l], h[l], sizeof(h[l]));
				baton_sha256_blocks_portable(want[l], p[l], n);
			}
			mb.blocks(h, p, n);
			for (unsigned l = 0; l < mb.lanes; l++) {
				assert_memory_equal(h[l], want[l], sizeof(h[l]));
				free(buf[l]);
			}
		}
	}
}

/* Lanes may share their bytes (the tree's padding block is one block for all). */
static void lanes_may_read_the_same_bytes(void **state)
{
	struct baton_sha256_mb mb = kind_of(state);
	uint32_t h[BATON_SHA256_MB_MAX_LANES][8], want[8];
	const uint8_t *p[BATON_SHA256_MB_MAX_LANES];
	uint8_t block[3 * 64];
	uint64_t seed = 42;

	fill(&seed, block, sizeof(block));
	fill(&seed, (uint8_t *)want, sizeof(want));
	for (unsigned l = 0; l < mb.lanes; l++) {
		memcpy(h[l], want, sizeof(want));
		p[l] = block;
	}
	baton_sha256_blocks_portable(want, block, 3);
	mb.blocks(h, p, 3);
	for (unsigned l = 0; l < mb.lanes; l++)
		assert_memory_equal(h[l], want, sizeof(want));
}

static void the_best_kind_is_usable_and_known(void **state)
{
	(void)state;
	struct baton_sha256_mb best = baton_sha256_mb_best();

	assert_true(baton_sha256_mb_usable(best.kind));
	assert_true(baton_sha256_mb_usable(BATON_SHA256_MB_PORTABLE));
	/* SHA-NI, where there is SHA-NI, interleaved: the fastest on every CPU measured. */
	if (baton_sha256_ni_usable())
		assert_int_equal(best.kind, BATON_SHA256_MB_NI_X2);
	assert_int_equal(baton_sha256_mb_usable(BATON_SHA256_MB_NI_X2), baton_sha256_ni_usable());
	assert_int_equal(baton_sha256_mb_get(BATON_SHA256_MB_NR_KINDS).kind,
			 BATON_SHA256_MB_PORTABLE);
	print_message("best here: %s (%u lanes)\n", best.name, best.lanes);
	/* The timed choice: one of the usable kinds (which one depends on the moment's load). */
	struct baton_sha256_mb fastest = baton_sha256_mb_fastest();
	assert_true(baton_sha256_mb_usable(fastest.kind));
	assert_true(fastest.lanes >= 1 && fastest.lanes <= BATON_SHA256_MB_MAX_LANES);
	print_message("fastest now: %s\n", fastest.name);
}

static enum baton_sha256_mb_kind kinds[BATON_SHA256_MB_NR_KINDS] = {
	BATON_SHA256_MB_PORTABLE, BATON_SHA256_MB_NI, BATON_SHA256_MB_NI_X2, BATON_SHA256_MB_AVX2,
	BATON_SHA256_MB_AVX512,
};

#define FOR_EACH_KIND(fn)                                                                    \
	cmocka_unit_test_prestate(fn, &kinds[BATON_SHA256_MB_PORTABLE]),                     \
	cmocka_unit_test_prestate(fn, &kinds[BATON_SHA256_MB_NI]),                           \
	cmocka_unit_test_prestate(fn, &kinds[BATON_SHA256_MB_NI_X2]),                        \
	cmocka_unit_test_prestate(fn, &kinds[BATON_SHA256_MB_AVX2]),                         \
	cmocka_unit_test_prestate(fn, &kinds[BATON_SHA256_MB_AVX512])

int main(void)
{
	const struct CMUnitTest tests[] = {
		FOR_EACH_KIND(lanes_match_the_portable_code),
		FOR_EACH_KIND(lanes_may_read_the_same_bytes),
		cmocka_unit_test(the_best_kind_is_usable_and_known),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
