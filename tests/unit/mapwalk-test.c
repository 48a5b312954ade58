/* SPDX-License-Identifier: MIT */
/* Tests for lib/mapwalk.c: tables built by baton_identmap_build read back into exact runs, and
 * corrupt tables refused with the entry named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "identmap.h"
#include "image.h"
#include "mapwalk.h"
#include "memmap.h"
#include "support/fixture.h"

#define PG      ((uint64_t)0x1000)
#define SZ_2M   ((uint64_t)1 << 21)
#define SZ_1G   ((uint64_t)1 << 30)
#define SZ_4G   ((uint64_t)1 << 32)
#define SZ_128T BATON_IDENTMAP_LIMIT_4LEVEL
#define LIMIT   BATON_IDENTMAP_LIMIT
#define GB      BATON_CPU_GBPAGES
#define WB      BATON_CACHE_WB
#define UC      BATON_CACHE_UC
#define P4K     BATON_PAGE_4K
#define P2M     BATON_PAGE_2M
#define P1G     BATON_PAGE_1G
#define TABLE   ((uint64_t)(BATON_PTE_P | BATON_PTE_RW | BATON_PTE_A))
#define N(a)    (sizeof(a) / sizeof((a)[0]))

/* ---- building tables into one buffer, loaded at PT_PHYS, pages in allocation order ----------- */

#define PT_PHYS ((uint64_t)0x7f000000)

struct tables {
	uint8_t *buf;
	size_t cap, used;
	struct baton_identmap_roots roots;
	struct baton_identmap_stats stats;
	unsigned features;
};

static void *alloc_page(void *ctx, uint64_t *phys)
{
	struct tables *t = ctx;

	if (t->used == t->cap)
		return NULL;
	*phys = PT_PHYS + t->used * PG;
	return t->buf + t->used++ * PG;
}

static void build_layout(struct tables *t, const struct baton_identmap_layout *l, unsigned features)
{
	struct baton_identmap_info info = { { alloc_page, t }, features };
	struct baton_error err = { 0 };

	memset(t, 0, sizeof(*t));
	t->cap = baton_identmap_pages_needed(l, features);
	assert_true(t->cap > 0);
	t->buf = calloc(t->cap, PG);
	assert_non_null(t->buf);
	t->features = features;
	if (baton_identmap_build(l, &info, &t->roots, &t->stats, &err))
		fail_msg("build: %s", err.msg);
	assert_int_equal(t->used, t->cap);
}

static void build_spans(struct tables *t, const struct baton_map_span *spans, size_t n,
			unsigned features)
{
	struct baton_identmap_layout l = { (struct baton_map_span *)spans, n, n };

	build_layout(t, &l, features);
}

static struct baton_pt_image pt_of(const struct tables *t)
{
	return (struct baton_pt_image){ t->buf, t->cap * PG, PT_PHYS, t->roots, t->features };
}

static uint64_t *entry(struct tables *t, uint64_t table_phys, unsigned i)
{
	return (uint64_t *)(void *)(t->buf + (table_phys - PT_PHYS) + 8 * i);
}

static void walk_ok(const struct tables *t, struct baton_map_runs *runs)
{
	struct baton_pt_image pt = pt_of(t);
	struct baton_error err = { 0 };

	if (baton_mapwalk(&pt, runs, &err))
		fail_msg("walk: %s", err.msg);
	/* Every page the builder took is reached once, every leaf it wrote is found. */
	assert_int_equal(runs->stats.table_pages, t->stats.table_pages);
	assert_memory_equal(runs->stats.leaves, t->stats.leaves, sizeof(t->stats.leaves));
}

static const char *cache_name(int c)
{
	return c == WB ? "WB" : c == UC ? "UC" : "?";
}

static void expect_runs(const struct baton_map_runs *got, const struct baton_map_run *want, size_t n)
{
	for (size_t i = 0; i < n || i < got->nr; i++) {
		const struct baton_map_run *g = i < got->nr ? &got->runs[i] : NULL;
		const struct baton_map_run *w = i < n ? &want[i] : NULL;
		if (g && w && g->start == w->start && g->end == w->end &&
		    g->page_size == w->page_size && g->cache == w->cache)
			continue;
		fail_msg("run %zu: want %s, got %s 0x%" PRIx64 "-0x%" PRIx64 " size %d %s", i,
			 w ? "that" : "nothing", g ? "" : "nothing", g ? g->start : 0, g ? g->end : 0,
			 g ? g->page_size : -1, g ? cache_name(g->cache) : "");
	}
}

/* Runs are sorted, disjoint, whole pages of their size, and neighbours that touch differ. */
static void check_run_shape(const struct baton_map_runs *r)
{
	for (size_t i = 0; i < r->nr; i++) {
		const struct baton_map_run *x = &r->runs[i];
		uint64_t pb = baton_page_bytes(x->page_size);
		assert_true(x->start < x->end);
		assert_int_equal(x->start % pb, 0);
		assert_int_equal(x->end % pb, 0);
		if (i) {
			const struct baton_map_run *p = &r->runs[i - 1];
			assert_true(p->end <= x->start);
			assert_false(p->end == x->start && p->page_size == x->page_size &&
				     p->cache == x->cache);
		}
	}
}

/* The runs, merged by cache type alone, are exactly the layout's spans: nothing more is mapped,
 * nothing less, and each byte with its own type. */
static void expect_covers_layout(const struct baton_map_runs *r, const struct baton_identmap_layout *l)
{
	size_t j = 0;
	size_t i = 0;

	while (i < r->nr) {
		uint64_t start = r->runs[i].start, end = r->runs[i].end;
		int cache = r->runs[i].cache;
		for (i++; i < r->nr && r->runs[i].start == end && (int)r->runs[i].cache == cache; i++)
			end = r->runs[i].end;
		/* Touching layout spans of one type count as one. */
		assert_true(j < l->nr);
		uint64_t ls = l->spans[j].start, le = l->spans[j].end;
		for (j++; j < l->nr && l->spans[j].start == le && l->spans[j].cache == (unsigned)cache; j++)
			le = l->spans[j].end;
		if (start != ls || end != le || (int)l->spans[j - 1].cache != cache)
			fail_msg("runs 0x%" PRIx64 "-0x%" PRIx64 " %s, layout 0x%" PRIx64 "-0x%" PRIx64,
				 start, end, cache_name(cache), ls, le);
	}
	assert_int_equal(j, l->nr);
}

static void layout_of_fixture(const char *name, struct baton_identmap_layout *l)
{
	struct baton_error err = { 0 };
	struct baton_memmap map;

	fx_memmap_load(name, &map);
	if (baton_identmap_layout(&map, NULL, 0, l, &err))
		fail_msg("%s: %s", name, err.msg);
	baton_memmap_free(&map);
}

/* ---- tests: exact runs ------------------------------------------------------------------------ */

/* QEMU -m 1024: RAM 0-0x9fbff and 1 MiB-0x3ffdffff, the rest below 4 GiB UC, the reserved
 * 1012-1023 GiB UC, nothing else. The partly reserved page 0x9f000 is UC. */
static void qemu_1g(void **state)
{
	static const struct baton_map_run with_gb[] = {
		{ 0, 0x9f000, P4K, WB },
		{ 0x9f000, 0x100000, P4K, UC },
		{ 0x100000, 0x200000, P4K, WB },
		{ 0x200000, 0x3fe00000, P2M, WB },
		{ 0x3fe00000, 0x3ffe0000, P4K, WB },
		{ 0x3ffe0000, 0x40000000, P4K, UC },
		{ 0x40000000, SZ_4G, P1G, UC },
		{ 0xfd00000000, 0x10000000000, P1G, UC },
	};
	struct baton_map_run without_gb[N(with_gb)];
	struct baton_identmap_layout l;
	struct baton_map_runs runs;
	struct tables t;

	(void)state;
	layout_of_fixture("qemu-1g.memmap", &l);
	build_layout(&t, &l, GB);
	walk_ok(&t, &runs);
	expect_runs(&runs, with_gb, N(with_gb));
	assert_int_equal(runs.stats.leaves[P4K][0], 0x9f + 0x100 + 0x1e0);
	assert_int_equal(runs.stats.leaves[P1G][1], 3 + 12);
	assert_int_equal(runs.stats.table_pages, 7);
	baton_map_runs_free(&runs);
	free(t.buf);

	/* Without 1 GiB pages the same stretches, in 2 MiB pages. */
	memcpy(without_gb, with_gb, sizeof(with_gb));
	without_gb[6].page_size = without_gb[7].page_size = P2M;
	build_layout(&t, &l, 0);
	walk_ok(&t, &runs);
	expect_runs(&runs, without_gb, N(without_gb));
	assert_int_equal(runs.stats.table_pages, 22);
	baton_map_runs_free(&runs);
	free(t.buf);
	baton_identmap_layout_free(&l);
}

/* Runs merge across table boundaries (two PTs, two PML4 entries), never across page sizes. */
static void runs_merge_across_tables_not_sizes(void **state)
{
	static const struct baton_map_span spans[] = {
		{ 0x1ff000, 0x201000, WB },         /* two 4K pages in two PTs */
		{ 0x201000, 0x202000, UC },
		{ 0x400000, 0x600000, WB },         /* one 2M leaf, then a 4K page */
		{ 0x600000, 0x601000, WB },
		{ SZ_128T - SZ_2M, SZ_128T + SZ_2M, WB },   /* PML4 entries 255 and 256 */
		{ LIMIT - PG, LIMIT, UC },
	};
	static const struct baton_map_run want[] = {
		{ 0x1ff000, 0x201000, P4K, WB },
		{ 0x201000, 0x202000, P4K, UC },
		{ 0x400000, 0x600000, P2M, WB },
		{ 0x600000, 0x601000, P4K, WB },
		{ SZ_128T - SZ_2M, SZ_128T + SZ_2M, P2M, WB },
		{ LIMIT - PG, LIMIT, P4K, UC },
	};
	struct baton_map_runs runs;
	struct tables t;

	(void)state;
	for (unsigned f = 0; f <= GB; f += GB) {
		build_spans(&t, spans, N(spans), f);
		walk_ok(&t, &runs);
		expect_runs(&runs, want, N(want));
		check_run_shape(&runs);
		baton_map_runs_free(&runs);
		free(t.buf);
	}
}

static void whole_gigabytes(void **state)
{
	static const struct baton_map_span spans[] = { { 0, SZ_4G, WB }, { SZ_4G, 6 * SZ_1G, UC } };
	static const struct baton_map_run gb[] = { { 0, SZ_4G, P1G, WB }, { SZ_4G, 6 * SZ_1G, P1G, UC } };
	static const struct baton_map_run no_gb[] = { { 0, SZ_4G, P2M, WB }, { SZ_4G, 6 * SZ_1G, P2M, UC } };
	struct baton_map_runs runs;
	struct tables t;

	(void)state;
	build_spans(&t, spans, N(spans), GB);
	walk_ok(&t, &runs);
	expect_runs(&runs, gb, N(gb));
	assert_int_equal(runs.stats.leaves[P1G][0], 4);
	baton_map_runs_free(&runs);
	free(t.buf);
	build_spans(&t, spans, N(spans), 0);
	walk_ok(&t, &runs);
	expect_runs(&runs, no_gb, N(no_gb));
	assert_int_equal(runs.stats.leaves[P2M][0], 2048);
	baton_map_runs_free(&runs);
	free(t.buf);
}

/* Without a PML5 root the walk starts at the PML4: the same runs, one table page fewer. */
static void four_level_root(void **state)
{
	static const struct baton_map_span spans[] = { { 0x100000, 0x40000000, WB } };
	struct baton_map_runs five, four;
	struct baton_pt_image pt;
	struct tables t;

	(void)state;
	build_spans(&t, spans, N(spans), GB);
	walk_ok(&t, &five);
	pt = pt_of(&t);
	pt.roots.pml5 = 0;
	assert_int_equal(baton_mapwalk(&pt, &four, NULL), 0);
	assert_int_equal(four.stats.table_pages + 1, five.stats.table_pages);
	assert_int_equal(four.nr, five.nr);
	assert_memory_equal(four.runs, five.runs, five.nr * sizeof(*five.runs));
	baton_map_runs_free(&five);
	baton_map_runs_free(&four);
	free(t.buf);
}

/* Real maps, with and without 1 GiB pages: the runs are exactly the layout. */
static void fixtures_cover_their_layout(void **state)
{
	static const char *names[] = {
		"qemu-1g.memmap", "qemu-6g.memmap", "crash-6g.memmap", "identmap/server-2s-1.5t.memmap",
	};
	struct baton_identmap_layout l;
	struct baton_map_runs runs;
	struct tables t;

	(void)state;
	for (size_t i = 0; i < N(names); i++) {
		layout_of_fixture(names[i], &l);
		for (unsigned f = 0; f <= GB; f += GB) {
			build_layout(&t, &l, f);
			walk_ok(&t, &runs);
			check_run_shape(&runs);
			expect_covers_layout(&runs, &l);
			baton_map_runs_free(&runs);
			free(t.buf);
		}
		baton_identmap_layout_free(&l);
	}
}

/* ---- tests: refusals ------------------------------------------------------------------------- */

static void expect_refusal(const struct tables *t, const struct baton_pt_image *pt, const char *needle)
{
	struct baton_pt_image p = pt ? *pt : pt_of(t);
	struct baton_error err = { 0 };
	struct baton_map_runs runs;

	assert_int_equal(baton_mapwalk(&p, &runs, &err), -EINVAL);
	assert_int_equal(err.code, EINVAL);
	if (!strstr(err.msg, needle) || strncmp(err.msg, "mapwalk: ", 9))
		fail_msg("message '%s' lacks '%s'", err.msg, needle);
	assert_int_equal(runs.nr, 0);
	assert_null(runs.runs);
}

/* [0, 4 GiB) WB with 1 GiB pages: PML5 (page 0) -> PML4 (page 1) -> PDPT (page 2), four leaves;
 * without: PDs in pages 3-6. Each corruption is made, checked and undone. */
static void corrupt_tables_are_refused(void **state)
{
	static const struct baton_map_span spans[] = { { 0, SZ_4G, WB } };
	const uint64_t pml5 = PT_PHYS, pml4 = PT_PHYS + PG, pdpt = PT_PHYS + 2 * PG;
	struct baton_pt_image pt;
	struct tables t;
	uint64_t *e, keep;

	(void)state;
	build_spans(&t, spans, N(spans), GB);
	assert_int_equal(t.roots.pml5, pml5);
	assert_int_equal(t.roots.pml4, pml4);

	e = entry(&t, pdpt, 1);
	keep = *e;
	*e = (keep & ~BATON_PTE_ADDR) | (2 * SZ_1G);
	expect_refusal(&t, NULL, "PDPT leaf for 0x40000000 maps 0x80000000, not itself");
	*e = keep | BATON_PTE_PCD;
	expect_refusal(&t, NULL, "PDPT leaf for 0x40000000 is 0x");
	expect_refusal(&t, NULL, "neither WB nor UC");
	*e = keep | (1ULL << 12);   /* PAT */
	expect_refusal(&t, NULL, "neither WB nor UC");
	*e = keep;

	pt = pt_of(&t);
	pt.features = 0;
	expect_refusal(&t, &pt, "1 GiB leaf at 0x0, but the CPU has no 1 GiB pages");

	e = entry(&t, pml4, 0);
	keep = *e;
	*e = keep | BATON_PTE_PS;
	expect_refusal(&t, NULL, "PML4 entry for 0x0 has PS set");
	*e = 0x1000 | TABLE;
	expect_refusal(&t, NULL, "PDPT at 0x1000 is not a page of the table segment 0x7f000000-0x7f002fff");
	*e = keep;

	e = entry(&t, pml5, 0);
	keep = *e;
	*e = pdpt | TABLE;
	expect_refusal(&t, NULL, "PML5 entry 0 is 0x7f002023, not the PML4 at 0x7f001000");
	*e = keep;

	pt = pt_of(&t);
	pt.roots.pml5 = 0;
	pt.roots.pml4 = PT_PHYS + 3 * PG;
	expect_refusal(&t, &pt, "PML4 at 0x7f003000 is not a page");
	pt.roots.pml4 = pml4 + 8;
	expect_refusal(&t, &pt, "is not a page");
	free(t.buf);

	/* Two PDPT entries sharing one PD would map 1 GiB twice over. */
	build_spans(&t, spans, N(spans), 0);
	e = entry(&t, pdpt, 1);
	*e = *entry(&t, pdpt, 0);
	expect_refusal(&t, NULL, "table page 0x7f003000 is reached twice (again as a PD)");
	pt = pt_of(&t);
	pt.size = 0;
	expect_refusal(&t, &pt, "no table segment");
	free(t.buf);
}

/* A prepared image's tables are checked against the builder's own counts. */
static void image_counts_must_agree(void **state)
{
	static const struct baton_map_span spans[] = { { 0x100000, 0x3ffe0000, WB }, { 0x3ffe0000, SZ_4G, UC } };
	struct baton_image *img = calloc(1, sizeof(*img));
	struct baton_error err = { 0 };
	struct baton_map_runs runs;
	struct tables t;

	(void)state;
	assert_non_null(img);
	build_spans(&t, spans, N(spans), GB);
	img->segs.seg[0] = (struct baton_segment){
		.name = "page_tables", .role = BATON_SEG_PAGE_TABLES, .buf = t.buf,
		.bufsz = t.cap * PG, .mem = PT_PHYS, .memsz = t.cap * PG,
	};
	img->segs.nr = 1;
	img->roots = t.roots;
	img->in.features = GB;
	img->map_stats = t.stats;
	assert_int_equal(baton_mapwalk_image(img, &runs, &err), 0);
	assert_int_equal(runs.nr, 5);
	baton_map_runs_free(&runs);

	img->map_stats.leaves[P2M][0]++;
	assert_int_equal(baton_mapwalk_image(img, &runs, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "the builder counted"));
	assert_null(runs.runs);
	free(t.buf);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(qemu_1g),
		cmocka_unit_test(runs_merge_across_tables_not_sizes),
		cmocka_unit_test(whole_gigabytes),
		cmocka_unit_test(four_level_root),
		cmocka_unit_test(fixtures_cover_their_layout),
		cmocka_unit_test(corrupt_tables_are_refused),
		cmocka_unit_test(image_counts_must_agree),
	};

	return cmocka_run_group_tests_name("mapwalk", tests, NULL, NULL);
}
