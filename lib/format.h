/* SPDX-License-Identifier: MIT */
/* Kernel image formats: one small interface (probe, parse, plan, exit) and one table
 * (lib/formats.c) that -t and automatic detection both read. */
#ifndef BATON_LIB_FORMAT_H
#define BATON_LIB_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "baton/baton.h"
#include "bzimage.h"
#include "error.h"
#include "plan.h"
#include "purgatory_params.h"
#include "segment.h"

struct baton_format;

/* The kernel file as its format reads it: read-only once parsed (points into the mapped file). */
struct baton_kernel {
	const struct baton_format *format;
	struct baton_bzimage bz;    /* "bzImage" */
};

/* Where a segment may go: [min, max) and alignment; below 4 GiB where possible, above only when
 * above4g (and the image allows it: not with a 32-bit exit). */
struct baton_seg_place {
	uint64_t align;
	uint64_t min;
	uint64_t max;
	enum baton_place where;
	int above4g;
};

/* The planner, as a format sees it: place a segment (memsz set) or say why it does not fit. */
struct baton_placer {
	/* 0, or -ENOSPC with nothing recorded (a format may try another constraint). */
	int (*place)(void *ctx, struct baton_segment *s, const struct baton_seg_place *at);
	/* Record "no room for s" in err and return -ENOSPC; `what` qualifies the size. */
	int (*no_room)(void *ctx, const struct baton_segment *s, const char *file, const char *what,
		       struct baton_error *err);
	void *ctx;
};

struct baton_format_ctx {
	const struct baton_kernel *kernel;
	const struct baton_load_opts *opts;
	unsigned features;              /* enum baton_cpu_feature of the machine */
	uint64_t initrd_size;           /* 0: none */
	struct baton_segment *seg;      /* by enum baton_segment_id: the format fills KERNEL, INITRD */
	struct baton_placer placer;
};

/* What a format's plan says beyond the segments it placed. */
struct baton_format_plan {
	uint32_t cmdline_max;           /* bytes, excluding the NUL */
	const char *cmdline_max_field;  /* where that limit comes from, for the message */
};

struct baton_format {
	const char *name;               /* as -t takes it, e.g. "bzImage" */
	const char *const *aliases;     /* more names -t takes (kexec-tools'), NULL-terminated */
	/* Nonzero if the bytes look like this format (a magic check: parse says what is wrong). */
	int (*probe)(const uint8_t *data, size_t size);
	/* Validate and read the file into out->(this format's member); `file` names it in errors. */
	int (*parse)(const uint8_t *data, size_t size, const char *file, struct baton_kernel *out,
		     struct baton_error *err);
	/* Place the kernel's segments (and the initrd) through ctx->placer; say the limits. */
	int (*plan)(const struct baton_format_ctx *ctx, struct baton_format_plan *out,
		    struct baton_error *err);
	/* How the purgatory enters the kernel, once the segments and the boot information
	 * (boot_info: the boot_params segment's address) are placed. */
	void (*exit)(const struct baton_format_ctx *ctx, uint64_t boot_info, struct baton_exit *out);
};

/* The table, in detection order; NULL past the end. */
const struct baton_format *baton_format_at(size_t i);
/* By name or alias (exact, as -t takes it); NULL if no format has it. */
const struct baton_format *baton_format_lookup(const char *name);
/* The first format whose probe accepts the bytes, parsed into *out; when none does, the first
 * format's parse says why the file is not one. *out is zeroed on failure. */
int baton_format_detect(const uint8_t *data, size_t size, const char *file,
			struct baton_kernel *out, struct baton_error *err);

extern const struct baton_format baton_format_bzimage;

#endif
