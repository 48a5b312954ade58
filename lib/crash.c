/* SPDX-License-Identifier: MIT */
/* The crash facts every backend produces (Linux: crash_read.c; Xen: backend_xen.c), and the
 * invariants they meet. */
#include "crash.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void baton_crash_info_free(struct baton_crash_info *info)
{
	free(info->notes);
	baton_memmap_free(&info->ram);
	memset(info, 0, sizeof(*info));
}

int baton_crash_add_region(struct baton_crash_info *info, uint64_t start, uint64_t end,
			   const char *where, struct baton_error *err)
{
	if (info->nr_crash == BATON_CRASH_MAX_REGIONS)
		return baton_fail(err, E2BIG, "crash: %s: more than %d \"Crash kernel\" regions",
				  where, BATON_CRASH_MAX_REGIONS);
	info->crash[info->nr_crash++] = (struct baton_phys_range){ start, end };
	return 0;
}

int baton_crash_info_finish(struct baton_crash_info *info, const char *where,
			    struct baton_error *err)
{
	qsort(info->crash, info->nr_crash, sizeof(info->crash[0]), baton_phys_range_cmp);
	for (size_t i = 1; i < info->nr_crash; i++)
		if (info->crash[i].start < info->crash[i - 1].end)
			return baton_fail(err, EINVAL, "crash: %s: \"Crash kernel\" regions overlap"
					  " at 0x%" PRIx64, where, info->crash[i].start);
	return baton_memmap_sort(&info->ram, err);
}

int baton_crash_backup_range(const struct baton_crash_info *info, uint64_t *src, uint64_t *size)
{
	for (size_t i = 0; i < info->ram.nr; i++) {
		const struct baton_mem_range *r = &info->ram.ranges[i];

		if (r->kind != BATON_MEM_RAM || r->start >= BATON_CRASH_BACKUP_LIMIT)
			continue;
		*src = r->start;
		*size = (r->end < BATON_CRASH_BACKUP_LIMIT ? r->end : BATON_CRASH_BACKUP_LIMIT) -
			r->start;
		return 0;
	}
	return -ENOENT;
}
