/* SPDX-License-Identifier: MIT */
/* A kexec image ready to load: every segment placed, built and digested at load time. */
#ifndef BATON_LIB_IMAGE_H
#define BATON_LIB_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "baton/abi.h"
#include "baton/baton.h"
#include "console.h"
#include "error.h"
#include "identmap.h"
#include "inputs.h"
#include "memmap.h"
#include "segment.h"

/* enum baton_load_flag and struct baton_load_opts are public: baton/baton.h. */

/* The inputs (read first, then only read), and what is planned and built from them. */
struct baton_image {
	struct baton_inputs in;
	/* the plan */
	struct baton_segments segs;        /* in load order, each used */
	uint64_t entry;                    /* the purgatory's entry point */
	uint64_t kernel_entry;             /* where the purgatory enters the kernel */
	uint32_t exit_mode;                /* how: BATON_EXIT_LONG64 or _PROTECTED32 */
	unsigned flags;                    /* enum baton_load_flag */
	char *cmdline;                     /* the new kernel's command line, as loaded */
	struct baton_identmap_stats map_stats;
	struct baton_identmap_roots roots;
	struct baton_memmap boot_map;      /* the new kernel's e820 when it differs (crash) */
	uint64_t timing;                   /* the timing record's physical address */
	uint64_t backup_src;               /* low memory the purgatory saves (crash) */
	uint64_t backup_size;
	uint64_t backup_dst;
	int hotplug;                       /* crash hotplug: the kernel may rewrite the elfcorehdr */
	struct baton_bios_area bios;       /* what the purgatory writes below 640 KiB ... */
	int have_bios;                     /* ... if set (bios_area formats on UEFI machines) */
	struct baton_console_plan console; /* the screens the purgatory reports on */
	struct baton_warnings warnings;
	/* built buffers (owned) */
	uint8_t *boot_seg;
	uint8_t *elfcore_seg;
	uint8_t *table_seg;
	uint8_t *purgatory_seg;
};

/* *img is overwritten; free it with baton_image_free(). After an error it is left empty:
 * nothing read or built stays allocated or mapped. The running system is read through `ctx`,
 * the session's backend. */
int baton_image_prepare(const struct baton_backend *ctx, const struct baton_load_opts *opts,
			struct baton_image *img, struct baton_error *err);
void baton_image_free(struct baton_image *img);

#endif
