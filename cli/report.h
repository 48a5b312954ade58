/* SPDX-License-Identifier: MIT */
/* Human-readable plan of a prepared image (the --dry-run and --debug output). */
#ifndef BATON_CLI_REPORT_H
#define BATON_CLI_REPORT_H

#include <stdio.h>

#include "image.h"

void report_plan(FILE *out, const struct baton_image *img, const char *kernel);

/* The new kernel's view of the handover (baton_report_read), as text or JSON. */
void report_handover(FILE *out, const struct baton_report *r, int json);

#endif
