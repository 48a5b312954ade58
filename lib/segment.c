/* SPDX-License-Identifier: MIT */
/* The image's segment list: appending (with names and kexec_load's limit) and finding by role. */
#include "segment.h"

#include <stdio.h>
#include <string.h>

static const char *const role_names[] = {
	[BATON_SEG_KERNEL] = "kernel", [BATON_SEG_INITRD] = "initrd",
	[BATON_SEG_MODULE] = "module", [BATON_SEG_ELFCOREHDR] = "elfcorehdr",
	[BATON_SEG_BACKUP] = "backup", [BATON_SEG_BOOT_INFO] = "boot_info",
	[BATON_SEG_PAGE_TABLES] = "page_tables", [BATON_SEG_PURGATORY] = "purgatory",
	[BATON_SEG_TRAMPOLINE] = "trampoline",
};

/* "kernel", "kernel.1", ...; modules are numbered from 0, as multiboot counts them. */
static void role_name(const struct baton_segments *l, enum baton_seg_role role, char *buf)
{
	size_t n = 0;

	for (size_t i = 0; i < l->nr; i++)
		n += l->seg[i].role == role;
	if (role == BATON_SEG_MODULE || n)
		snprintf(buf, BATON_SEG_NAME, "%s.%zu", role_names[role], n);
	else
		snprintf(buf, BATON_SEG_NAME, "%s", role_names[role]);
}

int baton_segments_add(struct baton_segments *l, enum baton_seg_role role, const char *name,
		       struct baton_segment **out, struct baton_error *err)
{
	struct baton_segment *s;
	char buf[BATON_SEG_NAME];

	*out = NULL;
	if (name)
		snprintf(buf, sizeof(buf), "%s", name);
	else
		role_name(l, role, buf);
	if (l->nr == BATON_MAX_SEGMENTS)
		return baton_fail(err, E2BIG, "segments: %s would be segment %d, but kexec_load takes "
				  "at most %d (fewer modules or kernel segments)", buf,
				  BATON_MAX_SEGMENTS + 1, BATON_MAX_SEGMENTS);
	s = &l->seg[l->nr++];
	memset(s, 0, sizeof(*s));
	memcpy(s->name, buf, sizeof(s->name));
	s->role = role;
	*out = s;
	return 0;
}

struct baton_segment *baton_segments_find(struct baton_segments *l, enum baton_seg_role role)
{
	for (size_t i = 0; i < l->nr; i++)
		if (l->seg[i].role == role)
			return &l->seg[i];
	return NULL;
}

const struct baton_segment *baton_segments_get(const struct baton_segments *l,
					       enum baton_seg_role role)
{
	return baton_segments_find((struct baton_segments *)l, role);
}

uint64_t baton_segments_span(const struct baton_segments *l, enum baton_seg_role role,
			     uint64_t *start)
{
	uint64_t end = 0;

	*start = 0;
	for (size_t i = 0; i < l->nr; i++) {
		const struct baton_segment *s = &l->seg[i];
		if (s->role != role)
			continue;
		if (!end)
			*start = s->mem;
		end = s->mem + s->bufsz;
	}
	return end ? end - *start : 0;
}
