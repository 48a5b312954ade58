/* SPDX-License-Identifier: MIT */
/* Tests for the /proc/iomem reader and walker (lib/iomem.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "iomem.h"
#include "support/fixture.h"

static const char TEXT[] =
	"00000000-00000fff : Reserved\n"
	"\n"
	"00001000-0009fbff : System RAM\n"
	"  01000000-01ffffff : Kernel code\n"
	"    02000000-0200ffff : deeper\n"
	"000a0000-000bffff : PCI Bus 0000:00\n";

static void walks_every_entry_with_its_depth(void **state)
{
	(void)state;
	static const struct { uint64_t start, last; size_t indent; const char *name; } want[] = {
		{ 0, 0xfff, 0, "Reserved" },
		{ 0x1000, 0x9fbff, 0, "System RAM" },
		{ 0x1000000, 0x1ffffff, 2, "Kernel code" },
		{ 0x2000000, 0x200ffff, 4, "deeper" },
		{ 0xa0000, 0xbffff, 0, "PCI Bus 0000:00" },
	};
	static const int line[] = { 1, 3, 4, 5, 6 };
	struct baton_iomem_iter it;
	struct baton_iomem_entry e;
	size_t n = 0;

	baton_iomem_begin(&it, TEXT, strlen(TEXT), BATON_IOMEM_ALL);
	while (baton_iomem_next(&it, &e) == 1) {
		assert_true(n < sizeof(want) / sizeof(want[0]));
		assert_int_equal(e.start, want[n].start);
		assert_int_equal(e.last, want[n].last);
		assert_int_equal(e.indent, want[n].indent);
		assert_int_equal(e.name_len, strlen(want[n].name));
		assert_memory_equal(e.name, want[n].name, e.name_len);
		assert_int_equal(it.line, line[n]);
		n++;
	}
	assert_int_equal(n, 5);
	assert_int_equal(it.line, 6);
	assert_true(it.nonzero);
	assert_int_equal(baton_iomem_next(&it, &e), 0);   /* stays at the end */
}

static void top_level_skips_nested_lines_unparsed(void **state)
{
	(void)state;
	static const char text[] = "00000000-00000fff : Reserved\n  not an entry at all\n"
				   "00001000-00001fff : System RAM\n";
	struct baton_iomem_iter it;
	struct baton_iomem_entry e;

	baton_iomem_begin(&it, text, strlen(text), BATON_IOMEM_TOP);
	assert_int_equal(baton_iomem_next(&it, &e), 1);
	assert_int_equal(baton_iomem_next(&it, &e), 1);
	assert_int_equal(e.start, 0x1000);
	assert_int_equal(it.line, 3);
	assert_int_equal(baton_iomem_next(&it, &e), 0);
	/* Every depth: the same nested line is malformed, and says where. */
	baton_iomem_begin(&it, text, strlen(text), BATON_IOMEM_ALL);
	assert_int_equal(baton_iomem_next(&it, &e), 1);
	assert_int_equal(baton_iomem_next(&it, &e), -EINVAL);
	assert_int_equal(it.line, 2);
}

static void malformed_lines_give_an_excerpt(void **state)
{
	(void)state;
	char text[128];
	const char *l;
	struct baton_iomem_iter it;
	struct baton_iomem_entry e;
	int n;

	snprintf(text, sizeof(text), "%s\n",
		 "0000-zz : a name far longer than forty characters, to be cut");
	baton_iomem_begin(&it, text, strlen(text), BATON_IOMEM_TOP);
	assert_int_equal(baton_iomem_next(&it, &e), -EINVAL);
	n = baton_iomem_excerpt(&it, &l);
	assert_int_equal(n, 40);
	assert_memory_equal(l, text, 40);
	baton_iomem_begin(&it, "x\r\n", 3, BATON_IOMEM_TOP);
	assert_int_equal(baton_iomem_next(&it, &e), -EINVAL);
	assert_int_equal(baton_iomem_excerpt(&it, &l), 1);
	assert_int_equal(*l, 'x');
}

static void zero_addresses_are_noticed(void **state)
{
	(void)state;
	static const char text[] = "00000000-00000000 : Reserved\n  00000000-00000000 : Kernel code\n";
	struct baton_iomem_iter it;
	struct baton_iomem_entry e;

	baton_iomem_begin(&it, text, strlen(text), BATON_IOMEM_ALL);
	while (baton_iomem_next(&it, &e) == 1)
		;
	assert_false(it.nonzero);
	assert_int_equal(it.line, 2);
	baton_iomem_begin(&it, "", 0, BATON_IOMEM_ALL);
	assert_int_equal(baton_iomem_next(&it, &e), 0);
	assert_int_equal(it.line, 0);
}

static void reads_whole_files_up_to_the_bound(void **state)
{
	(void)state;
	char *dir = fx_tmpdir(), path[4200];
	struct baton_file f;
	char *big = malloc(BATON_IOMEM_MAX);

	assert_non_null(big);
	snprintf(path, sizeof(path), "%s/proc/iomem", dir);
	fx_write_str(dir, "proc/iomem", TEXT);
	assert_int_equal(baton_iomem_read(&f, path), 0);
	assert_int_equal(f.size, strlen(TEXT));
	assert_memory_equal(f.data, TEXT, f.size);
	baton_file_free(&f);
	memset(big, ' ', BATON_IOMEM_MAX);
	fx_write(dir, "proc/iomem", big, BATON_IOMEM_MAX - 1);
	assert_int_equal(baton_iomem_read(&f, path), 0);
	baton_file_free(&f);
	fx_write(dir, "proc/iomem", big, BATON_IOMEM_MAX);
	assert_int_equal(baton_iomem_read(&f, path), -EFBIG);
	assert_null(f.data);
	snprintf(path, sizeof(path), "%s/proc/none", dir);
	assert_int_equal(baton_iomem_read(&f, path), -ENOENT);
	free(big);
	fx_rm_rf(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(walks_every_entry_with_its_depth),
		cmocka_unit_test(top_level_skips_nested_lines_unparsed),
		cmocka_unit_test(malformed_lines_give_an_excerpt),
		cmocka_unit_test(zero_addresses_are_noticed),
		cmocka_unit_test(reads_whole_files_up_to_the_bound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
