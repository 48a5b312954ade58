/* SPDX-License-Identifier: MIT */
/* Kernel image formats: one small interface (probe, parse, plan, boot_info, exit) and one table
 * (lib/formats.c) that -t and automatic detection both read. */
#ifndef BATON_LIB_FORMAT_H
#define BATON_LIB_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "baton/baton.h"
#include "bzimage.h"
#include "elf_load.h"
#include "error.h"
#include "memmap.h"
#include "multiboot.h"
#include "multiboot2.h"
#include "plan.h"
#include "purgatory_params.h"
#include "segment.h"
#include "uki.h"

struct baton_format;

/* A multiboot kernel: its header and the loads (the ELF's PT_LOADs, or the one load the
 * header's address fields describe), in address order. */
struct baton_multiboot {
	int version;                   /* 2: multiboot2, 1: multiboot v1 */
	struct baton_mb2_header mb2;   /* version 2 */
	struct baton_mb1_header mb1;   /* version 1 */
	struct baton_elf_image elf;    /* the loads: paddr as the image is linked */
	uint64_t entry;                /* physical, below 4 GiB, as linked (before relocation) */
};

/* An x86-64 ELF executable: its PT_LOADs (loaded at their physical addresses) and whether it is
 * Linux (a vmlinux, entered through the 64-bit boot protocol unless told otherwise). */
struct baton_elf_kernel {
	struct baton_elf_image elf;
	int linux_kernel;              /* a "Linux" ELF note, or Xen's guest-OS note "linux" */
};

/* The kernel file as its format reads it: read-only once parsed (points into the mapped file). */
struct baton_kernel {
	const struct baton_format *format;
	struct baton_bzimage bz;    /* "bzImage" */
	struct baton_multiboot mb;  /* "multiboot2-x86", "multiboot-x86" */
	struct baton_uki uki;       /* "uki": its sections; bz is its .linux */
	struct baton_elf_kernel elf; /* "elf-x86_64" */
};

/* Where a segment may go: [min, max) and alignment; below 4 GiB where possible, above only when
 * above4g (and the image allows it: not with a 32-bit exit). A fixed address is baton_seg_at(). */
struct baton_seg_place {
	uint64_t align;
	uint64_t min;
	uint64_t max;
	enum baton_place where;
	int above4g;
};

/* Exactly at `addr` (page aligned), for `memsz` bytes. */
static inline struct baton_seg_place baton_seg_at(uint64_t addr, uint64_t memsz)
{
	return (struct baton_seg_place){ BATON_PAGE_SIZE, addr, addr + memsz, BATON_PLACE_LOWEST,
					 addr + memsz > BATON_4G };
}

/* The planner, as a format sees it: place a segment (memsz set) or say why it does not fit. */
struct baton_placer {
	/* 0, or -ENOSPC with nothing recorded (a format may try another constraint). */
	int (*place)(void *ctx, struct baton_segment *s, const struct baton_seg_place *at);
	/* Record "no room for s" in err and return -ENOSPC; `what` qualifies the size. */
	int (*no_room)(void *ctx, const struct baton_segment *s, const char *file, const char *what,
		       struct baton_error *err);
	void *ctx;
};

struct baton_inputs;
struct baton_backend;

struct baton_format_ctx {
	const struct baton_inputs *in;       /* the files (the kernel as parsed, initrd, modules) and
					      * the running system, read-only (lib/inputs.h) */
	const struct baton_load_opts *opts;
	struct baton_segments *segs;         /* the image's, in load order: plan adds the format's */
	struct baton_placer placer;
	const struct baton_backend *system;  /* the running system: boot_info's RNG seed (random) */
	struct baton_warnings *warn;         /* what the user should know of this load */
};

/* One segment a format loads: bytes of a file in memsz bytes of memory (rounded up to pages; the
 * rest is zeroed), placed where `at` allows. */
struct baton_seg_load {
	enum baton_seg_role role;       /* BATON_SEG_KERNEL, _INITRD or _MODULE */
	const void *buf;                /* into a mapped input file */
	size_t bufsz;                   /* the file's bytes (an ELF segment's filesz) */
	uint64_t memsz;
	struct baton_seg_place at;
	const char *file;               /* for the message when it does not fit */
	const char *what;               /* qualifies the size there, e.g. " (init_size)" */
};

/* Add ld's segment to ctx->segs and place it: 0 and *out (may be NULL), or one line (-E2BIG past
 * kexec_load's 16 segments, -ENOSPC when it does not fit). */
int baton_format_load(const struct baton_format_ctx *ctx, const struct baton_seg_load *ld,
		      struct baton_segment **out, struct baton_error *err);

/* What a format's plan says beyond the segments it placed. */
struct baton_format_plan {
	uint32_t cmdline_max;           /* bytes, excluding the NUL */
	const char *cmdline_max_field;  /* where that limit comes from, for the message */
	int below4g;                    /* the loader's segments too (the exit is 32-bit) */
	/* The real-mode exit (BATON_EXIT_REAL16): the boot information goes below 1 MiB, in
	 * [BATON_REAL_LOW_MIN, BATON_REAL_LOW_MAX), named boot_info_name, and the loader adds the
	 * exit's trampoline there too. */
	int real_mode;
	const char *boot_info_name;     /* NULL: the format's; else this plan's (what it passes) */
};

/* The boot information, as the format's boot_info step lays it out. One walk, called twice:
 * first without a buffer, to count (the size to place), then at the placed address, to write;
 * the two must agree. */
struct baton_boot_info {
	const char *cmdline;            /* the kernel's command line, as loaded (NUL-terminated) */
	size_t cmdline_len;
	const struct baton_memmap *map; /* the new kernel's memory map (for -p the capture map) */
	uint8_t *buf;                   /* NULL: count only; else zeroed, size bytes or more */
	uint64_t phys;                  /* where buf is loaded */
	size_t size;                    /* out: the bytes it takes */
	uint64_t timing;                /* out, when writing: the timing record's address, 0: none */
};

struct baton_format {
	const char *name;               /* as -t takes it, e.g. "bzImage" */
	const char *const *aliases;     /* more names -t takes (kexec-tools'), NULL-terminated */
	const char *boot_info_name;     /* its boot information segment's name, e.g. "boot_params" */
	/* Nonzero if the bytes look like this format (a magic check: parse says what is wrong). */
	int (*probe)(const uint8_t *data, size_t size);
	/* Validate and read the file into out->(this format's member); `file` names it in errors. */
	int (*parse)(const uint8_t *data, size_t size, const char *file, struct baton_kernel *out,
		     struct baton_error *err);
	/* Add and place the kernel's segments (and the initrd, the modules) through
	 * baton_format_load() or ctx->placer; say the limits. */
	int (*plan)(const struct baton_format_ctx *ctx, struct baton_format_plan *out,
		    struct baton_error *err);
	/* Lay out the boot information (struct baton_boot_info above), after every other segment
	 * but the page tables and the purgatory is placed. A size of 0 means none: no segment,
	 * and exit gets 0 for its address. */
	int (*boot_info)(const struct baton_format_ctx *ctx, struct baton_boot_info *bi,
			 struct baton_error *err);
	/* How the purgatory enters the kernel, once the segments and the boot information
	 * (boot_info: its segment's address) are placed. */
	void (*exit)(const struct baton_format_ctx *ctx, uint64_t boot_info, struct baton_exit *out);
	/* Its version where it has one ("2.15" for boot protocol 2.15), for --json's "protocol". */
	void (*version)(const struct baton_kernel *k, char *buf, size_t cap);
	/* One line for the plan's "kernel:" line, e.g. "boot protocol 2.15"; segs is the plan's. */
	void (*describe)(const struct baton_kernel *k, const struct baton_segments *segs,
			 char *buf, size_t cap);
	/* 1: the kernel's own loader (kexec_file_load) cannot take it, so no fallback to it. */
	int no_file_load;
	/* 1: not loaded as a crash kernel (-p): refused before the crash facts are read. */
	int no_crash;
	/* 1: the kernel's entry reads legacy BIOS memory whatever its boot information says (the
	 * BDA's base memory and EBDA segment, an RSDP found by scanning the EBDA: Xen). On a
	 * machine booted through UEFI, whose firmware leaves none, the purgatory writes them
	 * (struct baton_bios_area) and the new kernel's map reserves the EBDA. The firmware's
	 * RSDP is read for it (in->rsdp) on any machine. */
	int bios_area;
	/* 1: the boot information is a zero page with a setup_data list, which can carry a device
	 * tree (BATON_LOAD_DTB); other formats refuse one. */
	int setup_data;
	/* 1: takes an entry and an argument style (BATON_LOAD_ENTRY, BATON_LOAD_ARGS_*: ELF). */
	int elf_args;
	/* 1: has a 16-bit entry (--real-mode, BATON_LOAD_REAL_MODE); else that is refused. */
	int real_mode;
};

/* One piece of a Linux initrd: the pieces are loaded back to back, each from a page boundary
 * (the gaps zero-filled: Linux's initramfs unpacker skips zeros between archives), as one
 * initrd whose first piece comes first. `name` is its segment's. */
struct baton_initrd_part {
	const uint8_t *data;            /* into a mapped file */
	size_t size;
	const char *name;
	const char *file;               /* for the message when it does not fit */
};

/* The bzImage format's steps for a kernel that reached it another way (a UKI's .linux): plan
 * places ctx->in->kernel.bz and the initrd pieces (size 0 ones skipped), in order, as the
 * bzImage's own plan places its kernel and --initrd; the rest take what the bzImage's do. */
int baton_bzimage_plan_with(const struct baton_format_ctx *ctx,
			    const struct baton_initrd_part *parts, size_t nr,
			    struct baton_format_plan *out, struct baton_error *err);
int baton_bzimage_boot_info(const struct baton_format_ctx *ctx, struct baton_boot_info *bi,
			    struct baton_error *err);
void baton_bzimage_exit(const struct baton_format_ctx *ctx, uint64_t boot_info,
			struct baton_exit *out);
void baton_bzimage_version(const struct baton_kernel *k, char *buf, size_t cap);

/* The table, in detection order; NULL past the end. */
const struct baton_format *baton_format_at(size_t i);
/* By name or alias (exact, as -t takes it); NULL if no format has it. */
const struct baton_format *baton_format_lookup(const char *name);
/* The first format whose probe accepts the bytes, parsed into *out; when none does, the first
 * format's parse says why the file is not one. *out is zeroed on failure. */
int baton_format_detect(const uint8_t *data, size_t size, const char *file,
			struct baton_kernel *out, struct baton_error *err);
/* As the format `f` (-t), whatever else the file's headers say: its parse says what is wrong.
 * *out is zeroed on failure. */
int baton_format_parse_as(const struct baton_format *f, const uint8_t *data, size_t size,
			  const char *file, struct baton_kernel *out, struct baton_error *err);

extern const struct baton_format baton_format_bzimage;
extern const struct baton_format baton_format_multiboot2;
extern const struct baton_format baton_format_multiboot;
extern const struct baton_format baton_format_uki;
extern const struct baton_format baton_format_elf_x86_64;

#endif
