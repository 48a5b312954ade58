/* SPDX-License-Identifier: MIT */
/* The one list of kernel formats: -t, its help and automatic detection all read it. */
#include "format.h"

#include <string.h>

/* Detection order: the first whose probe accepts a file parses it. A bzImage is not ELF; a UKI
 * is a PE file without a setup header (its .linux has one); a file with both multiboot headers
 * (Xen) is multiboot2 unless -t says otherwise; an ELF64 x86-64 executable without a multiboot
 * header (a vmlinux) is elf-x86_64. */
static const struct baton_format *const formats[] = {
	&baton_format_bzimage,
	&baton_format_uki,
	&baton_format_multiboot2,
	&baton_format_multiboot,
	&baton_format_elf_x86_64,
};

const struct baton_format *baton_format_at(size_t i)
{
	return i < sizeof(formats) / sizeof(formats[0]) ? formats[i] : NULL;
}

const struct baton_format *baton_format_lookup(const char *name)
{
	const struct baton_format *f;

	for (size_t i = 0; (f = baton_format_at(i)); i++) {
		if (!strcmp(f->name, name))
			return f;
		for (const char *const *a = f->aliases; a && *a; a++)
			if (!strcmp(*a, name))
				return f;
	}
	return NULL;
}

int baton_format_detect(const uint8_t *data, size_t size, const char *file,
			struct baton_kernel *out, struct baton_error *err)
{
	const struct baton_format *f;

	for (size_t i = 0; (f = baton_format_at(i)); i++)
		if (f->probe(data, size))
			break;
	return baton_format_parse_as(f ? f : baton_format_at(0), data, size, file, out, err);
}

int baton_format_parse_as(const struct baton_format *f, const uint8_t *data, size_t size,
			  const char *file, struct baton_kernel *out, struct baton_error *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = f->parse(data, size, file, out, err);
	if (rc) {
		memset(out, 0, sizeof(*out));
		return rc;
	}
	out->format = f;
	return 0;
}

int baton_format_load(const struct baton_format_ctx *ctx, const struct baton_seg_load *ld,
		      struct baton_segment **out, struct baton_error *err)
{
	const struct baton_placer *pl = &ctx->placer;
	struct baton_segment *s;
	int rc;

	if (out)
		*out = NULL;
	rc = baton_segments_add(ctx->segs, ld->role, NULL, &s, err);
	if (rc)
		return rc;
	s->memsz = (ld->memsz + BATON_PAGE_SIZE - 1) & ~(BATON_PAGE_SIZE - 1);
	if (pl->place(pl->ctx, s, &ld->at)) {
		rc = pl->no_room(pl->ctx, s, ld->file, ld->what ? ld->what : "", err);
		ctx->segs->nr--;   /* the list as it was */
		return rc;
	}
	s->buf = ld->buf;
	s->bufsz = ld->bufsz;
	if (out)
		*out = s;
	return 0;
}
