/* SPDX-License-Identifier: MIT */
/* Command-line assembly: no token is added that the user did not ask for. */
#include "cmdline.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"

/* Linux's isspace(): its ctype table is Latin-1, so a no-break space (0xa0) separates too. */
static int kernel_space(char c)
{
	return baton_is_space(c) || (unsigned char)c == 0xa0;
}

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

/* Bytes glued to the end of the line, no separator. */
static int append_raw(struct baton_cmdline *c, const char *s, struct baton_error *err)
{
	size_t n = strlen(s);
	char *t = realloc(c->text, c->len + n + 1);

	if (!t)
		return baton_fail(err, ENOMEM, "cmdline: out of memory");
	memcpy(t + c->len, s, n + 1);
	c->len += n;
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

/* The token at or after p as the kernel splits them (isspace; quotes keep spaces inside): its
 * start, length and whether a quote was left open; the position after it, or NULL at the end. */
static const char *next_token(const char *p, const char **tok, size_t *n, int *open)
{
	int quoted = 0;

	while (kernel_space(*p))
		p++;
	if (!*p)
		return NULL;
	*tok = p;
	while (*p && (quoted || !kernel_space(*p))) {
		if (*p == '"')
			quoted = !quoted;
		p++;
	}
	*n = (size_t)(p - *tok);
	*open = quoted;
	return p;
}

int baton_cmdline_append_reused(struct baton_cmdline *c, const char *text, unsigned drop,
				struct baton_error *err)
{
	const char *p = text, *tok;
	size_t was = c->len, n;
	int quoted, rc;

	while ((p = next_token(p, &tok, &n, &quoted))) {
		if (starts_with(tok, n, "BOOT_IMAGE="))
			continue;
		if ((drop & BATON_DROP_CRASHKERNEL) && starts_with(tok, n, "crashkernel="))
			continue;
		/* A quote left open ran to the end of the running kernel's line, which is where the
		 * kernel ended that value too: close it there, so that what is appended after it
		 * (elfcorehdr=, --append) stays a token of its own. */
		if (quoted)
			while (n && kernel_space(tok[n - 1]))
				n--;
		rc = append_bytes(c, tok, n, err);
		if (!rc && quoted)
			rc = append_raw(c, "\"", err);
		if (rc) {
			/* The tokens taken so far go again: the line is as the caller had it. */
			c->len = was;
			if (c->text)
				c->text[was] = 0;
			return rc;
		}
	}
	return 0;
}

int baton_cmdline_has(const char *line, const char *arg)
{
	size_t a = strlen(arg), n;
	int value = a && arg[a - 1] == '=', quoted;
	const char *p = line ? line : "", *tok;

	while ((p = next_token(p, &tok, &n, &quoted)))
		if (value ? starts_with(tok, n, arg) : n == a && !strncmp(tok, arg, a))
			return 1;
	return 0;
}

void baton_cmdline_free(struct baton_cmdline *c)
{
	free(c->text);
	c->text = NULL;
	c->len = 0;
}
