/* SPDX-License-Identifier: MIT */
/* PE/COFF headers and section table (Microsoft's PE format specification), bounds checked. */
#include "pe.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "le.h"

#define OFF_LFANEW        0x3c
#define COFF_SIZE         20     /* after the 4-byte "PE\0\0" */
#define SECTION_SIZE      40
#define OPT_MAGIC_PE32    0x10b
#define OPT_MAGIC_PE32P   0x20b

#define FAIL(...) fail(pe, err, __VA_ARGS__)

static int fail(struct baton_pe *pe, struct baton_error *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct baton_pe *pe, struct baton_error *err, const char *fmt, ...)
{
	char msg[sizeof(err->msg)];
	va_list ap;

	/* The message may name a section of *pe: written before *pe is emptied. */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memset(pe, 0, sizeof(*pe));
	return baton_fail(err, ENOEXEC, "%s", msg);
}

/* Where the PE signature is, or 0 when the file has no room for one there. */
static size_t pe_header_at(const uint8_t *data, size_t size)
{
	uint32_t at;

	if (size < OFF_LFANEW + 4 || data[0] != 'M' || data[1] != 'Z')
		return 0;
	at = baton_le32(data + OFF_LFANEW);
	if (at < OFF_LFANEW + 4 || (uint64_t)at + 4 + COFF_SIZE > size)
		return 0;
	return at;
}

int baton_pe_probe(const uint8_t *data, size_t size)
{
	size_t at = pe_header_at(data, size);

	return at && !memcmp(data + at, "PE\0\0", 4);
}

int baton_pe_parse(struct baton_pe *pe, const uint8_t *data, size_t size, const char *name,
		   struct baton_error *err)
{
	size_t at, opt_size, table;
	uint32_t lfanew;

	memset(pe, 0, sizeof(*pe));
	if (size < OFF_LFANEW + 4 || data[0] != 'M' || data[1] != 'Z')
		return FAIL("pe: %s: not a PE/COFF image (no MZ header)", name);
	lfanew = baton_le32(data + OFF_LFANEW);
	at = pe_header_at(data, size);
	if (!at)
		return FAIL("pe: %s: e_lfanew 0x%x points outside the file (%zu bytes)", name,
			    lfanew, size);
	if (memcmp(data + at, "PE\0\0", 4))
		return FAIL("pe: %s: no PE signature at e_lfanew 0x%x", name, lfanew);
	at += 4;
	pe->machine = baton_le16(data + at);
	pe->nr_sections = baton_le16(data + at + 2);
	opt_size = baton_le16(data + at + 16);
	if (!pe->nr_sections)
		return FAIL("pe: %s: no sections", name);
	if (pe->nr_sections > BATON_PE_MAX_SECTIONS)
		return FAIL("pe: %s: %zu sections, more than the %d an image may have", name,
			    pe->nr_sections, BATON_PE_MAX_SECTIONS);
	at += COFF_SIZE;
	if (opt_size < 2 || at + opt_size > size)
		return FAIL("pe: %s: optional header of %zu bytes at 0x%zx does not fit the file "
			    "(%zu bytes)", name, opt_size, at, size);
	pe->magic = baton_le16(data + at);
	if (pe->magic != OPT_MAGIC_PE32 && pe->magic != OPT_MAGIC_PE32P)
		return FAIL("pe: %s: optional header magic 0x%x is neither PE32 nor PE32+", name,
			    pe->magic);
	table = at + opt_size;
	if ((uint64_t)table + (uint64_t)pe->nr_sections * SECTION_SIZE > size)
		return FAIL("pe: %s: section table (%zu entries at 0x%zx) runs past the end of the "
			    "file (%zu bytes)", name, pe->nr_sections, table, size);
	for (size_t i = 0; i < pe->nr_sections; i++) {
		const uint8_t *h = data + table + i * SECTION_SIZE;
		struct baton_pe_section *s = &pe->sections[i];
		uint32_t raw_size = baton_le32(h + 16), raw_at = baton_le32(h + 20);

		memcpy(s->name, h, 8);
		s->name[8] = 0;
		/* A name is printed: keep it printable. */
		for (char *c = s->name; *c; c++)
			if (*c < 0x20 || *c > 0x7e)
				*c = '?';
		s->virtual_size = baton_le32(h + 8);
		s->virtual_address = baton_le32(h + 12);
		s->size = s->virtual_size ? s->virtual_size : raw_size;
		if (!raw_size) {
			/* Nothing in the file (uninitialised data): no bytes to give. */
			s->size = 0;
			continue;
		}
		if ((uint64_t)raw_at + raw_size > size)
			return FAIL("pe: %s: section %zu (%s): 0x%x bytes at 0x%x run past the end of "
				    "the file (%zu bytes)", name, i, s->name, raw_size, raw_at, size);
		/* VirtualSize beyond the raw data would be zeros in memory: not file content. */
		if (s->size > raw_size)
			return FAIL("pe: %s: section %zu (%s): VirtualSize 0x%x is larger than its 0x%x "
				    "bytes in the file", name, i, s->name, s->virtual_size, raw_size);
		s->data = data + raw_at;
	}
	return 0;
}

int baton_pe_names_section(const uint8_t *data, size_t size, const char *name)
{
	size_t at = pe_header_at(data, size), n, table, len = strlen(name);

	if (!at || memcmp(data + at, "PE\0\0", 4) || len > 8)
		return 0;
	n = baton_le16(data + at + 6);
	table = at + 4 + COFF_SIZE + baton_le16(data + at + 20);
	for (size_t i = 0; i < n && table + (i + 1) * SECTION_SIZE <= size; i++) {
		const uint8_t *h = data + table + i * SECTION_SIZE;
		if (!memcmp(h, name, len) && (len == 8 || !h[len]))
			return 1;
	}
	return 0;
}

const struct baton_pe_section *baton_pe_find(const struct baton_pe *pe, const char *name)
{
	for (size_t i = 0; i < pe->nr_sections; i++)
		if (!strcmp(pe->sections[i].name, name))
			return &pe->sections[i];
	return NULL;
}
