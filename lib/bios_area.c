/* SPDX-License-Identifier: MIT */
/* Where the EBDA goes, and the new kernel's map that keeps it. */
#include "bios_area.h"

#include <string.h>

int baton_bios_area_plan(const struct baton_memmap *map, const struct baton_rsdp *rsdp,
			 struct baton_bios_area *out, struct baton_error *err)
{
	uint64_t top = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < map->nr; i++) {
		const struct baton_mem_range *r = &map->ranges[i];
		uint64_t end = r->end < BATON_BIOS_CONVENTIONAL_END ? r->end
								      : BATON_BIOS_CONVENTIONAL_END;

		end &= ~1023ULL;
		if (r->kind == BATON_MEM_RAM && end > r->start &&
		    end - r->start >= BATON_EBDA_KIB * 1024 && end > top)
			top = end;
	}
	if (top < BATON_BIOS_MIN_BASE + BATON_EBDA_KIB * 1024)
		return baton_fail(err, ENOSPC, "bios area: no RAM below 640 KiB reaching %u KiB for "
				  "an EBDA", (BATON_BIOS_MIN_BASE >> 10) + BATON_EBDA_KIB);
	out->ebda = top - BATON_EBDA_KIB * 1024;
	out->ebda_kib = BATON_EBDA_KIB;
	out->base_kib = (uint16_t)(out->ebda >> 10);
	out->rsdp = rsdp ? rsdp->addr : 0;
	return 0;
}

int baton_bios_area_reserve(const struct baton_memmap *map, const struct baton_bios_area *b,
			    struct baton_memmap *out, struct baton_error *err)
{
	uint64_t lo = b->ebda, hi = b->ebda + (uint64_t)b->ebda_kib * 1024;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < map->nr && !rc; i++) {
		const struct baton_mem_range *r = &map->ranges[i];

		if (r->kind != BATON_MEM_RAM || r->end <= lo || r->start >= hi) {
			rc = baton_memmap_add(out, r->start, r->end, r->kind, err);
			continue;
		}
		if (r->start < lo)
			rc = baton_memmap_add(out, r->start, lo, BATON_MEM_RAM, err);
		if (!rc && r->end > hi)
			rc = baton_memmap_add(out, hi, r->end, BATON_MEM_RAM, err);
	}
	if (!rc)
		rc = baton_memmap_add(out, lo, hi, BATON_MEM_RESERVED, err);
	if (!rc)
		rc = baton_memmap_sort(out, err);
	if (rc)
		baton_memmap_free(out);
	return rc;
}
