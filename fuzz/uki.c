/* SPDX-License-Identifier: MIT */
/* Fuzz target: baton_pe_parse and baton_uki_parse on arbitrary bytes; what the UKI parser accepts
 * goes on into the bzImage parser (its .linux) and the command line as systemd-stub passes it. */
#include <stdlib.h>
#include <string.h>

#include "bzimage.h"
#include "fuzz.h"
#include "pe.h"
#include "uki.h"

static int inside(const uint8_t *p, size_t n, const uint8_t *data, size_t size)
{
	return p >= data && n <= size && (size_t)(p - data) <= size - n;
}

static void check_pe(const struct baton_pe *pe, const uint8_t *data, size_t size)
{
	FUZZ_CHECK(pe->nr_sections >= 1 && pe->nr_sections <= BATON_PE_MAX_SECTIONS, "%zu sections",
		   pe->nr_sections);
	FUZZ_CHECK(pe->magic == 0x10b || pe->magic == 0x20b, "magic 0x%x", pe->magic);
	for (size_t i = 0; i < pe->nr_sections; i++) {
		const struct baton_pe_section *s = &pe->sections[i];

		FUZZ_CHECK(strlen(s->name) <= 8, "section %zu name", i);
		for (const char *c = s->name; *c; c++)
			FUZZ_CHECK(*c >= 0x20 && *c <= 0x7e, "section %zu name unprintable", i);
		FUZZ_CHECK(!s->size || (s->data && inside(s->data, s->size, data, size)),
			   "section %zu: 0x%zx bytes outside the file", i, s->size);
	}
}

static void check_part(const struct baton_uki_part *p, const uint8_t *data, size_t size)
{
	FUZZ_CHECK(!p->size || inside(p->data, p->size, data, size), "part outside the file");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct baton_error err = { 0 };
	struct baton_pe *pe = malloc(sizeof(*pe));
	struct baton_uki uki;
	struct baton_bzimage bz;
	int rc;

	FUZZ_CHECK(pe != NULL, "malloc");
	rc = baton_pe_parse(pe, data, size, "fuzz", &err);
	if (rc) {
		fuzz_check_error(rc, &err);
		FUZZ_CHECK(rc == -ENOEXEC, "rc %d", rc);
		for (size_t i = 0; i < sizeof(*pe); i++)
			FUZZ_CHECK(!((const uint8_t *)pe)[i], "pe not emptied");
	} else {
		check_pe(pe, data, size);
		FUZZ_CHECK(baton_pe_probe(data, size), "parsed but not probed");
	}
	free(pe);

	rc = baton_uki_parse(&uki, data, size, "fuzz", &err);
	/* probe is a cheaper yes: a file it refuses, the parser refuses too */
	FUZZ_CHECK(baton_uki_probe(data, size) || rc != 0, "not probed but parsed");
	if (rc) {
		fuzz_check_error(rc, &err);
		FUZZ_CHECK(rc == -ENOEXEC, "rc %d", rc);
		for (size_t i = 0; i < sizeof(uki); i++)
			FUZZ_CHECK(!((const uint8_t *)&uki)[i], "uki not emptied");
		return 0;
	}
	FUZZ_CHECK(uki.linux_.size > 0 && uki.machine == BATON_PE_MACHINE_X86_64, "accepted");
	check_part(&uki.linux_, data, size);
	check_part(&uki.initrd, data, size);
	check_part(&uki.ucode, data, size);
	check_part(&uki.cmdline, data, size);
	check_part(&uki.uname, data, size);
	check_part(&uki.dtb, data, size);
	FUZZ_CHECK(baton_uki_probe(data, size), "accepted but not probed");

	char *line = malloc(uki.cmdline.size + 1);
	FUZZ_CHECK(line != NULL, "malloc");
	size_t n = baton_uki_cmdline(&uki, line, uki.cmdline.size + 1);
	FUZZ_CHECK(n <= uki.cmdline.size && line[n] == 0 && strlen(line) == n, "cmdline length");
	FUZZ_CHECK(!n || line[n - 1] != ' ', "trailing space");
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK((unsigned char)line[i] >= 0x20 && line[i] != 0x7f, "control character");
	free(line);

	rc = baton_bzimage_parse(&bz, uki.linux_.data, uki.linux_.size, "fuzz (.linux)", &err);
	if (rc)
		fuzz_check_error(rc, &err);
	else
		FUZZ_CHECK(bz.data == uki.linux_.data && bz.size == uki.linux_.size, ".linux");
	return 0;
}
