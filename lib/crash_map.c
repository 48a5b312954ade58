/* SPDX-License-Identifier: MIT */
/* The capture kernel's memory map: the crash regions as RAM, the dead kernel's RAM left out. */
#include "crash_map.h"

#include <stdio.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"

#define PAGE 4096ULL

static int add_ranges(struct baton_memmap *out, const struct baton_ranges *r,
		      enum baton_mem_kind kind, uint64_t min_size, struct baton_error *err)
{
	int rc;

	for (size_t i = 0; i < r->nr; i++)
		if (r->v[i].end - r->v[i].start >= min_size &&
		    (rc = baton_memmap_add(out, r->v[i].start, r->v[i].end, kind, err)))
			return rc;
	return 0;
}

int baton_crash_memmap(const struct baton_memmap *firmware, const struct baton_crash_info *info,
		       uint64_t crash_start, uint64_t crash_end,
		       const struct baton_phys_range *reserved, size_t nr_reserved,
		       struct baton_memmap *out, struct baton_error *err)
{
	struct baton_phys_range areas_in[BATON_CRASH_MAX_REGIONS + 2];
	struct baton_ranges areas = { 0 }, keep = { 0 }, ram = { 0 };
	uint64_t bsrc, bsize;
	size_t n = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (crash_end <= crash_start)
		return baton_fail(err, EINVAL, "crash: e820: empty crash region 0x%" PRIx64 "-0x%"
				  PRIx64, crash_start, crash_end);
	areas_in[n++] = (struct baton_phys_range){ crash_start, crash_end };
	for (size_t i = 0; i < info->nr_crash && i < BATON_CRASH_MAX_REGIONS; i++)
		areas_in[n++] = info->crash[i];
	if (!baton_crash_backup_range(info, &bsrc, &bsize))
		areas_in[n++] = (struct baton_phys_range){ bsrc, bsrc + bsize };
	if ((rc = baton_ranges_normalize(&areas, areas_in, n, err)) ||
	    (rc = baton_ranges_normalize(&keep, reserved, nr_reserved, err)))
		goto out;
	for (size_t i = 0; i < keep.nr; i++) {
		size_t a = 0;

		while (a < areas.nr && areas.v[a].end < keep.v[i].end)
			a++;
		if (a == areas.nr || areas.v[a].start > keep.v[i].start) {
			rc = baton_fail(err, EINVAL, "crash: e820: reserved 0x%" PRIx64 "-0x%"
					PRIx64 " is outside the crash regions", keep.v[i].start,
					keep.v[i].end - 1);
			goto out;
		}
	}
	for (size_t i = 0; !rc && i < areas.nr; i++)
		rc = baton_ranges_subtract(&ram, areas.v[i].start, areas.v[i].end, &keep, err);
	if (rc || (rc = add_ranges(out, &ram, BATON_MEM_RAM, PAGE, err)) ||
	    (rc = add_ranges(out, &keep, BATON_MEM_RESERVED, 1, err)))
		goto out;
	for (size_t i = 0; i < firmware->nr; i++) {
		const struct baton_mem_range *r = &firmware->ranges[i];

		if (r->kind != BATON_MEM_RAM &&
		    (rc = baton_memmap_add(out, r->start, r->end, r->kind, err)))
			goto out;
	}
	rc = baton_memmap_sort(out, err);
out:
	baton_ranges_free(&areas);
	baton_ranges_free(&keep);
	baton_ranges_free(&ram);
	if (rc)
		baton_memmap_free(out);
	return rc;
}

#define MEMMAP_RAM_MIN_K 100   /* kexec-tools: smaller RAM is not worth the command line */

int baton_crash_memmap_cmdline(const struct baton_memmap *map, struct baton_cmdline *c,
			       struct baton_error *err)
{
	struct baton_cmdline line = { 0 };
	int rc = baton_cmdline_append(&line, "memmap=exactmap", err);

	for (size_t i = 0; !rc && i < map->nr; i++) {
		const struct baton_mem_range *r = &map->ranges[i];
		uint64_t startk = r->start >> 10, endk = (r->end + 1023) >> 10;
		char token[64];
		char sep;

		switch (r->kind) {
		case BATON_MEM_RAM:
			endk = r->end >> 10;
			if (endk < startk + MEMMAP_RAM_MIN_K)
				continue;
			sep = '@';
			break;
		case BATON_MEM_ACPI:
		case BATON_MEM_NVS:
			sep = '#';
			break;
		case BATON_MEM_PMEM:
			sep = '!';
			break;
		default:
			continue;
		}
		snprintf(token, sizeof(token), "memmap=%" PRIu64 "K%c%" PRIu64 "K", endk - startk,
			 sep, startk);
		rc = baton_cmdline_append(&line, token, err);
	}
	if (!rc)
		rc = baton_cmdline_append(c, line.text, err);
	baton_cmdline_free(&line);
	return rc;
}
