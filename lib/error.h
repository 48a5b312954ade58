/* Error reporting for library code: a code and one line of text, never printed here. */
#ifndef BATON_LIB_ERROR_H
#define BATON_LIB_ERROR_H

#include <errno.h>

#include "baton/baton.h"   /* struct baton_error */

/* Record an error and return -code, so callers can write `return baton_fail(err, EINVAL, ...)`.
 * err may be NULL. */
int baton_fail(struct baton_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
