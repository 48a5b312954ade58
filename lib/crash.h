/* SPDX-License-Identifier: MIT */
/* Crash dumps (kdump): what the dead kernel's memory looks like, as an ELF core header for the
 * capture kernel's elfcorehdr=, and the e820 map the capture kernel may boot in. */
#ifndef BATON_LIB_CRASH_H
#define BATON_LIB_CRASH_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "identmap.h"
#include "memmap.h"

#define BATON_CRASH_MAX_CPUS 8192
#define BATON_CRASH_MAX_REGIONS 8
#define BATON_CRASH_BACKUP_LIMIT 0xa0000ULL        /* 640 KiB: the real-mode memory saved */
#define BATON_ELFCORE_ALIGN 4096                   /* the header's size is rounded to this */

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
	struct baton_memmap ram;          /* "System RAM" at any depth of /proc/iomem, sorted */
	/* "Crash kernel" regions, sorted: crashkernel=X,high also reserves a low one. The capture
	 * kernel is loaded into the last (highest); all are left out of the dump. */
	struct baton_phys_range crash[BATON_CRASH_MAX_REGIONS];
	size_t nr_crash;
	uint64_t text_paddr;              /* "Kernel code" start: __pa_symbol(_text) */
	uint64_t text_vaddr;              /* _text, from /proc/kcore's kernel text segment */
	uint64_t text_size;               /* _end - _text, the same segment's size */
	uint64_t page_offset;             /* direct map base: __va(p) = page_offset + p */
};

/* Read ROOT/sys/devices/system/cpu/{possible,cpuN/crash_notes,cpuN/crash_notes_size},
 * ROOT/sys/kernel/vmcoreinfo, ROOT/proc/iomem and the headers of ROOT/proc/kcore (which needs
 * root). *info is overwritten; free it with baton_crash_info_free(). After an error it is left
 * empty. */
int baton_crash_read(const char *root, struct baton_crash_info *info, struct baton_error *err);
void baton_crash_info_free(struct baton_crash_info *info);

/* The low memory the purgatory saves before entering the capture kernel: the first System RAM
 * range starting below 640 KiB, clipped to 640 KiB. -ENOENT when there is none. */
int baton_crash_backup_range(const struct baton_crash_info *info, uint64_t *src, uint64_t *size);

struct baton_elfcore_opts {
	const struct baton_phys_range *exclude;   /* not dumped: normally info->crash */
	size_t nr_exclude;
	uint64_t backup_src;                      /* baton_crash_backup_range(); size 0: none */
	uint64_t backup_size;
	uint64_t backup_dst;                      /* where the purgatory copies it */
};

/* The ELF64 core header (ET_CORE, EM_X86_64) /proc/vmcore starts from, in the order of Linux's
 * crash_prepare_elf64_headers(): a PT_NOTE per CPU note, a PT_NOTE for VMCOREINFO, a PT_LOAD for
 * the kernel text (at its _text address), then a PT_LOAD per System RAM range minus `exclude`
 * at page_offset + paddr. The backup source's PT_LOAD is split off and reads from backup_dst.
 * p_offset is a physical address throughout. *out (free()) is zero-padded to
 * BATON_ELFCORE_ALIGN; *size is its length. */
int baton_elfcore_build(const struct baton_crash_info *info, const struct baton_elfcore_opts *opts,
			uint8_t **out, size_t *size, struct baton_error *err);

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

#endif
