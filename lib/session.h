/* What the public handles (baton/baton.h) hold: for the library, its tests and the in-tree CLI. */
#ifndef BATON_LIB_SESSION_H
#define BATON_LIB_SESSION_H

#include "baton/baton.h"
#include "image.h"
#include "sys.h"

struct baton {
	struct baton_ctx ctx;
	struct baton_sys sys;   /* the old kernel: Linux's syscalls or Xen's hypercalls */
	char root[4096];
};

struct baton_plan {
	struct baton_image img;
	struct baton_plan_segment segs[BATON_SEG_COUNT];   /* the used ones, in load order */
	size_t nr_segs;
};

/* A session whose kernel calls go to `sys` (tests, and nothing else, pass a fake). */
int baton_open_sys(struct baton **out, const struct baton_config *cfg, const struct baton_sys *sys,
		   struct baton_error *err);

#endif
