/* SPDX-License-Identifier: MIT */
/* The loader's side of the purgatory ABI: the header it reads, the parameter block it writes. */
#include "purgatory_params.h"

#include <string.h>

#include "verify.h"

int baton_purgatory_layout(const uint8_t *image, size_t size, struct baton_purgatory_layout *out,
			   struct baton_error *err)
{
	struct baton_purgatory_header h;

	if (size < sizeof(h))
		return baton_fail(err, ENOEXEC, "purgatory: image too small");
	memcpy(&h, image, sizeof(h));
	if (h.magic != BATON_HEADER_MAGIC || h.version != BATON_ABI_VERSION)
		return baton_fail(err, ENOEXEC, "purgatory: bad header (magic or ABI version)");
	if (h.params_offset % 8 || h.params_offset + sizeof(struct baton_params) > size ||
	    h.text_offset > h.text_end || h.text_end > h.params_offset || h.image_size < size ||
	    h.trampoline_offset < h.text_offset || h.trampoline_size > BATON_TRAMPOLINE_MAX ||
	    h.trampoline_offset + h.trampoline_size > h.text_end)
		return baton_fail(err, ENOEXEC, "purgatory: header offsets outside the image");
	out->params_offset = h.params_offset;
	out->text_offset = h.text_offset;
	out->text_end = h.text_end;
	out->image_size = h.image_size;
	out->trampoline_offset = h.trampoline_offset;
	out->trampoline_size = h.trampoline_size;
	return 0;
}

static void region(struct baton_params *p, const struct baton_segment *s)
{
	struct baton_region *r = &p->regions[p->nr_regions++];

	r->start = s->hashed_start;
	r->size = s->hashed_size;
	memcpy(r->sha256, s->root, sizeof(r->sha256));
	strncpy(r->name, s->name, sizeof(r->name));
}

int baton_purgatory_params_fill(struct baton_params *p, const struct baton_purgatory_fill *f,
				struct baton_error *err)
{
	memset(p, 0, sizeof(*p));
	p->magic = BATON_PARAMS_MAGIC;
	p->version = BATON_ABI_VERSION;
	p->size = sizeof(*p);
	if (f->serial) {
		p->flags |= BATON_PF_SERIAL;
		p->serial_port = f->serial_port;
		p->serial_baud = f->serial_baud;
	}
	p->flags |= f->console & (BATON_PF_CONSOLE_VGA | BATON_PF_CONSOLE_FB | BATON_PF_RESET_VGA);
	if (f->console & BATON_PF_CONSOLE_FB)
		p->fb = f->fb;
	p->exit_mode = f->exit.mode;
	p->exit_entry = f->exit.entry;
	memcpy(p->exit_regs, f->exit.regs, sizeof(p->exit_regs));
	if (f->exit.mode == BATON_EXIT_REAL16) {
		p->exit_trampoline = (uint32_t)f->exit.trampoline;
		p->exit_real_seg = f->exit.real_seg;
		p->exit_real_sp = f->exit.real_sp;
	}
	p->pml4 = f->pml4;
	p->pml5 = f->pml5;
	p->timing = f->timing;
	p->backup_src = f->backup_src;
	p->backup_dst = f->backup_dst;
	p->backup_size = f->backup_size;
	if (f->bios) {
		p->flags |= BATON_PF_BIOS_AREA;
		p->bios = *f->bios;
	}
	p->digest = BATON_DIGEST_TREE;
	p->digest_chunk = f->digest_chunk;
	if (f->elfcorehdr_size) {
		p->flags |= BATON_PF_ELFCORE_HOTPLUG;
		p->elfcorehdr = f->elfcorehdr;
		p->elfcorehdr_size = f->elfcorehdr_size;
	}
	/* An empty segment (the crash backup, filled by the purgatory) has nothing to verify, nor
	 * has a hotplug ELF core header (no hashed_size: the kernel rewrites it). */
	for (size_t i = 0; i < f->nr_seg; i++) {
		if (!f->seg[i].memsz || !f->seg[i].hashed_size)
			continue;
		if (p->nr_regions == BATON_MAX_REGIONS) {
			memset(p, 0, sizeof(*p));
			return baton_fail(err, E2BIG, "purgatory: more than %d regions to verify",
					  BATON_MAX_REGIONS);
		}
		region(p, &f->seg[i]);
	}
	baton_params_digest(p, p->self_sha256);
	return 0;
}
