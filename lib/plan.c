/* SPDX-License-Identifier: MIT */
/* First-fit placement over a list of free ranges: lowest or highest address, as asked. */
#include "plan.h"

static uint64_t round_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static uint64_t round_down(uint64_t v, uint64_t a)
{
	return v & ~(a - 1);
}

/* Pages wholly inside RAM: ranges never overlap once sorted, so such a page holds no other byte. */
int baton_free_init(struct baton_free *free, const struct baton_memmap *map, uint64_t min,
		    uint64_t max, struct baton_error *err)
{
	free->nr = 0;
	for (size_t i = 0; i < map->nr; i++) {
		const struct baton_mem_range *m = &map->ranges[i];
		uint64_t start = round_up(m->start > min ? m->start : min, BATON_PAGE_SIZE);
		uint64_t end = round_down(m->end < max ? m->end : max, BATON_PAGE_SIZE);

		if (m->kind != BATON_MEM_RAM || start >= end)
			continue;
		if (free->nr == BATON_MAX_FREE)
			return baton_fail(err, E2BIG, "plan: more than %d free memory ranges",
					  BATON_MAX_FREE);
		free->r[free->nr].start = start;
		free->r[free->nr].end = end;
		free->nr++;
	}
	return 0;
}

static void take(struct baton_free *free, size_t i, uint64_t start, uint64_t end)
{
	struct baton_phys_range *f = &free->r[i];

	if (start == f->start && end == f->end) {
		for (size_t j = i + 1; j < free->nr; j++)
			free->r[j - 1] = free->r[j];
		free->nr--;
	} else if (start == f->start) {
		f->start = end;
	} else if (end == f->end) {
		f->end = start;
	} else {
		for (size_t j = free->nr; j > i + 1; j--)
			free->r[j] = free->r[j - 1];
		free->r[i + 1].start = end;
		free->r[i + 1].end = f->end;
		f->end = start;
		free->nr++;
	}
}

static int fits(const struct baton_phys_range *f, const struct baton_place_req *req, uint64_t size,
		int highest, uint64_t *addr)
{
	uint64_t lo = f->start > req->min ? f->start : req->min;
	uint64_t hi = f->end < req->max ? f->end : req->max;
	uint64_t at;

	if (hi <= lo || hi - lo < size)
		return 0;
	at = highest ? round_down(hi - size, req->align) : round_up(lo, req->align);
	if (at < lo || at + size > hi)
		return 0;
	*addr = at;
	return 1;
}

int baton_free_take(struct baton_free *free, const struct baton_place_req *req, uint64_t *addr)
{
	uint64_t size = round_up(req->size, BATON_PAGE_SIZE);
	uint64_t align = req->align < BATON_PAGE_SIZE ? BATON_PAGE_SIZE : req->align;
	struct baton_place_req r = *req;
	int highest = req->where == BATON_PLACE_HIGHEST;

	r.align = align;
	if (!size || (align & (align - 1)))
		return -EINVAL;
	if (free->nr >= sizeof(free->r) / sizeof(free->r[0]))
		return -ENOSPC;
	for (size_t n = 0; n < free->nr; n++) {
		size_t i = highest ? free->nr - 1 - n : n;
		if (fits(&free->r[i], &r, size, highest, addr)) {
			take(free, i, *addr, *addr + size);
			return 0;
		}
	}
	return -ENOSPC;
}
