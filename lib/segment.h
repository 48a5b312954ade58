/* SPDX-License-Identifier: MIT */
/* The segments of a kexec image: what each holds, where it goes, what the purgatory verifies.
 * One ordered list (load order): the format adds its own (kernel slices, initrd, modules) in its
 * plan, the loader adds the rest (elfcorehdr, backup, boot information, page tables, purgatory). */
#ifndef BATON_LIB_SEGMENT_H
#define BATON_LIB_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

#include "baton/abi.h"
#include "error.h"

/* kexec_load takes at most 16 segments (KEXEC_SEGMENT_MAX), the purgatory verifies as many. */
#define BATON_MAX_SEGMENTS 16
#define BATON_SEG_NAME BATON_REGION_NAME   /* with its NUL */

_Static_assert(BATON_MAX_SEGMENTS <= BATON_MAX_REGIONS, "every segment can be verified");

enum baton_seg_role {
	BATON_SEG_KERNEL,       /* a slice of the kernel file: "kernel", "kernel.1", ... */
	BATON_SEG_INITRD,       /* "initrd" */
	BATON_SEG_MODULE,       /* a module file: "module.0", "module.1", ... */
	BATON_SEG_ELFCOREHDR,   /* crash images only */
	BATON_SEG_BACKUP,       /* crash images only: filled by the purgatory */
	BATON_SEG_BOOT_INFO,    /* the format's boot information, named by the format */
	BATON_SEG_PAGE_TABLES,
	BATON_SEG_PURGATORY,
	BATON_SEG_TRAMPOLINE,   /* the real-mode exit's trampoline, below 1 MiB (--real-mode) */
};

struct baton_segment {
	char name[BATON_SEG_NAME];
	enum baton_seg_role role;
	const void *buf;
	size_t bufsz;
	uint64_t mem;
	uint64_t memsz;
	uint64_t hashed_start;   /* the range the purgatory verifies */
	uint64_t hashed_size;
	uint8_t sha256[32];      /* plain SHA-256 of that range: with BATON_LOAD_PLAIN_SHA256 only */
	uint8_t root[32];        /* its tree digest (common/sha256_tree.h): what the purgatory checks */
};

struct baton_segments {
	struct baton_segment seg[BATON_MAX_SEGMENTS];   /* in load order */
	size_t nr;
};

/* Append an empty segment of `role` and return it in *out. `name` NULL: named after the role
 * and how many of it there are ("kernel", "kernel.1", "module.0", ...). -E2BIG, with one line
 * and *out NULL, past BATON_MAX_SEGMENTS. */
int baton_segments_add(struct baton_segments *l, enum baton_seg_role role, const char *name,
		       struct baton_segment **out, struct baton_error *err);
/* The first segment of `role`, or NULL. */
struct baton_segment *baton_segments_find(struct baton_segments *l, enum baton_seg_role role);
const struct baton_segment *baton_segments_get(const struct baton_segments *l,
					       enum baton_seg_role role);
/* The segments of `role` as one range (a split initrd): from the first one's address to the end
 * of the last one's bytes; 0 and *start 0 when there is none. */
uint64_t baton_segments_span(const struct baton_segments *l, enum baton_seg_role role,
			     uint64_t *start);

#endif
