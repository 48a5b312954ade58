/* A kexec image ready to load: every segment placed, built and digested at load time. */
#ifndef BATON_LIB_IMAGE_H
#define BATON_LIB_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "baton/abi.h"
#include "baton/baton.h"
#include "bootparam.h"
#include "crash.h"
#include "efi.h"
#include "error.h"
#include "file.h"
#include "format.h"
#include "identmap.h"
#include "memmap.h"
#include "segment.h"

struct baton_xen;

/* Where the loader reads the machine's state: ROOT/sys/..., ROOT/proc/... ("" = this machine),
 * or, under Xen, the hypervisor (the machine's memory map and crash facts). */
struct baton_ctx {
	const char *root;
	struct baton_xen *xen;   /* NULL: Linux is the old kernel */
	int (*random)(void *buf, size_t len);   /* the new kernel's RNG seed; NULL: getrandom(2) */
};

/* enum baton_load_flag and struct baton_load_opts are public: baton/baton.h. */

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
	struct baton_kernel kernel;        /* the kernel file as its format parsed it */
	/* owned storage */
	struct baton_file kernel_file;
	struct baton_file initrd_file;
	uint8_t *boot_seg;
	uint8_t *elfcore_seg;
	uint8_t *table_seg;
	uint8_t *purgatory_seg;
};

/* *img is overwritten; free it with baton_image_free(). After an error it is left empty:
 * nothing read or built stays allocated or mapped. */
int baton_image_prepare(const struct baton_ctx *ctx, const struct baton_load_opts *opts,
			struct baton_image *img, struct baton_error *err);
void baton_image_free(struct baton_image *img);

#endif
