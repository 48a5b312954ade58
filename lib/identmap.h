/* SPDX-License-Identifier: MIT */
/* The identity map: page tables mapping every physical byte the handover may touch one-to-one. */
#ifndef BATON_LIB_IDENTMAP_H
#define BATON_LIB_IDENTMAP_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "memmap.h"
#include "ranges.h"

enum baton_cache {
	BATON_CACHE_WB = 1,   /* RAM-like: write-back, no cache bits */
	BATON_CACHE_UC = 2,   /* everything else: PCD|PWT (UC once IA32_PAT holds its reset value) */
};

/* One stretch of address space with one memory type; [start, end). */
struct baton_map_span {
	uint64_t start;
	uint64_t end;
	enum baton_cache cache;
};

/* What to map: sorted, non-overlapping spans; bytes in no span stay unmapped. */
struct baton_identmap_layout {
	struct baton_map_span *spans;
	size_t nr;
	size_t cap;
};

#define BATON_IDENTMAP_LIMIT (1ULL << 48)   /* 256 TiB: what one PML4 maps */
/* With 4-level paging, virtual addresses from 2^47 are not canonical, so the PML4's upper half
 * serves 0xffff8000'00000000 and up: physical [2^47, 2^48) is identity-mapped only through the PML5
 * root (CR4.LA57). Anything the purgatory must reach stays below this unless LA57 is on. */
#define BATON_IDENTMAP_LIMIT_4LEVEL (1ULL << 47)

/* Classify the address space: RAM-like ranges WB, other listed ranges UC, every unlisted byte below
 * 4 GiB UC, unlisted bytes above 4 GiB unmapped. Where ranges overlap, UC wins. Spans are whole
 * 4 KiB pages: a page is WB only if all its bytes are RAM-like, and a page holding any listed byte
 * is mapped, up to BATON_IDENTMAP_LIMIT: ranges reaching above it are clipped there. Each of `must_map` (the segments) must lie wholly in WB spans, else -EINVAL. The map
 * need not be sorted. *out is overwritten (left empty on error); free it with
 * baton_identmap_layout_free(). */
int baton_identmap_layout(const struct baton_memmap *map, const struct baton_phys_range *must_map,
			  size_t nr_must_map, struct baton_identmap_layout *out, struct baton_error *err);
void baton_identmap_layout_free(struct baton_identmap_layout *layout);

enum baton_cpu_feature {
	BATON_CPU_GBPAGES = 1u << 0,  /* 1 GiB pages (CPUID pdpe1gb) */
	BATON_CPU_LA57 = 1u << 1,     /* the running kernel uses 5-level paging */
};

struct baton_pt_allocator {
	/* A zeroed 4 KiB page for the builder to fill, and the physical address it will be loaded at;
	 * NULL when no page is left. */
	void *(*alloc_page)(void *ctx, uint64_t *phys);
	void *ctx;
};

struct baton_identmap_info {
	struct baton_pt_allocator alloc;
	unsigned features;   /* enum baton_cpu_feature */
};

enum { BATON_PAGE_4K, BATON_PAGE_2M, BATON_PAGE_1G, BATON_PAGE_SIZES };

struct baton_identmap_stats {
	uint64_t leaves[BATON_PAGE_SIZES][2];  /* leaf entries per size, [0] WB, [1] UC */
	size_t table_pages;                    /* pages allocated, roots included */
};

struct baton_identmap_roots {
	uint64_t pml4;   /* physical address of the 4-level root */
	uint64_t pml5;   /* physical address of the 5-level root, whose entry 0 is pml4 */
};

/* Page-table entry bits the builder uses (and the tests check). */
#define BATON_PTE_P   0x001ULL
#define BATON_PTE_RW  0x002ULL
#define BATON_PTE_PWT 0x008ULL
#define BATON_PTE_PCD 0x010ULL
#define BATON_PTE_A   0x020ULL
#define BATON_PTE_D   0x040ULL
#define BATON_PTE_PS  0x080ULL
#define BATON_PTE_G   0x100ULL
#define BATON_PTE_NX  (1ULL << 63)
#define BATON_PTE_ADDR 0x000ffffffffff000ULL

/* Build the tables for a layout (sorted, non-overlapping, 4 KiB-aligned spans below the limit, else
 * -EINVAL); -ENOMEM when the allocator runs dry. stats may be NULL. */
int baton_identmap_build(const struct baton_identmap_layout *layout,
			 const struct baton_identmap_info *info, struct baton_identmap_roots *roots,
			 struct baton_identmap_stats *stats, struct baton_error *err);

/* Table pages baton_identmap_build will allocate for this layout (roots included); 0 if the layout
 * is invalid. */
size_t baton_identmap_pages_needed(const struct baton_identmap_layout *layout, unsigned features);

#endif
