/* SPDX-License-Identifier: MIT */
/* Placement of segments in free RAM: deterministic, page aligned, never in reserved memory. */
#ifndef BATON_LIB_PLAN_H
#define BATON_LIB_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "identmap.h"
#include "memmap.h"
#include "ranges.h"

#define BATON_PAGE_SIZE 4096ULL
#define BATON_4G (1ULL << 32)
#define BATON_LOW_RESERVE (1ULL << 20)   /* the first MiB: BIOS data, EBDA, trampolines */
#define BATON_MAX_FREE 512
/* Where the real-mode entry's two low segments may go: above the IVT, the BIOS data area and
 * the boot sector's room (Linux keeps this first 64 KiB for the BIOS too), below 640 KiB (the
 * EBDA, which the memory map marks, and the VGA hole). */
#define BATON_REAL_LOW_MIN 0x10000ULL
#define BATON_REAL_LOW_MAX 0xa0000ULL

enum baton_place {
	BATON_PLACE_LOWEST,
	BATON_PLACE_HIGHEST,
};

struct baton_place_req {
	uint64_t size;       /* bytes, rounded up to pages */
	uint64_t align;      /* power of two >= 4 KiB */
	uint64_t min;        /* the segment lies within [min, max) */
	uint64_t max;
	enum baton_place where;
};

/* Free physical memory, as page-aligned [start, end) ranges sorted by address. Each placement
 * splits at most one range, so room for one split per segment is kept beyond BATON_MAX_FREE. */
struct baton_free {
	struct baton_phys_range r[BATON_MAX_FREE + 16];
	size_t nr;
};

/* Usable RAM of `map` within [min, max), pages only; RAM touching reserved bytes loses that page. */
int baton_free_init(struct baton_free *free, const struct baton_memmap *map, uint64_t min,
		    uint64_t max, struct baton_error *err);
/* Take `req` from the free memory; -ENOSPC when it does not fit. */
int baton_free_take(struct baton_free *free, const struct baton_place_req *req, uint64_t *addr);

#endif
