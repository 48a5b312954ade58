/* SPDX-License-Identifier: MIT */
/* Fuzz target: /proc/iomem text through baton_memmap_parse_iomem, baton_memmap_sort and the e820. */
#include <stdlib.h>
#include <string.h>

#include "bootparams.h"
#include "fuzz.h"
#include "memmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct baton_memmap map = { 0 }, again;
	struct baton_error err = { 0 };
	struct e820_entry *ext = NULL;
	struct boot_params bp;
	size_t n;
	int rc = baton_memmap_parse_iomem(&map, (const char *)data, size, "fuzz", &err);

	if (rc) {
		fuzz_check_error(rc, &err);
		baton_memmap_free(&map);
		return 0;
	}
	/* Known: a lone top-level line ffffffffffffffff-ffffffffffffffff (see docs/fuzzing.md). */
	FUZZ_CHECK(map.nr > 0 || fuzz_known("empty-map"), "accepted an empty map");
	fuzz_check_memmap(&map);

	/* Sorting a sorted map changes nothing. */
	if (map.nr) {
		again = map;
		again.ranges = malloc(map.cap * sizeof(*map.ranges));
		FUZZ_CHECK(again.ranges, "out of memory");
		memcpy(again.ranges, map.ranges, map.nr * sizeof(*map.ranges));
		rc = baton_memmap_sort(&again, &err);
		FUZZ_CHECK(rc == 0, "second sort: %s", err.msg);
		FUZZ_CHECK(again.nr == map.nr &&
			   !memcmp(again.ranges, map.ranges, map.nr * sizeof(*map.ranges)),
			   "second sort changed the map");
		baton_memmap_free(&again);
	}

	/* The zero page takes the first 128 entries, a SETUP_E820_EXT node the rest. */
	memset(&bp, 0, sizeof(bp));
	baton_bootparams_e820(&bp, &map);
	n = map.nr < E820_MAX_ZEROPAGE ? map.nr : E820_MAX_ZEROPAGE;
	FUZZ_CHECK(bp.e820_entries == n, "e820 of %zu ranges: %u entries", map.nr,
		   bp.e820_entries);
	if (map.nr > n) {
		ext = malloc((map.nr - n) * sizeof(*ext));
		FUZZ_CHECK(ext, "out of memory");
		baton_bootparams_e820_entries(ext, &map, n, map.nr - n);
	}
	for (size_t i = 0; i < map.nr; i++) {
		const struct e820_entry *e = i < n ? &bp.e820_table[i] : &ext[i - n];

		FUZZ_CHECK(e->addr == map.ranges[i].start &&
			   e->size == map.ranges[i].end - map.ranges[i].start, "e820 entry %zu", i);
	}
	free(ext);
	baton_memmap_free(&map);
	return 0;
}
