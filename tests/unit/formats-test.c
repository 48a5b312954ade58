/* SPDX-License-Identifier: MIT */
/* The format table: lookup by name and alias, detection, and each format's exit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "format.h"

static void names_and_aliases_find_their_format(void **state)
{
	(void)state;
	assert_ptr_equal(baton_format_at(0), &baton_format_bzimage);
	assert_ptr_equal(baton_format_lookup("bzImage"), &baton_format_bzimage);
	assert_ptr_equal(baton_format_lookup("bzImage64"), &baton_format_bzimage);
	assert_null(baton_format_lookup("bzimage"));
	assert_null(baton_format_lookup("elf-x86"));
	for (size_t i = 0; baton_format_at(i); i++) {
		const struct baton_format *f = baton_format_at(i);
		assert_non_null(f->probe);
		assert_non_null(f->parse);
		assert_non_null(f->plan);
		assert_non_null(f->exit);
	}
}

static void detection_parses_or_says_why_not(void **state)
{
	(void)state;
	uint8_t junk[4096] = { 0 };
	struct baton_kernel k;
	struct baton_error err = { 0 };

	assert_int_equal(baton_format_detect(junk, sizeof(junk), "junk", &k, &err), -ENOEXEC);
	assert_non_null(strstr(err.msg, "bzimage: junk: not a Linux kernel image"));
	assert_null(k.format);
}

static void bzimage_exit_follows_the_boot_protocol(void **state)
{
	(void)state;
	struct baton_segments segs = { 0 };
	struct baton_load_opts o = { 0 };
	struct baton_format_ctx ctx = { .opts = &o, .segs = &segs };
	struct baton_segment *k;
	struct baton_exit e;

	assert_int_equal(baton_segments_add(&segs, BATON_SEG_KERNEL, NULL, &k, NULL), 0);
	k->mem = 0x1000000;
	baton_format_bzimage.exit(&ctx, 0x7000, &e);
	assert_int_equal(e.mode, BATON_EXIT_LONG64);
	assert_int_equal(e.entry, 0x1000200);
	assert_int_equal(e.regs[BATON_EXIT_RSI], 0x7000);
	assert_int_equal(e.regs[BATON_EXIT_RCX], 0);
	o.flags = BATON_LOAD_ENTRY_32BIT;
	baton_format_bzimage.exit(&ctx, 0x7000, &e);
	assert_int_equal(e.mode, BATON_EXIT_PROTECTED32);
	assert_int_equal(e.entry, 0x1000000);
	assert_int_equal(e.regs[BATON_EXIT_RSI], 0x7000);
	assert_int_equal(e.regs[BATON_EXIT_RCX], 0x1000000);
}

/* A placer over one free range [0x100000, 0x200000), lowest first. */
struct fake_planner {
	uint64_t next;
	int no_rooms;
};

static int fake_place(void *ctx, struct baton_segment *s, const struct baton_seg_place *at)
{
	struct fake_planner *f = ctx;
	uint64_t start = at->min > f->next ? at->min : f->next;

	if (start + s->memsz > 0x200000 || start + s->memsz > at->max)
		return -ENOSPC;
	s->mem = start;
	f->next = start + s->memsz;
	return 0;
}

static int fake_no_room(void *ctx, const struct baton_segment *s, const char *file,
			const char *what, struct baton_error *err)
{
	((struct fake_planner *)ctx)->no_rooms++;
	return baton_fail(err, ENOSPC, "%s: %s: no room%s", s->name, file, what);
}

/* A format's segment: added, rounded up to pages, placed (at a fixed address here), its bytes
 * set; one that does not fit is named and leaves the list as it was. */
static void format_load_adds_and_places(void **state)
{
	(void)state;
	static const uint8_t bytes[5000];
	struct fake_planner f = { 0x100000, 0 };
	struct baton_segments segs = { 0 };
	struct baton_format_ctx ctx = { .segs = &segs, .placer = { fake_place, fake_no_room, &f } };
	struct baton_seg_load ld = { BATON_SEG_KERNEL, bytes, sizeof(bytes), 0x3000,
				     baton_seg_at(0x150000, 0x3000), "xen.gz", " (PT_LOAD 0)" };
	struct baton_error err = { 0 };
	struct baton_segment *s;

	assert_int_equal(baton_format_load(&ctx, &ld, &s, &err), 0);
	assert_string_equal(s->name, "kernel");
	assert_int_equal(s->mem, 0x150000);
	assert_int_equal(s->memsz, 0x3000);
	assert_ptr_equal(s->buf, bytes);
	assert_int_equal(s->bufsz, sizeof(bytes));
	ld.role = BATON_SEG_MODULE;
	ld.memsz = 0x100001;
	ld.at = (struct baton_seg_place){ BATON_PAGE_SIZE, 0, UINT64_MAX, BATON_PLACE_LOWEST, 0 };
	assert_int_equal(baton_format_load(&ctx, &ld, &s, &err), -ENOSPC);
	assert_null(s);
	assert_string_equal(err.msg, "module.0: xen.gz: no room (PT_LOAD 0)");
	assert_int_equal(segs.nr, 1);
	ld.memsz = 1;
	assert_int_equal(baton_format_load(&ctx, &ld, NULL, &err), 0);
	assert_string_equal(segs.seg[1].name, "module.0");
	assert_int_equal(segs.seg[1].memsz, 0x1000);
	assert_int_equal(segs.seg[1].mem, 0x153000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_and_aliases_find_their_format),
		cmocka_unit_test(detection_parses_or_says_why_not),
		cmocka_unit_test(bzimage_exit_follows_the_boot_protocol),
		cmocka_unit_test(format_load_adds_and_places),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
