/* SPDX-License-Identifier: MIT */
/* Small parsers for kernel text files: numbers, lines, /proc/iomem entries. */
#include "text.h"

#include <string.h>

int baton_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int baton_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int baton_parse_u64(const char **p, const char *end, unsigned base, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	int d;

	for (; s < end && (d = baton_hex_digit(*s)) >= 0 && (unsigned)d < base; s++) {
		if (v > (UINT64_MAX - (unsigned)d) / base)
			return -1;
		v = v * base + (unsigned)d;
	}
	if (s == *p)
		return -1;
	*p = s;
	*out = v;
	return 0;
}

int baton_parse_hex(const char **p, const char *end, uint64_t *out)
{
	const char *s = *p;

	if (end - s >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (baton_parse_u64(&s, end, 16, out))
		return -1;
	*p = s;
	return 0;
}

void baton_trim(const char **start, const char **end)
{
	const char *s = *start, *e = *end;

	while (e > s && baton_is_space(e[-1]))
		e--;
	while (s < e && baton_is_space(*s))
		s++;
	*start = s;
	*end = e;
}

const char *baton_next_line(const char **p, const char *text_end, const char **line_end)
{
	const char *l = *p, *nl = memchr(l, '\n', (size_t)(text_end - l));
	const char *e = nl ? nl : text_end;

	*p = nl ? nl + 1 : text_end;
	while (e > l && baton_is_space(e[-1]))
		e--;
	*line_end = e;
	return l;
}

int baton_iomem_line(const char *l, const char *end, struct baton_iomem_entry *out)
{
	const char *p = l;
	uint64_t start, last;
	size_t indent;

	while (p < end && baton_is_space(*p))
		p++;
	indent = (size_t)(p - l);
	if (baton_parse_u64(&p, end, 16, &start) || p == end || *p++ != '-' ||
	    baton_parse_u64(&p, end, 16, &last))
		return -1;
	while (p < end && *p == ' ')
		p++;
	if (p == end || *p++ != ':')
		return -1;
	while (p < end && *p == ' ')
		p++;
	*out = (struct baton_iomem_entry){ start, last, indent, p, (size_t)(end - p) };
	return 0;
}
