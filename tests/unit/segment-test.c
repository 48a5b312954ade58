/* SPDX-License-Identifier: MIT */
/* Tests for the segment list: names by role, kexec_load's limit, lookup by role. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "segment.h"

static void names_follow_roles_and_counts(void **state)
{
	(void)state;
	static const struct { enum baton_seg_role role; const char *name, *want; } adds[] = {
		{ BATON_SEG_KERNEL, NULL, "kernel" },
		{ BATON_SEG_KERNEL, NULL, "kernel.1" },
		{ BATON_SEG_MODULE, NULL, "module.0" },
		{ BATON_SEG_INITRD, NULL, "initrd" },
		{ BATON_SEG_MODULE, NULL, "module.1" },
		{ BATON_SEG_KERNEL, NULL, "kernel.2" },
		{ BATON_SEG_BOOT_INFO, "boot_params", "boot_params" },
		{ BATON_SEG_PAGE_TABLES, NULL, "page_tables" },
		{ BATON_SEG_PURGATORY, NULL, "purgatory" },
	};
	struct baton_segments l = { 0 };
	struct baton_segment *s;

	for (size_t i = 0; i < sizeof(adds) / sizeof(adds[0]); i++) {
		assert_int_equal(baton_segments_add(&l, adds[i].role, adds[i].name, &s, NULL), 0);
		assert_ptr_equal(s, &l.seg[i]);
		assert_string_equal(s->name, adds[i].want);
		assert_int_equal(s->role, adds[i].role);
		assert_int_equal(s->memsz, 0);
	}
	assert_int_equal(l.nr, sizeof(adds) / sizeof(adds[0]));
	assert_ptr_equal(baton_segments_find(&l, BATON_SEG_KERNEL), &l.seg[0]);
	assert_ptr_equal(baton_segments_get(&l, BATON_SEG_MODULE), &l.seg[2]);
	assert_ptr_equal(baton_segments_get(&l, BATON_SEG_PURGATORY), &l.seg[8]);
	assert_null(baton_segments_get(&l, BATON_SEG_ELFCOREHDR));
}

/* The 17th segment is refused in one line naming it; the list stays as it was. */
static void seventeen_segments_are_refused(void **state)
{
	(void)state;
	struct baton_segments l = { 0 };
	struct baton_error err = { 0 };
	struct baton_segment *s;

	for (int i = 0; i < BATON_MAX_SEGMENTS; i++)
		assert_int_equal(baton_segments_add(&l, BATON_SEG_MODULE, NULL, &s, &err), 0);
	assert_string_equal(l.seg[15].name, "module.15");
	s = &l.seg[0];
	assert_int_equal(baton_segments_add(&l, BATON_SEG_PURGATORY, NULL, &s, &err), -E2BIG);
	assert_null(s);
	assert_int_equal(l.nr, BATON_MAX_SEGMENTS);
	assert_int_equal(err.code, E2BIG);
	assert_string_equal(err.msg, "segments: purgatory would be segment 17, but kexec_load takes "
			    "at most 16 (fewer modules or kernel segments)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_follow_roles_and_counts),
		cmocka_unit_test(seventeen_segments_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
