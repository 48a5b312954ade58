/* Command-line assembly: no token is added that the user did not ask for. */
#include "cmdline.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"

static int append_bytes(struct baton_cmdline *c, const char *s, size_t n, struct baton_error *err)
{
	size_t sep = c->len ? 1 : 0;
	char *t;

	if (!n)
		return 0;
	t = realloc(c->text, c->len + sep + n + 1);
	if (!t)
		return baton_fail(err, ENOMEM, "cmdline: out of memory");
	if (sep)
		t[c->len] = ' ';
	memcpy(t + c->len + sep, s, n);
	c->len += sep + n;
	t[c->len] = 0;
	c->text = t;
	return 0;
}

int baton_cmdline_append(struct baton_cmdline *c, const char *part, struct baton_error *err)
{
	return append_bytes(c, part, strlen(part), err);
}

static int starts_with(const char *tok, size_t n, const char *prefix)
{
	size_t p = strlen(prefix);
	return n >= p && !strncmp(tok, prefix, p);
}

int baton_cmdline_append_reused(struct baton_cmdline *c, const char *text, unsigned drop,
				struct baton_error *err)
{
	const char *p = text;

	for (;;) {
		const char *tok;
		int quoted = 0;
		int rc;

		/* Tokens as the kernel splits them (isspace, and quotes keep spaces inside). */
		while (baton_is_space(*p))
			p++;
		if (!*p)
			return 0;
		tok = p;
		while (*p && (quoted || !baton_is_space(*p))) {
			if (*p == '"')
				quoted = !quoted;
			p++;
		}
		size_t n = (size_t)(p - tok);
		if (starts_with(tok, n, "BOOT_IMAGE="))
			continue;
		if ((drop & BATON_DROP_CRASHKERNEL) && starts_with(tok, n, "crashkernel="))
			continue;
		rc = append_bytes(c, tok, n, err);
		if (rc)
			return rc;
	}
}

void baton_cmdline_free(struct baton_cmdline *c)
{
	free(c->text);
	c->text = NULL;
	c->len = 0;
}
