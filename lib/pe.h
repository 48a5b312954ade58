/* SPDX-License-Identifier: MIT */
/* PE/COFF images (the UEFI executable format): the headers and the section table, checked
 * against the file's bounds, and the sections' bytes as they lie in the file. */
#ifndef BATON_LIB_PE_H
#define BATON_LIB_PE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define BATON_PE_MACHINE_X86_64 0x8664
#define BATON_PE_MAX_SECTIONS   96      /* the PE specification's limit for images */

struct baton_pe_section {
	char name[9];                /* the 8-byte name, NUL-terminated ("/4": a long name) */
	uint32_t virtual_size;       /* the payload's size (SizeOfRawData is padded) */
	uint32_t virtual_address;
	const uint8_t *data;         /* into the file: PointerToRawData */
	size_t size;                 /* the bytes the section holds: VirtualSize, or SizeOfRawData
				      * where VirtualSize is 0 */
};

struct baton_pe {
	uint16_t machine;
	uint16_t magic;              /* 0x10b PE32, 0x20b PE32+ */
	size_t nr_sections;
	struct baton_pe_section sections[BATON_PE_MAX_SECTIONS];
};

/* "MZ" with a PE signature where e_lfanew points: nonzero when the file claims to be PE. */
int baton_pe_probe(const uint8_t *data, size_t size);
/* Validate the DOS stub, the COFF and optional headers and every section header against the
 * file, into *pe; `name` (the file) appears in messages, which name the failing field:
 * "pe: uki.efi: section 3 (.linux): 0x800000 bytes at 0x1000 run past the end of the file
 * (0x40000 bytes)". *pe is zeroed on failure (-ENOEXEC). */
int baton_pe_parse(struct baton_pe *pe, const uint8_t *data, size_t size, const char *name,
		   struct baton_error *err);
/* Whether a section header inside the file is called `name` (at most 8 characters), whatever
 * else is wrong with the file: a cheap look for probes, whose parse then says what is wrong. */
int baton_pe_names_section(const uint8_t *data, size_t size, const char *name);
/* The first section called `name`, or NULL. */
const struct baton_pe_section *baton_pe_find(const struct baton_pe *pe, const char *name);

#endif
