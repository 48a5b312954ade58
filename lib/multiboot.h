/* SPDX-License-Identifier: MIT */
/* The multiboot (version 1) header of a kernel image: found, validated, read into a typed result. */
#ifndef BATON_LIB_MULTIBOOT_H
#define BATON_LIB_MULTIBOOT_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define BATON_MB1_MAGIC        0x1badb002u   /* in the image's header */
#define BATON_MB1_LOADER_MAGIC 0x2badb002u   /* in EAX at entry */
#define BATON_MB1_SEARCH       8192          /* the header lies within the file's first 8 KiB */

/* Header flags. Bits 0-15 are requirements: one baton does not know or cannot meet is refused. */
#define BATON_MB1_PAGE_ALIGN  (1u << 0)    /* modules page aligned */
#define BATON_MB1_MEMORY_INFO (1u << 1)    /* mem_lower/mem_upper (and the map) wanted */
#define BATON_MB1_VIDEO_MODE  (1u << 2)    /* a video mode set: refused, baton sets none */
#define BATON_MB1_ADDRESS     (1u << 16)   /* the address fields below are valid */
#define BATON_MB1_KNOWN_REQUIREMENTS (BATON_MB1_PAGE_ALIGN | BATON_MB1_MEMORY_INFO)

struct baton_mb1_header {
	size_t offset;              /* of the header in the file: 4-byte aligned, below 8 KiB */
	uint32_t flags;
	struct {                    /* with BATON_MB1_ADDRESS: where the file's bytes go */
		uint32_t header_addr;
		uint32_t load_addr;
		uint32_t load_end_addr;     /* 0: to the end of the file */
		uint32_t bss_end_addr;      /* 0: no bss */
		uint32_t entry_addr;
		size_t load_offset;         /* the file offset load_addr corresponds to */
		size_t load_size;           /* file bytes to load from there */
	} address;
};

/* 1 when the file's first 8 KiB hold a multiboot magic whose checksum adds up. */
int baton_mb1_probe(const uint8_t *data, size_t size);

/* Find and validate the header. Refuses (-ENOEXEC, one line naming the file) a bad checksum, a
 * header past 8 KiB or the file, an unknown requirement (flag bits 3-15), a video mode, and
 * address fields that do not fit the file. After an error *out is zeroed. */
int baton_mb1_parse(struct baton_mb1_header *out, const uint8_t *data, size_t size,
		    const char *name, struct baton_error *err);

#endif
