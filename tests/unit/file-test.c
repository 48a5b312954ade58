/* SPDX-License-Identifier: MIT */
/* Tests for file access: paths under a root, mapping inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <unistd.h>

#include "cpu.h"
#include "file.h"
#include "support/fixture.h"

static void path_joins_root_and_relative(void **state)
{
	(void)state;
	char buf[64];

	assert_int_equal(baton_path(buf, sizeof(buf), "/tmp/r", "/proc/cpuinfo", NULL), 0);
	assert_string_equal(buf, "/tmp/r/proc/cpuinfo");
	assert_int_equal(baton_path(buf, sizeof(buf), NULL, "/proc/cpuinfo", NULL), 0);
	assert_string_equal(buf, "/proc/cpuinfo");
}

static void path_that_does_not_fit_is_an_error_not_a_prefix(void **state)
{
	(void)state;
	char buf[18];
	struct baton_error err = { 0 };

	/* 17 bytes fit; 18 would have been cut to "/root/proc/cpuinf", another file. */
	assert_int_equal(baton_path(buf, sizeof(buf), "/root", "/proc/cpuinf", &err), 0);
	assert_int_equal(baton_path(buf, sizeof(buf), "/root", "/proc/cpuinfo", &err),
			 -ENAMETOOLONG);
	assert_int_equal(err.code, ENAMETOOLONG);
	assert_non_null(strstr(err.msg, "/proc/cpuinfo: path longer than 17 bytes"));
	assert_string_equal(buf, "");
}

static void callers_fail_on_a_root_too_long(void **state)
{
	(void)state;
	char *root = malloc(4090);
	struct baton_cpu_info cpu;
	struct baton_error err = { 0 };

	memset(root, 'r', 4089);
	root[0] = '/';
	root[4089] = 0;
	assert_int_equal(baton_cpu_read(root, &cpu, &err), -ENAMETOOLONG);
	assert_non_null(strstr(err.msg, "/proc/cpuinfo: path longer than"));
	free(root);
}

static void mapping_a_directory_says_so(void **state)
{
	(void)state;
	char *root = fx_tmpdir();
	struct baton_file f;
	struct baton_error err = { 0 };

	assert_int_equal(baton_file_map(&f, root, "kernel", &err), -EISDIR);
	assert_non_null(strstr(err.msg, "not a regular file"));
	assert_null(f.data);
	fx_rm_rf(root);
	free(root);
}

static void small_text_files_are_trimmed_and_bounded(void **state)
{
	(void)state;
	char *dir = fx_tmpdir(), path[4200], buf[8];

	snprintf(path, sizeof(path), "%s/f", dir);
	fx_write_str(dir, "f", " 0x1f \n");
	assert_int_equal(baton_file_read_text(path, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0x1f");
	fx_write_str(dir, "f", "\n");
	assert_int_equal(baton_file_read_text(path, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	fx_write_str(dir, "f", "1234567");   /* size - 1 bytes fit */
	assert_int_equal(baton_file_read_text(path, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1234567");
	fx_write_str(dir, "f", "12345678");  /* size bytes do not, even if trimming would shorten */
	assert_int_equal(baton_file_read_text(path, buf, sizeof(buf)), -EFBIG);
	fx_write_str(dir, "f", "1234567\n");
	assert_int_equal(baton_file_read_text(path, buf, sizeof(buf)), -EFBIG);
	snprintf(path, sizeof(path), "%s/missing", dir);
	assert_int_equal(baton_file_read_text(path, buf, sizeof(buf)), -ENOENT);
	assert_int_equal(baton_file_read_text(dir, buf, sizeof(buf)), -EISDIR);
	fx_rm_rf(dir);
	free(dir);
}

/* A sysfs binary file does not map (ENODEV), as /sys/firmware/initrd for --reuse-initrd:
 * baton_file_map reads it instead. An ACPI table is one on any machine with ACPI (as root). */
static void a_sysfs_file_that_will_not_map_is_read(void **state)
{
	(void)state;
	const char *path = "/sys/firmware/acpi/tables/DSDT";
	struct baton_file f, r;
	struct baton_error err = { 0 };

	if (access(path, R_OK)) {
		skip();
		return;
	}
	assert_int_equal(baton_file_map(&f, path, "initrd", &err), 0);
	assert_false(f.mapped);
	assert_true(f.size > 36);
	assert_memory_equal(f.data, "DSDT", 4);
	assert_int_equal(baton_file_read(&r, path, 1 << 20, &err), 0);
	assert_int_equal(r.size, f.size);
	assert_memory_equal(r.data, f.data, f.size);
	baton_file_free(&r);
	baton_file_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(path_joins_root_and_relative),
		cmocka_unit_test(path_that_does_not_fit_is_an_error_not_a_prefix),
		cmocka_unit_test(callers_fail_on_a_root_too_long),
		cmocka_unit_test(mapping_a_directory_says_so),
		cmocka_unit_test(small_text_files_are_trimmed_and_bounded),
		cmocka_unit_test(a_sysfs_file_that_will_not_map_is_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
