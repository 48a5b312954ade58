/* SPDX-License-Identifier: MIT */
/* Error recording for library code. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>

int baton_fail(struct baton_error *err, int code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
		err->code = code;
	}
	return -code;
}

void baton_warn(struct baton_warnings *w, const char *fmt, ...)
{
	va_list ap;

	if (w->nr == BATON_MAX_WARNINGS)
		return;
	va_start(ap, fmt);
	vsnprintf(w->line[w->nr++], sizeof(w->line[0]), fmt, ap);
	va_end(ap);
}
