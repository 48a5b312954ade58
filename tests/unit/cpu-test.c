/* SPDX-License-Identifier: MIT */
/* Tests for CPU feature and confidential-guest detection from cpuinfo and sysfs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "cpu.h"
#include "file.h"
#include "identmap.h"
#include "support/fixture.h"

static void flags_are_found_as_whole_words(void **state)
{
	(void)state;
	assert_int_equal(baton_cpu_features_parse("flags\t\t: fpu pdpe1gb rdtscp lm la57\n"),
			 BATON_CPU_GBPAGES | BATON_CPU_LA57);
	assert_int_equal(baton_cpu_features_parse("flags\t\t: fpu xla57 pdpe1gbx\n"), 0);
	assert_int_equal(baton_cpu_features_parse("flags\t\t: la57"), BATON_CPU_LA57);
	assert_int_equal(baton_cpu_features_parse("model name : la57 pdpe1gb\nflags : fpu\n"), 0);
}

static void only_the_first_cpu_counts(void **state)
{
	(void)state;
	assert_int_equal(baton_cpu_features_parse("flags : pdpe1gb\n\nflags : la57\n"),
			 BATON_CPU_GBPAGES);
}

static void reads_from_root(void **state)
{
	(void)state;
	char *root = fx_tmpdir();
	struct baton_cpu_info cpu;
	struct baton_error err = { 0 };

	assert_int_equal(baton_cpu_read(root, &cpu, &err), -ENOENT);
	fx_cpuinfo(root, "fpu pdpe1gb");
	assert_int_equal(baton_cpu_read(root, &cpu, &err), 0);
	assert_int_equal(cpu.features, BATON_CPU_GBPAGES);
	assert_int_equal(cpu.cc_guest, BATON_CC_NONE);
	fx_rm_rf(root);
	free(root);
}

/* tests/fixtures/cpu/NAME as ROOT/proc/cpuinfo. */
static struct baton_cpu_info read_fixture(const char *root, const char *name)
{
	char path[512];
	struct baton_file f;
	struct baton_cpu_info cpu;
	struct baton_error err = { 0 };

	snprintf(path, sizeof(path), FIXTURES "/cpu/%s", name);
	if (baton_file_read(&f, path, 1 << 16, &err))
		fail_msg("%s", err.msg);
	fx_write(root, "proc/cpuinfo", f.data, f.size);
	baton_file_free(&f);
	if (baton_cpu_read(root, &cpu, &err))
		fail_msg("%s", err.msg);
	return cpu;
}

static void confidential_guests_are_recognised(void **state)
{
	(void)state;
	static const struct { const char *name; enum baton_cc_guest guest; } cases[] = {
		{ "sev-snp-guest", BATON_CC_SEV_SNP },
		{ "sev-es-guest", BATON_CC_SEV_ES },
		{ "sev-guest", BATON_CC_SEV },
		{ "tdx-guest", BATON_CC_TDX },
		{ "sev-host", BATON_CC_NONE },    /* lists sev, sev_es, sev_snp, but no hypervisor */
		{ "kvm-guest", BATON_CC_NONE },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *root = fx_tmpdir();
		struct baton_cpu_info cpu = read_fixture(root, cases[i].name);
		if (cpu.cc_guest != cases[i].guest)
			fail_msg("%s: guest %d, expected %d", cases[i].name, cpu.cc_guest,
				 cases[i].guest);
		assert_int_equal(cpu.features & BATON_CPU_GBPAGES, BATON_CPU_GBPAGES);
		fx_rm_rf(root);
		free(root);
	}
	assert_string_equal(baton_cc_guest_name(BATON_CC_SEV_SNP), "an AMD SEV-SNP guest");
	assert_string_equal(baton_cc_guest_name(BATON_CC_TDX), "an Intel TDX guest");
}

static void sev_flags_without_hypervisor_are_a_host(void **state)
{
	(void)state;
	assert_int_equal(baton_cpu_cc_guest_parse("flags : fpu sme sev sev_es sev_snp\n"),
			 BATON_CC_NONE);
	assert_int_equal(baton_cpu_cc_guest_parse("flags : fpu hypervisor sev\n"), BATON_CC_SEV);
	assert_int_equal(baton_cpu_cc_guest_parse("flags : fpu hypervisor sevx sev_esx\n"),
			 BATON_CC_NONE);
	assert_int_equal(baton_cpu_cc_guest_parse("flags : tdx_guest\n"), BATON_CC_TDX);
	assert_int_equal(baton_cpu_cc_guest_parse("model name : tdx_guest\n"), BATON_CC_NONE);
}

/* An SEV-SNP guest whose hypervisor hides the SEV flags still has sysfs's sev directory. */
static void sev_snp_sysfs_directory_marks_a_guest(void **state)
{
	(void)state;
	char *root = fx_tmpdir();
	struct baton_cpu_info cpu = read_fixture(root, "kvm-guest");

	assert_int_equal(cpu.cc_guest, BATON_CC_NONE);
	fx_write_str(root, "sys/devices/system/cpu/sev/vmpl", "0\n");
	cpu = read_fixture(root, "kvm-guest");
	assert_int_equal(cpu.cc_guest, BATON_CC_SEV_SNP);
	fx_rm_rf(root);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(flags_are_found_as_whole_words),
		cmocka_unit_test(only_the_first_cpu_counts),
		cmocka_unit_test(reads_from_root),
		cmocka_unit_test(confidential_guests_are_recognised),
		cmocka_unit_test(sev_flags_without_hypervisor_are_a_host),
		cmocka_unit_test(sev_snp_sysfs_directory_marks_a_guest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
