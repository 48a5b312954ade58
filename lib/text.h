/* SPDX-License-Identifier: MIT */
/* Small parsers for kernel text files (sysfs, procfs): numbers, lines, /proc/iomem entries. */
#ifndef BATON_LIB_TEXT_H
#define BATON_LIB_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* One /proc/iomem line, "start-end : name" as the kernel prints it. */
struct baton_iomem_entry {
	uint64_t start;       /* first byte */
	uint64_t last;        /* last byte: the kernel prints the end inclusive */
	size_t indent;        /* leading whitespace characters: 0 at the top level, 2 per level */
	const char *name;     /* runs to the end of the line; not NUL-terminated */
	size_t name_len;
};

/* isspace() of the C locale, whatever the process's locale. */
int baton_is_space(char c);
/* 0-15 for a hex digit of either case, else -1. */
int baton_hex_digit(char c);

/* Digits of `base` (2 to 16) at *p, stopping at end: at least one, and the value must fit 64 bits.
 * Moves *p past them and returns 0; -1 leaves *p and *out untouched. No sign, no prefix. */
int baton_parse_u64(const char **p, const char *end, unsigned base, uint64_t *out);
/* The same in hex after an optional "0x" or "0X" (sysfs prints addresses either way); "0x" alone
 * is no number. */
int baton_parse_hex(const char **p, const char *end, uint64_t *out);

/* Narrow [*start, *end) to leave out leading and trailing whitespace. */
void baton_trim(const char **start, const char **end);
/* The line at *p in text that ends at text_end: returns its start and sets *line_end before its
 * newline and trailing whitespace (a CR too); *p moves to the next line. Needs *p < text_end. */
const char *baton_next_line(const char **p, const char *text_end, const char **line_end);
/* Parse [l, end) as one /proc/iomem line: optional indentation, then "start-end", ':' and the
 * name, bare hex digits (no 0x), any number of spaces around the ':'. -1 when malformed; an end
 * below the start is the caller's to judge. */
int baton_iomem_line(const char *l, const char *end, struct baton_iomem_entry *out);

#endif
