/* SPDX-License-Identifier: MIT */
/* Fuzz target: command-line assembly (baton_cmdline_append, baton_cmdline_append_reused).
 * Input: a flags byte, then the user's part, a NUL, and the running kernel's line (/proc/cmdline).
 * The output is checked as the new kernel will split it (Linux's next_arg(): its isspace() and
 * double quotes): no unquoted BOOT_IMAGE= (nor crashkernel= when dropped) from the reused line,
 * a token appended afterwards (as elfcorehdr= is) stays a token of its own, and the line never
 * grows beyond its inputs plus separators. BATON_FUZZ_KNOWN=kernel-space splits like baton
 * instead (space, tab, newline); BATON_FUZZ_KNOWN=open-quote skips the trailing-token check. */
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "fuzz.h"

enum {
	F_DROP = 1u << 0,       /* BATON_DROP_CRASHKERNEL */
	F_PART = 1u << 1,       /* the user's part goes first */
	F_TRAILER = 1u << 2,    /* a token after the reused line, like elfcorehdr= */
};

#define TRAILER "elfcorehdr=0x7f000000"

static int lax, open_quote_known;

/* Linux's isspace(): _S in lib/ctype.c, which includes Latin-1 NBSP (0xa0). */
static int kernel_space(unsigned char c)
{
	if (lax)
		return c == ' ' || c == '\t' || c == '\n';
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0;
}

struct token {
	const char *s;
	size_t n;
	int quoted;   /* starts with '"': the kernel strips it, the brief allows it */
};

/* The next token of s as next_arg() cuts it; NULL at the end. */
static const char *next_token(const char *s, struct token *t)
{
	int in_quote = 0;
	size_t i = 0;

	while (*s && kernel_space((unsigned char)*s))
		s++;
	if (!*s)
		return NULL;
	t->s = s;
	t->quoted = *s == '"';
	if (t->quoted) {
		in_quote = 1;
		i = 1;
	}
	for (; s[i]; i++) {
		if (kernel_space((unsigned char)s[i]) && !in_quote)
			break;
		if (s[i] == '"')
			in_quote = !in_quote;
	}
	t->n = i;
	return s + i;
}

static int token_is(const struct token *t, const char *prefix)
{
	size_t n = strlen(prefix);

	return !t->quoted && t->n >= n && !memcmp(t->s, prefix, n);
}

static int quotes_balanced(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '"';
	return n % 2 == 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	lax = fuzz_known("kernel-space");
	open_quote_known = fuzz_known("open-quote");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct baton_cmdline c = { 0 };
	struct baton_error err = { 0 };
	const char *part = "", *text, *p;
	struct token t = { 0 }, last = { 0 };
	unsigned flags;
	size_t bound;
	char *buf, *nul;
	int rc;

	if (!size)
		return 0;
	flags = data[0];
	buf = malloc(size);
	FUZZ_CHECK(buf, "out of memory");
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = 0;
	text = buf;
	nul = memchr(buf, 0, size - 1);
	if (nul) {   /* else all of it is the reused line */
		part = buf;
		text = nul + 1;
	}
	if (!(flags & F_PART))
		part = "";

	bound = 0;
	if (*part) {
		rc = baton_cmdline_append(&c, part, &err);
		FUZZ_CHECK(rc == 0, "append: %s", err.msg);
		FUZZ_CHECK(c.len == strlen(part) && !strcmp(c.text, part), "append changed the part");
		bound = c.len;
	}
	rc = baton_cmdline_append_reused(&c, text, flags & F_DROP ? BATON_DROP_CRASHKERNEL : 0, &err);
	FUZZ_CHECK(rc == 0, "append_reused: %s", err.msg);
	bound += 1 + strlen(text) + 1;   /* + a quote baton closes at the end of the reused line */
	if (flags & F_TRAILER) {
		rc = baton_cmdline_append(&c, TRAILER, &err);
		FUZZ_CHECK(rc == 0, "append: %s", err.msg);
		bound += 1 + strlen(TRAILER);
	}
	FUZZ_CHECK(c.len <= bound, "grew to %zu bytes, inputs and separators are %zu", c.len, bound);
	FUZZ_CHECK(c.text ? strlen(c.text) == c.len : c.len == 0, "len %zu", c.len);

	/* Only the tokens after the user's part: they may ask for BOOT_IMAGE= themselves, and an
	 * open quote of theirs takes the rest in, as it would in any kernel. */
	if (quotes_balanced(part)) {
		for (p = c.text ? c.text + strlen(part) : NULL; p && (p = next_token(p, &t)); last = t) {
			FUZZ_CHECK(!token_is(&t, "BOOT_IMAGE="), "unquoted BOOT_IMAGE= token in \"%s\"",
				   c.text);
			FUZZ_CHECK(!(flags & F_DROP) || !token_is(&t, "crashkernel="),
				   "crashkernel= kept with BATON_DROP_CRASHKERNEL in \"%s\"", c.text);
		}
		if ((flags & F_TRAILER) && !open_quote_known)
			FUZZ_CHECK(last.n == strlen(TRAILER) && !memcmp(last.s, TRAILER, last.n),
				   "the token appended after the reused line is not a token of its"
				   " own: \"%s\"", c.text);
	}
	baton_cmdline_free(&c);
	free(buf);
	return 0;
}
