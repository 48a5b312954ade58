/* SPDX-License-Identifier: MIT */
/* The loader's side of the purgatory ABI (include/baton/abi.h): reading the image's header and
 * filling its parameter block. The purgatory's side is purgatory/verify.c. */
#ifndef BATON_LIB_PURGATORY_PARAMS_H
#define BATON_LIB_PURGATORY_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "baton/abi.h"
#include "error.h"
#include "segment.h"

struct baton_purgatory_layout {
	uint32_t params_offset;
	uint32_t text_offset;
	uint32_t text_end;
	uint32_t image_size;
	uint32_t trampoline_offset;   /* BATON_EXIT_REAL16's trampoline, inside the hashed part */
	uint32_t trampoline_size;
};

/* How the purgatory leaves: a mode, an entry point and the registers it loads (others zero).
 * Each format fills one in for its protocol; the purgatory knows none of them. */
struct baton_exit {
	uint32_t mode;                         /* BATON_EXIT_* */
	uint64_t entry;
	uint64_t regs[BATON_EXIT_NR_REGS];     /* by BATON_EXIT_RAX... */
	/* BATON_EXIT_REAL16: entry is CS:IP as a physical address below 1 MiB; the trampoline's
	 * low copy (set by the loader, not the format), the data segments and SP. */
	uint64_t trampoline;
	uint16_t real_seg;
	uint16_t real_sp;
};

/* Everything the parameter block says, in the loader's terms. */
struct baton_purgatory_fill {
	struct baton_exit exit;
	int serial;                  /* report on the UART at serial_port */
	uint16_t serial_port;
	uint32_t serial_baud;
	uint32_t console;            /* BATON_PF_CONSOLE_VGA, _CONSOLE_FB, _RESET_VGA */
	struct baton_fb fb;          /* with BATON_PF_CONSOLE_FB */
	uint64_t pml4;
	uint64_t pml5;
	uint64_t timing;             /* 0: no timing record */
	uint64_t backup_src;         /* 0 size: no backup */
	uint64_t backup_dst;
	uint64_t backup_size;
	const struct baton_bios_area *bios;   /* NULL: the purgatory writes no BIOS data area */
	uint64_t elfcorehdr;         /* crash hotplug: the header the kernel rewrites, checked by */
	uint64_t elfcorehdr_size;    /* shape instead of digest (0 size: no hotplug) */
	uint32_t digest_chunk;       /* the tree digest's chunk size the roots were computed with */
	const struct baton_segment *seg;   /* verified: those with memsz and hashed_size, by root */
	size_t nr_seg;
};

/* Check an image's header (magic, version, offsets inside the image) and return its layout. */
int baton_purgatory_layout(const uint8_t *image, size_t size, struct baton_purgatory_layout *out,
			   struct baton_error *err);

/* Fill *p (zeroed first) from *f and digest it; -E2BIG beyond BATON_MAX_REGIONS regions. */
int baton_purgatory_params_fill(struct baton_params *p, const struct baton_purgatory_fill *f,
				struct baton_error *err);

#endif
