/* SPDX-License-Identifier: MIT */
/* The e820 map the capture kernel boots in. */
#ifndef BATON_LIB_CRASH_MAP_H
#define BATON_LIB_CRASH_MAP_H

#include <stddef.h>
#include <stdint.h>

#include "crash.h"

/* The capture kernel's memory map. Usable RAM: the backup source (its contents are saved) and
 * [crash_start, crash_end) plus every region in info->crash, minus `reserved` (baton's segments
 * that must survive: the ELF header, the backup copy), which become RESERVED entries and must lie
 * in those regions. Every non-RAM range of `firmware` is kept as it is. The rest of the dead
 * kernel's RAM is left out: it is what gets dumped. Pieces of RAM under 4 KiB are dropped. *out
 * is overwritten, sorted and non-overlapping; free it with baton_memmap_free(). */
int baton_crash_memmap(const struct baton_memmap *firmware, const struct baton_crash_info *info,
		       uint64_t crash_start, uint64_t crash_end,
		       const struct baton_phys_range *reserved, size_t nr_reserved,
		       struct baton_memmap *out, struct baton_error *err);

struct baton_cmdline;

/* `map` (the capture kernel's) as kexec-tools' --pass-memmap-cmdline writes it: memmap=exactmap,
 * then per range memmap=SIZEK@STARTK for RAM of 100 KiB or more, SIZEK#STARTK for ACPI tables
 * and NVS, SIZEK!STARTK for persistent memory (start rounded down to KiB, the end of RAM down
 * and of the others up, as there); reserved ranges are left out, as there. Appended to `c`. */
int baton_crash_memmap_cmdline(const struct baton_memmap *map, struct baton_cmdline *c,
			       struct baton_error *err);

#endif
