/* SPDX-License-Identifier: MIT */
/* Range arithmetic on physical [start, end) ranges: sort, merge, subtract. */
#ifndef BATON_LIB_RANGES_H
#define BATON_LIB_RANGES_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct baton_phys_range {
	uint64_t start;
	uint64_t end;   /* one past the last byte */
};

/* A growable list of ranges; { 0 } is empty. */
struct baton_ranges {
	struct baton_phys_range *v;
	size_t nr, cap;
};

void baton_ranges_free(struct baton_ranges *r);
/* qsort() order: by start, then by end. */
int baton_phys_range_cmp(const void *a, const void *b);
/* Append [start, end) as it is. Works on a list the caller holds: after an error it is
 * unchanged and still the caller's to free. */
int baton_ranges_add(struct baton_ranges *r, uint64_t start, uint64_t end,
		     struct baton_error *err);
/* *out = `in` sorted, empty ranges dropped, overlapping and touching ones merged. */
int baton_ranges_normalize(struct baton_ranges *out, const struct baton_phys_range *in, size_t n,
			   struct baton_error *err);
/* Append [start, end) minus `cut` (normalized) to out, which after an error holds what was
 * appended so far and stays the caller's to free. */
int baton_ranges_subtract(struct baton_ranges *out, uint64_t start, uint64_t end,
			  const struct baton_ranges *cut, struct baton_error *err);

#endif
