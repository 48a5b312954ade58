/* SPDX-License-Identifier: MIT */
/* The loader's parameter fill, checked by the purgatory's own verification (purgatory/verify.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "purgatory_params.h"
#include "sha256_tree.h"
#include "verify.h"

static void filled_block_verifies_and_carries_the_exit(void **state)
{
	(void)state;
	struct baton_segment seg[3] = {
		{ .name = "kernel", .memsz = 4096, .hashed_start = 0x1000000, .hashed_size = 100 },
		{ .name = "backup", .memsz = 4096 },   /* empty: not verified */
		{ .name = "boot_params", .memsz = 4096, .hashed_start = 0x2000, .hashed_size = 8 },
	};
	struct baton_purgatory_fill f = {
		.exit = { .mode = BATON_EXIT_PROTECTED32, .entry = 0x100000,
			  .regs = { [BATON_EXIT_RAX] = 0x36d76289, [BATON_EXIT_RBX] = 0x9000 } },
		.serial = 1, .serial_port = 0x2f8, .serial_baud = 38400,
		.pml4 = 0x5000, .pml5 = 0x6000, .digest_chunk = BATON_TREE_CHUNK, .seg = seg,
		.nr_seg = 3,
	};
	struct baton_params p;

	assert_int_equal(baton_purgatory_params_fill(&p, &f, NULL), 0);
	assert_int_equal(baton_verify_params(&p), BATON_PARAMS_OK);
	assert_int_equal(p.digest, BATON_DIGEST_TREE);
	assert_int_equal(p.digest_chunk, BATON_TREE_CHUNK);
	assert_int_equal(p.exit_mode, BATON_EXIT_PROTECTED32);
	assert_int_equal(p.exit_entry, 0x100000);
	assert_int_equal(p.exit_regs[BATON_EXIT_RAX], 0x36d76289);
	assert_int_equal(p.exit_regs[BATON_EXIT_RBX], 0x9000);
	assert_int_equal(p.exit_regs[BATON_EXIT_RSI], 0);
	assert_int_equal(p.flags, BATON_PF_SERIAL);
	assert_int_equal(p.nr_regions, 2);
	assert_string_equal(p.regions[1].name, "boot_params");
}

static void bios_area_is_asked_for_only_when_given(void **state)
{
	(void)state;
	struct baton_bios_area b = { 0x9fc00, 639, 1, 0, 0x3f77d014 };
	struct baton_purgatory_fill f = { .pml4 = 0x5000, .digest_chunk = BATON_TREE_CHUNK };
	struct baton_params p;

	assert_int_equal(baton_purgatory_params_fill(&p, &f, NULL), 0);
	assert_int_equal(p.flags & BATON_PF_BIOS_AREA, 0);
	assert_int_equal(p.bios.ebda, 0);
	f.bios = &b;
	assert_int_equal(baton_purgatory_params_fill(&p, &f, NULL), 0);
	assert_int_equal(baton_verify_params(&p), BATON_PARAMS_OK);
	assert_int_equal(p.flags, BATON_PF_BIOS_AREA);
	assert_memory_equal(&p.bios, &b, sizeof(b));
}

/* Crash hotplug: the header's segment is no region (no hashed_size), its place and size go to
 * the purgatory's shape check instead. */
static void hotplug_header_is_checked_not_digested(void **state)
{
	(void)state;
	static const uint8_t k[64];
	struct baton_segment seg[2] = {
		{ .name = "kernel", .buf = k, .bufsz = 64, .mem = 0x1000000, .memsz = 0x1000,
		  .hashed_start = 0x1000000, .hashed_size = 64 },
		{ .name = "elfcorehdr", .buf = k, .bufsz = 64, .mem = 0x2000000, .memsz = 0xe1000 },
	};
	struct baton_purgatory_fill f = { .pml4 = 0x5000, .digest_chunk = BATON_TREE_CHUNK, .seg = seg,
					  .nr_seg = 2 };
	struct baton_params p;

	assert_int_equal(baton_purgatory_params_fill(&p, &f, NULL), 0);
	assert_int_equal(p.flags & BATON_PF_ELFCORE_HOTPLUG, 0);
	assert_int_equal(p.elfcorehdr, 0);
	f.elfcorehdr = 0x2000000;
	f.elfcorehdr_size = 0xe1000;
	assert_int_equal(baton_purgatory_params_fill(&p, &f, NULL), 0);
	assert_int_equal(baton_verify_params(&p), BATON_PARAMS_OK);
	assert_int_equal(p.flags, BATON_PF_ELFCORE_HOTPLUG);
	assert_int_equal(p.elfcorehdr, 0x2000000);
	assert_int_equal(p.elfcorehdr_size, 0xe1000);
	assert_int_equal(p.nr_regions, 1);
	assert_int_equal(p.regions[0].start, 0x1000000);
}

/* The real-mode fields reach the block for BATON_EXIT_REAL16 only; other exits leave them 0. */
static void real_mode_fields_only_for_the_real_mode_exit(void **state)
{
	(void)state;
	struct baton_purgatory_fill f = {
		.exit = { .mode = BATON_EXIT_REAL16, .entry = 0x90200, .trampoline = 0x10000,
			  .real_seg = 0x9000, .real_sp = 0xe000 },
		.digest_chunk = BATON_TREE_CHUNK,
	};
	struct baton_params p;

	assert_int_equal(baton_purgatory_params_fill(&p, &f, NULL), 0);
	assert_int_equal(baton_verify_params(&p), BATON_PARAMS_OK);
	assert_int_equal(p.exit_mode, BATON_EXIT_REAL16);
	assert_int_equal(p.exit_entry, 0x90200);
	assert_int_equal(p.exit_trampoline, 0x10000);
	assert_int_equal(p.exit_real_seg, 0x9000);
	assert_int_equal(p.exit_real_sp, 0xe000);
	f.exit.mode = BATON_EXIT_LONG64;
	assert_int_equal(baton_purgatory_params_fill(&p, &f, NULL), 0);
	assert_int_equal(p.exit_trampoline, 0);
	assert_int_equal(p.exit_real_seg, 0);
	assert_int_equal(p.exit_real_sp, 0);
}

static void too_many_regions_leave_the_block_empty(void **state)
{
	(void)state;
	struct baton_segment seg[BATON_MAX_REGIONS + 1];
	struct baton_purgatory_fill f = { .seg = seg, .nr_seg = BATON_MAX_REGIONS + 1 };
	static const struct baton_params zero;
	struct baton_error err = { 0 };
	struct baton_params p;

	for (size_t i = 0; i < BATON_MAX_REGIONS + 1; i++)
		seg[i] = (struct baton_segment){ .name = "s", .memsz = 4096, .hashed_size = 1 };
	assert_int_equal(baton_purgatory_params_fill(&p, &f, &err), -E2BIG);
	assert_memory_equal(&p, &zero, sizeof(p));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(filled_block_verifies_and_carries_the_exit),
		cmocka_unit_test(bios_area_is_asked_for_only_when_given),
		cmocka_unit_test(too_many_regions_leave_the_block_empty),
		cmocka_unit_test(hotplug_header_is_checked_not_digested),
		cmocka_unit_test(real_mode_fields_only_for_the_real_mode_exit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
