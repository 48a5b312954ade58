/* SPDX-License-Identifier: MIT */
/* The segments of a kexec image: what each holds, where it goes, what the purgatory verifies. */
#ifndef BATON_LIB_SEGMENT_H
#define BATON_LIB_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

enum baton_segment_id {
	BATON_SEG_KERNEL,
	BATON_SEG_INITRD,
	BATON_SEG_ELFCOREHDR,   /* crash images only */
	BATON_SEG_BACKUP,       /* crash images only: filled by the purgatory */
	BATON_SEG_BOOT_PARAMS,
	BATON_SEG_PAGE_TABLES,
	BATON_SEG_PURGATORY,
	BATON_SEG_COUNT,
};

struct baton_segment {
	const char *name;
	const void *buf;
	size_t bufsz;
	uint64_t mem;
	uint64_t memsz;
	uint64_t hashed_start;   /* the range the purgatory verifies */
	uint64_t hashed_size;
	uint8_t sha256[32];
};

#endif
