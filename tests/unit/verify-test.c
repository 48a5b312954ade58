/* SPDX-License-Identifier: MIT */
/* Tests for the purgatory's verification, built for the host (physical = host addresses). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sha256.h"
#include "sha256_tree.h"
#include "support/tree_oracle.h"
#include "verify.h"

static uint8_t kernel[10000];
static uint8_t initrd[333];

static void make_params(struct baton_params *p)
{
	memset(p, 0, sizeof(*p));
	p->magic = BATON_PARAMS_MAGIC;
	p->version = BATON_ABI_VERSION;
	p->size = sizeof(*p);
	for (size_t i = 0; i < sizeof(kernel); i++)
		kernel[i] = (uint8_t)(i * 7);
	for (size_t i = 0; i < sizeof(initrd); i++)
		initrd[i] = (uint8_t)(i * 3 + 1);
	p->nr_regions = 2;
	p->regions[0].start = (uintptr_t)kernel;
	p->regions[0].size = sizeof(kernel);
	baton_sha256(kernel, sizeof(kernel), p->regions[0].sha256);
	strcpy(p->regions[0].name, "kernel");
	p->regions[1].start = (uintptr_t)initrd;
	p->regions[1].size = sizeof(initrd);
	baton_sha256(initrd, sizeof(initrd), p->regions[1].sha256);
	strcpy(p->regions[1].name, "initrd");
	baton_params_digest(p, p->self_sha256);
}

static void good_params_and_regions_pass(void **state)
{
	(void)state;
	struct baton_params p;

	make_params(&p);
	assert_int_equal(baton_verify_params(&p), BATON_PARAMS_OK);
	assert_int_equal(baton_verify_regions(&p, NULL), -1);
}

static void any_flipped_region_byte_is_found(void **state)
{
	(void)state;
	struct baton_params p;

	make_params(&p);
	for (size_t i = 0; i < sizeof(kernel); i += 997) {
		kernel[i] ^= 0x01;
		assert_int_equal(baton_verify_regions(&p, NULL), 0);
		kernel[i] ^= 0x01;
	}
	initrd[sizeof(initrd) - 1] ^= 0x80;
	assert_int_equal(baton_verify_regions(&p, NULL), 1);
}

static void any_flipped_param_byte_is_found(void **state)
{
	(void)state;
	struct baton_params p;
	uint8_t *bytes = (uint8_t *)&p;

	make_params(&p);
	for (size_t i = 0; i < sizeof(p); i++) {
		bytes[i] ^= 0x10;
		assert_int_not_equal(baton_verify_params(&p), BATON_PARAMS_OK);
		bytes[i] ^= 0x10;
	}
	assert_int_equal(baton_verify_params(&p), BATON_PARAMS_OK);
}

static void bad_header_fields_are_named(void **state)
{
	(void)state;
	struct baton_params p;

	make_params(&p);
	p.magic++;
	assert_int_equal(baton_verify_params(&p), BATON_PARAMS_BAD_MAGIC);
	make_params(&p);
	p.version = 99;
	baton_params_digest(&p, p.self_sha256);
	assert_int_equal(baton_verify_params(&p), BATON_PARAMS_BAD_VERSION);
	make_params(&p);
	p.nr_regions = BATON_MAX_REGIONS + 1;
	baton_params_digest(&p, p.self_sha256);
	assert_int_equal(baton_verify_params(&p), BATON_PARAMS_BAD_REGIONS);
	make_params(&p);
	p.exit_mode = BATON_EXIT_NR_MODES;
	baton_params_digest(&p, p.self_sha256);
	assert_int_equal(baton_verify_params(&p), BATON_PARAMS_BAD_EXIT);
}

/* Tree digests (ABI 5): 4 KiB chunks, enough of them for every multi-buffer batch width, and a
 * short last one. */
static uint8_t big[41 * 4096 + 123];

static void make_tree_params(struct baton_params *p)
{
	make_params(p);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 13 + (i >> 12));
	p->digest = BATON_DIGEST_TREE;
	p->digest_chunk = 4096;
	p->regions[0].start = (uintptr_t)big;
	p->regions[0].size = sizeof(big);
	fx_tree_root(big, sizeof(big), 4096, p->regions[0].sha256);
	fx_tree_root(initrd, sizeof(initrd), 4096, p->regions[1].sha256);
	baton_params_digest(p, p->self_sha256);
}

static void tree_regions_pass_and_any_flipped_chunk_is_found(void **state)
{
	(void)state;
	struct baton_params p;

	make_tree_params(&p);
	assert_int_equal(baton_verify_params(&p), BATON_PARAMS_OK);
	assert_int_equal(baton_verify_regions(&p, NULL), -1);
	for (size_t i = 0; i < sizeof(big); i += 4096 - 1) {   /* a byte in every chunk */
		big[i] ^= 0x04;
		assert_int_equal(baton_verify_regions(&p, NULL), 0);
		big[i] ^= 0x04;
	}
	big[sizeof(big) - 1] ^= 0x80;
	assert_int_equal(baton_verify_regions(&p, NULL), 0);
	big[sizeof(big) - 1] ^= 0x80;
	/* Every kind this CPU can run verifies the same roots and finds the same flip. */
	for (int k = 0; k < BATON_SHA256_MB_NR_KINDS; k++) {
		struct baton_sha256_mb mb = baton_sha256_mb_get((enum baton_sha256_mb_kind)k);

		if (!baton_sha256_mb_usable(mb.kind))
			continue;
		assert_int_equal(baton_verify_regions(&p, &mb), -1);
		big[20 * 4096 + 5] ^= 0x01;
		assert_int_equal(baton_verify_regions(&p, &mb), 0);
		big[20 * 4096 + 5] ^= 0x01;
	}
	/* The plain SHA-256 is not the tree's root: the kinds cannot be confused. */
	p.digest = BATON_DIGEST_SHA256;
	baton_params_digest(&p, p.self_sha256);
	assert_int_equal(baton_verify_params(&p), BATON_PARAMS_OK);
	assert_int_equal(baton_verify_regions(&p, NULL), 0);
}

static void unknown_digest_kinds_and_chunks_are_refused(void **state)
{
	(void)state;
	static const uint32_t bad_chunks[] = { 0, 64, 2048, 4095, 4097, 3 * 4096, 32u << 20 };
	struct baton_params p;

	make_tree_params(&p);
	p.digest = 2;
	baton_params_digest(&p, p.self_sha256);
	assert_int_equal(baton_verify_params(&p), BATON_PARAMS_BAD_DIGEST_KIND);
	for (size_t i = 0; i < sizeof(bad_chunks) / sizeof(bad_chunks[0]); i++) {
		make_tree_params(&p);
		p.digest_chunk = bad_chunks[i];
		baton_params_digest(&p, p.self_sha256);
		assert_int_equal(baton_verify_params(&p), BATON_PARAMS_BAD_DIGEST_KIND);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_params_and_regions_pass),
		cmocka_unit_test(any_flipped_region_byte_is_found),
		cmocka_unit_test(any_flipped_param_byte_is_found),
		cmocka_unit_test(bad_header_fields_are_named),
		cmocka_unit_test(tree_regions_pass_and_any_flipped_chunk_is_found),
		cmocka_unit_test(unknown_digest_kinds_and_chunks_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
