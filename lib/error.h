/* SPDX-License-Identifier: MIT */
/* Error reporting for library code: a code and one line of text, never printed here.
 *
 * One cleanup rule for the whole library: a function that fails leaves its outputs empty. It
 * unwinds what it built itself (`goto fail`: free, unmap, zero the output struct or set the
 * output pointer to NULL) before it returns the error, so a caller never frees half-built state
 * and freeing an emptied output is harmless. A function that adds to an object the caller
 * already holds (baton_memmap_add, baton_cmdline_append) leaves that object valid after an error
 * and the caller's to free. The static steps of one builder (image.c's place_* and build_*) fill
 * in its output as they go and rely on that builder's single unwind. */
#ifndef BATON_LIB_ERROR_H
#define BATON_LIB_ERROR_H

#include <errno.h>
#include <stddef.h>

#include "baton/baton.h"   /* struct baton_error */

/* Record an error and return -code, so callers can write `return baton_fail(err, EINVAL, ...)`.
 * err may be NULL. */
int baton_fail(struct baton_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* What a plan tells its user without failing (a kernel that needs an argument the machine calls
 * for, a table it could not pass on): at most BATON_MAX_WARNINGS lines, in the order found; more
 * are dropped. */
#define BATON_MAX_WARNINGS 4

struct baton_warnings {
	char line[BATON_MAX_WARNINGS][256];
	size_t nr;
};

void baton_warn(struct baton_warnings *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
