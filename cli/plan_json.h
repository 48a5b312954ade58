/* SPDX-License-Identifier: MIT */
/* The plan as one JSON document (--dry-run --json). */
#ifndef BATON_CLI_PLAN_JSON_H
#define BATON_CLI_PLAN_JSON_H

#include <stdio.h>

#include "error.h"
#include "image.h"

/* The plan (docs/plan.md has the schema), the identity map read back from its tables first: if
 * they cannot be, nothing is printed and the error says why. */
int plan_json(FILE *out, const struct baton_image *img, const char *kernel, struct baton_error *err);

/* s as a JSON string literal, quotes included. Bytes that are not UTF-8 become \u00XX (their
 * Latin-1 reading), so the output is valid UTF-8 whatever the input. */
void plan_json_string(FILE *out, const char *s);

#endif
