/* SPDX-License-Identifier: MIT */
/* What the public handles (baton/baton.h) hold: for the library, its tests and the in-tree CLI.
 *
 * The CLI uses the public API for everything a program using libbaton would want (sessions,
 * plans, --reuse-cmdline as BATON_LOAD_REUSE_CMDLINE, the lockdown fallback as
 * BATON_LOAD_FALLBACK_FILE, loading, exec). Internal calls it may make, and why:
 * - struct baton_plan's `img` (image.h): --dry-run's picture and --debug show every segment's
 *   hashed range, the identity map and the boot map, more than baton_plan_info carries;
 * - baton_cmdline_append (cmdline.h): joining -c and --append as the library joins lines;
 * - baton_path (file.h): shutdown(8) and the kernel's configuration (a kexec-jump option's
 *   refusal) under BATON_ROOT.
 * --report is baton_report_read, which needs no session (it runs in the new kernel). */
#ifndef BATON_LIB_SESSION_H
#define BATON_LIB_SESSION_H

#include "backend.h"
#include "baton/baton.h"
#include "image.h"

struct baton {
	struct baton_backend be;   /* the old kernel, chosen when the session opened */
	char root[4096];
	struct baton_error fallback;   /* why the last plan or load fell back (code 0: it did not) */
};

struct baton_plan {
	struct baton_image img;
	struct baton_plan_segment segs[BATON_MAX_SEGMENTS];   /* in load order */
	size_t nr_segs;
	/* What the kernel's own loader would be handed: a BATON_LOAD_FILE plan is nothing else. */
	unsigned flags;
	char *kernel, *initrd;
	char *cmdline;   /* as asked (reused line first), before baton adds elfcorehdr= */
};

/* A session whose old kernel is `ops` with `priv` (tests, and nothing else, pass their fake
 * backend). */
int baton_open_backend(struct baton **out, const struct baton_config *cfg,
		       const struct baton_backend_ops *ops, void *priv, struct baton_error *err);

#endif
