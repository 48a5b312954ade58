/* SPDX-License-Identifier: MIT */
/* The PT_LOAD segments, notes and entry of an x86 ELF executable (a multiboot kernel such as
 * Xen, a Linux vmlinux). */
#ifndef BATON_LIB_ELF_LOAD_H
#define BATON_LIB_ELF_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define BATON_ELF_MAX_LOADS 16
#define BATON_ELF_MAX_NOTES 4

enum baton_elf_class {
	BATON_ELF_32 = 1,   /* ELFCLASS32, EM_386: entered in 32-bit protected mode */
	BATON_ELF_64 = 2,   /* ELFCLASS64, EM_X86_64 */
};

struct baton_elf_load {
	uint64_t paddr;     /* where it goes */
	uint64_t vaddr;     /* where it runs (e_entry is in these terms) */
	uint64_t offset;    /* of its bytes in the file */
	uint64_t filesz;    /* bytes from the file; the rest of memsz is zero */
	uint64_t memsz;
	uint64_t align;     /* p_align: 0 or a power of two */
};

struct baton_elf_image {
	enum baton_elf_class elf_class;
	uint64_t entry;                 /* e_entry */
	size_t nr_loads;                /* 1..BATON_ELF_MAX_LOADS, in file order */
	struct baton_elf_load loads[BATON_ELF_MAX_LOADS];
	size_t nr_notes;                /* PT_NOTEs inside the file, the first BATON_ELF_MAX_NOTES */
	struct { uint64_t offset, size; } notes[BATON_ELF_MAX_NOTES];
};

/* Read an ET_EXEC, little-endian ELF32/EM_386 or ELF64/EM_X86_64. Refuses (-ENOEXEC, one line
 * naming the file, e.g. "elf: xen: PT_LOAD 0: filesz 0x2000 is more than memsz 0x1000") headers
 * or segments outside the file, filesz above memsz, a segment wrapping the address space (for
 * ELF32: past 4 GiB), PT_LOADs overlapping in physical memory, none, or more than 16. After an
 * error *out is zeroed. */
int baton_elf_load_parse(struct baton_elf_image *out, const uint8_t *data, size_t size,
			 const char *name, struct baton_error *err);

/* Whether the image's PT_NOTEs (in `data`, the file it was parsed from) hold a note named
 * `owner` (e.g. "Linux") of `type` (any type: -1) whose descriptor starts with the `desc_len`
 * bytes of `desc` (any: NULL). A note that runs past its PT_NOTE ends the walk of that one. */
int baton_elf_has_note(const struct baton_elf_image *elf, const uint8_t *data, const char *owner,
		       long type, const void *desc, size_t desc_len);

#endif
