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

static char *render(const struct baton_report *r, int json)
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
	struct baton_report r = {
		.tsc_entry = 1000, .tsc_verified = 3000, .tsc_jump = 3100, .tsc_khz = 1000,
		.verify_ms = 2.0, .total_ms = 2.1, .hash_mb_per_s = 524.3, .bytes_hashed = 1 << 20,
		.regions = 5, .nmis = 2, .paging_levels = 5,
	};
	char *text = render(&r, 0);

	assert_non_null(strstr(text, "  NMIs survived:      2\n"));
	free(text);
	text = render(&r, 1);
	assert_non_null(strstr(text, "\"nmis\": 2}"));
	free(text);

	r.nmis = 0;   /* the usual case: no line, JSON says 0 */
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
