/* Tests for CPU feature detection from cpuinfo. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "cpu.h"
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
	unsigned f = 0;
	struct baton_error err = { 0 };

	assert_int_equal(baton_cpu_features(root, &f, &err), -ENOENT);
	fx_cpuinfo(root, "fpu pdpe1gb");
	assert_int_equal(baton_cpu_features(root, &f, &err), 0);
	assert_int_equal(f, BATON_CPU_GBPAGES);
	fx_rm_rf(root);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(flags_are_found_as_whole_words),
		cmocka_unit_test(only_the_first_cpu_counts),
		cmocka_unit_test(reads_from_root),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
