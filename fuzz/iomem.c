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
	struct boot_params bp;
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

	memset(&bp, 0, sizeof(bp));
	rc = baton_bootparams_e820(&bp, &map, &err);
	if (map.nr > E820_MAX_ZEROPAGE) {
		FUZZ_CHECK(rc == -E2BIG, "e820 of %zu entries: rc %d", map.nr, rc);
	} else {
		FUZZ_CHECK(rc == 0 && bp.e820_entries == map.nr, "e820: rc %d", rc);
		for (size_t i = 0; i < map.nr; i++)
			FUZZ_CHECK(bp.e820_table[i].addr == map.ranges[i].start &&
				   bp.e820_table[i].size == map.ranges[i].end - map.ranges[i].start,
				   "e820 entry %zu", i);
	}
	baton_memmap_free(&map);
	return 0;
}
