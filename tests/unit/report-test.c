/* SPDX-License-Identifier: MIT */
/* Tests for `baton --report`'s output (cli/report.c): the NMI count in text and JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "report.h"
#include "timing.h"

static char *render(const struct baton_handover_report *r, int json)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	assert_non_null(out);
	report_handover(out, r, json);
	fclose(out);
	return text;
}

static void nmis_are_reported(void **state)
{
	(void)state;
	struct baton_handover_report r = {
		.raw = { BATON_TIMING_MAGIC, 1000, 3000, 3100, 1 << 20, 5, BATON_TIMING_LA57, 2, 0 },
		.tsc_khz = 1000, .verify_ms = 2.0, .total_ms = 2.1, .hash_mb_per_s = 524.3,
	};
	char *text = render(&r, 0);

	assert_non_null(strstr(text, "  NMIs survived:      2\n"));
	free(text);
	text = render(&r, 1);
	assert_non_null(strstr(text, "\"nmis\": 2}"));
	free(text);

	r.raw.nmis = 0;   /* the usual case: no line, JSON says 0 */
	text = render(&r, 0);
	assert_null(strstr(text, "NMI"));
	free(text);
	text = render(&r, 1);
	assert_non_null(strstr(text, "\"nmis\": 0}"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nmis_are_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
