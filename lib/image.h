/* A kexec image ready to load: every segment placed, built and digested at load time. */
#ifndef BATON_LIB_IMAGE_H
#define BATON_LIB_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "baton/abi.h"
#include "baton/baton.h"
#include "bootparam.h"
#include "bzimage.h"
#include "crash.h"
#include "efi.h"
#include "error.h"
#include "file.h"
#include "identmap.h"
#include "memmap.h"

/* enum baton_load_flag and struct baton_load_opts are public: baton/baton.h. */

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

struct baton_image {
	struct baton_segment seg[BATON_SEG_COUNT];   /* by enum baton_segment_id; memsz 0: unused */
	uint64_t entry;                    /* the purgatory's entry point */
	uint64_t kernel_entry;             /* where the purgatory enters the kernel */
	unsigned flags;                    /* enum baton_load_flag */
	unsigned features;                 /* enum baton_cpu_feature of the running machine */
	char *cmdline;                     /* the new kernel's command line, as loaded */
	struct baton_identmap_stats map_stats;
	struct baton_identmap_roots roots;
	struct baton_memmap memmap;        /* the firmware's */
	struct baton_memmap boot_map;      /* the new kernel's e820 when it differs (crash) */
	struct baton_crash_info crash;     /* crash images only */
	struct boot_params running;        /* the running kernel's zero page, if have_running */
	int have_running;
	struct baton_efi efi;              /* UEFI runtime map and tables, if present */
	uint64_t timing;                   /* the timing record's physical address */
	uint64_t backup_src;               /* low memory the purgatory saves (crash) */
	uint64_t backup_size;
	struct baton_bzimage bz;
	/* owned storage */
	struct baton_file kernel_file;
	struct baton_file initrd_file;
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
