/* SPDX-License-Identifier: MIT */
/* The machine's physical memory map, as baton's own type (never an e820 wire struct). */
#ifndef BATON_LIB_MEMMAP_H
#define BATON_LIB_MEMMAP_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum baton_mem_kind {
	BATON_MEM_RAM,            /* "System RAM": usable */
	BATON_MEM_RESERVED,       /* "Reserved", and any name we do not know */
	BATON_MEM_ACPI,           /* "ACPI Tables" (reclaimable) */
	BATON_MEM_NVS,            /* "ACPI Non-volatile Storage" */
	BATON_MEM_UNUSABLE,       /* "Unusable memory" */
	BATON_MEM_PMEM,           /* "Persistent Memory" and "Persistent Memory (legacy)" */
	BATON_MEM_SOFT_RESERVED,  /* "Soft Reserved" (EFI specific-purpose memory) */
};

struct baton_mem_range {
	uint64_t start;             /* first byte */
	uint64_t end;               /* one past the last byte */
	enum baton_mem_kind kind;
};

#define BATON_MEMMAP_MAX 4096

/* Sorted by start once loaded; ranges may touch but never overlap after baton_memmap_sort(). */
struct baton_memmap {
	struct baton_mem_range *ranges;
	size_t nr;
	size_t cap;
};

void baton_memmap_free(struct baton_memmap *map);
/* Append a range. These two work on a map the caller holds: after an error it is still valid
 * and still the caller's to free (baton_memmap_add leaves it unchanged). */
int baton_memmap_add(struct baton_memmap *map, uint64_t start, uint64_t end,
		     enum baton_mem_kind kind, struct baton_error *err);
/* Sort by start; reject overlapping ranges of different kinds, merge touching ranges of one kind. */
int baton_memmap_sort(struct baton_memmap *map, struct baton_error *err);

/* True for memory the identity map may cache write-back: RAM, ACPI, NVS, persistent memory. */
int baton_mem_kind_is_ram_like(enum baton_mem_kind kind);
const char *baton_mem_kind_name(enum baton_mem_kind kind);
/* Map a firmware type string ("System RAM", "ACPI Tables", ...) to a kind; unknown -> RESERVED. */
enum baton_mem_kind baton_mem_kind_from_name(const char *name);

/* The readers below overwrite *map with a sorted map; after an error they leave it empty. */
/* Read /sys/firmware/memmap-style directory: DIR/N/{start,end,type}, end inclusive. */
int baton_memmap_read_sysfs(struct baton_memmap *map, const char *dir, struct baton_error *err);
/* Parse /proc/iomem text: only top-level (unindented) lines count. `name` is used in messages. */
int baton_memmap_parse_iomem(struct baton_memmap *map, const char *text, size_t len,
			     const char *name, struct baton_error *err);
/* Firmware map from ROOT/sys/firmware/memmap, else ROOT/proc/iomem (ROOT "" or "/" is the machine). */
int baton_memmap_read_machine(struct baton_memmap *map, const char *root, struct baton_error *err);

#endif
