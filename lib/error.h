/* Error reporting for library code: a code and one line of text, never printed here. */
#ifndef BATON_LIB_ERROR_H
#define BATON_LIB_ERROR_H

#include <errno.h>

struct baton_error {
	int code;        /* positive errno value */
	char msg[256];   /* one line, no trailing newline, e.g. "bzimage: vmlinuz: no HdrS signature" */
};

/* Record an error and return -code, so callers can write `return baton_fail(err, EINVAL, ...)`.
 * err may be NULL. */
int baton_fail(struct baton_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
