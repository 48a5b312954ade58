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
	fx_write_str(root, "proc/cpuinfo", "processor\t: 0\ncpu MHz\t\t: 2000.000\nflags\t: fpu\n");
	assert_int_equal(baton_timing_read(root, &r, &err), 0);
	assert_memory_equal(&r.raw, &t, sizeof(t));
	assert_int_equal(r.tsc_khz, 2000000);
	assert_true(r.verify_ms > 0.999 && r.verify_ms < 1.001);      /* 2M cycles at 2 GHz */
	assert_true(r.total_ms > 1.049 && r.total_ms < 1.051);
	assert_true(r.hash_mb_per_s > 49999 && r.hash_mb_per_s < 50001);
	fx_rm_rf(root);
	free(root);
}

static void not_started_by_baton(void **state)
{
	(void)state;
	char *root = fx_tmpdir();
	struct baton_timing empty = { 0 };
	struct baton_handover_report r;
	struct baton_error err = { 0 };

	assert_int_equal(baton_timing_read(root, &r, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "not started by baton"));
	write_node(root, 0, BATON_SETUP_TIMING, &empty, sizeof(empty));   /* never filled in */
	assert_int_equal(baton_timing_read(root, &r, &err), -ENOENT);
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

	write_node(root, 0, BATON_SETUP_TIMING, &t, sizeof(t));
	assert_int_equal(baton_timing_read(root, &r, &err), 0);
	assert_int_equal(r.raw.nmis, 3);
	/* ABI version 1 wrote 0x30 bytes, without the count. */
	write_node(root, 0, BATON_SETUP_TIMING, &t, BATON_TIMING_V1_SIZE);
	assert_int_equal(baton_timing_read(root, &r, &err), 0);
	assert_int_equal(r.raw.nmis, 0);
	assert_int_equal(r.raw.regions, 5);
	/* Any other size is not a record of ours. */
	write_node(root, 0, BATON_SETUP_TIMING, &t, BATON_TIMING_V1_SIZE + 4);
	assert_int_equal(baton_timing_read(root, &r, &err), -ENOENT);
	fx_rm_rf(root);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(finds_the_record_among_other_nodes),
		cmocka_unit_test(not_started_by_baton),
		cmocka_unit_test(counts_nmis_and_reads_version_1_records),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
