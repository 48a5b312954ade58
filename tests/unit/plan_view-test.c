/* SPDX-License-Identifier: MIT */
/* Tests for cli/plan_view.c: the JSON string escaper, sizes, the character set, and the picture of
 * hand-made plans (exact lines, 100 columns, long maps collapsed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "identmap.h"
#include "image.h"
#include "mapwalk.h"
#include "memmap.h"
#include "plan_json.h"
#include "plan_view.h"

#define PG    ((uint64_t)0x1000)
#define SZ_1M ((uint64_t)1 << 20)
#define SZ_1G ((uint64_t)1 << 30)
#define SZ_4G ((uint64_t)1 << 32)

/* ---- output captured in memory ---------------------------------------------------------------- */

struct capture {
	FILE *f;
	char *buf;
	size_t len;
};

static void capture_open(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
}

static char *capture_close(struct capture *c)
{
	fclose(c->f);
	return c->buf;
}

static char *json_of(const char *s)
{
	struct capture c;

	capture_open(&c);
	plan_json_string(c.f, s);
	return capture_close(&c);
}

static void expect_json(const char *in, const char *want)
{
	char *got = json_of(in);

	if (strcmp(got, want))
		fail_msg("json of '%s': got %s, want %s", in ? in : "(null)", got, want);
	free(got);
}

/* ---- small pieces ---------------------------------------------------------------------------- */

static void json_strings_are_escaped(void **state)
{
	(void)state;
	expect_json("console=ttyS0", "\"console=ttyS0\"");
	expect_json(NULL, "\"\"");
	expect_json("a\"b\\c", "\"a\\\"b\\\\c\"");
	expect_json("x=\"a b\" \\n", "\"x=\\\"a b\\\" \\\\n\"");
	expect_json("\n\t\r\b\f\x01\x1f\x7f", "\"\\n\\t\\r\\u0008\\u000c\\u0001\\u001f\\u007f\"");
	/* Well-formed UTF-8 passes through: é, €, U+1F600, U+10FFFF. */
	expect_json("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf",
		    "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\"");
	/* Anything else byte by byte as its Latin-1 reading: a lone no-break space (the kernel
	 * splits on it), a truncated sequence, an overlong '/', a surrogate, beyond U+10FFFF. */
	expect_json("a\xa0" "b", "\"a\\u00a0b\"");
	expect_json("\xc3", "\"\\u00c3\"");
	expect_json("\xe2\x82", "\"\\u00e2\\u0082\"");
	expect_json("\xc0\xaf", "\"\\u00c0\\u00af\"");
	expect_json("\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"");
	expect_json("\xf4\x90\x80\x80", "\"\\u00f4\\u0090\\u0080\\u0080\"");
	expect_json("\xe0\x80\x80", "\"\\u00e0\\u0080\\u0080\"");
	expect_json("\xff\xfe", "\"\\u00ff\\u00fe\"");
	/* A bad lead byte does not swallow the ASCII after it. */
	expect_json("\xe2(x", "\"\\u00e2(x\"");
}

static void sizes_read_like_ls_h(void **state)
{
	static const struct {
		uint64_t bytes;
		const char *text;
	} cases[] = {
		{ 0, "0B" }, { 1023, "1023B" }, { 1024, "1K" }, { 0x400, "1K" }, { 0x9fc00, "639K" },
		{ 0x3fee0000, "1022.9M" }, { SZ_1G - 1, "1.0G" }, { 12 * SZ_1G, "12G" },
		{ 1536 * SZ_1G, "1.5T" }, { 0x100400, "1.0M" }, { UINT64_MAX, "16.0E" },
	};
	char buf[16];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(plan_view_size(buf, sizeof(buf), cases[i].bytes), cases[i].text);
}

static void charset_follows_the_locale(void **state)
{
	(void)state;
	assert_int_equal(plan_view_charset(NULL, NULL, NULL), PLAN_VIEW_ASCII);
	assert_int_equal(plan_view_charset(NULL, NULL, "C"), PLAN_VIEW_ASCII);
	assert_int_equal(plan_view_charset(NULL, NULL, "en_US.UTF-8"), PLAN_VIEW_UTF8);
	assert_int_equal(plan_view_charset("", "", "de_DE.utf8"), PLAN_VIEW_UTF8);
	assert_int_equal(plan_view_charset("C.UTF-8", NULL, "C"), PLAN_VIEW_UTF8);
	/* LC_ALL overrides LANG, LC_CTYPE overrides LANG. */
	assert_int_equal(plan_view_charset("POSIX", "C.UTF-8", "en_US.UTF-8"), PLAN_VIEW_ASCII);
	assert_int_equal(plan_view_charset(NULL, "C", "en_US.UTF-8"), PLAN_VIEW_ASCII);
	assert_int_equal(plan_view_charset(NULL, "en_GB.UTF-8", NULL), PLAN_VIEW_UTF8);
}

/* ---- a hand-made plan ------------------------------------------------------------------------ */

struct plan {
	struct baton_image *img;
	uint8_t *tables;
};

struct table_alloc {
	uint8_t *base;
	uint64_t phys;
	size_t used, max;
};

static void *alloc_page(void *ctx, uint64_t *phys)
{
	struct table_alloc *a = ctx;

	if (a->used == a->max)
		return NULL;
	*phys = a->phys + a->used * PG;
	return a->base + a->used++ * PG;
}

static void set_seg(struct baton_image *img, enum baton_seg_role role, const char *name,
		    uint64_t mem, uint64_t memsz)
{
	struct baton_segment *s;

	assert_int_equal(baton_segments_add(&img->segs, role, name, &s, NULL), 0);
	s->mem = mem;
	s->memsz = memsz;
	s->bufsz = memsz;
}

/* A plan over `ranges`: the kernel at 16 MiB, the small segments packed just below `top`, the
 * tables built for the map as baton_image_prepare() builds them. */
static void plan_build(struct plan *p, const struct baton_mem_range *ranges, size_t n, uint64_t top,
		       unsigned features)
{
	struct baton_image *img = calloc(1, sizeof(*img));
	struct baton_identmap_layout l;
	struct baton_error err = { 0 };
	struct table_alloc a;
	size_t pages;

	assert_non_null(img);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(baton_memmap_add(&img->in.memmap, ranges[i].start, ranges[i].end,
						  ranges[i].kind, &err), 0);
	assert_int_equal(baton_memmap_sort(&img->in.memmap, &err), 0);
	assert_int_equal(baton_identmap_layout(&img->in.memmap, NULL, 0, &l, &err), 0);
	pages = baton_identmap_pages_needed(&l, features);
	set_seg(img, BATON_SEG_KERNEL, "kernel", 16 * SZ_1M, 32 * SZ_1M);
	set_seg(img, BATON_SEG_INITRD, "initrd", top - 0x4a000, 0x4a000);
	set_seg(img, BATON_SEG_BOOT_INFO, "boot_params", top - 0x4c000, 0x2000);
	set_seg(img, BATON_SEG_PAGE_TABLES, "page_tables", top - 0x4c000 - pages * PG, pages * PG);
	set_seg(img, BATON_SEG_PURGATORY, "purgatory", top - 0x55000 - pages * PG, 0x9000);
	p->tables = calloc(pages, PG);
	assert_non_null(p->tables);
	a = (struct table_alloc){ p->tables, baton_segments_find(&img->segs, BATON_SEG_PAGE_TABLES)->mem, 0, pages };
	struct baton_identmap_info info = { { alloc_page, &a }, features };
	if (baton_identmap_build(&l, &info, &img->roots, &img->map_stats, &err))
		fail_msg("build: %s", err.msg);
	baton_identmap_layout_free(&l);
	baton_segments_find(&img->segs, BATON_SEG_PAGE_TABLES)->buf = p->tables;
	img->in.features = features;
	img->in.kernel.bz.protocol = 0x020f;
	img->in.kernel.format = &baton_format_bzimage;
	img->entry = baton_segments_find(&img->segs, BATON_SEG_PURGATORY)->mem;
	img->kernel_entry = 16 * SZ_1M + 0x200;
	img->cmdline = strdup("console=ttyS0");
	p->img = img;
}

static void plan_free(struct plan *p)
{
	baton_memmap_free(&p->img->in.memmap);
	free(p->img->cmdline);
	free(p->img);
	free(p->tables);
}

static char *picture(const struct plan *p, enum plan_view_charset cs)
{
	struct baton_error err = { 0 };
	struct capture c;

	capture_open(&c);
	if (plan_view_text(c.f, p->img, "/boot/vmlinuz", cs, &err))
		fail_msg("picture: %s", err.msg);
	return capture_close(&c);
}

static void expect_line(const char *text, const char *line)
{
	const char *at = strstr(text, line);
	size_t n = strlen(line);

	if (!at || (at != text && at[-1] != '\n') || (at[n] != '\n'))
		fail_msg("no line '%s' in:\n%s", line, text);
}

/* The picture, up to the blank line before report_plan()'s summary, fits in 100 columns. */
static void expect_narrow(const char *text)
{
	const char *end = strstr(text, "\n\n");

	assert_non_null(end);
	for (const char *l = text; l < end;) {
		const char *nl = strchr(l, '\n');
		size_t cols = 0;
		for (const char *c = l; c < nl; c++)
			cols += ((unsigned char)*c & 0xc0) != 0x80;
		if (cols > 100)
			fail_msg("%zu columns: %.*s", cols, (int)(nl - l), l);
		l = nl + 1;
	}
}

/* The picture's byte totals are the walk's. (This test calling lib/mapwalk.c itself also brings
 * it into the link, ahead of cli/plan_view.o, which the Makefile adds after the library.) */
static void expect_walk_totals(const struct plan *p, const char *text)
{
	struct baton_error err = { 0 };
	struct baton_map_runs runs;
	uint64_t bytes[2] = { 0, 0 };
	char want[64], wb[16], uc[16];

	if (baton_mapwalk_image(p->img, &runs, &err))
		fail_msg("walk: %s", err.msg);
	for (size_t i = 0; i < runs.nr; i++) {
		assert_int_equal(runs.runs[i].start % baton_page_bytes(runs.runs[i].page_size), 0);
		bytes[runs.runs[i].cache == BATON_CACHE_UC] += runs.runs[i].end - runs.runs[i].start;
	}
	snprintf(want, sizeof(want), "; %s WB, %s UC\n", plan_view_size(wb, sizeof(wb), bytes[0]),
		 plan_view_size(uc, sizeof(uc), bytes[1]));
	assert_non_null(strstr(text, want));
	baton_map_runs_free(&runs);
}

static const struct baton_mem_range qemu_1g[] = {
	{ 0, 0x9fc00, BATON_MEM_RAM },
	{ 0x9fc00, 0xa0000, BATON_MEM_RESERVED },
	{ 0xf0000, 0x100000, BATON_MEM_RESERVED },
	{ 0x100000, 0x3ffe0000, BATON_MEM_RAM },
	{ 0x3ffe0000, 0x40000000, BATON_MEM_RESERVED },
	{ 0xfffc0000, SZ_4G, BATON_MEM_RESERVED },
	{ 0xfd00000000, 0x10000000000, BATON_MEM_RESERVED },
};

static void qemu_picture_ascii(void **state)
{
	struct plan p;
	char *text;

	(void)state;
	plan_build(&p, qemu_1g, sizeof(qemu_1g) / sizeof(qemu_1g[0]), 0x3ffe0000, BATON_CPU_GBPAGES);
	text = picture(&p, PLAN_VIEW_ASCII);
	expect_line(text, "range                            size kind     segments               "
		    "identity map (page tables)");
	expect_line(text, "0x000000000000-0x00000009fbff    639K RAM      |....................| "
		    "4Kx159 WB, 4Kx1 UC");
	expect_line(text, "0x00000009fc00-0x00000009ffff      1K reserved |####################| "
		    "4Kx1 UC");
	expect_line(text, "0x0000000a0000-0x0000000effff    320K hole     |                    | "
		    "4Kx80 UC");
	/* Five segments, each with a cell of its own however close they sit. */
	expect_line(text, "0x000000100000-0x00003ffdffff 1022.9M RAM      |K...............PTBI| "
		    "2Mx510 4Kx736 WB");
	expect_line(text, "   |- K kernel      0x000001000000-0x000002ffffff     32M 2Mx16 WB");
	expect_line(text, "   `- I initrd      0x00003ff96000-0x00003ffdffff    296K 4Kx74 WB");
	expect_line(text, "0x000040000000-0x0000fffbffff    3.0G hole     |                    | "
		    "1Gx3 UC");
	expect_line(text, "0x000100000000-0x00fcffffffff   1008G hole     |                    | "
		    "unmapped");
	expect_line(text, "0x00fd00000000-0x00ffffffffff     12G reserved |####################| "
		    "1Gx12 UC");
	expect_line(text, "segments: K kernel P purgatory T page_tables B boot_params I initrd");
	expect_walk_totals(&p, text);
	expect_line(text, "7 firmware ranges and 3 holes");
	expect_line(text, "identity map, read back: 7 table pages, leaves 1Gx15 2Mx510 4Kx1024 as "
		    "built; 1023.5M WB, 15.0G UC");
	/* report_plan()'s summary follows. */
	expect_line(text, "entry: 0x3ff84000 (purgatory), kernel entry 0x1000200");
	assert_null(strstr(text, "collapsed:"));
	expect_narrow(text);
	free(text);

	text = picture(&p, PLAN_VIEW_UTF8);
	expect_line(text, "0x00000009fc00-0x00000009ffff      1K reserved "
		    "\u2502\u2593\u2593\u2593\u2593\u2593\u2593\u2593\u2593\u2593\u2593\u2593\u2593"
		    "\u2593\u2593\u2593\u2593\u2593\u2593\u2593\u2593\u2502 4K\u00d71 UC");
	expect_line(text, "   \u2514\u2500 I initrd      0x00003ff96000-0x00003ffdffff    296K "
		    "4K\u00d774 WB");
	expect_narrow(text);
	free(text);
	plan_free(&p);
}

/* Tables that do not match the builder's counts are refused before anything is printed. */
static void tampered_tables_print_nothing(void **state)
{
	struct baton_error err = { 0 };
	struct capture c;
	struct plan p;
	char *text;

	(void)state;
	plan_build(&p, qemu_1g, sizeof(qemu_1g) / sizeof(qemu_1g[0]), 0x3ffe0000, 0);
	p.tables[p.img->roots.pml4 - baton_segments_find(&p.img->segs, BATON_SEG_PAGE_TABLES)->mem] = 0;   /* PML4[0] */
	capture_open(&c);
	assert_int_equal(plan_view_text(c.f, p.img, "k", PLAN_VIEW_ASCII, &err), -EPROTO);
	assert_int_equal(plan_json(c.f, p.img, "k", &err), -EPROTO);
	text = capture_close(&c);
	assert_string_equal(text, "");
	assert_non_null(strstr(err.msg, "mapwalk: the tables hold "));
	free(text);
	plan_free(&p);
}

/* Hundreds of small firmware ranges: runs of them become one line that says what it holds. */
static void long_maps_are_collapsed(void **state)
{
	struct baton_mem_range r[420];
	uint64_t at = SZ_1G;
	size_t n = 0, lines = 0;
	struct plan p;
	char *text;

	(void)state;
	r[n++] = (struct baton_mem_range){ 0x100000, SZ_1G, BATON_MEM_RAM };
	for (int i = 0; i < 400; i++) {
		static const enum baton_mem_kind kinds[] = {
			BATON_MEM_RESERVED, BATON_MEM_RAM, BATON_MEM_ACPI, BATON_MEM_NVS,
		};
		r[n++] = (struct baton_mem_range){ at, at + 3 * PG, kinds[i % 4] };
		at += 3 * PG + (i % 10 == 0 ? PG : 0);
	}
	r[n++] = (struct baton_mem_range){ SZ_4G, 6 * SZ_1G, BATON_MEM_RAM };
	plan_build(&p, r, n, SZ_1G, BATON_CPU_GBPAGES);
	text = picture(&p, PLAN_VIEW_ASCII);
	for (const char *l = text; *l && strncmp(l, "segments:", 9); l = strchr(l, '\n') + 1)
		lines++;
	if (lines > 45)
		fail_msg("%zu lines:\n%s", lines, text);
	/* 400 ranges and 40 holes after the first GiB, up to the hole below 4 GiB. */
	expect_line(text, "   `- 440 lines collapsed: 100 reserved, 100 RAM, 40 hole, 100 ACPI, "
		    "100 NVS");
	expect_line(text, "0x000100000000-0x00017fffffff      2G RAM      |....................| "
		    "1Gx2 WB");
	assert_non_null(strstr(text, "402 firmware ranges and 42 holes in "));
	expect_narrow(text);
	free(text);
	plan_free(&p);
}

static void json_has_the_whole_plan(void **state)
{
	struct baton_error err = { 0 };
	struct capture c;
	struct plan p;
	char *text;

	(void)state;
	plan_build(&p, qemu_1g, sizeof(qemu_1g) / sizeof(qemu_1g[0]), 0x3ffe0000, BATON_CPU_GBPAGES);
	free(p.img->cmdline);
	p.img->cmdline = strdup("a=\"b c\" d\\e\x01");
	capture_open(&c);
	assert_int_equal(plan_json(c.f, p.img, "/boot/vm\"linuz", &err), 0);
	text = capture_close(&c);
	assert_non_null(strstr(text, "\"kernel\": \"/boot/vm\\\"linuz\",\n"));
	assert_non_null(strstr(text, "\"cmdline\": \"a=\\\"b c\\\" d\\\\e\\u0001\",\n"));
	assert_non_null(strstr(text, "{\"start\": 654336, \"end\": 655360, \"kind\": \"reserved\"}"));
	assert_non_null(strstr(text, "{\"name\": \"kernel\", \"mem\": 16777216, \"memsz\": 33554432,"));
	assert_non_null(strstr(text, "\"table_pages\": 7, \"paging_levels\": 4, \"gbpages\": true"));
	assert_non_null(strstr(text, "\"leaves\": {\"4K\": {\"WB\": 895, \"UC\": 129}, \"2M\": "
			       "{\"WB\": 510, \"UC\": 0}, \"1G\": {\"WB\": 0, \"UC\": 15}}"));
	assert_non_null(strstr(text, "{\"start\": 1073741824, \"end\": 4294967296, \"page_size\": "
			       "1073741824, \"cache\": \"UC\"}"));
	assert_null(strstr(text, "crash_regions"));
	assert_string_equal(text + strlen(text) - 3, "\n}\n");
	free(text);
	plan_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_strings_are_escaped),
		cmocka_unit_test(sizes_read_like_ls_h),
		cmocka_unit_test(charset_follows_the_locale),
		cmocka_unit_test(qemu_picture_ascii),
		cmocka_unit_test(tampered_tables_print_nothing),
		cmocka_unit_test(long_maps_are_collapsed),
		cmocka_unit_test(json_has_the_whole_plan),
	};

	return cmocka_run_group_tests_name("plan_view", tests, NULL, NULL);
}
