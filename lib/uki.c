/* SPDX-License-Identifier: MIT */
/* Unified Kernel Images: the sections a loader uses, found in the PE section table (pe.c). */
#include "uki.h"

#include <stdio.h>
#include <string.h>

#include "pe.h"

/* The sections with a meaning for the loader; any other (.sbat, .pcrsig, .splash, the stub's
 * own code) is the firmware's or the stub's business. */
static const struct {
	const char *name;
	size_t offset;
} parts[] = {
	{ ".linux", offsetof(struct baton_uki, linux_) },
	{ ".initrd", offsetof(struct baton_uki, initrd) },
	{ ".ucode", offsetof(struct baton_uki, ucode) },
	{ ".cmdline", offsetof(struct baton_uki, cmdline) },
	{ ".uname", offsetof(struct baton_uki, uname) },
	{ ".dtb", offsetof(struct baton_uki, dtb) },
};

/* A section table naming .linux: a malformed UKI is still one, and its parse says what is
 * wrong with it (not the bzImage's, which automatic detection would ask otherwise). */
int baton_uki_probe(const uint8_t *data, size_t size)
{
	return baton_pe_names_section(data, size, ".linux");
}

static int fail(struct baton_uki *uki, int rc)
{
	memset(uki, 0, sizeof(*uki));
	return rc;
}

int baton_uki_parse(struct baton_uki *uki, const uint8_t *data, size_t size, const char *name,
		    struct baton_error *err)
{
	struct baton_pe pe;
	int rc;

	memset(uki, 0, sizeof(*uki));
	rc = baton_pe_parse(&pe, data, size, name, err);
	if (rc)
		return rc;
	uki->machine = pe.machine;
	for (size_t i = 0; i < pe.nr_sections; i++) {
		const struct baton_pe_section *s = &pe.sections[i];

		if (!strcmp(s->name, ".profile"))
			return fail(uki, baton_fail(err, ENOEXEC, "uki: %s: a multi-profile UKI "
					 "(.profile, section %zu): baton does not choose a "
					 "profile", name, i));
		for (size_t p = 0; p < sizeof(parts) / sizeof(parts[0]); p++) {
			struct baton_uki_part *part;

			if (strcmp(s->name, parts[p].name))
				continue;
			part = (struct baton_uki_part *)((uint8_t *)uki + parts[p].offset);
			if (part->data)
				return fail(uki, baton_fail(err, ENOEXEC, "uki: %s: two %s "
						 "sections (section %zu is the second)", name,
						 s->name, i));
			/* Found, even when empty: a second one is still a second one. */
			part->data = s->data ? s->data : data;
			part->size = s->size;
		}
	}
	if (!uki->linux_.data)
		return fail(uki, baton_fail(err, ENOEXEC, "uki: %s: a PE image without a "
						 ".linux section is not a UKI", name));
	if (!uki->linux_.size)
		return fail(uki, baton_fail(err, ENOEXEC, "uki: %s: its .linux section is "
						 "empty", name));
	if (uki->machine != BATON_PE_MACHINE_X86_64)
		return fail(uki, baton_fail(err, ENOEXEC, "uki: %s: built for PE machine 0x%x, "
						 "not x86-64 (0x8664)", name, uki->machine));
	return 0;
}

size_t baton_uki_cmdline(const struct baton_uki *uki, char *buf, size_t cap)
{
	const uint8_t *p = uki->cmdline.data;
	size_t n = 0;

	for (size_t i = 0; i < uki->cmdline.size && p[i] && n + 1 < cap; i++)
		buf[n++] = p[i] < 0x20 || p[i] == 0x7f ? ' ' : (char)p[i];
	while (n && buf[n - 1] == ' ')
		n--;
	if (cap)
		buf[n] = 0;
	return n;
}
