/* SPDX-License-Identifier: MIT */
/* The plan as a picture (--dry-run) and as one JSON document (--dry-run --json): the physical
 * address space, where each segment lands, and the identity map read back from its tables. */
#ifndef BATON_CLI_PLAN_VIEW_H
#define BATON_CLI_PLAN_VIEW_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "image.h"

enum plan_view_charset {
	PLAN_VIEW_ASCII,
	PLAN_VIEW_UTF8,   /* shade blocks, box drawing and the multiplication sign */
};

/* UTF-8 when the locale's character set is: the first of LC_ALL, LC_CTYPE, LANG that is set and
 * not empty names UTF-8 (any may be NULL). */
enum plan_view_charset plan_view_charset(const char *lc_all, const char *lc_ctype, const char *lang);

/* The picture, then report_plan()'s summary. The page tables are walked first: if they cannot be
 * read back as built, nothing is printed and the error says why. */
int plan_view_text(FILE *out, const struct baton_image *img, const char *kernel,
		   enum plan_view_charset cs, struct baton_error *err);

/* What --dry-run prints: the JSON document if json, else the picture in the character set of the
 * environment's locale (LC_ALL, LC_CTYPE, LANG). */
int plan_view_print(FILE *out, const struct baton_image *img, const char *kernel, int json,
		    struct baton_error *err);

/* A size in binary units, "639K", "1023.9M", "12G": whole numbers exact, else one decimal. */
const char *plan_view_size(char *buf, size_t len, uint64_t bytes);

#endif
