/* SPDX-License-Identifier: MIT */
/* Tests for reading the handover timing record in the new kernel. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "support/fixture.h"
#include "timing.h"

static void write_node(const char *root, int n, uint32_t type, const void *data, size_t size)
{
	char rel[128], text[32];

	snprintf(rel, sizeof(rel), "sys/kernel/boot_params/setup_data/%d/type", n);
	snprintf(text, sizeof(text), "0x%x\n", type);
	fx_write_str(root, rel, text);
	snprintf(rel, sizeof(rel), "sys/kernel/boot_params/setup_data/%d/data", n);
	fx_write(root, rel, data, size);
}

/* A CPU whose CPUID leaves are given, and a TSC running at tsc_khz against a fake clock that
 * moves 100 ns per clock read and as far as asked per sleep. */
struct fake_cpu {
	uint32_t leaves[0x17][4];
	uint64_t tsc_khz;
	uint64_t now_ns;
	int slept;
};

static void fake_cpuid(void *ctx, uint32_t leaf, uint32_t regs[4])
{
	struct fake_cpu *c = ctx;

	assert_true(leaf < 0x17);
	memcpy(regs, c->leaves[leaf], sizeof(c->leaves[leaf]));
}

static uint64_t fake_rdtsc(void *ctx)
{
	struct fake_cpu *c = ctx;
	return 12345 + c->now_ns * c->tsc_khz / 1000000;
}

static uint64_t fake_clock_ns(void *ctx)
{
	struct fake_cpu *c = ctx;
	uint64_t v = (c->now_ns += 50);
	c->now_ns += 50;
	return v;
}

static void fake_sleep_ns(void *ctx, uint64_t ns)
{
	struct fake_cpu *c = ctx;
	c->now_ns += ns;
	c->slept = 1;
}

static struct baton_tsc_ops fake_ops(struct fake_cpu *c)
{
	return (struct baton_tsc_ops){ fake_cpuid, fake_rdtsc, fake_clock_ns, fake_sleep_ns, c };
}

static void tsc_rate_from_cpuid_0x15(void **state)
{
	(void)state;
	struct fake_cpu c = { .tsc_khz = 1, .now_ns = 1000000000 };
	struct baton_tsc_ops ops = fake_ops(&c);

	c.leaves[0][0] = 0x16;
	c.leaves[0x15][0] = 2;            /* TSC/crystal = 184/2 */
	c.leaves[0x15][1] = 184;
	c.leaves[0x15][2] = 24000000;     /* 24 MHz crystal */
	assert_int_equal(baton_tsc_khz(&ops), 2208000);
	assert_false(c.slept);

	c.leaves[0x15][2] = 0;            /* crystal not enumerated: 0x16's base frequency */
	c.leaves[0x16][0] = 2100;
	assert_int_equal(baton_tsc_khz(&ops), 2100000);
	assert_false(c.slept);
}

static void tsc_rate_measured_without_cpuid(void **state)
{
	(void)state;
	struct fake_cpu c = { .tsc_khz = 2495312, .now_ns = 1000000000 };
	struct baton_tsc_ops ops = fake_ops(&c);

	c.leaves[0][0] = 0x14;            /* no leaf 0x15 (AMD, most VMs) */
	assert_int_equal(baton_tsc_khz(&ops), 2495312);
	assert_true(c.slept);

	c.slept = 0;
	c.leaves[0][0] = 0x15;            /* leaf 0x15 without a ratio */
	assert_int_equal(baton_tsc_khz(&ops), 2495312);
	assert_true(c.slept);

	c.slept = 0;
	c.leaves[0][0] = 0x16;            /* ratio, no crystal, no base frequency */
	c.leaves[0x15][0] = 2;
	c.leaves[0x15][1] = 184;
	assert_int_equal(baton_tsc_khz(&ops), 2495312);
	assert_true(c.slept);
}

static void finds_the_record_among_other_nodes(void **state)
{
	(void)state;
	char *root = fx_tmpdir();
	struct baton_timing t = { BATON_TIMING_MAGIC, 1000000, 3000000, 3100000, 50000000, 5,
				  BATON_TIMING_LA57, 0, 0 };
	struct baton_handover_report r;
	struct baton_error err = { 0 };

	write_node(root, 0, 9, "seedseedseedseed", 16);   /* SETUP_RNG_SEED */
	write_node(root, 1, BATON_SETUP_TIMING, &t, sizeof(t));
	/* cpuinfo's current clock is not the TSC's rate: it is never read. */
	fx_write_str(root, "proc/cpuinfo", "processor\t: 0\ncpu MHz\t\t: 800.000\nflags\t: fpu\n");
	struct fake_cpu c = { .tsc_khz = 1, .now_ns = 1000000000 };
	struct baton_tsc_ops ops = fake_ops(&c);
	c.leaves[0][0] = 0x15;
	c.leaves[0x15][0] = 1;
	c.leaves[0x15][1] = 80;
	c.leaves[0x15][2] = 25000000;     /* 25 MHz x 80 = 2 GHz */
	assert_int_equal(baton_timing_read(root, &ops, &r, &err), 0);
	assert_memory_equal(&r.raw, &t, sizeof(t));
	assert_int_equal(r.tsc_khz, 2000000);
	assert_true(r.verify_ms > 0.999 && r.verify_ms < 1.001);      /* 2M cycles at 2 GHz */
	assert_true(r.total_ms > 1.049 && r.total_ms < 1.051);
	assert_true(r.hash_mb_per_s > 49999 && r.hash_mb_per_s < 50001);
	/* The public reader: the same record, in the public struct (this CPU's TSC rate). */
	struct baton_config cfg = { root, NULL };
	struct baton_report pr;
	assert_int_equal(baton_report_read(&cfg, &pr, &err), 0);
	assert_int_equal(pr.tsc_entry, 1000000);
	assert_int_equal(pr.tsc_jump, 3100000);
	assert_int_equal(pr.bytes_hashed, 50000000);
	assert_int_equal(pr.regions, 5);
	assert_int_equal(pr.paging_levels, 5);
	assert_false(pr.sha_ni || pr.entry_32bit || pr.entry_real_mode || pr.nmis);
	fx_rm_rf(root);
	free(root);
}

/* The exit the purgatory took, from its flags: 32-bit, real mode (ABI 5), or neither: 64-bit. */
static void says_how_the_kernel_was_entered(void **state)
{
	(void)state;
	char *root = fx_tmpdir();
	struct baton_timing t = { BATON_TIMING_MAGIC, 100, 200, 300, 4096, 6,
				  BATON_TIMING_ENTRY_REAL16, 0, 0 };
	struct baton_config cfg = { root, NULL };
	struct baton_report pr;

	fx_write_str(root, "proc/cpuinfo", "processor\t: 0\nflags\t: fpu\n");
	write_node(root, 0, BATON_SETUP_TIMING, &t, sizeof(t));
	assert_int_equal(baton_report_read(&cfg, &pr, NULL), 0);
	assert_true(pr.entry_real_mode && !pr.entry_32bit);
	t.flags = BATON_TIMING_ENTRY_32BIT;
	write_node(root, 0, BATON_SETUP_TIMING, &t, sizeof(t));
	assert_int_equal(baton_report_read(&cfg, &pr, NULL), 0);
	assert_true(!pr.entry_real_mode && pr.entry_32bit);
	fx_rm_rf(root);
	free(root);
}

/* How the purgatory hashed: SHA extensions 1, AVX vectors 2 (ABI 5), portable C 0. */
static void the_hash_path_is_reported(void **state)
{
	(void)state;
	static const struct {
		uint32_t flags;
		int want;
	} cases[] = {
		{ 0, 0 }, { BATON_TIMING_SHA_NI, 1 }, { BATON_TIMING_AVX, 2 },
		{ BATON_TIMING_AVX | BATON_TIMING_LA57, 2 },
	};
	struct baton_error err = { 0 };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *root = fx_tmpdir();
		struct baton_timing t = { BATON_TIMING_MAGIC, 1000000, 3000000, 3100000, 50000000,
					  5, cases[i].flags, 0, 0 };
		struct baton_config cfg = { root, NULL };
		struct baton_report pr;

		write_node(root, 0, BATON_SETUP_TIMING, &t, sizeof(t));
		assert_int_equal(baton_report_read(&cfg, &pr, &err), 0);
		assert_int_equal(pr.sha_ni, cases[i].want);
		fx_rm_rf(root);
		free(root);
	}
}

static void not_started_by_baton(void **state)
{
	struct baton_report pr;
	assert_int_equal(baton_report_read(&(struct baton_config){ "/nonexistent", NULL }, &pr, NULL),
			 -ENOENT);
	assert_true(fx_all_zero(&pr, sizeof(pr)));
	(void)state;
	char *root = fx_tmpdir();
	struct baton_timing empty = { 0 };
	struct baton_handover_report r;
	struct baton_error err = { 0 };

	assert_int_equal(baton_timing_read(root, NULL, &r, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "not started by baton"));
	write_node(root, 0, BATON_SETUP_TIMING, &empty, sizeof(empty));   /* never filled in */
	assert_int_equal(baton_timing_read(root, NULL, &r, &err), -ENOENT);
	fx_rm_rf(root);
	free(root);
}

static void counts_nmis_and_reads_version_1_records(void **state)
{
	(void)state;
	char *root = fx_tmpdir();
	struct baton_timing t = { BATON_TIMING_MAGIC, 100, 200, 300, 4096, 5, 0, 3, 0 };
	struct baton_handover_report r;
	struct baton_error err = { 0 };
	struct fake_cpu c = { .tsc_khz = 1000, .now_ns = 1000000000 };
	struct baton_tsc_ops ops = fake_ops(&c);

	write_node(root, 0, BATON_SETUP_TIMING, &t, sizeof(t));
	assert_int_equal(baton_timing_read(root, &ops, &r, &err), 0);
	assert_int_equal(r.raw.nmis, 3);
	/* ABI version 1 wrote 0x30 bytes, without the count. */
	write_node(root, 0, BATON_SETUP_TIMING, &t, BATON_TIMING_V1_SIZE);
	assert_int_equal(baton_timing_read(root, &ops, &r, &err), 0);
	assert_int_equal(r.raw.nmis, 0);
	assert_int_equal(r.raw.regions, 5);
	/* Any other size is not a record of ours. */
	write_node(root, 0, BATON_SETUP_TIMING, &t, BATON_TIMING_V1_SIZE + 4);
	assert_int_equal(baton_timing_read(root, &ops, &r, &err), -ENOENT);
	fx_rm_rf(root);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tsc_rate_from_cpuid_0x15),
		cmocka_unit_test(tsc_rate_measured_without_cpuid),
		cmocka_unit_test(finds_the_record_among_other_nodes),
		cmocka_unit_test(the_hash_path_is_reported),
		cmocka_unit_test(says_how_the_kernel_was_entered),
		cmocka_unit_test(not_started_by_baton),
		cmocka_unit_test(counts_nmis_and_reads_version_1_records),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
