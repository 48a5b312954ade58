/* SPDX-License-Identifier: MIT */
/* Tests for lib/identmap.c: classification, the exact table bytes, minimal page counts, on real,
 * hand-made and random memory maps. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "identmap.h"
#include "memmap.h"
#include "support/fixture.h"

#define PG      ((uint64_t)0x1000)
#define SZ_2M   ((uint64_t)1 << 21)
#define SZ_1G   ((uint64_t)1 << 30)
#define SZ_512G ((uint64_t)1 << 39)
#define SZ_4G   ((uint64_t)1 << 32)
#define LIMIT   BATON_IDENTMAP_LIMIT
#define GB      BATON_CPU_GBPAGES
#define WB      BATON_CACHE_WB
#define UC      BATON_CACHE_UC
#define MIXED   3
#define TABLE   ((uint64_t)(BATON_PTE_P | BATON_PTE_RW | BATON_PTE_A))

static uint64_t seed = 0x6261746f6e2d6964ULL;   /* "baton-id"; BATON_TEST_SEED overrides */

/* ---- small helpers --------------------------------------------------------------------------- */

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static uint64_t rnd_below(uint64_t *s, uint64_t n)
{
	return n ? rnd(s) % n : 0;
}

static uint64_t down(uint64_t x, uint64_t a)
{
	return x / a * a;
}

static uint64_t up(uint64_t x, uint64_t a)
{
	return (x + a - 1) / a * a;
}

/* The test's own statement of which kinds may be cached write-back. */
static int ram_like(enum baton_mem_kind k)
{
	return k == BATON_MEM_RAM || k == BATON_MEM_ACPI || k == BATON_MEM_NVS || k == BATON_MEM_PMEM;
}

/* ---- the oracle: page classes straight from the ranges, one page at a time -------------------- */

struct piece {
	uint64_t start, end;
	int cls;   /* 0 unmapped, WB, UC */
};

struct oracle {
	struct piece *p;   /* covers [0, LIMIT), neighbours differ */
	size_t n;
};

/* The class of page p by the rule itself: UC if it touches a non-RAM-like range; WB if RAM-like
 * ranges cover all of it; otherwise UC below 4 GiB or when it touches any range, else unmapped. */
static int oracle_page(const struct baton_mem_range *r, size_t n, uint64_t p)
{
	uint64_t pos = p, end = p + PG;
	int touched = 0, moved;

	for (size_t i = 0; i < n; i++) {
		if (r[i].end <= p || r[i].start >= end)
			continue;
		touched = 1;
		if (!ram_like(r[i].kind))
			return UC;
	}
	do {
		moved = 0;
		for (size_t i = 0; i < n && pos < end; i++)
			if (ram_like(r[i].kind) && r[i].start <= pos && r[i].end > pos) {
				pos = r[i].end;
				moved = 1;
			}
	} while (moved && pos < end);
	if (pos >= end)
		return WB;
	return p < SZ_4G || touched ? UC : 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static void oracle_add(struct oracle *o, uint64_t start, uint64_t end, int cls)
{
	if (o->n && o->p[o->n - 1].cls == cls && o->p[o->n - 1].end == start)
		o->p[o->n - 1].end = end;
	else
		o->p[o->n++] = (struct piece){ start, end, cls };
}

/* Every range edge, rounded both ways to pages, cuts the space into pieces in which no page holds
 * an edge except at its start; every page of a piece then lies in the same ranges, so one page
 * classifies the whole piece. */
static void oracle_from_ranges(struct oracle *o, const struct baton_mem_range *r, size_t n)
{
	uint64_t *cut = malloc((4 * n + 3) * sizeof(*cut));
	size_t nc = 0, k;

	assert_non_null(cut);
	cut[nc++] = 0;
	cut[nc++] = SZ_4G;
	cut[nc++] = LIMIT;
	for (size_t i = 0; i < n; i++) {
		cut[nc++] = down(r[i].start, PG);
		cut[nc++] = up(r[i].start, PG);
		cut[nc++] = down(r[i].end, PG);
		cut[nc++] = up(r[i].end, PG);
	}
	qsort(cut, nc, sizeof(*cut), cmp_u64);
	o->p = malloc(nc * sizeof(*o->p));
	assert_non_null(o->p);
	o->n = 0;
	for (k = 0; k + 1 < nc; k++)
		if (cut[k] != cut[k + 1])
			oracle_add(o, cut[k], cut[k + 1], oracle_page(r, n, cut[k]));
	free(cut);
}

/* The same pieces from a layout given directly (spans may touch with one type, unmerged). */
static void oracle_from_spans(struct oracle *o, const struct baton_map_span *s, size_t n)
{
	uint64_t at = 0;

	o->p = malloc((2 * n + 1) * sizeof(*o->p));
	assert_non_null(o->p);
	o->n = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i].start > at)
			oracle_add(o, at, s[i].start, 0);
		oracle_add(o, s[i].start, s[i].end, s[i].cache);
		at = s[i].end;
	}
	if (at < LIMIT)
		oracle_add(o, at, LIMIT, 0);
}

static void oracle_free(struct oracle *o)
{
	free(o->p);
	o->p = NULL;
	o->n = 0;
}

/* 0 (nothing mapped), WB, UC or MIXED for [b, b + size). Pieces are merged, so a block is uniform
 * exactly when one piece holds all of it. */
static int oracle_block(const struct oracle *o, uint64_t b, uint64_t size)
{
	size_t lo = 0, hi = o->n;

	while (lo + 1 < hi) {
		size_t mid = (lo + hi) / 2;
		if (o->p[mid].start <= b)
			lo = mid;
		else
			hi = mid;
	}
	return o->p[lo].end >= b + size ? o->p[lo].cls : MIXED;
}

static uint64_t oracle_nonempty_blocks(const struct oracle *o, uint64_t size)
{
	uint64_t count = 0, next = 0;   /* blocks below `next` are counted */

	for (size_t i = 0; i < o->n; i++) {
		uint64_t first, last;
		if (!o->p[i].cls)
			continue;
		first = o->p[i].start / size;
		last = (o->p[i].end - 1) / size;
		if (first < next)
			first = next;
		if (last >= first)
			count += last - first + 1;
		next = last + 1 > next ? last + 1 : next;
	}
	return count;
}

/* A mixed block holds a piece edge strictly inside it; try each such block. */
static uint64_t oracle_mixed_blocks(const struct oracle *o, uint64_t size)
{
	uint64_t count = 0, last = UINT64_MAX;

	for (size_t i = 1; i < o->n; i++) {
		uint64_t b = o->p[i].start / size;
		if (o->p[i].start % size == 0 || b == last)
			continue;
		last = b;
		count += oracle_block(o, b * size, size) == MIXED;
	}
	return count;
}

/* The lower bound, counted block by block (see the argument in lib/identmap.c). */
static uint64_t oracle_pages(const struct oracle *o, unsigned features)
{
	return 2 + oracle_nonempty_blocks(o, SZ_512G) +
	       (features & GB ? oracle_mixed_blocks(o, SZ_1G) : oracle_nonempty_blocks(o, SZ_1G)) +
	       oracle_mixed_blocks(o, SZ_2M);
}

/* ---- a fake allocator and a walker that reads the bytes it handed out ------------------------ */

struct fake_alloc {
	uint8_t *mem;
	size_t cap, used;
	uint64_t phys_base;   /* page i is loaded at phys_base + (cap - 1 - i) * 4 KiB: descending */
	uint64_t phys_skew;   /* added to every address handed out (to test a misaligned one) */
};

static void *fake_alloc_page(void *ctx, uint64_t *phys)
{
	struct fake_alloc *fa = ctx;
	size_t i;

	if (fa->used == fa->cap)
		return NULL;
	i = fa->used++;
	*phys = fa->phys_base + (fa->cap - 1 - i) * PG + fa->phys_skew;
	return fa->mem + i * PG;
}

static void fake_init(struct fake_alloc *fa, size_t cap, uint64_t phys_base)
{
	memset(fa, 0, sizeof(*fa));
	fa->mem = calloc(cap ? cap : 1, PG);
	assert_non_null(fa->mem);
	fa->cap = cap;
	fa->phys_base = phys_base;
}

static void fake_free(struct fake_alloc *fa)
{
	free(fa->mem);
	fa->mem = NULL;
}

struct walker {
	const struct fake_alloc *fa;
	unsigned features;
	const struct oracle *o;
	uint64_t pml4;   /* the 4-level root, which PML5 entry 0 must point at */
	unsigned char *seen;
	size_t tables;
	uint64_t leaves[BATON_PAGE_SIZES][2];
	struct piece *runs;   /* the leaves, merged where they touch with one type */
	size_t nruns, capruns;
};

static const char *level_name[] = { "", "PT", "PD", "PDPT", "PML4", "PML5" };

static uint64_t *walk_table_at(struct walker *wk, uint64_t phys)
{
	const struct fake_alloc *fa = wk->fa;
	size_t i;

	if ((phys & (PG - 1)) || phys < fa->phys_base || phys >= fa->phys_base + fa->cap * PG)
		fail_msg("entry points at 0x%" PRIx64 ", not an allocated table page", phys);
	i = fa->cap - 1 - (size_t)((phys - fa->phys_base) / PG);
	if (i >= fa->used)
		fail_msg("entry points at 0x%" PRIx64 ", a page never handed out", phys);
	if (wk->seen[i])
		fail_msg("table page 0x%" PRIx64 " is reached twice", phys);
	wk->seen[i] = 1;
	wk->tables++;
	return (uint64_t *)(void *)(fa->mem + i * PG);
}

static void walk_leaf(struct walker *wk, uint64_t va, int level, uint64_t e)
{
	int shift = 12 + 9 * (level - 1), uc = (e & BATON_PTE_PCD) != 0;
	uint64_t size = 1ULL << shift;
	uint64_t want = va | TABLE | BATON_PTE_D | (level > 1 ? BATON_PTE_PS : 0) |
			(uc ? BATON_PTE_PCD | BATON_PTE_PWT : 0);
	struct piece *last = wk->nruns ? &wk->runs[wk->nruns - 1] : NULL;

	if (level > 3 || (level == 3 && !(wk->features & GB)))
		fail_msg("%s leaf at 0x%" PRIx64, level_name[level], va);
	if (e != want)
		fail_msg("%s leaf for 0x%" PRIx64 " is 0x%" PRIx64 ", want 0x%" PRIx64,
			 level_name[level], va, e, want);
	wk->leaves[level - 1][uc]++;
	if (last && last->end == va && last->cls == (uc ? UC : WB)) {
		last->end = va + size;
		return;
	}
	if (wk->nruns == wk->capruns) {
		wk->capruns = wk->capruns ? 2 * wk->capruns : 256;
		wk->runs = realloc(wk->runs, wk->capruns * sizeof(*wk->runs));
		assert_non_null(wk->runs);
	}
	wk->runs[wk->nruns++] = (struct piece){ va, va + size, uc ? UC : WB };
}

static void walk_table(struct walker *wk, uint64_t phys, int level, uint64_t base)
{
	const uint64_t *t = walk_table_at(wk, phys);
	int shift = 12 + 9 * (level - 1);

	/* A table below the roots serves one block; it must be one that cannot be a leaf. */
	if (level <= 3 && wk->o) {
		int type = oracle_block(wk->o, base, 1ULL << (shift + 9));
		int need = type == MIXED || (level == 2 && type && !(wk->features & GB)) ||
			   (level == 3 && type);
		if (!need)
			fail_msg("%s for 0x%" PRIx64 " where the block is %s", level_name[level], base,
				 type == WB ? "all WB" : type == UC ? "all UC" : "empty");
	}
	for (unsigned i = 0; i < 512; i++) {
		uint64_t e = t[i], va = base + ((uint64_t)i << shift);
		if (!e)
			continue;
		if (level == 5 && (i || e != (wk->pml4 | TABLE)))
			fail_msg("PML5 entry %u is 0x%" PRIx64 ", want only entry 0 = 0x%" PRIx64, i, e,
				 wk->pml4 | TABLE);
		if (level == 1 || (e & BATON_PTE_PS)) {
			walk_leaf(wk, va, level, e);
			continue;
		}
		if (e != ((e & BATON_PTE_ADDR) | TABLE))
			fail_msg("%s entry for 0x%" PRIx64 " is 0x%" PRIx64, level_name[level], va, e);
		walk_table(wk, e & BATON_PTE_ADDR, level - 1, va);
	}
}

/* Walk from the PML5 root (whose entry 0 must be the PML4 root) and check every page is reached. */
static void walk_all(struct walker *wk, const struct fake_alloc *fa, const struct baton_identmap_roots *roots,
		     unsigned features, const struct oracle *o)
{
	memset(wk, 0, sizeof(*wk));
	wk->fa = fa;
	wk->features = features;
	wk->o = o;
	wk->pml4 = roots->pml4;
	wk->seen = calloc(fa->cap ? fa->cap : 1, 1);
	assert_non_null(wk->seen);
	walk_table(wk, roots->pml5, 5, 0);
	assert_int_equal(wk->tables, fa->used);
}

static void walker_free(struct walker *wk)
{
	free(wk->seen);
	free(wk->runs);
}

static void expect_runs(const struct piece *got, size_t ngot, const struct oracle *o, const char *what)
{
	size_t j = 0;

	for (size_t i = 0; i < o->n; i++) {
		const struct piece *p = &o->p[i];
		if (!p->cls)
			continue;
		if (j == ngot || got[j].start != p->start || got[j].end != p->end || got[j].cls != p->cls)
			fail_msg("%s: want %s 0x%" PRIx64 "-0x%" PRIx64 ", got %s 0x%" PRIx64 "-0x%" PRIx64,
				 what, p->cls == WB ? "WB" : "UC", p->start, p->end,
				 j == ngot ? "nothing" : got[j].cls == WB ? "WB" : "UC",
				 j == ngot ? 0 : got[j].start, j == ngot ? 0 : got[j].end);
		j++;
	}
	if (j != ngot)
		fail_msg("%s: extra %s 0x%" PRIx64 "-0x%" PRIx64, what, got[j].cls == WB ? "WB" : "UC",
			 got[j].start, got[j].end);
}

/* ---- the whole check for one layout ----------------------------------------------------------- */

struct counts {
	size_t pages;
	struct baton_identmap_stats stats;
};

/* Build `layout` with exactly pages_needed() pages, walk the bytes, compare with the oracle. */
static void check_build(const struct baton_identmap_layout *layout, const struct oracle *o,
			unsigned features, uint64_t *rng, struct counts *out)
{
	size_t needed = baton_identmap_pages_needed(layout, features);
	uint64_t phys_base = (rnd_below(rng, 1ULL << 30) + 1) * PG;
	struct baton_identmap_stats stats;
	struct baton_identmap_roots roots;
	struct baton_error err = { 0 };
	struct fake_alloc fa;
	struct walker wk;
	struct baton_identmap_info info;

	assert_int_equal(needed, oracle_pages(o, features));
	fake_init(&fa, needed, phys_base);
	info = (struct baton_identmap_info){ { fake_alloc_page, &fa }, features };
	if (baton_identmap_build(layout, &info, &roots, &stats, &err))
		fail_msg("build: %s", err.msg);
	assert_int_equal(fa.used, needed);
	assert_int_equal(stats.table_pages, needed);

	walk_all(&wk, &fa, &roots, features, o);
	expect_runs(wk.runs, wk.nruns, o, "tables");
	assert_memory_equal(wk.leaves, stats.leaves, sizeof(stats.leaves));
	walker_free(&wk);
	fake_free(&fa);
	if (out) {
		out->pages = needed;
		out->stats = stats;
	}
}

static void check_layout_against(const struct baton_identmap_layout *l, const struct oracle *o)
{
	struct piece *got = malloc((l->nr + 1) * sizeof(*got));

	assert_non_null(got);
	for (size_t i = 0; i < l->nr; i++)
		got[i] = (struct piece){ l->spans[i].start, l->spans[i].end, (int)l->spans[i].cache };
	expect_runs(got, l->nr, o, "layout");
	free(got);
}

/* Layout, oracle and both builds (without and with 1 GiB pages) for one memory map. A build of more
 * than max_pages table pages is skipped (its count in res is then 0): without gbpages, terabytes of
 * RAM take a PD per GiB, and walking 1 GiB of tables per random map would take minutes. */
static void check_ranges_max(const struct baton_mem_range *r, size_t n, uint64_t *rng,
			     struct counts res[2], struct oracle *keep, uint64_t max_pages)
{
	struct baton_memmap map = { (struct baton_mem_range *)r, n, n };
	struct baton_identmap_layout layout;
	struct baton_error err = { 0 };
	struct oracle o;

	if (baton_identmap_layout(&map, NULL, 0, &layout, &err))
		fail_msg("layout: %s", err.msg);
	oracle_from_ranges(&o, r, n);
	check_layout_against(&layout, &o);
	for (int gb = 0; gb < 2; gb++) {
		unsigned features = (gb ? GB : 0) | (rnd(rng) & 1 ? BATON_CPU_LA57 : 0);
		if (oracle_pages(&o, features) > max_pages) {
			if (res)
				memset(&res[gb], 0, sizeof(res[gb]));
			continue;
		}
		check_build(&layout, &o, features, rng, res ? &res[gb] : NULL);
	}
	if (keep)
		*keep = o;
	else
		oracle_free(&o);
	baton_identmap_layout_free(&layout);
}

static void check_ranges(const struct baton_mem_range *r, size_t n, uint64_t *rng, struct counts res[2],
			 struct oracle *keep)
{
	check_ranges_max(r, n, rng, res, keep, UINT64_MAX);
}

/* ---- fixtures ----------------------------------------------------------------------------------- */

static void check_fixture(const char *name, uint64_t *rng, struct counts res[2])
{
	struct baton_memmap map;

	fx_memmap_load(name, &map);
	check_ranges(map.ranges, map.nr, rng, res, NULL);
	printf("identmap-test: %s: %zu table pages, %zu with 1 GiB pages\n", name, res[0].pages,
	       res[1].pages);
	baton_memmap_free(&map);
}

/* ---- tests: real maps ----------------------------------------------------------------------- */

static void test_qemu_1g(void **state)
{
	struct counts res[2];
	uint64_t rng = seed;

	(void)state;
	check_fixture("qemu-1g.memmap", &rng, res);
	/* Captured from QEMU (-m 1024). Below 4 GiB everything is mapped: RAM 0-0x9efff and
	 * 0x100000-0x3ffdffff WB, the rest UC (page 0x9f000 holds the reserved 0x9fc00, and
	 * 0xa0000-0xeffff is unlisted); above, the reserved 0xfd00000000-0xffffffffff is UC.
	 * 2 MiB blocks mixed: [0, 2M) and [0x3fe00000, 0x40000000) -> 2 PTs.
	 * 1 GiB blocks mapped: 0-3 and the twelve of 1012-1023 GiB; of these only [0, 1G) is mixed
	 * (1-3 GiB and 1012-1023 GiB are all UC). 512 GiB blocks mapped: 0 and 1 -> 2 PDPTs.
	 * Without gbpages: 2 roots + 2 PDPTs + 16 PDs + 2 PTs = 22.
	 * With gbpages:    2 roots + 2 PDPTs +  1 PD  + 2 PTs = 7. */
	assert_int_equal(res[0].pages, 22);
	assert_int_equal(res[1].pages, 7);
	/* [0, 2M): 0x9f WB pages, 0x61 UC, 0x100 WB; [0x3fe00000, 0x40000000): 0x1e0 WB, 0x20 UC. */
	assert_int_equal(res[0].stats.leaves[BATON_PAGE_4K][0], 0x9f + 0x100 + 0x1e0);
	assert_int_equal(res[0].stats.leaves[BATON_PAGE_4K][1], 0x61 + 0x20);
	assert_int_equal(res[1].stats.leaves[BATON_PAGE_1G][1], 3 + 12);
	assert_int_equal(res[1].stats.leaves[BATON_PAGE_1G][0], 0);
}

static void test_qemu_6g(void **state)
{
	struct counts res[2];
	uint64_t rng = seed;

	(void)state;
	check_fixture("qemu-6g.memmap", &rng, res);
	/* Low RAM to 0xbffdffff, RAM 4-7 GiB, the reserved 1012-1023 GiB. Mixed 2 MiB blocks: [0, 2M)
	 * and [0xbfe00000, 0xc0000000) -> 2 PTs. 1 GiB blocks mapped: 0-6 and 1012-1023 (19); mixed:
	 * [0, 1G) and [2G, 3G). Without gbpages 2 + 2 + 19 + 2 = 25; with 2 + 2 + 2 + 2 = 8. */
	assert_int_equal(res[0].pages, 25);
	assert_int_equal(res[1].pages, 8);
	/* With gbpages: WB 1 GiB leaves for 1 GiB and 4-6 GiB, UC ones for 3 GiB and 1012-1023 GiB. */
	assert_int_equal(res[1].stats.leaves[BATON_PAGE_1G][0], 4);
	assert_int_equal(res[1].stats.leaves[BATON_PAGE_1G][1], 13);
}

static void test_server_map(void **state)
{
	struct counts res[2];
	uint64_t rng = seed;

	(void)state;
	check_fixture("identmap/server-2s-1.5t.memmap", &rng, res);
	/* Checked against the oracle in check_ranges; the counts are printed. 1 GiB pages must help
	 * a lot on a 1.5 TiB machine. */
	assert_true(res[1].pages * 10 < res[0].pages);
}

/* /proc/iomem of the same QEMU guests, through the memmap parser: a different (finer) view. */
static void test_qemu_iomem(void **state)
{
	static const char *names[] = { "qemu-1g.iomem", "qemu-6g.iomem" };
	uint64_t rng = seed;

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		char path[512];
		struct baton_error err = { 0 };
		struct baton_memmap map = { 0 };
		struct counts res[2];
		char *text;
		long len;
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", FIXTURES, names[i]);
		f = fopen(path, "r");
		if (!f)
			fail_msg("cannot open %s", path);
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		text = malloc((size_t)len + 1);
		assert_non_null(text);
		assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
		fclose(f);
		if (baton_memmap_parse_iomem(&map, text, (size_t)len, names[i], &err) ||
		    baton_memmap_sort(&map, &err))
			fail_msg("%s: %s", names[i], err.msg);
		check_ranges(map.ranges, map.nr, &rng, res, NULL);
		printf("identmap-test: %s: %zu table pages, %zu with 1 GiB pages\n", names[i],
		       res[0].pages, res[1].pages);
		baton_memmap_free(&map);
		free(text);
	}
}

/* ---- tests: edge cases ------------------------------------------------------------------------ */

static int layout_of(const struct baton_mem_range *r, size_t n, const struct baton_phys_range *seg,
		     size_t nseg, struct baton_identmap_layout *l, struct baton_error *err)
{
	struct baton_memmap map = { (struct baton_mem_range *)r, n, n };

	return baton_identmap_layout(&map, seg, nseg, l, err);
}

static void expect_spans(const struct baton_identmap_layout *l, const struct baton_map_span *want, size_t n)
{
	assert_int_equal(l->nr, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(l->spans[i].start, want[i].start);
		assert_int_equal(l->spans[i].end, want[i].end);
		assert_int_equal(l->spans[i].cache, want[i].cache);
	}
}

static void test_empty_map(void **state)
{
	static const struct baton_map_span want[] = { { 0, SZ_4G, UC } };
	struct baton_identmap_layout l;
	struct counts res[2];
	uint64_t rng = seed;

	(void)state;
	assert_int_equal(baton_identmap_layout(NULL, NULL, 0, &l, NULL), 0);
	expect_spans(&l, want, 1);
	baton_identmap_layout_free(&l);
	check_ranges(NULL, 0, &rng, res, NULL);
	/* Four UC GiB: 2 roots + PDPT + 4 PDs of 512 UC 2 MiB leaves; with gbpages, four 1 GiB leaves. */
	assert_int_equal(res[0].pages, 7);
	assert_int_equal(res[0].stats.leaves[BATON_PAGE_2M][1], 2048);
	assert_int_equal(res[1].pages, 3);
	assert_int_equal(res[1].stats.leaves[BATON_PAGE_1G][1], 4);
}

static void test_ram_ends_mid_2m(void **state)
{
	static const struct baton_mem_range r[] = {
		{ 0x100000, 0x80000000, BATON_MEM_RAM },
		{ SZ_4G, SZ_4G + 0x300000, BATON_MEM_RAM },
	};
	static const struct baton_map_span want[] = {
		{ 0, 0x100000, UC }, { 0x100000, 0x80000000, WB }, { 0x80000000, SZ_4G, UC },
		{ SZ_4G, SZ_4G + 0x300000, WB },
	};
	struct baton_identmap_layout l;
	struct counts res[2];
	uint64_t rng = seed;

	(void)state;
	assert_int_equal(layout_of(r, 2, NULL, 0, &l, NULL), 0);
	expect_spans(&l, want, 4);
	baton_identmap_layout_free(&l);
	check_ranges(r, 2, &rng, res, NULL);
	/* PTs for [0, 2M) (256 UC + 256 WB) and [4G + 2M, 4G + 4M) (256 WB, the rest unmapped).
	 * Without gbpages: PDs for GiB 0-4, so 2 + 1 + 5 + 2 = 10; with: PDs for GiB 0 and 4 only. */
	assert_int_equal(res[0].pages, 10);
	assert_int_equal(res[1].pages, 7);
	assert_int_equal(res[0].stats.leaves[BATON_PAGE_4K][0], 512);
	assert_int_equal(res[0].stats.leaves[BATON_PAGE_4K][1], 256);
	assert_int_equal(res[0].stats.leaves[BATON_PAGE_2M][0], 511 + 512 + 1);
	assert_int_equal(res[0].stats.leaves[BATON_PAGE_2M][1], 1024);
}

static void test_unaligned_ends(void **state)
{
	static const struct baton_mem_range r[] = {
		{ 0, 0x9fc00, BATON_MEM_RAM },
		{ 0x9fc00, 0xa0000, BATON_MEM_RESERVED },
		{ 0x100000, 0x7ffff001, BATON_MEM_RAM },   /* ends one byte into a page */
		{ SZ_4G + 0x10, SZ_4G + 0x2000, BATON_MEM_RAM },
	};
	static const struct baton_map_span want[] = {
		{ 0, 0x9f000, WB }, { 0x9f000, 0x100000, UC }, { 0x100000, 0x7ffff000, WB },
		{ 0x7ffff000, SZ_4G + PG, UC }, { SZ_4G + PG, SZ_4G + 0x2000, WB },
	};
	static const struct baton_phys_range ok = { 0x9e000, 0x9f000 };
	static const struct baton_phys_range shared = { 0x9f000, 0x9fc00 };   /* RAM, but shares a page */
	static const struct baton_phys_range crossing = { 0x7fff0000, 0x80000000 };
	struct baton_identmap_layout l;
	struct baton_error err = { 0 };
	uint64_t rng = seed;

	(void)state;
	assert_int_equal(layout_of(r, 4, &ok, 1, &l, &err), 0);
	expect_spans(&l, want, 5);
	baton_identmap_layout_free(&l);
	assert_int_equal(layout_of(r, 4, &shared, 1, &l, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "0x9f000-0x9fbff"));
	assert_non_null(strstr(err.msg, "page 0x9f000 is uncached"));
	assert_int_equal(l.nr, 0);
	assert_null(l.spans);
	assert_int_equal(layout_of(r, 4, &crossing, 1, &l, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "page 0x7ffff000"));
	check_ranges(r, 4, &rng, NULL, NULL);
}

static void test_segments_outside_ram(void **state)
{
	static const struct baton_mem_range r[] = {
		{ 0x100000, 0x40000000, BATON_MEM_RAM },
		{ 0x40000000, 0x40200000, BATON_MEM_ACPI },
		{ 0x40200000, 0x40400000, BATON_MEM_RESERVED },
		{ SZ_4G, 2 * SZ_4G, BATON_MEM_RAM },
	};
	static const struct baton_phys_range good[] = {
		{ 0x200000, 0x1000000 }, { 0x3ff00000, 0x40200000 }, { SZ_4G, 2 * SZ_4G }, { 5, 5 },
	};
	static const struct {
		struct baton_phys_range seg;
		const char *msg;
	} bad[] = {
		{ { 0x3ff00000, 0x40201000 }, "segment 0x3ff00000-0x40200fff is not all RAM: page 0x40200000 is uncached" },
		{ { 0x80000, 0x101000 }, "segment 0x80000-0x100fff is not all RAM: page 0x80000 is uncached" },
		{ { 2 * SZ_4G - PG, 2 * SZ_4G + 1 }, "page 0x200000000 is unmapped" },
		{ { 3 * SZ_4G, 3 * SZ_4G + PG }, "segment 0x300000000-0x300000fff is not all RAM: page 0x300000000 is unmapped" },
		{ { LIMIT - PG, LIMIT + PG }, "beyond 256 TiB" },
		{ { 0x2000, 0x1000 }, "inverted" },
	};
	struct baton_identmap_layout l;
	struct baton_error err = { 0 };

	(void)state;
	assert_int_equal(layout_of(r, 4, good, 4, &l, &err), 0);
	baton_identmap_layout_free(&l);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct baton_phys_range segs[] = { good[0], bad[i].seg, good[1] };
		assert_int_equal(layout_of(r, 4, segs, 3, &l, &err), -EINVAL);
		assert_int_equal(err.code, EINVAL);
		if (!strstr(err.msg, bad[i].msg))
			fail_msg("message '%s' lacks '%s'", err.msg, bad[i].msg);
		assert_int_equal(strncmp(err.msg, "identmap: ", 10), 0);
	}
}

static void test_limit(void **state)
{
	static const struct baton_mem_range at_top[] = { { LIMIT - PG, LIMIT, BATON_MEM_RAM } };
	static const struct baton_mem_range across[] = { { LIMIT - PG, LIMIT + 1, BATON_MEM_RAM } };
	static const struct baton_mem_range above[] = {
		{ 0, 0x1000, BATON_MEM_RAM }, { LIMIT, LIMIT + SZ_1G, BATON_MEM_RESERVED },
	};
	static const struct baton_mem_range inverted[] = { { 0x2000, 0x1000, BATON_MEM_RAM } };
	static const struct baton_map_span beyond[] = { { LIMIT - PG, LIMIT + PG, WB } };
	static const struct baton_map_span unaligned[] = { { 0x1000, 0x1800, WB } };
	static const struct baton_map_span overlapping[] = { { 0, 0x3000, WB }, { 0x2000, 0x4000, UC } };
	static const struct baton_map_span bad_cache[] = { { 0, 0x1000, 0 } };
	static const struct {
		const struct baton_map_span *s;
		size_t n;
	} bad_layouts[] = { { beyond, 1 }, { unaligned, 1 }, { overlapping, 2 }, { bad_cache, 1 } };
	struct baton_identmap_layout l;
	struct baton_error err = { 0 };
	struct counts res[2];
	uint64_t rng = seed;

	(void)state;
	/* The last page below 2^48 can be mapped: a PDPT, PD and PT for it at the very top, besides
	 * PDPT 0 for the low 4 GiB (with its four PDs without gbpages). */
	check_ranges(at_top, 1, &rng, res, NULL);
	assert_int_equal(res[0].pages, 2 + 2 + 5 + 1);
	assert_int_equal(res[1].pages, 2 + 2 + 1 + 1);
	/* Ranges reaching above 256 TiB are clipped there, not refused (52-bit PCI windows). */
	static const struct baton_map_span across_want[] = { { 0, SZ_4G, UC }, { LIMIT - PG, LIMIT, WB } };
	static const struct baton_map_span above_want[] = { { 0, 0x1000, WB }, { 0x1000, SZ_4G, UC } };
	assert_int_equal(layout_of(across, 1, NULL, 0, &l, &err), 0);
	expect_spans(&l, across_want, 2);
	baton_identmap_layout_free(&l);
	assert_int_equal(layout_of(above, 2, NULL, 0, &l, &err), 0);
	expect_spans(&l, above_want, 2);
	baton_identmap_layout_free(&l);
	assert_int_equal(layout_of(inverted, 1, NULL, 0, &l, &err), -EINVAL);

	for (size_t i = 0; i < sizeof(bad_layouts) / sizeof(bad_layouts[0]); i++) {
		struct baton_identmap_layout bl = { (struct baton_map_span *)bad_layouts[i].s,
						    bad_layouts[i].n, bad_layouts[i].n };
		struct fake_alloc fa;
		struct baton_identmap_info info = { { fake_alloc_page, &fa }, GB };
		struct baton_identmap_roots roots;

		fake_init(&fa, 16, 0x100000);
		assert_int_equal(baton_identmap_build(&bl, &info, &roots, NULL, &err), -EINVAL);
		assert_int_equal(fa.used, 0);
		assert_int_equal(baton_identmap_pages_needed(&bl, GB), 0);
		fake_free(&fa);
	}
}

static void test_one_page_above_4g(void **state)
{
	static const struct baton_mem_range page[] = { { 0x123456000, 0x123457000, BATON_MEM_RAM } };
	static const struct baton_mem_range byte[] = { { 0x123456789, 0x12345678a, BATON_MEM_RAM } };
	static const struct baton_map_span only[] = { { 0x123456000, 0x123457000, WB } };
	struct baton_identmap_layout l;
	struct oracle o;
	struct counts res[2];
	uint64_t rng = seed;

	(void)state;
	/* Low 4 GiB UC plus one WB page in GiB 4: PD + PT for it; without gbpages also the four low PDs. */
	check_ranges(page, 1, &rng, res, NULL);
	assert_int_equal(res[0].pages, 2 + 1 + 5 + 1);
	assert_int_equal(res[1].pages, 2 + 1 + 1 + 1);
	assert_int_equal(res[1].stats.leaves[BATON_PAGE_4K][0], 1);
	assert_int_equal(res[1].stats.leaves[BATON_PAGE_4K][1], 0);
	/* One RAM byte: its page is mapped, UC, because the rest of it is not RAM. */
	check_ranges(byte, 1, &rng, res, NULL);
	assert_int_equal(res[1].stats.leaves[BATON_PAGE_4K][0], 0);
	assert_int_equal(res[1].stats.leaves[BATON_PAGE_4K][1], 1);
	assert_int_equal(layout_of(byte, 1, NULL, 0, &l, NULL), 0);
	assert_int_equal(l.nr, 2);
	assert_int_equal(l.spans[1].start, 0x123456000);
	assert_int_equal(l.spans[1].end, 0x123457000);
	assert_int_equal(l.spans[1].cache, UC);
	baton_identmap_layout_free(&l);

	/* A layout given directly: just that page, nothing below 4 GiB: roots, PDPT, PD, PT. */
	l = (struct baton_identmap_layout){ (struct baton_map_span *)only, 1, 1 };
	oracle_from_spans(&o, only, 1);
	for (unsigned f = 0; f <= GB; f += GB) {
		check_build(&l, &o, f, &rng, res);
		assert_int_equal(res[0].pages, 5);
	}
	oracle_free(&o);
}

static void test_overlaps_uc_wins(void **state)
{
	static const struct baton_mem_range r[] = {
		{ 0, 8 * SZ_1G, BATON_MEM_RAM },
		{ SZ_4G + 1, SZ_4G + 2, BATON_MEM_RESERVED },         /* one byte poisons its page */
		{ 0x10000000, 0x10400000, BATON_MEM_ACPI },           /* RAM-like inside RAM: still WB */
		{ 0x20000000, 0x20001000, BATON_MEM_UNUSABLE },
		{ 0x20000800, 0x20400000, BATON_MEM_NVS },            /* overlaps the unusable page */
		{ 6 * SZ_1G, 7 * SZ_1G, BATON_MEM_SOFT_RESERVED },
		{ 6 * SZ_1G + SZ_2M, 6 * SZ_1G + 2 * SZ_2M, BATON_MEM_PMEM },
	};
	static const struct baton_map_span want[] = {
		{ 0, 0x20000000, WB }, { 0x20000000, 0x20001000, UC }, { 0x20001000, SZ_4G, WB },
		{ SZ_4G, SZ_4G + PG, UC }, { SZ_4G + PG, 6 * SZ_1G, WB }, { 6 * SZ_1G, 7 * SZ_1G, UC },
		{ 7 * SZ_1G, 8 * SZ_1G, WB },
	};
	struct baton_identmap_layout l;
	struct baton_error err = { 0 };
	uint64_t rng = seed;

	(void)state;
	assert_int_equal(layout_of(r, 7, NULL, 0, &l, &err), 0);
	expect_spans(&l, want, 7);
	baton_identmap_layout_free(&l);
	check_ranges(r, 7, &rng, NULL, NULL);
}

static void test_kinds(void **state)
{
	uint64_t rng = seed;

	(void)state;
	for (int k = BATON_MEM_RAM; k <= BATON_MEM_SOFT_RESERVED; k++) {
		struct baton_mem_range r = { 5 * SZ_1G, 5 * SZ_1G + SZ_2M, (enum baton_mem_kind)k };
		struct baton_identmap_layout l;

		assert_int_equal(!!baton_mem_kind_is_ram_like((enum baton_mem_kind)k), ram_like((enum baton_mem_kind)k));
		assert_int_equal(layout_of(&r, 1, NULL, 0, &l, NULL), 0);
		assert_int_equal(l.nr, 2);
		assert_int_equal(l.spans[1].cache, ram_like((enum baton_mem_kind)k) ? WB : UC);
		baton_identmap_layout_free(&l);
		check_ranges(&r, 1, &rng, NULL, NULL);
	}
}

static void test_allocator_failures(void **state)
{
	static const struct baton_mem_range r[] = { { 0x100000, 0x7fe00123, BATON_MEM_RAM } };
	struct baton_identmap_layout l;
	struct baton_identmap_roots roots;
	struct baton_identmap_stats stats;
	struct baton_error err = { 0 };
	struct fake_alloc fa;
	struct baton_identmap_info info = { { fake_alloc_page, &fa }, 0 };
	size_t needed;

	(void)state;
	assert_int_equal(layout_of(r, 1, NULL, 0, &l, &err), 0);
	needed = baton_identmap_pages_needed(&l, 0);
	for (size_t cap = 0; cap < needed; cap++) {
		fake_init(&fa, cap, 0x200000);
		assert_int_equal(baton_identmap_build(&l, &info, &roots, &stats, &err), -ENOMEM);
		assert_int_equal(err.code, ENOMEM);
		assert_int_equal(fa.used, cap);
		fake_free(&fa);
	}
	fake_init(&fa, needed, 0x200000);
	fa.phys_skew = 0x800;
	assert_int_equal(baton_identmap_build(&l, &info, &roots, &stats, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "not 4 KiB-aligned"));
	fake_free(&fa);
	fake_init(&fa, needed, 1ULL << 52);
	assert_int_equal(baton_identmap_build(&l, &info, &roots, &stats, &err), -EINVAL);
	fake_free(&fa);
	info.alloc.alloc_page = NULL;
	assert_int_equal(baton_identmap_build(&l, &info, &roots, &stats, &err), -EINVAL);
	baton_identmap_layout_free(&l);
}

/* ---- tests: random maps and layouts ------------------------------------------------------------ */

static uint64_t rnd_align(uint64_t *s)
{
	static const uint64_t a[] = { 1, 1, 0x10, 0x400, PG, PG, SZ_2M, SZ_2M, SZ_1G };

	return a[rnd_below(s, sizeof(a) / sizeof(a[0]))];
}

static enum baton_mem_kind rnd_kind(uint64_t *s)
{
	static const enum baton_mem_kind k[] = {
		BATON_MEM_RAM, BATON_MEM_RAM, BATON_MEM_RAM, BATON_MEM_RAM, BATON_MEM_RAM,
		BATON_MEM_RESERVED, BATON_MEM_RESERVED, BATON_MEM_ACPI, BATON_MEM_NVS,
		BATON_MEM_UNUSABLE, BATON_MEM_PMEM, BATON_MEM_SOFT_RESERVED,
	};

	return k[rnd_below(s, sizeof(k) / sizeof(k[0]))];
}

/* A length spread over all scales up to `max`. */
static uint64_t rnd_len(uint64_t *s, uint64_t max)
{
	int bits = 1;

	while (bits < 63 && (1ULL << bits) < max)
		bits++;
	return 1 + rnd_below(s, 1ULL << (1 + rnd_below(s, (uint64_t)bits)));
}

static size_t rnd_count(uint64_t *s)
{
	uint64_t x = rnd_below(s, 100);

	if (x < 55)
		return rnd_below(s, 16);
	if (x < 85)
		return rnd_below(s, 128);
	if (x < 97)
		return rnd_below(s, 400);
	return 1000 - rnd_below(s, 100);
}

/* Firmware-like maps (ranges in a row with gaps) or chaos (anywhere, overlapping), shuffled. */
static size_t gen_map(uint64_t *s, struct baton_mem_range *r, size_t max)
{
	uint64_t top = 1ULL << (30 + rnd_below(s, 19)), pos = rnd_below(s, 2) ? 0 : rnd_below(s, top);
	size_t n = rnd_count(s), i, k = 0;
	int chaos = rnd_below(s, 3) == 0;

	if (n > max)
		n = max;
	for (i = 0; i < n; i++) {
		uint64_t a = rnd_align(s), start, end;
		if (chaos) {
			start = down(rnd_below(s, top), a);
			end = up(start + rnd_len(s, top), a);
		} else {
			if (rnd_below(s, 3) == 0)
				pos += rnd_len(s, top / (n + 1));
			start = up(pos, a);
			end = up(start + rnd_len(s, 4 * top / (n + 1)), a);
		}
		if (start >= LIMIT)
			continue;
		if (end > LIMIT)
			end = LIMIT;
		r[k++] = (struct baton_mem_range){ start, end, rnd_kind(s) };
		pos = end;
	}
	for (i = k; i > 1; i--) {
		size_t j = (size_t)rnd_below(s, i);
		struct baton_mem_range t = r[i - 1];
		r[i - 1] = r[j];
		r[j] = t;
	}
	return k;
}

/* Segments wholly in a WB piece must pass; one reaching into the next piece must not. */
static void check_random_segments(const struct baton_mem_range *r, size_t n, const struct oracle *o,
				  uint64_t *s)
{
	struct baton_identmap_layout l;
	struct baton_error err = { 0 };
	size_t wb = 0, pick;

	for (size_t i = 0; i < o->n; i++)
		wb += o->p[i].cls == WB;
	if (wb) {
		pick = (size_t)rnd_below(s, wb);
		for (size_t i = 0; i < o->n; i++) {
			const struct piece *p = &o->p[i];
			struct baton_phys_range seg;
			uint64_t pages;
			if (p->cls != WB || pick--)
				continue;
			pages = (p->end - p->start) / PG;
			seg.start = p->start + rnd_below(s, pages) * PG;
			seg.end = seg.start + (1 + rnd_below(s, (p->end - seg.start) / PG)) * PG;
			if (layout_of(r, n, &seg, 1, &l, &err))
				fail_msg("segment 0x%" PRIx64 "-0x%" PRIx64 ": %s", seg.start, seg.end, err.msg);
			baton_identmap_layout_free(&l);
			if (p->end < LIMIT) {
				seg = (struct baton_phys_range){ p->end - PG, p->end + 1 };
				assert_int_equal(layout_of(r, n, &seg, 1, &l, &err), -EINVAL);
			}
			break;
		}
	}
}

static void test_random_maps(void **state)
{
	enum { MAPS = 2500, MAX_RANGES = 1000, MAX_PAGES = 2048 };
	struct baton_mem_range *r = malloc(MAX_RANGES * sizeof(*r));
	uint64_t s = seed, ranges = 0, pages = 0, built[2] = { 0, 0 }, top = 0;
	clock_t t0 = clock();

	(void)state;
	assert_non_null(r);
	for (int m = 0; m < MAPS; m++) {
		size_t n = gen_map(&s, r, MAX_RANGES);
		struct counts res[2];
		struct oracle o;
		check_ranges_max(r, n, &s, res, &o, MAX_PAGES);
		check_random_segments(r, n, &o, &s);
		for (int gb = 0; gb < 2; gb++)
			built[gb] += res[gb].pages != 0;
		for (size_t i = 0; i < o.n; i++)
			if (o.p[i].cls && o.p[i].end > top && res[1].pages)
				top = o.p[i].end;
		oracle_free(&o);
		ranges += n;
		pages += res[0].pages + res[1].pages;
	}
	printf("identmap-test: %d random maps (%" PRIu64 " ranges): built and walked %" PRIu64
	       " without and %" PRIu64 " with 1 GiB pages (the rest need over %d table pages), %"
	       PRIu64 " table pages, highest mapped byte 0x%" PRIx64 ", %.1f s\n", MAPS, ranges,
	       built[0], built[1], MAX_PAGES, pages, top - 1, (double)(clock() - t0) / CLOCKS_PER_SEC);
	free(r);
}

/* Layouts built directly (no low 4 GiB, touching spans of one type left unmerged): the builder
 * alone against the walker. */
static void test_random_layouts(void **state)
{
	enum { LAYOUTS = 1500, MAX_SPANS = 600, MAX_PAGES = 2048 };
	struct baton_map_span *sp = malloc(MAX_SPANS * sizeof(*sp));
	uint64_t s = seed ^ 0x5a5a5a5a5a5a5a5aULL, built = 0;
	clock_t t0 = clock();

	(void)state;
	assert_non_null(sp);
	for (int m = 0; m < LAYOUTS; m++) {
		size_t n = 0, want = rnd_count(&s);
		uint64_t top = 1ULL << (21 + rnd_below(&s, 28)), at = down(rnd_below(&s, top), PG);
		struct baton_identmap_layout l;
		struct oracle o;

		while (n < want && n < MAX_SPANS && at < LIMIT) {
			uint64_t a = rnd_align(&s), end;
			if (a < PG)
				a = PG;
			if (rnd_below(&s, 2))
				at = up(at + rnd_len(&s, top / (want + 1)), a);
			end = up(at + rnd_len(&s, 2 * top / (want + 1)), a);
			if (at >= LIMIT)
				break;
			sp[n++] = (struct baton_map_span){ at, end < LIMIT ? end : LIMIT,
							   rnd_below(&s, 2) ? WB : UC };
			at = sp[n - 1].end;
		}
		l = (struct baton_identmap_layout){ sp, n, MAX_SPANS };
		oracle_from_spans(&o, sp, n);
		for (unsigned f = 0; f <= GB; f += GB)
			if (oracle_pages(&o, f) <= MAX_PAGES) {
				check_build(&l, &o, f, &s, NULL);
				built++;
			}
		oracle_free(&o);
	}
	printf("identmap-test: %d random layouts, %" PRIu64 " of %d builds walked, %.1f s\n", LAYOUTS,
	       built, 2 * LAYOUTS, (double)(clock() - t0) / CLOCKS_PER_SEC);
	free(sp);
}

static int setup(void **state)
{
	const char *env = getenv("BATON_TEST_SEED");

	(void)state;
	if (env && strtoull(env, NULL, 0))   /* xorshift needs a non-zero state */
		seed = strtoull(env, NULL, 0);
	printf("identmap-test: seed 0x%" PRIx64 " (set BATON_TEST_SEED to repeat another)\n", seed);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_1g),
		cmocka_unit_test(test_qemu_6g),
		cmocka_unit_test(test_server_map),
		cmocka_unit_test(test_qemu_iomem),
		cmocka_unit_test(test_empty_map),
		cmocka_unit_test(test_ram_ends_mid_2m),
		cmocka_unit_test(test_unaligned_ends),
		cmocka_unit_test(test_segments_outside_ram),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_one_page_above_4g),
		cmocka_unit_test(test_overlaps_uc_wins),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_allocator_failures),
		cmocka_unit_test(test_random_maps),
		cmocka_unit_test(test_random_layouts),
	};

	return cmocka_run_group_tests_name("identmap", tests, setup, NULL);
}
