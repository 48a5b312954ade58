/* SPDX-License-Identifier: MIT */
/* The one list of kernel formats: -t, its help and automatic detection all read it. */
#include "format.h"

#include <string.h>

/* Detection order: the first whose probe accepts a file parses it. */
static const struct baton_format *const formats[] = {
	&baton_format_bzimage,
};

const struct baton_format *baton_format_at(size_t i)
{
	return i < sizeof(formats) / sizeof(formats[0]) ? formats[i] : NULL;
}

const struct baton_format *baton_format_lookup(const char *name)
{
	const struct baton_format *f;

	for (size_t i = 0; (f = baton_format_at(i)); i++) {
		if (!strcmp(f->name, name))
			return f;
		for (const char *const *a = f->aliases; a && *a; a++)
			if (!strcmp(*a, name))
				return f;
	}
	return NULL;
}

int baton_format_detect(const uint8_t *data, size_t size, const char *file,
			struct baton_kernel *out, struct baton_error *err)
{
	const struct baton_format *f;
	int rc;

	for (size_t i = 0; (f = baton_format_at(i)); i++)
		if (f->probe(data, size))
			break;
	if (!f)
		f = baton_format_at(0);
	rc = f->parse(data, size, file, out, err);
	if (rc) {
		memset(out, 0, sizeof(*out));
		return rc;
	}
	out->format = f;
	return 0;
}
