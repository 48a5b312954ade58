/* SPDX-License-Identifier: MIT */
/* Reading an identity map back from its page-table bytes: what is mapped, by which page size and
 * memory type. An independent check of the builder: it reads what the purgatory will load. */
#ifndef BATON_LIB_MAPWALK_H
#define BATON_LIB_MAPWALK_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "identmap.h"

struct baton_image;

/* The page-table segment as it will be loaded. */
struct baton_pt_image {
	const void *buf;                     /* the table pages, in load order */
	size_t size;                         /* bytes: whole 4 KiB pages */
	uint64_t phys;                       /* where buf[0] is loaded */
	struct baton_identmap_roots roots;   /* pml5 0: walk from the PML4 alone */
	unsigned features;                   /* enum baton_cpu_feature: 1 GiB leaves need GBPAGES */
};

/* A stretch mapped one-to-one by leaves of one size and one memory type; [start, end). */
struct baton_map_run {
	uint64_t start;
	uint64_t end;
	int page_size;          /* BATON_PAGE_4K, BATON_PAGE_2M or BATON_PAGE_1G */
	enum baton_cache cache;
};

struct baton_map_runs {
	struct baton_map_run *runs;   /* address order; touching leaves of one size and type merged */
	size_t nr;
	size_t cap;
	struct baton_identmap_stats stats;   /* the leaves and table pages the walk reached */
};

/* Walk the tables from the PML5 root (whose entry 0 must be the PML4 root) or, with pml5 0, from
 * the PML4. Every table must be a page of the segment reached once, every leaf must map its own
 * address with PCD|PWT both clear (WB) or both set (UC), and 1 GiB leaves need GBPAGES; anything
 * else is -EINVAL with the entry named. *out is overwritten (empty on error); free it with
 * baton_map_runs_free(). */
int baton_mapwalk(const struct baton_pt_image *pt, struct baton_map_runs *out,
		  struct baton_error *err);

/* The same for a prepared image's page-table segment, and a check that the walk found exactly the
 * leaves and table pages the builder counted (img->map_stats), else -EPROTO. */
int baton_mapwalk_image(const struct baton_image *img, struct baton_map_runs *out,
			struct baton_error *err);

void baton_map_runs_free(struct baton_map_runs *runs);

/* Bytes in one page of size BATON_PAGE_4K, BATON_PAGE_2M or BATON_PAGE_1G. */
uint64_t baton_page_bytes(int page_size);

#endif
