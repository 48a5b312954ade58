/* What the public handles (baton/baton.h) hold: for the library, its tests and the in-tree CLI. */
#ifndef BATON_LIB_SESSION_H
#define BATON_LIB_SESSION_H

#include "backend.h"
#include "baton/baton.h"
#include "image.h"

struct baton {
	struct baton_backend be;   /* the old kernel, chosen when the session opened */
	char root[4096];
};

struct baton_plan {
	struct baton_image img;
	struct baton_plan_segment segs[BATON_SEG_COUNT];   /* the used ones, in load order */
	size_t nr_segs;
};

/* A session whose old kernel is `ops` with `priv` (tests, and nothing else, pass their fake
 * backend). */
int baton_open_backend(struct baton **out, const struct baton_config *cfg,
		       const struct baton_backend_ops *ops, void *priv, struct baton_error *err);

#endif
