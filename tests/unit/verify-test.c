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

/* An ELF core header as Linux's crash_prepare_elf64_headers() writes it: phnum PT_NOTE/PT_LOAD
 * headers after the ELF header, in a segment of `size` bytes. */
static uint8_t core[8192];

static void make_core(struct baton_params *p, uint16_t phnum, uint64_t size)
{
	static const uint8_t ident[16] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };

	memset(core, 0, sizeof(core));
	memcpy(core, ident, sizeof(ident));
	core[16] = 4;               /* ET_CORE */
	core[18] = 62;              /* EM_X86_64 */
	core[20] = 1;               /* EV_CURRENT */
	core[32] = 64;              /* e_phoff */
	core[52] = 64;              /* e_ehsize */
	core[54] = 56;              /* e_phentsize */
	memcpy(core + 56, &phnum, 2);
	make_params(p);
	p->flags |= BATON_PF_ELFCORE_HOTPLUG;
	p->elfcorehdr = (uintptr_t)core;
	p->elfcorehdr_size = size;
	baton_params_digest(p, p->self_sha256);
}

static void hotplug_core_header_is_checked_by_shape(void **state)
{
	(void)state;
	struct baton_params p;

	make_core(&p, 3, 4096);
	assert_int_equal(baton_verify_params(&p), BATON_PARAMS_OK);
	assert_int_equal(baton_verify_elfcore(&p), BATON_ELFCORE_OK);
	/* the kernel's rewrite may fill the segment to its last byte, not one beyond */
	make_core(&p, (4096 - 64) / 56, 4096);
	assert_int_equal(baton_verify_elfcore(&p), BATON_ELFCORE_OK);
	make_core(&p, (4096 - 64) / 56 + 1, 4096);
	assert_int_equal(baton_verify_elfcore(&p), BATON_ELFCORE_BAD_PHDRS);
	make_core(&p, 0, 4096);
	assert_int_equal(baton_verify_elfcore(&p), BATON_ELFCORE_BAD_PHDRS);
	make_core(&p, 3, 4096);
	core[54] = 32;              /* ELF32 program headers */
	assert_int_equal(baton_verify_elfcore(&p), BATON_ELFCORE_BAD_PHDRS);
	make_core(&p, 3, 4096);
	memset(core + 32, 0xff, 8);  /* e_phoff far outside: no wrap-around */
	assert_int_equal(baton_verify_elfcore(&p), BATON_ELFCORE_BAD_PHDRS);
	make_core(&p, 3, 32);       /* a segment smaller than the ELF header */
	assert_int_equal(baton_verify_elfcore(&p), BATON_ELFCORE_BAD_IDENT);

	/* each identifying byte scribbled on */
	static const size_t at[] = { 0, 1, 2, 3, 4, 5, 16, 17, 18, 19 };
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		make_core(&p, 3, 4096);
		core[at[i]] ^= 0x40;
		assert_int_equal(baton_verify_elfcore(&p), BATON_ELFCORE_BAD_IDENT);
	}
	/* without the flag the header is a digested region like any other: nothing to check */
	make_core(&p, 3, 4096);
	memset(core, 0, 64);
	p.flags &= ~(uint32_t)BATON_PF_ELFCORE_HOTPLUG;
	assert_int_equal(baton_verify_elfcore(&p), BATON_ELFCORE_OK);
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

/* Real mode reaches the first MiB only; its trampoline's CS base is a 16-byte multiple. */
static void real_mode_exit_must_be_reachable(void **state)
{
	(void)state;
	static const struct { uint64_t entry, trampoline; enum baton_params_status want; } cases[] = {
		{ 0x90200, 0x10000, BATON_PARAMS_OK },
		{ 0xfffff, 0xfff00, BATON_PARAMS_OK },            /* the last 256 bytes below 1 MiB */
		{ 0x100000, 0x10000, BATON_PARAMS_BAD_EXIT },     /* entry out of real mode's reach */
		{ 0x90200, 0xfff10, BATON_PARAMS_BAD_EXIT },      /* trampoline crosses 1 MiB */
		{ 0x90200, 0x10008, BATON_PARAMS_BAD_EXIT },      /* not a segment base */
	};
	struct baton_params p;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		make_params(&p);
		p.exit_mode = BATON_EXIT_REAL16;
		p.exit_entry = cases[i].entry;
		p.exit_trampoline = cases[i].trampoline;
		baton_params_digest(&p, p.self_sha256);
		assert_int_equal(baton_verify_params(&p), cases[i].want);
	}
	/* The same addresses mean nothing to the other exits. */
	make_params(&p);
	p.exit_mode = BATON_EXIT_PROTECTED32;
	p.exit_entry = 0x1000000;
	p.exit_trampoline = 0x10008;
	baton_params_digest(&p, p.self_sha256);
	assert_int_equal(baton_verify_params(&p), BATON_PARAMS_OK);
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
		cmocka_unit_test(hotplug_core_header_is_checked_by_shape),
		cmocka_unit_test(real_mode_exit_must_be_reachable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
