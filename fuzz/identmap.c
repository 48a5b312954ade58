/* SPDX-License-Identifier: MIT */
/* Fuzz target: baton_identmap_layout and baton_identmap_build on memory maps decoded from the
 * input, with every table the builder writes walked back: each span maps one-to-one with its cache
 * type, gaps stay unmapped, and the pages used equal baton_identmap_pages_needed().
 * Input: a flags byte (bits 0-1: enum baton_cpu_feature; bit 2: a page budget one short of what
 * is needed; bits 4-5: segments that must be mapped), the segments (6-byte start, 6-byte length),
 * then up to 64 ranges of 13 bytes: a byte (bits 0-2: kind mod 7; bits 3-4: the unit of what
 * follows, 1 B, 4 KiB, 2 MiB or 1 GiB), a 6-byte start and a 6-byte length. Addresses stop at
 * 2^48; every page the builder takes is its own heap block, so ASan sees any write past it.
 * Layouts whose leaves would take long to walk are checked but not built (MAX_LEAVES). */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "identmap.h"

#define MAX_RANGES 64
#define BUDGET 4096
#define PAGE 4096ULL
#define TABLE_BASE 0x10000000ULL   /* where the fake allocator says its pages will be loaded */
#define LIMIT BATON_IDENTMAP_LIMIT
#define LOW_4G (1ULL << 32)
/* The walks visit every leaf: bound them (64 GiB in 2 MiB pages, 32 TiB in 1 GiB pages) to keep
 * an input in milliseconds. The tables' count matters, not how many leaves they hold. */
#define MAX_LEAVES 32768

struct pages {
	uint64_t *v[BUDGET];
	size_t nr, budget;
};

static void *alloc_page(void *ctx, uint64_t *phys)
{
	struct pages *p = ctx;

	if (p->nr >= p->budget)
		return NULL;
	p->v[p->nr] = calloc(1, PAGE);
	FUZZ_CHECK(p->v[p->nr], "out of memory");
	*phys = TABLE_BASE + p->nr * PAGE;
	return p->v[p->nr++];
}

static uint64_t get48(const uint8_t *b)
{
	uint64_t v = 0;

	for (int i = 5; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

static uint64_t clamp_end(uint64_t start, uint64_t len)
{
	return len > LIMIT - start ? LIMIT : start + len;
}

static const uint64_t *table_at(const struct pages *p, uint64_t entry)
{
	uint64_t a = entry & BATON_PTE_ADDR;

	FUZZ_CHECK(a >= TABLE_BASE && (a - TABLE_BASE) / PAGE < p->nr, "entry 0x%llx points outside"
		   " the tables", (unsigned long long)entry);
	return p->v[(a - TABLE_BASE) / PAGE];
}

/* The cache type the tables give addr (0: unmapped), checking every entry on the way. */
static int translate(const struct pages *p, const struct baton_identmap_roots *roots,
		     unsigned features, uint64_t addr)
{
	const uint64_t *t = table_at(p, roots->pml4);

	for (int shift = 39; shift >= 12; shift -= 9) {
		uint64_t e = t[(addr >> shift) & 511], size = 1ULL << shift, need;
		int leaf = shift == 12 || (e & BATON_PTE_PS);

		if (!(e & BATON_PTE_P))
			return 0;
		need = BATON_PTE_P | BATON_PTE_RW | BATON_PTE_A | (leaf ? BATON_PTE_D : 0);
		FUZZ_CHECK((e & need) == need && !(e & (BATON_PTE_NX | BATON_PTE_G)),
			   "entry 0x%llx for 0x%llx at level %d", (unsigned long long)e,
			   (unsigned long long)addr, shift);
		if (!leaf) {
			FUZZ_CHECK(!(e & (BATON_PTE_PCD | BATON_PTE_PWT | BATON_PTE_D)),
				   "table entry 0x%llx", (unsigned long long)e);
			t = table_at(p, e);
			continue;
		}
		FUZZ_CHECK(shift != 39 && (shift != 30 || (features & BATON_CPU_GBPAGES)),
			   "leaf at level %d", shift);
		/* Identity, and for large leaves the PAT bit (12) and reserved bits clear. */
		FUZZ_CHECK((e & BATON_PTE_ADDR) == (addr & ~(size - 1)), "0x%llx maps to 0x%llx",
			   (unsigned long long)addr, (unsigned long long)(e & BATON_PTE_ADDR));
		FUZZ_CHECK(!(e & BATON_PTE_PCD) == !(e & BATON_PTE_PWT), "PCD without PWT");
		return e & BATON_PTE_PCD ? BATON_CACHE_UC : BATON_CACHE_WB;
	}
	return 0;
}

static void check_layout(const struct baton_identmap_layout *l, const struct baton_memmap *map)
{
	uint64_t covered_low = 0;

	for (size_t i = 0; i < l->nr; i++) {
		const struct baton_map_span *s = &l->spans[i];

		FUZZ_CHECK(s->start < s->end && !(s->start % PAGE) && !(s->end % PAGE) &&
			   s->end <= LIMIT, "span %zu", i);
		FUZZ_CHECK(s->cache == BATON_CACHE_WB || s->cache == BATON_CACHE_UC, "span %zu", i);
		FUZZ_CHECK(!i || s[-1].end < s->start || (s[-1].end == s->start &&
							s[-1].cache != s->cache),
			   "spans %zu, %zu overlap or touch with one type", i - 1, i);
		if (s->start == covered_low)
			covered_low = s->end;
	}
	FUZZ_CHECK(covered_low >= LOW_4G, "bytes below 4 GiB unmapped from 0x%llx",
		   (unsigned long long)covered_low);
	for (size_t r = 0; r < map->nr; r++) {
		const struct baton_mem_range *m = &map->ranges[r];
		uint64_t s = m->start & ~(PAGE - 1), e = (m->end + PAGE - 1) & ~(PAGE - 1), mapped = 0;
		int ram = baton_mem_kind_is_ram_like(m->kind);

		for (size_t i = 0; i < l->nr; i++) {
			const struct baton_map_span *sp = &l->spans[i];
			uint64_t lo = sp->start > s ? sp->start : s, hi = sp->end < e ? sp->end : e;

			if (lo >= hi)
				continue;
			mapped += hi - lo;
			FUZZ_CHECK(ram || sp->cache == BATON_CACHE_UC, "range %zu (kind %d) has a WB page"
				   " at 0x%llx", r, (int)m->kind, (unsigned long long)lo);
		}
		FUZZ_CHECK(mapped == e - s, "range %zu: 0x%llx of 0x%llx bytes mapped", r,
			   (unsigned long long)mapped, (unsigned long long)(e - s));
	}
	/* Above 4 GiB only pages holding listed bytes are mapped. */
	for (size_t i = 0; i < l->nr; i++) {
		const struct baton_map_span *sp = &l->spans[i];
		uint64_t at = sp->start > LOW_4G ? sp->start : LOW_4G;

		while (at < sp->end) {
			uint64_t next = sp->end;
			int listed = 0;

			for (size_t r = 0; r < map->nr; r++) {
				uint64_t s = map->ranges[r].start & ~(PAGE - 1);
				uint64_t e = (map->ranges[r].end + PAGE - 1) & ~(PAGE - 1);

				if (s <= at && at < e) {
					listed = 1;
					next = e < next ? e : next;
				} else if (s > at && s < next) {
					next = s;
				}
			}
			FUZZ_CHECK(listed, "span %zu maps unlisted 0x%llx above 4 GiB", i,
				   (unsigned long long)at);
			at = next;
		}
	}
}

static void check_tables(const struct pages *p, const struct baton_identmap_roots *roots,
			 const struct baton_identmap_layout *l, const struct baton_identmap_stats *st,
			 unsigned features)
{
	static const uint64_t sizes[BATON_PAGE_SIZES] = { 1ULL << 12, 1ULL << 21, 1ULL << 30 };
	const uint64_t *pml5 = table_at(p, roots->pml5);
	uint64_t want[2] = { 0 }, got[2] = { 0 };

	FUZZ_CHECK(pml5[0] == ((roots->pml4 & BATON_PTE_ADDR) | BATON_PTE_P | BATON_PTE_RW |
			       BATON_PTE_A), "PML5[0] 0x%llx", (unsigned long long)pml5[0]);
	for (int i = 1; i < 512; i++)
		FUZZ_CHECK(!pml5[i], "PML5[%d] set", i);
	for (size_t i = 0; i < l->nr; i++) {
		const struct baton_map_span *s = &l->spans[i];
		int c = (int)s->cache;

		want[c == BATON_CACHE_UC] += s->end - s->start;
		FUZZ_CHECK(translate(p, roots, features, s->start) == c, "span %zu start", i);
		FUZZ_CHECK(translate(p, roots, features, s->end - 1) == c, "span %zu end", i);
		if (s->end < LIMIT && (i + 1 == l->nr || l->spans[i + 1].start > s->end))
			FUZZ_CHECK(!translate(p, roots, features, s->end), "gap after span %zu mapped", i);
		if (s->start && (!i || l->spans[i - 1].end < s->start))
			FUZZ_CHECK(!translate(p, roots, features, s->start - 1),
				   "gap before span %zu mapped", i);
	}
	for (int sz = 0; sz < BATON_PAGE_SIZES; sz++)
		for (int c = 0; c < 2; c++)
			got[c] += st->leaves[sz][c] * sizes[sz];
	FUZZ_CHECK(got[0] == want[0] && got[1] == want[1], "leaves map 0x%llx WB + 0x%llx UC bytes,"
		   " spans 0x%llx + 0x%llx", (unsigned long long)got[0], (unsigned long long)got[1],
		   (unsigned long long)want[0], (unsigned long long)want[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned units[4] = { 0, 12, 21, 30 };
	static struct pages pages;
	struct baton_mem_range ranges[MAX_RANGES];
	struct baton_phys_range segs[3];
	struct baton_memmap map = { ranges, 0, MAX_RANGES };
	struct baton_identmap_layout layout;
	struct baton_identmap_stats stats;
	struct baton_identmap_roots roots;
	struct baton_identmap_info info;
	struct baton_error err = { 0 };
	unsigned flags, features;
	size_t nsegs, needed;
	uint64_t bytes = 0;
	int rc;

	if (!size)
		return 0;
	flags = data[0];
	features = flags & 3;
	nsegs = (flags >> 4) & 3;
	data++;
	size--;
	if (size < nsegs * 12)
		return 0;
	for (size_t i = 0; i < nsegs; i++, data += 12, size -= 12) {
		segs[i].start = get48(data);
		segs[i].end = clamp_end(segs[i].start, get48(data + 6));
	}
	for (; size >= 13 && map.nr < MAX_RANGES; data += 13, size -= 13) {
		unsigned unit = units[(data[0] >> 3) & 3];
		uint64_t start = (get48(data + 1) << unit) & (LIMIT - 1);
		uint64_t len = get48(data + 7) << unit;

		ranges[map.nr++] = (struct baton_mem_range){ start, clamp_end(start, len),
							     (enum baton_mem_kind)((data[0] & 7) % 7) };
	}

	rc = baton_identmap_layout(&map, segs, nsegs, &layout, &err);
	if (rc) {
		fuzz_check_error(rc, &err);
		FUZZ_CHECK(!layout.nr && !layout.spans, "layout left on failure");
		return 0;
	}
	check_layout(&layout, &map);
	for (size_t i = 0; i < layout.nr; i++)
		bytes += layout.spans[i].end - layout.spans[i].start;
	if (bytes >> (features & BATON_CPU_GBPAGES ? 30 : 21) > MAX_LEAVES) {
		baton_identmap_layout_free(&layout);
		return 0;
	}

	needed = baton_identmap_pages_needed(&layout, features);
	FUZZ_CHECK(needed >= 2, "pages_needed %zu", needed);
	pages.nr = 0;
	pages.budget = flags & 4 ? needed - 1 : BUDGET;
	info = (struct baton_identmap_info){ { alloc_page, &pages }, features };
	rc = baton_identmap_build(&layout, &info, &roots, &stats, &err);
	if (pages.budget < needed) {
		FUZZ_CHECK(rc == -ENOMEM, "%zu pages needed, budget %zu: rc %d", needed, pages.budget,
			   rc);
		fuzz_check_error(rc, &err);
	} else {
		FUZZ_CHECK(rc == 0, "build: %s", err.msg);
		FUZZ_CHECK(stats.table_pages == needed && pages.nr == needed,
			   "built with %zu pages (stats %zu), pages_needed says %zu", pages.nr,
			   stats.table_pages, needed);
		check_tables(&pages, &roots, &layout, &stats, features);
	}
	for (size_t i = 0; i < pages.nr; i++)
		free(pages.v[i]);
	baton_identmap_layout_free(&layout);
	return 0;
}
