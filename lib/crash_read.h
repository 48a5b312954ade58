/* SPDX-License-Identifier: MIT */
/* The Linux backend's crash facts, read from sysfs and procfs. */
#ifndef BATON_LIB_CRASH_READ_H
#define BATON_LIB_CRASH_READ_H

#include "crash.h"

/* Read ROOT/sys/devices/system/cpu/{possible,cpuN/crash_notes,cpuN/crash_notes_size},
 * ROOT/sys/kernel/vmcoreinfo, ROOT/proc/iomem and the headers of ROOT/proc/kcore (which needs
 * root). *info is overwritten; free it with baton_crash_info_free(). After an error it is left
 * empty. */
int baton_crash_read(const char *root, struct baton_crash_info *info, struct baton_error *err);

/* The highest "Crash kernel" region of ROOT/proc/iomem, where a capture kernel is loaded, as
 * [*start, *end); both 0 when none is reserved. Reads nothing else (no root needed beyond
 * iomem's addresses). */
int baton_crash_read_region(const char *root, uint64_t *start, uint64_t *end,
			    struct baton_error *err);

#endif
