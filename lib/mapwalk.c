/* SPDX-License-Identifier: MIT */
/* Walking the identity map's page tables as bytes, the way the CPU will, into runs of leaves. */
#include "mapwalk.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"

#define PAGE_SIZE  ((uint64_t)0x1000)
#define PTE_PAT_4K BATON_PTE_PS       /* bit 7 is PAT, not PS, in a 4 KiB leaf */
#define PTE_PAT_LARGE (1ULL << 12)    /* PAT in a 2 MiB or 1 GiB leaf */

static const char *const level_name[] = { "", "PT", "PD", "PDPT", "PML4", "PML5" };

struct walker {
	const struct baton_pt_image *pt;
	unsigned char *seen;   /* per table page: reached already */
	struct baton_map_runs *out;
	struct baton_error *err;
};

uint64_t baton_page_bytes(int page_size)
{
	return 1ULL << (12 + 9 * page_size);
}

static int level_shift(int level)
{
	return 12 + 9 * (level - 1);
}

/* The table page at phys, marked as reached; a page reached twice would make the walk a graph. */
static int table_at(struct walker *w, uint64_t phys, int level, const uint8_t **table)
{
	const struct baton_pt_image *pt = w->pt;
	size_t i;

	if ((phys & (PAGE_SIZE - 1)) || phys < pt->phys || phys - pt->phys >= pt->size)
		return baton_fail(w->err, EINVAL, "mapwalk: %s at 0x%" PRIx64 " is not a page of the "
				  "table segment 0x%" PRIx64 "-0x%" PRIx64, level_name[level], phys,
				  pt->phys, pt->phys + pt->size - 1);
	i = (size_t)((phys - pt->phys) / PAGE_SIZE);
	if (w->seen[i])
		return baton_fail(w->err, EINVAL, "mapwalk: table page 0x%" PRIx64 " is reached "
				  "twice (again as a %s)", phys, level_name[level]);
	w->seen[i] = 1;
	w->out->stats.table_pages++;
	*table = (const uint8_t *)pt->buf + i * PAGE_SIZE;
	return 0;
}

static int add_run(struct walker *w, uint64_t start, uint64_t end, int size, enum baton_cache cache)
{
	struct baton_map_runs *r = w->out;
	struct baton_map_run *last = r->nr ? &r->runs[r->nr - 1] : NULL;

	if (last && last->end == start && last->page_size == size && last->cache == cache) {
		last->end = end;
		return 0;
	}
	if (r->nr == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		struct baton_map_run *v = realloc(r->runs, cap * sizeof(*v));
		if (!v)
			return baton_fail(w->err, ENOMEM, "mapwalk: out of memory");
		r->runs = v;
		r->cap = cap;
	}
	r->runs[r->nr++] = (struct baton_map_run){ start, end, size, cache };
	return 0;
}

static int add_leaf(struct walker *w, uint64_t va, int level, uint64_t e)
{
	uint64_t pat = level == 1 ? PTE_PAT_4K : PTE_PAT_LARGE;
	uint64_t cache_bits = e & (BATON_PTE_PCD | BATON_PTE_PWT);
	int size = level - 1;

	if (level == 3 && !(w->pt->features & BATON_CPU_GBPAGES))
		return baton_fail(w->err, EINVAL, "mapwalk: 1 GiB leaf at 0x%" PRIx64 ", but the CPU "
				  "has no 1 GiB pages", va);
	/* The memory type is PAT[PAT:PCD:PWT]; baton relies on entries 0 (WB) and 3 (UC) only. */
	if ((e & pat) || (cache_bits && cache_bits != (BATON_PTE_PCD | BATON_PTE_PWT)))
		return baton_fail(w->err, EINVAL, "mapwalk: %s leaf for 0x%" PRIx64 " is 0x%" PRIx64
				  ": memory type neither WB nor UC", level_name[level], va, e);
	if ((e & BATON_PTE_ADDR & ~pat) != va)
		return baton_fail(w->err, EINVAL, "mapwalk: %s leaf for 0x%" PRIx64 " maps 0x%" PRIx64
				  ", not itself", level_name[level], va, (uint64_t)(e & BATON_PTE_ADDR));
	w->out->stats.leaves[size][cache_bits != 0]++;
	return add_run(w, va, va + (1ULL << level_shift(level)), size,
		       cache_bits ? BATON_CACHE_UC : BATON_CACHE_WB);
}

static int walk_table(struct walker *w, uint64_t phys, int level, uint64_t base)
{
	const uint8_t *t = NULL;
	int rc = table_at(w, phys, level, &t);

	for (unsigned i = 0; !rc && i < 512; i++) {
		uint64_t e, va = base + ((uint64_t)i << level_shift(level));
		memcpy(&e, t + 8 * i, sizeof(e));
		if (!(e & BATON_PTE_P))
			continue;
		if (level == 1 || (level <= 3 && (e & BATON_PTE_PS)))
			rc = add_leaf(w, va, level, e);
		else if (e & BATON_PTE_PS)
			rc = baton_fail(w->err, EINVAL, "mapwalk: %s entry for 0x%" PRIx64 " has PS "
					"set (reserved at that level)", level_name[level], va);
		else
			rc = walk_table(w, e & BATON_PTE_ADDR, level - 1, va);
	}
	return rc;
}

/* The PML5 maps the PML4 as its entry 0, so both roots lead to the same tables. */
static int check_pml5(const struct baton_pt_image *pt, struct baton_error *err)
{
	uint64_t e = 0;

	if (pt->roots.pml5 >= pt->phys && pt->roots.pml5 - pt->phys < pt->size &&
	    !(pt->roots.pml5 & (PAGE_SIZE - 1)))
		memcpy(&e, (const uint8_t *)pt->buf + (pt->roots.pml5 - pt->phys), sizeof(e));
	else
		return baton_fail(err, EINVAL, "mapwalk: PML5 at 0x%" PRIx64 " is not a page of the "
				  "table segment", pt->roots.pml5);
	if (!(e & BATON_PTE_P) || (e & BATON_PTE_ADDR) != pt->roots.pml4)
		return baton_fail(err, EINVAL, "mapwalk: PML5 entry 0 is 0x%" PRIx64 ", not the PML4 "
				  "at 0x%" PRIx64, e, pt->roots.pml4);
	return 0;
}

int baton_mapwalk(const struct baton_pt_image *pt, struct baton_map_runs *out,
		  struct baton_error *err)
{
	struct walker w = { pt, NULL, out, err };
	int rc;

	memset(out, 0, sizeof(*out));
	if (!pt->buf || !pt->size || pt->size % PAGE_SIZE)
		return baton_fail(err, EINVAL, "mapwalk: no table segment (%zu bytes)", pt->size);
	w.seen = calloc(pt->size / PAGE_SIZE, 1);
	if (!w.seen)
		return baton_fail(err, ENOMEM, "mapwalk: out of memory");
	if (pt->roots.pml5) {
		rc = check_pml5(pt, err);
		if (!rc)
			rc = walk_table(&w, pt->roots.pml5, 5, 0);
	} else {
		rc = walk_table(&w, pt->roots.pml4, 4, 0);
	}
	free(w.seen);
	if (rc)
		baton_map_runs_free(out);
	return rc;
}

int baton_mapwalk_image(const struct baton_image *img, struct baton_map_runs *out,
			struct baton_error *err)
{
	const struct baton_segment *s = baton_segments_get(&img->segs, BATON_SEG_PAGE_TABLES);
	struct baton_pt_image pt = { s->buf, s->bufsz, s->mem, img->roots, img->in.features };
	const struct baton_identmap_stats *want = &img->map_stats;
	int rc = baton_mapwalk(&pt, out, err);

	if (rc)
		return rc;
	if (out->stats.table_pages != want->table_pages ||
	    memcmp(out->stats.leaves, want->leaves, sizeof(want->leaves))) {
		rc = baton_fail(err, EPROTO, "mapwalk: the tables hold %zu pages and %" PRIu64
				" 4K/%" PRIu64 " 2M/%" PRIu64 " 1G leaves; the builder counted %zu and %"
				PRIu64 "/%" PRIu64 "/%" PRIu64, out->stats.table_pages,
				out->stats.leaves[0][0] + out->stats.leaves[0][1],
				out->stats.leaves[1][0] + out->stats.leaves[1][1],
				out->stats.leaves[2][0] + out->stats.leaves[2][1], want->table_pages,
				want->leaves[0][0] + want->leaves[0][1],
				want->leaves[1][0] + want->leaves[1][1],
				want->leaves[2][0] + want->leaves[2][1]);
		baton_map_runs_free(out);
	}
	return rc;
}

void baton_map_runs_free(struct baton_map_runs *runs)
{
	free(runs->runs);
	memset(runs, 0, sizeof(*runs));
}
