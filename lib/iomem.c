/* SPDX-License-Identifier: MIT */
/* The one /proc/iomem reader and walker: memmap's fallback map and the crash facts use it. */
#include "iomem.h"

#include <errno.h>

#define EXCERPT_MAX 40

int baton_iomem_read(struct baton_file *f, const char *path)
{
	int rc = baton_file_read(f, path, BATON_IOMEM_MAX, NULL);

	if (!rc && f->size == BATON_IOMEM_MAX) {
		baton_file_free(f);
		return -EFBIG;
	}
	return rc;
}

void baton_iomem_begin(struct baton_iomem_iter *it, const char *text, size_t len,
		       enum baton_iomem_depth depth)
{
	*it = (struct baton_iomem_iter){ .p = text, .text_end = text + len, .depth = depth };
}

int baton_iomem_next(struct baton_iomem_iter *it, struct baton_iomem_entry *e)
{
	while (it->p < it->text_end) {
		it->l = baton_next_line(&it->p, it->text_end, &it->l_end);
		it->line++;
		if (it->l_end == it->l || (it->depth == BATON_IOMEM_TOP && baton_is_space(*it->l)))
			continue;
		if (baton_iomem_line(it->l, it->l_end, e))
			return -EINVAL;
		it->nonzero |= e->start || e->last;
		return 1;
	}
	return 0;
}

int baton_iomem_excerpt(const struct baton_iomem_iter *it, const char **s)
{
	*s = it->l;
	return it->l_end - it->l > EXCERPT_MAX ? EXCERPT_MAX : (int)(it->l_end - it->l);
}
