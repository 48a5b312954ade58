/* SPDX-License-Identifier: MIT */
/* The identity map: classify the address space into WB/UC pages and build minimal page tables for it. */
#include "identmap.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_SIZE ((uint64_t)0x1000)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define LOW_4G    ((uint64_t)1 << 32)

/* ---- Classification -------------------------------------------------------------------------
 * A page's type follows from the kinds of bytes in it: WB only if every byte is RAM-like, unmapped
 * only if every byte is unlisted above 4 GiB, UC otherwise. So a page that is partly RAM and partly
 * reserved (0x9f000 when the map says 0x9fc00) is UC, and every listed byte is mapped. */

enum { BYTES_UNLISTED = 1, BYTES_RAM = 2, BYTES_UC = 4 };

struct edge {
	uint64_t at;
	int ram, uc;   /* change in the number of RAM-like and other ranges covering bytes from `at` */
};

/* Page-aligned [start, end) whose pages hold the byte kinds in `bytes`. */
struct page_run {
	uint64_t start, end;
	unsigned bytes;
};

struct page_runs {
	struct page_run *v;
	size_t nr;
};

static int cmp_edge(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;

	return (x->at > y->at) - (x->at < y->at);
}

/* Record that the bytes [start, end) are of kind `bytes`. Bytes arrive in address order, so only the
 * first page can be shared, with the last run: that page gets both kinds. */
static void add_bytes(struct page_runs *pr, uint64_t start, uint64_t end, unsigned bytes)
{
	uint64_t first = start & PAGE_MASK, last = (end + PAGE_SIZE - 1) & PAGE_MASK;
	struct page_run *prev = pr->nr ? &pr->v[pr->nr - 1] : NULL;

	if (prev && prev->end > first) {
		if (prev->start == first) {
			prev->bytes |= bytes;
		} else {
			prev->end = first;
			pr->v[pr->nr++] = (struct page_run){ first, first + PAGE_SIZE, prev->bytes | bytes };
		}
		first += PAGE_SIZE;
	}
	if (first < last)
		pr->v[pr->nr++] = (struct page_run){ first, last, bytes };
}

static int page_cache(unsigned bytes)
{
	if (bytes == BYTES_UNLISTED)
		return 0;
	return bytes == BYTES_RAM ? BATON_CACHE_WB : BATON_CACHE_UC;
}

/* Sweep the range edges in address order, turning the byte kinds into page runs. */
static void sweep(struct edge *ev, size_t ne, struct page_runs *pr)
{
	uint64_t prev = 0, at;
	long ram = 0, uc = 0;
	size_t i = 0;

	qsort(ev, ne, sizeof(*ev), cmp_edge);
	while (prev < BATON_IDENTMAP_LIMIT) {
		at = i < ne ? ev[i].at : BATON_IDENTMAP_LIMIT;
		if (prev < LOW_4G && at > LOW_4G)
			at = LOW_4G;
		if (at > prev) {
			unsigned bytes = uc ? BYTES_UC : ram ? BYTES_RAM :
					 prev < LOW_4G ? BYTES_UC : BYTES_UNLISTED;
			add_bytes(pr, prev, at, bytes);
		}
		for (; i < ne && ev[i].at == at; i++) {
			ram += ev[i].ram;
			uc += ev[i].uc;
		}
		prev = at;
	}
}

static const struct baton_map_span *span_at(const struct baton_identmap_layout *l, uint64_t addr)
{
	size_t lo = 0, hi = l->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->spans[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && addr < l->spans[lo - 1].end ? &l->spans[lo - 1] : NULL;
}

static int check_segment(const struct baton_identmap_layout *l, const struct baton_phys_range *seg,
			 struct baton_error *err)
{
	const struct baton_map_span *s;
	uint64_t bad;

	if (seg->start > seg->end || seg->end > BATON_IDENTMAP_LIMIT)
		return baton_fail(err, EINVAL, "identmap: segment 0x%" PRIx64 "-0x%" PRIx64
				  " is beyond 256 TiB or inverted", seg->start, seg->end - 1);
	if (seg->start == seg->end)
		return 0;
	/* Touching spans differ in type, so one WB span must hold the whole segment. */
	s = span_at(l, seg->start);
	if (s && s->cache == BATON_CACHE_WB && s->end >= seg->end)
		return 0;
	bad = s && s->cache == BATON_CACHE_WB ? s->end : seg->start;
	return baton_fail(err, EINVAL, "identmap: segment 0x%" PRIx64 "-0x%" PRIx64
			  " is not all RAM: page 0x%" PRIx64 " is %s", seg->start, seg->end - 1,
			  bad & PAGE_MASK, span_at(l, bad) ? "uncached (not wholly RAM)" : "unmapped");
}

int baton_identmap_layout(const struct baton_memmap *map, const struct baton_phys_range *must_map,
			  size_t nr_must_map, struct baton_identmap_layout *out, struct baton_error *err)
{
	size_t n = map ? map->nr : 0, ne = 0, i;
	struct page_runs pr = { 0 };
	struct edge *ev;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (n > (SIZE_MAX / sizeof(*pr.v) - 6) / 4)
		return baton_fail(err, ENOMEM, "identmap: %zu memory ranges is too many", n);
	for (i = 0; i < n; i++) {
		const struct baton_mem_range *r = &map->ranges[i];
		if (r->start >= r->end)
			return baton_fail(err, EINVAL, "identmap: empty or inverted memory range "
					  "start 0x%" PRIx64 " end 0x%" PRIx64, r->start, r->end);
	}

	/* Each distinct edge adds at most two runs; the 4 GiB cut and the limit add two more. */
	ev = malloc((2 * n + 1) * sizeof(*ev));
	pr.v = malloc((4 * n + 6) * sizeof(*pr.v));
	if (!ev || !pr.v) {
		ret = baton_fail(err, ENOMEM, "identmap: out of memory");
		goto out;
	}
	/* The map stops at 256 TiB, what the tables can express (the PML5 root has one entry).
	 * Ranges reaching above are clipped, not refused: 52-bit PCI windows (MMIOH) are listed
	 * there, and the purgatory touches nothing of theirs. RAM above is clipped too: segments
	 * stay below 128 TiB, and the new kernel still finds it in its e820 and maps it itself. */
	for (i = 0; i < n; i++) {
		const struct baton_mem_range *r = &map->ranges[i];
		int ram = !!baton_mem_kind_is_ram_like(r->kind);
		if (r->start >= BATON_IDENTMAP_LIMIT)
			continue;
		ev[ne++] = (struct edge){ r->start, ram, !ram };
		ev[ne++] = (struct edge){ r->end < BATON_IDENTMAP_LIMIT ? r->end : BATON_IDENTMAP_LIMIT,
					  -ram, -!ram };
	}
	sweep(ev, ne, &pr);

	/* Page runs become spans: drop the unmapped ones, merge neighbours of one type. */
	out->spans = malloc(pr.nr * sizeof(*out->spans));
	if (!out->spans) {
		ret = baton_fail(err, ENOMEM, "identmap: out of memory");
		goto out;
	}
	out->cap = pr.nr;
	for (i = 0; i < pr.nr; i++) {
		int cache = page_cache(pr.v[i].bytes);
		struct baton_map_span *last = out->nr ? &out->spans[out->nr - 1] : NULL;

		if (!cache)
			continue;
		if (last && last->end == pr.v[i].start && (int)last->cache == cache)
			last->end = pr.v[i].end;
		else
			out->spans[out->nr++] = (struct baton_map_span){ pr.v[i].start, pr.v[i].end, cache };
	}

	for (i = 0; i < nr_must_map && !ret; i++)
		ret = check_segment(out, &must_map[i], err);
out:
	free(ev);
	free(pr.v);
	if (ret)
		baton_identmap_layout_free(out);
	return ret;
}

void baton_identmap_layout_free(struct baton_identmap_layout *layout)
{
	free(layout->spans);
	memset(layout, 0, sizeof(*layout));
}

/* ---- Page tables ----------------------------------------------------------------------------
 * Why the table count is minimal (the builder allocates exactly the lower bound):
 * A table page below the roots serves one aligned block of the size its parent entry covers
 * (512 GiB for a PDPT, 1 GiB for a PD, 2 MiB for a PT). If one page served blocks B and B', it would
 * translate B + x and B' + x alike; the identity map needs B + x -> B + x and B' + x -> B' + x, or
 * both unmapped, and some x is mapped in B. So no table serves two blocks: one page per block that
 * needs a table, and no fewer. A block needs a table exactly when it is mapped and cannot be one
 * leaf: a leaf maps its whole block with one type, so the block must be uniformly mapped with one
 * type, and the CPU must allow that leaf size (2 MiB always, 1 GiB only with gbpages, 512 GiB
 * never). Hence the bound is
 *     2 roots + PDPTs for non-empty 512 GiB blocks
 *             + PDs for 1 GiB blocks that are mixed (any non-empty one without gbpages)
 *             + PTs for mixed 2 MiB blocks,
 * and the walk below allocates a table only for such a block, once, when it reaches it. (Reusing a
 * mapped data page as a table, or one page as tables of two levels, would need the allocator to hand
 * out pages with chosen contents and addresses; the builder takes fresh pages only.) */

#define PML5_SHIFT 48
#define PML4_SHIFT 39
#define PDPT_SHIFT 30
#define PD_SHIFT   21
#define PT_SHIFT   12
#define MIXED      3   /* block_type(): neither 0 (nothing mapped) nor one cache type */
#define TABLE_ENTRY (BATON_PTE_P | BATON_PTE_RW | BATON_PTE_A)

struct walk {
	const struct baton_map_span *span;
	size_t nr;
	size_t cur;                              /* no span before it ends above the walk's address */
	unsigned features;
	const struct baton_pt_allocator *alloc;  /* NULL: count pages only, write nothing */
	struct baton_identmap_stats *stats;
	struct baton_error *err;
};

static unsigned entry_index(uint64_t addr, int shift)
{
	return (unsigned)(addr >> shift) & 511;
}

static uint64_t block_start(uint64_t addr, int shift)
{
	return addr & ~((1ULL << shift) - 1);
}

/* Where the walk from addr stops at this level: the entry's boundary, capped at end. */
static uint64_t block_next(uint64_t addr, int shift, uint64_t end)
{
	uint64_t next = block_start(addr, shift) + (1ULL << shift);

	return next < end ? next : end;
}

/* The first mapped address in [addr, end), or end. */
static uint64_t next_mapped(struct walk *w, uint64_t addr, uint64_t end)
{
	while (w->cur < w->nr && w->span[w->cur].end <= addr)
		w->cur++;
	if (w->cur == w->nr || w->span[w->cur].start >= end)
		return end;
	return w->span[w->cur].start > addr ? w->span[w->cur].start : addr;
}

/* 0 if nothing in the block at addr is mapped, its cache type if all of it is mapped alike, else
 * MIXED. Touching spans of one type count as one. */
static int block_type(struct walk *w, uint64_t addr, int shift)
{
	uint64_t start = block_start(addr, shift), end = start + (1ULL << shift), at;
	size_t i;
	int cache;

	next_mapped(w, start, end);
	i = w->cur;
	if (i == w->nr || w->span[i].start >= end)
		return 0;
	if (w->span[i].start > start)
		return MIXED;
	cache = w->span[i].cache;
	for (at = w->span[i].end; at < end; at = w->span[i].end)
		if (++i == w->nr || w->span[i].start != at || (int)w->span[i].cache != cache)
			return MIXED;
	return cache;
}

static void set_leaf(struct walk *w, uint64_t *table, uint64_t addr, int shift, int cache, int size)
{
	uint64_t e = block_start(addr, shift) | TABLE_ENTRY | BATON_PTE_D;

	if (size != BATON_PAGE_4K)
		e |= BATON_PTE_PS;
	if (cache == BATON_CACHE_UC)
		e |= BATON_PTE_PCD | BATON_PTE_PWT;
	if (table)
		table[entry_index(addr, shift)] = e;
	w->stats->leaves[size][cache == BATON_CACHE_UC]++;
}

/* Take a page for a new table and point the parent's entry for addr at it (parent NULL: a root). */
static int new_table(struct walk *w, uint64_t *parent, uint64_t addr, int shift, uint64_t **table,
		     uint64_t *phys)
{
	*table = NULL;
	*phys = 0;
	if (w->alloc) {
		*table = w->alloc->alloc_page(w->alloc->ctx, phys);
		if (!*table)
			return baton_fail(w->err, ENOMEM, "identmap: allocator ran out after %zu "
					  "page-table pages", w->stats->table_pages);
		if (*phys & ~BATON_PTE_ADDR)
			return baton_fail(w->err, EINVAL, "identmap: page-table page at 0x%" PRIx64
					  " is not 4 KiB-aligned below 4 PiB", *phys);
		memset(*table, 0, PAGE_SIZE);
	}
	w->stats->table_pages++;
	if (parent)
		parent[entry_index(addr, shift)] = *phys | TABLE_ENTRY;
	return 0;
}

static int map_pt(struct walk *w, uint64_t *pt, uint64_t addr, uint64_t end)
{
	uint64_t next;

	for (addr = next_mapped(w, addr, end); addr < end; addr = next_mapped(w, next, end)) {
		next = block_next(addr, PT_SHIFT, end);
		set_leaf(w, pt, addr, PT_SHIFT, block_type(w, addr, PT_SHIFT), BATON_PAGE_4K);
	}
	return 0;
}

static int map_pd(struct walk *w, uint64_t *pd, uint64_t addr, uint64_t end)
{
	uint64_t next, *pt, phys;
	int type, ret;

	for (addr = next_mapped(w, addr, end); addr < end; addr = next_mapped(w, next, end)) {
		next = block_next(addr, PD_SHIFT, end);
		type = block_type(w, addr, PD_SHIFT);
		if (type != MIXED) {
			set_leaf(w, pd, addr, PD_SHIFT, type, BATON_PAGE_2M);
			continue;
		}
		ret = new_table(w, pd, addr, PD_SHIFT, &pt, &phys);
		if (!ret)
			ret = map_pt(w, pt, addr, next);
		if (ret)
			return ret;
	}
	return 0;
}

static int map_pdpt(struct walk *w, uint64_t *pdpt, uint64_t addr, uint64_t end)
{
	uint64_t next, *pd, phys;
	int type, ret;

	for (addr = next_mapped(w, addr, end); addr < end; addr = next_mapped(w, next, end)) {
		next = block_next(addr, PDPT_SHIFT, end);
		type = block_type(w, addr, PDPT_SHIFT);
		if (type != MIXED && (w->features & BATON_CPU_GBPAGES)) {
			set_leaf(w, pdpt, addr, PDPT_SHIFT, type, BATON_PAGE_1G);
			continue;
		}
		ret = new_table(w, pdpt, addr, PDPT_SHIFT, &pd, &phys);
		if (!ret)
			ret = map_pd(w, pd, addr, next);
		if (ret)
			return ret;
	}
	return 0;
}

static int map_pml4(struct walk *w, uint64_t *pml4, uint64_t addr, uint64_t end)
{
	uint64_t next, *pdpt, phys;
	int ret;

	for (addr = next_mapped(w, addr, end); addr < end; addr = next_mapped(w, next, end)) {
		next = block_next(addr, PML4_SHIFT, end);
		ret = new_table(w, pml4, addr, PML4_SHIFT, &pdpt, &phys);
		if (!ret)
			ret = map_pdpt(w, pdpt, addr, next);
		if (ret)
			return ret;
	}
	return 0;
}

static int check_layout(const struct baton_identmap_layout *l, struct baton_error *err)
{
	uint64_t prev_end = 0;

	if (!l || (l->nr && !l->spans))
		return baton_fail(err, EINVAL, "identmap: no layout");
	for (size_t i = 0; i < l->nr; i++) {
		const struct baton_map_span *s = &l->spans[i];
		if (s->start >= s->end || s->start < prev_end || ((s->start | s->end) & ~PAGE_MASK) ||
		    s->end > BATON_IDENTMAP_LIMIT ||
		    (s->cache != BATON_CACHE_WB && s->cache != BATON_CACHE_UC))
			return baton_fail(err, EINVAL, "identmap: layout span %zu (0x%" PRIx64 "-0x%"
					  PRIx64 ") is unsorted, unaligned, overlapping or beyond "
					  "256 TiB", i, s->start, s->end);
		prev_end = s->end;
	}
	return 0;
}

/* The whole walk; with alloc NULL it only counts. */
static int walk_layout(const struct baton_identmap_layout *layout, unsigned features,
		       const struct baton_pt_allocator *alloc, struct baton_identmap_roots *roots,
		       struct baton_identmap_stats *stats, struct baton_error *err)
{
	struct walk w = { .features = features, .alloc = alloc, .stats = stats, .err = err };
	uint64_t *pml5, *pml4;
	int ret;

	memset(stats, 0, sizeof(*stats));
	ret = check_layout(layout, err);
	if (ret)
		return ret;
	w.span = layout->spans;
	w.nr = layout->nr;
	ret = new_table(&w, NULL, 0, PML5_SHIFT, &pml5, &roots->pml5);
	if (!ret)
		ret = new_table(&w, pml5, 0, PML5_SHIFT, &pml4, &roots->pml4);
	if (!ret)
		ret = map_pml4(&w, pml4, 0, BATON_IDENTMAP_LIMIT);
	return ret;
}

int baton_identmap_build(const struct baton_identmap_layout *layout,
			 const struct baton_identmap_info *info, struct baton_identmap_roots *roots,
			 struct baton_identmap_stats *stats, struct baton_error *err)
{
	struct baton_identmap_stats local;

	if (!info || !info->alloc.alloc_page || !roots)
		return baton_fail(err, EINVAL, "identmap: no page allocator");
	return walk_layout(layout, info->features, &info->alloc, roots, stats ? stats : &local, err);
}

size_t baton_identmap_pages_needed(const struct baton_identmap_layout *layout, unsigned features)
{
	struct baton_identmap_stats stats;
	struct baton_identmap_roots roots;

	if (walk_layout(layout, features, NULL, &roots, &stats, NULL))
		return 0;
	return stats.table_pages;
}
