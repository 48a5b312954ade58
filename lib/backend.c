/* SPDX-License-Identifier: MIT */
/* Choosing the old kernel's backend once, when a session opens. */
#include "backend.h"

#include <string.h>

#include "backend_xen.h"

/* A hypervisor's control domain is also a Linux: the more specific backend is tried first. */
static const struct baton_backend_ops *const backends[] = {
	&baton_backend_xen,
	&baton_backend_linux,
};

int baton_backend_open_ops(struct baton_backend *be, const struct baton_backend_ops *ops,
			   void *priv, const char *root, const struct baton_config *cfg,
			   struct baton_error *err)
{
	int rc;

	memset(be, 0, sizeof(*be));
	be->ops = ops;
	be->root = root;
	be->priv = priv;
	rc = ops->open(be, cfg, err);
	if (rc)
		memset(be, 0, sizeof(*be));
	return rc;
}

int baton_backend_open(struct baton_backend *be, const char *root,
		       const struct baton_config *cfg, struct baton_error *err)
{
	size_t i = 0;

	while (i + 1 < sizeof(backends) / sizeof(backends[0]) && !backends[i]->probe(root))
		i++;
	return baton_backend_open_ops(be, backends[i], NULL, root, cfg, err);
}

void baton_backend_close(struct baton_backend *be)
{
	if (be->ops)
		be->ops->close(be);
	memset(be, 0, sizeof(*be));
}
