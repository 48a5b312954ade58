/* SPDX-License-Identifier: MIT */
/* The new kernel's command line: exactly what was asked, joined with single spaces. */
#ifndef BATON_LIB_CMDLINE_H
#define BATON_LIB_CMDLINE_H

#include <stddef.h>

#include "error.h"

struct baton_cmdline {
	char *text;      /* NUL-terminated, heap */
	size_t len;
};

enum baton_reuse_drop {
	BATON_DROP_CRASHKERNEL = 1u << 0,   /* a capture kernel must not reserve a crash region */
};

/* Both appenders add to a line the caller holds: after an error it reads as it did before, and
 * is still the caller's to free. */
/* Append `part` after a single space (none if the line is empty); an empty part adds nothing. */
int baton_cmdline_append(struct baton_cmdline *c, const char *part, struct baton_error *err);
/* Append the tokens of a running kernel's command line (`text`, e.g. /proc/cmdline), without
 * BOOT_IMAGE= (the boot loader's, not the user's) and, on request, crashkernel=. Quotes keep
 * spaces inside a token. */
int baton_cmdline_append_reused(struct baton_cmdline *c, const char *text, unsigned drop,
				struct baton_error *err);
void baton_cmdline_free(struct baton_cmdline *c);

/* 1 if a command line (NULL is empty) has the argument, tokens split as the kernel splits them:
 * the word `arg`, or any value of it when `arg` ends in '=' ("acpi_rsdp="). */
int baton_cmdline_has(const char *line, const char *arg);

#endif
