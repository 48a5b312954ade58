/* SPDX-License-Identifier: MIT */
/* The crash facts (kdump): what the capture kernel needs to know of the running one, whichever
 * backend read them. */
#ifndef BATON_LIB_CRASH_H
#define BATON_LIB_CRASH_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "memmap.h"
#include "ranges.h"

#define BATON_CRASH_MAX_CPUS 8192
#define BATON_CRASH_MAX_REGIONS 8
#define BATON_CRASH_BACKUP_LIMIT 0xa0000ULL        /* 640 KiB: the real-mode memory saved */

/* One CPU's register note, filled by the dying kernel (crash_save_cpu). */
struct baton_crash_note {
	uint32_t cpu;
	uint64_t addr;   /* physical */
	uint64_t size;   /* crash_notes_size: sizeof(note_buf_t) */
};

/* The running kernel, as the capture kernel will need to find it after a panic. */
struct baton_crash_info {
	struct baton_crash_note *notes;   /* possible CPUs that have notes, by CPU number */
	size_t nr_notes;
	uint64_t vmcoreinfo_addr;         /* physical; the VMCOREINFO note */
	uint64_t vmcoreinfo_size;
	struct baton_memmap ram;          /* System RAM, sorted: Linux's at any depth of /proc/iomem,
					   * Xen's from the machine map */
	/* "Crash kernel" regions, sorted: crashkernel=X,high also reserves a low one. The capture
	 * kernel is loaded into the last (highest); all are left out of the dump. */
	struct baton_phys_range crash[BATON_CRASH_MAX_REGIONS];
	size_t nr_crash;
	uint64_t text_paddr;              /* "Kernel code" start: __pa_symbol(_text) */
	uint64_t text_vaddr;              /* _text, from /proc/kcore's kernel text segment */
	uint64_t text_size;               /* _end - _text, the same segment's size */
	uint64_t page_offset;             /* direct map base: __va(p) = page_offset + p */
	/* Crash hotplug: the program-header bytes the kernel may write into the ELF core header
	 * (/sys/kernel/crash_elfcorehdr_size), 0 where it cannot, and then why not. */
	uint64_t hotplug_phdrs_size;
	const char *no_hotplug;
};

/* The Linux backend reads these in crash_read.h, Xen's asks the hypervisor (backend_xen.c); both
 * end with baton_crash_info_finish(). Free with baton_crash_info_free(), which leaves it empty. */
void baton_crash_info_free(struct baton_crash_info *info);
/* Record a "Crash kernel" region; E2BIG past BATON_CRASH_MAX_REGIONS. `where` (a path, "xen")
 * names the source in messages. */
int baton_crash_add_region(struct baton_crash_info *info, uint64_t start, uint64_t end,
			   const char *where, struct baton_error *err);
/* What every backend's facts meet: crash regions sorted and disjoint, RAM sorted and merged. */
int baton_crash_info_finish(struct baton_crash_info *info, const char *where,
			    struct baton_error *err);

/* The low memory the purgatory saves before entering the capture kernel: the first System RAM
 * range starting below 640 KiB, clipped to 640 KiB. -ENOENT when there is none. */
int baton_crash_backup_range(const struct baton_crash_info *info, uint64_t *src, uint64_t *size);

#endif
