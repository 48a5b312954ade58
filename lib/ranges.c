/* SPDX-License-Identifier: MIT */
/* Range arithmetic: the dumped RAM of the ELF core header, the capture kernel's usable RAM. */
#include "ranges.h"

#include <stdlib.h>
#include <string.h>

void baton_ranges_free(struct baton_ranges *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}

int baton_phys_range_cmp(const void *pa, const void *pb)
{
	const struct baton_phys_range *a = pa, *b = pb;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return a->end < b->end ? -1 : a->end > b->end;
}

int baton_ranges_add(struct baton_ranges *r, uint64_t start, uint64_t end,
		     struct baton_error *err)
{
	if (r->nr == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 32;
		struct baton_phys_range *v = realloc(r->v, cap * sizeof(*v));

		if (!v)
			return baton_fail(err, ENOMEM, "ranges: out of memory for %zu ranges", cap);
		r->v = v;
		r->cap = cap;
	}
	r->v[r->nr++] = (struct baton_phys_range){ start, end };
	return 0;
}

int baton_ranges_normalize(struct baton_ranges *out, const struct baton_phys_range *in, size_t n,
			   struct baton_error *err)
{
	size_t k = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++)
		if (in[i].start < in[i].end && (rc = baton_ranges_add(out, in[i].start, in[i].end,
								      err))) {
			baton_ranges_free(out);
			return rc;
		}
	if (out->nr)
		qsort(out->v, out->nr, sizeof(out->v[0]), baton_phys_range_cmp);
	for (size_t i = 0; i < out->nr; i++) {
		if (k && out->v[i].start <= out->v[k - 1].end) {
			if (out->v[i].end > out->v[k - 1].end)
				out->v[k - 1].end = out->v[i].end;
			continue;
		}
		out->v[k++] = out->v[i];
	}
	out->nr = k;
	return 0;
}

int baton_ranges_subtract(struct baton_ranges *out, uint64_t start, uint64_t end,
			  const struct baton_ranges *cut, struct baton_error *err)
{
	int rc;

	for (size_t i = 0; i < cut->nr && start < end; i++) {
		if (cut->v[i].end <= start)
			continue;
		if (cut->v[i].start >= end)
			break;
		if (cut->v[i].start > start &&
		    (rc = baton_ranges_add(out, start, cut->v[i].start, err)))
			return rc;
		start = cut->v[i].end;
	}
	return start < end ? baton_ranges_add(out, start, end, err) : 0;
}
