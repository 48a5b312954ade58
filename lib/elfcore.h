/* SPDX-License-Identifier: MIT */
/* The ELF core header for the capture kernel's elfcorehdr=, built from the crash facts. */
#ifndef BATON_LIB_ELFCORE_H
#define BATON_LIB_ELFCORE_H

#include <stddef.h>
#include <stdint.h>

#include "crash.h"

#define BATON_ELFCORE_ALIGN 4096   /* the header's size is rounded to this */

struct baton_elfcore_opts {
	const struct baton_phys_range *exclude;   /* not dumped: normally info->crash */
	size_t nr_exclude;
	uint64_t backup_src;                      /* baton_crash_backup_range(); size 0: none */
	uint64_t backup_size;
	uint64_t backup_dst;                      /* where the purgatory copies it */
	/* 1: ELFCLASS32 (kexec-tools' --elf32-core-headers): every physical address and size
	 * must fit 32 bits, else -ERANGE naming the range; a virtual address that does not
	 * (all of a 64-bit kernel's) is written as 0, where kexec-tools truncates it. */
	int elf32;
};

/* The ELF64 (or, opts->elf32, ELF32) core header (ET_CORE, EM_X86_64) /proc/vmcore starts from, in the order of Linux's
 * crash_prepare_elf64_headers(): a PT_NOTE per CPU note, a PT_NOTE for VMCOREINFO, a PT_LOAD for
 * the kernel text (at its _text address), then a PT_LOAD per System RAM range minus `exclude`
 * at page_offset + paddr. The backup source's PT_LOAD is split off and reads from backup_dst.
 * p_offset is a physical address throughout. *out (free()) is zero-padded to
 * BATON_ELFCORE_ALIGN; *size is its length. */
int baton_elfcore_build(const struct baton_crash_info *info, const struct baton_elfcore_opts *opts,
			uint8_t **out, size_t *size, struct baton_error *err);

#endif
