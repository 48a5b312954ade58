/* SPDX-License-Identifier: MIT */
/* Tests for the tree digest (common/sha256_tree.c): every multi-buffer kind this CPU can run
 * against an oracle written from the definition on OpenSSL (support/tree_oracle.c), on random
 * bytes at every boundary: empty, within one block, around each block and chunk edge, every
 * chunk count across partial and full batches of every lane width, a short last chunk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sha256_mb.h"
#include "sha256_tree.h"
#include "support/tree_oracle.h"

#define CHUNK 4096u
#define MAX_CHUNKS 35u     /* past two full 16-lane batches */

static uint8_t *data;      /* MAX_CHUNKS + 1 chunks of random bytes */

static int setup(void **state)
{
	uint64_t s = 0x2545f4914f6cdd1dULL;
	size_t n = (MAX_CHUNKS + 1) * CHUNK;

	(void)state;
	data = malloc(n);
	if (!data)
		return -1;
	for (size_t i = 0; i < n; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		data[i] = (uint8_t)s;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(data);
	return 0;
}

static void check(const struct baton_sha256_mb *mb, const uint8_t *p, uint64_t size, uint32_t chunk)
{
	uint8_t got[32], want[32];

	baton_sha256_tree(mb, p, size, chunk, got);
	fx_tree_root(p, size, chunk, want);
	if (memcmp(got, want, 32))
		fail_msg("%s: root of %llu bytes in %u-byte chunks differs from the oracle's",
			 mb ? mb->name : "best", (unsigned long long)size, chunk);
}

static void every_boundary_matches_the_oracle(void **state)
{
	enum baton_sha256_mb_kind k = *(enum baton_sha256_mb_kind *)*state;
	struct baton_sha256_mb mb = baton_sha256_mb_get(k);
	static const uint64_t small[] = { 0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 129 };

	if (!baton_sha256_mb_usable(k)) {
		print_message("%s: not on this CPU, skipped\n", mb.name);
		skip();
	}
	for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++)
		check(&mb, data, small[i], CHUNK);
	for (uint64_t n = 1; n <= MAX_CHUNKS; n++) {
		check(&mb, data, n * CHUNK - 1, CHUNK);
		check(&mb, data, n * CHUNK, CHUNK);
		check(&mb, data, n * CHUNK + 1, CHUNK);
		check(&mb, data, n * CHUNK + 64, CHUNK);
		check(&mb, data + 1, n * CHUNK - 65, CHUNK);   /* unaligned start */
	}
	/* Larger chunks, the loader's among them. */
	check(&mb, data, (MAX_CHUNKS + 1) * CHUNK, 8192);
	check(&mb, data, (MAX_CHUNKS + 1) * CHUNK - 3, 65536);
	check(&mb, data, (MAX_CHUNKS + 1) * CHUNK, BATON_TREE_CHUNK);
}

/* NULL chooses the best kind; the root does not depend on the choice. */
static void the_default_kind_gives_the_same_root(void **state)
{
	(void)state;
	check(NULL, data, 20 * CHUNK + 17, CHUNK);
	check(NULL, data, 0, BATON_TREE_CHUNK);
}

/* One flipped bit anywhere changes the root; so do the size and the chunk size. */
static void the_root_binds_every_byte_the_size_and_the_chunk(void **state)
{
	(void)state;
	uint8_t a[32], b[32];
	size_t size = 17 * CHUNK + 100;

	baton_sha256_tree(NULL, data, size, CHUNK, a);
	for (size_t i = 0; i < size; i += 1531) {
		data[i] ^= 0x20;
		baton_sha256_tree(NULL, data, size, CHUNK, b);
		data[i] ^= 0x20;
		assert_memory_not_equal(a, b, 32);
	}
	baton_sha256_tree(NULL, data, size - 1, CHUNK, b);
	assert_memory_not_equal(a, b, 32);
	baton_sha256_tree(NULL, data, size, 2 * CHUNK, b);
	assert_memory_not_equal(a, b, 32);
}

static void chunk_sizes(void **state)
{
	(void)state;
	assert_true(baton_sha256_tree_chunk_ok(4096));
	assert_true(baton_sha256_tree_chunk_ok(BATON_TREE_CHUNK));
	assert_true(baton_sha256_tree_chunk_ok(BATON_TREE_CHUNK_MAX));
	assert_false(baton_sha256_tree_chunk_ok(0));
	assert_false(baton_sha256_tree_chunk_ok(2048));
	assert_false(baton_sha256_tree_chunk_ok(4096 + 64));
	assert_false(baton_sha256_tree_chunk_ok(2ull * BATON_TREE_CHUNK_MAX));
	assert_false(baton_sha256_tree_chunk_ok(1ull << 40));
}

static enum baton_sha256_mb_kind kinds[BATON_SHA256_MB_NR_KINDS] = {
	BATON_SHA256_MB_PORTABLE, BATON_SHA256_MB_NI, BATON_SHA256_MB_NI_X2, BATON_SHA256_MB_AVX2,
	BATON_SHA256_MB_AVX512,
};

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate(every_boundary_matches_the_oracle, &kinds[0]),
		cmocka_unit_test_prestate(every_boundary_matches_the_oracle, &kinds[1]),
		cmocka_unit_test_prestate(every_boundary_matches_the_oracle, &kinds[2]),
		cmocka_unit_test_prestate(every_boundary_matches_the_oracle, &kinds[3]),
		cmocka_unit_test_prestate(every_boundary_matches_the_oracle, &kinds[4]),
		cmocka_unit_test(the_default_kind_gives_the_same_root),
		cmocka_unit_test(the_root_binds_every_byte_the_size_and_the_chunk),
		cmocka_unit_test(chunk_sizes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
