/* SPDX-License-Identifier: MIT */
/* Multiboot kernels (Xen): multiboot2 and multiboot v1 as two formats of the table sharing one
 * loader. The image's bytes go where its ELF PT_LOADs (or the header's address fields) say, the
 * modules high below 4 GiB, the boot information is the MBI (mbi.c), and the purgatory leaves
 * through its 32-bit exit with EAX = the loader magic, EBX = the MBI. */
#include "format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "inputs.h"
#include "le.h"
#include "mbi.h"
#include "screen_info.h"

static uint64_t page_round(uint64_t v)
{
	return (v + BATON_PAGE_SIZE - 1) & ~(BATON_PAGE_SIZE - 1);
}

/* The header's address fields as the image's one load (no ELF needed). */
static void address_load(struct baton_multiboot *mb, uint32_t load_addr, size_t offset,
			 size_t size, uint32_t bss_end, uint32_t entry)
{
	struct baton_elf_load *l = &mb->elf.loads[0];

	mb->elf.elf_class = BATON_ELF_32;
	mb->elf.nr_loads = 1;
	l->paddr = l->vaddr = load_addr;
	l->offset = offset;
	l->filesz = size;
	l->memsz = bss_end > load_addr + size ? bss_end - (uint64_t)load_addr : size;
	mb->entry = entry;
}

/* The ELF's entry in physical terms: e_entry is a virtual address of one of its PT_LOADs. */
static uint64_t elf_entry(const struct baton_elf_image *elf)
{
	for (size_t i = 0; i < elf->nr_loads; i++) {
		const struct baton_elf_load *l = &elf->loads[i];
		if (elf->entry >= l->vaddr && elf->entry - l->vaddr < l->memsz)
			return elf->entry - l->vaddr + l->paddr;
	}
	return elf->entry;
}

/* What both versions check once the loads and the entry are known. */
static int check_loads(struct baton_multiboot *mb, const char *file, struct baton_error *err)
{
	uint64_t entry = mb->entry;

	for (size_t i = 0; i < mb->elf.nr_loads; i++) {
		const struct baton_elf_load *l = &mb->elf.loads[i];
		if (l->paddr & (BATON_PAGE_SIZE - 1))
			return baton_fail(err, ENOEXEC, "multiboot: %s: load %zu at 0x%llx is not page "
					  "aligned", file, i, (unsigned long long)l->paddr);
		if (l->paddr + l->memsz > BATON_4G)
			return baton_fail(err, ENOEXEC, "multiboot: %s: load %zu at 0x%llx ends above "
					  "4 GiB (the entry is 32-bit)", file, i,
					  (unsigned long long)l->paddr);
		if (i && l->paddr < mb->elf.loads[0].paddr)
			return baton_fail(err, ENOEXEC, "multiboot: %s: load %zu lies below the first "
					  "(baton keeps them in address order)", file, i);
	}
	if (entry >= BATON_4G)
		return baton_fail(err, ENOEXEC, "multiboot: %s: entry 0x%llx is above 4 GiB", file,
				  (unsigned long long)entry);
	return 0;
}

static int mb2_probe(const uint8_t *data, size_t size)
{
	return baton_mb2_probe(data, size);
}

static int mb1_probe(const uint8_t *data, size_t size)
{
	return baton_mb1_probe(data, size);
}

static int mb2_parse(const uint8_t *data, size_t size, const char *file,
		     struct baton_kernel *out, struct baton_error *err)
{
	struct baton_multiboot *mb = &out->mb;
	int rc;

	memset(mb, 0, sizeof(*mb));
	mb->version = 2;
	rc = baton_mb2_parse(&mb->mb2, data, size, file, err);
	if (!rc && baton_mb2_has(&mb->mb2, BATON_MB2_HTAG_ADDRESS)) {
		if (!baton_mb2_has(&mb->mb2, BATON_MB2_HTAG_ENTRY))
			rc = baton_fail(err, ENOEXEC, "multiboot2: %s: address tag without an entry "
					"address tag", file);
		else
			address_load(mb, mb->mb2.address.load_addr, mb->mb2.address.load_offset,
				     mb->mb2.address.load_size, mb->mb2.address.bss_end_addr,
				     mb->mb2.entry_addr);
	} else if (!rc) {
		rc = baton_elf_load_parse(&mb->elf, data, size, file, err);
		mb->entry = baton_mb2_has(&mb->mb2, BATON_MB2_HTAG_ENTRY) ? mb->mb2.entry_addr
									 : elf_entry(&mb->elf);
	}
	if (!rc)
		rc = check_loads(mb, file, err);
	if (rc)
		memset(mb, 0, sizeof(*mb));
	return rc;
}

static int mb1_parse(const uint8_t *data, size_t size, const char *file,
		     struct baton_kernel *out, struct baton_error *err)
{
	struct baton_multiboot *mb = &out->mb;
	int rc;

	memset(mb, 0, sizeof(*mb));
	mb->version = 1;
	rc = baton_mb1_parse(&mb->mb1, data, size, file, err);
	if (!rc && (mb->mb1.flags & BATON_MB1_ADDRESS)) {
		address_load(mb, mb->mb1.address.load_addr, mb->mb1.address.load_offset,
			     mb->mb1.address.load_size, mb->mb1.address.bss_end_addr,
			     mb->mb1.address.entry_addr);
	} else if (!rc) {
		rc = baton_elf_load_parse(&mb->elf, data, size, file, err);
		mb->entry = elf_entry(&mb->elf);
	}
	if (!rc)
		rc = check_loads(mb, file, err);
	if (rc)
		memset(mb, 0, sizeof(*mb));
	return rc;
}

/* How far the image was moved from its own addresses (0: not at all). */
static uint64_t reloc_offset(const struct baton_multiboot *mb, const struct baton_segments *segs)
{
	const struct baton_segment *k = baton_segments_get(segs, BATON_SEG_KERNEL);

	return k ? k->mem - mb->elf.loads[0].paddr : 0;
}

/* The first load where the relocatable tag allows, the image's span kept whole in [min, max). */
static int relocate_first(const struct baton_format_ctx *ctx, struct baton_segment *s)
{
	const struct baton_multiboot *mb = &ctx->in->kernel.mb;
	const struct baton_elf_load *first = &mb->elf.loads[0], *last;
	uint64_t span, align = mb->mb2.relocatable.align;

	last = &mb->elf.loads[mb->elf.nr_loads - 1];
	span = page_round(last->paddr + last->memsz) - first->paddr;
	if ((uint64_t)mb->mb2.relocatable.max_addr + 1 < mb->mb2.relocatable.min_addr + span)
		return -ENOSPC;
	struct baton_seg_place at = {
		align > BATON_PAGE_SIZE ? align : BATON_PAGE_SIZE,
		mb->mb2.relocatable.min_addr,
		(uint64_t)mb->mb2.relocatable.max_addr + 1 - (span - s->memsz),
		mb->mb2.relocatable.preference == BATON_MB2_RELOC_HIGH ? BATON_PLACE_HIGHEST
									: BATON_PLACE_LOWEST,
		0,
	};
	return ctx->placer.place(ctx->placer.ctx, s, &at);
}

/* Each load at its own address; with the relocatable tag, the whole image elsewhere when its own
 * RAM is not free (the first load decides, the others follow at the same offset). */
static int place_image(const struct baton_format_ctx *ctx, struct baton_error *err)
{
	const struct baton_multiboot *mb = &ctx->in->kernel.mb;
	const struct baton_file *f = &ctx->in->kernel_file;
	const char *file = ctx->opts->kernel;
	uint64_t off = 0;
	int rc;

	for (size_t i = 0; i < mb->elf.nr_loads; i++) {
		const struct baton_elf_load *l = &mb->elf.loads[i];
		uint64_t memsz = page_round(l->memsz ? l->memsz : 1);
		struct baton_seg_place at = baton_seg_at(l->paddr + off, memsz);
		struct baton_segment *s;

		rc = baton_segments_add(ctx->segs, BATON_SEG_KERNEL, NULL, &s, err);
		if (rc)
			return rc;
		s->memsz = memsz;
		rc = ctx->placer.place(ctx->placer.ctx, s, &at);
		if (rc && !i && mb->version == 2 &&
		    baton_mb2_has(&mb->mb2, BATON_MB2_HTAG_RELOCATABLE))
			rc = relocate_first(ctx, s);
		if (rc)
			return ctx->placer.no_room(ctx->placer.ctx, s, file,
						   i || off ? " (at the image's offset)"
							    : " (at the image's own address)", err);
		off = s->mem - l->paddr;
		s->buf = f->data + l->offset;
		s->bufsz = l->filesz;
	}
	return 0;
}

/* Each module high below 4 GiB (the MBI's fields), page aligned (module-align tag, v1's flag). */
static int place_modules(const struct baton_format_ctx *ctx, struct baton_error *err)
{
	for (size_t i = 0; i < ctx->in->nr_modules; i++) {
		const struct baton_module *m = &ctx->in->modules[i];
		struct baton_seg_load ld = {
			BATON_SEG_MODULE, m->file.data, m->file.size, m->file.size ? m->file.size : 1,
			{ BATON_PAGE_SIZE, 0, BATON_4G, BATON_PLACE_HIGHEST, 0 }, m->string, "",
		};
		int rc = baton_format_load(ctx, &ld, NULL, err);
		if (rc)
			return rc;
	}
	return 0;
}

/* What Xen and its dom0 need on a machine booted through UEFI that only their command lines can
 * say. Said, not done: the command lines are the user's. */
static void warn_uefi(const struct baton_format_ctx *ctx, const char *fmt)
{
	const struct baton_inputs *in = ctx->in;
	const char *kernel = ctx->opts->kernel;

	if (!in->booted_efi)
		return;
	/* Xen's multiboot entry calls the BIOS for its memory map and video mode unless told not
	 * to; there is no BIOS under UEFI firmware. */
	if (!baton_cmdline_has(ctx->opts->cmdline, "no-real-mode"))
		baton_warn(ctx->warn, "%s: %s: the machine booted through UEFI, where the new kernel "
			   "cannot call the BIOS: Xen needs no-real-mode on its command line", fmt,
			   kernel);
	/* A PV dom0 reads the BIOS data area's EBDA pointer from its own RAM, not the machine's,
	 * and UEFI put no RSDP in the ROM area it scans next: only Linux's acpi_rsdp= finds the
	 * tables. */
	if (in->rsdp.addr && in->nr_modules && !baton_cmdline_has(in->modules[0].string, "acpi_rsdp="))
		baton_warn(ctx->warn, "%s: %s: on a UEFI machine a Linux dom0 (the first module) "
			   "finds ACPI only with acpi_rsdp=0x%llx on its command line", fmt, kernel,
			   (unsigned long long)in->rsdp.addr);
}

static int mb_plan(const struct baton_format_ctx *ctx, struct baton_format_plan *out,
		   struct baton_error *err)
{
	const struct baton_load_opts *opts = ctx->opts;
	const char *fmt = ctx->in->kernel.format->name;
	int rc;

	if (ctx->in->initrd_file.size)
		return baton_fail(err, EINVAL, "%s: %s: takes no --initrd (pass it as a --module)",
				  fmt, opts->kernel);
	warn_uefi(ctx, fmt);
	rc = place_image(ctx, err);
	if (!rc)
		rc = place_modules(ctx, err);
	if (rc)
		return rc;
	out->cmdline_max = UINT32_MAX - 1;
	out->cmdline_max_field = "the MBI";
	out->below4g = 1;
	return 0;
}

/* A linear framebuffer from the running kernel's screen_info (VESA or EFI), else 0. */
static int running_framebuffer(const struct baton_inputs *in, struct baton_screen_fb *fb)
{
	struct baton_screen scr;

	if (!in->have_running)
		return 0;
	baton_screen_info_parse(in->running.screen_info, &scr);
	if (scr.kind != BATON_SCREEN_LFB)
		return 0;
	*fb = scr.fb;
	return 1;
}

/* The MBI: CMDLINE "IMAGE XEN-ARGS" (a loader that is not GRUB 2 must put a word in front, see
 * baton_mbi_string), the modules' strings as given, the new kernel's memory map (on UEFI
 * machines with the purgatory's EBDA reserved), where the image went, the firmware's RSDP
 * (multiboot2's ACPI tag); the framebuffer when the image asks for one. */
static int mb_boot_info(const struct baton_format_ctx *ctx, struct baton_boot_info *bi,
			struct baton_error *err)
{
	const struct baton_inputs *in = ctx->in;
	const struct baton_multiboot *mb = &in->kernel.mb;
	struct baton_mbi_module mods[BATON_MAX_SEGMENTS];
	struct baton_screen_fb fb = { 0 };
	size_t n = 0, len;
	char *cmdline;
	int rc;

	for (size_t i = 0; i < ctx->segs->nr && n < in->nr_modules; i++) {
		const struct baton_segment *s = &ctx->segs->seg[i];
		if (s->role != BATON_SEG_MODULE)
			continue;
		mods[n] = (struct baton_mbi_module){ s->mem, s->mem + s->bufsz,
						     in->modules[n].string };
		n++;
	}
	len = baton_mbi_string(NULL, 0, ctx->opts->kernel, bi->cmdline);
	cmdline = malloc(len + 1);
	if (!cmdline)
		return baton_fail(err, ENOMEM, "mbi: out of memory");
	baton_mbi_string(cmdline, len + 1, ctx->opts->kernel, bi->cmdline);
	struct baton_mbi_input mi = {
		.addr = bi->phys,
		.cmdline = cmdline,
		.memmap = bi->map,
		.modules = mods,
		.nr_modules = n,
		.load_base = mb->elf.loads[0].paddr + reloc_offset(mb, ctx->segs),
		.rsdp = in->rsdp.size ? in->rsdp.bytes : NULL,
		.rsdp_size = in->rsdp.size,
	};
	if (mb->version == 2 &&
	    (baton_mb2_has(&mb->mb2, BATON_MB2_HTAG_FRAMEBUFFER) ||
	     (mb->mb2.info_requested & BATON_MB2_BIT(BATON_MBI_FRAMEBUFFER))) &&
	    running_framebuffer(in, &fb))
		mi.framebuffer = &fb;
	if (mb->version == 2)
		rc = baton_mbi2_build(&mi, bi->buf, bi->buf ? bi->size : 0, &bi->size, err);
	else
		rc = baton_mbi1_build(&mi, bi->buf, bi->buf ? bi->size : 0, &bi->size, err);
	free(cmdline);
	bi->timing = 0;
	return rc;
}

/* Protected mode, paging off: EAX = the loader magic, EBX = the MBI, the rest zero. */
static void mb_exit(const struct baton_format_ctx *ctx, uint64_t boot_info, struct baton_exit *out)
{
	const struct baton_multiboot *mb = &ctx->in->kernel.mb;

	*out = (struct baton_exit){ 0 };
	out->mode = BATON_EXIT_PROTECTED32;
	out->entry = mb->entry + reloc_offset(mb, ctx->segs);
	out->regs[BATON_EXIT_RAX] = mb->version == 2 ? BATON_MB2_LOADER_MAGIC
						     : BATON_MB1_LOADER_MAGIC;
	out->regs[BATON_EXIT_RBX] = boot_info;
}

static void mb_version(const struct baton_kernel *k, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s", k->mb.version == 2 ? "multiboot2" : "multiboot");
}

static void mb_describe(const struct baton_kernel *k, const struct baton_segments *segs,
			char *buf, size_t cap)
{
	const struct baton_multiboot *mb = &k->mb;
	uint64_t off = reloc_offset(mb, segs), base = mb->elf.loads[0].paddr;

	if (off)
		snprintf(buf, cap, "%s, ELF%s relocated from 0x%llx to 0x%llx", k->format->name,
			 mb->elf.elf_class == BATON_ELF_64 ? "64" : "32", (unsigned long long)base,
			 (unsigned long long)(base + off));
	else
		snprintf(buf, cap, "%s, ELF%s at its own address 0x%llx", k->format->name,
			 mb->elf.elf_class == BATON_ELF_64 ? "64" : "32", (unsigned long long)base);
}

const struct baton_format baton_format_multiboot2 = {
	.name = "multiboot2-x86",
	.boot_info_name = "mbi",
	.probe = mb2_probe,
	.parse = mb2_parse,
	.plan = mb_plan,
	.boot_info = mb_boot_info,
	.exit = mb_exit,
	.version = mb_version,
	.describe = mb_describe,
	.no_file_load = 1,
	.no_crash = 1,
	.bios_area = 1,
};

const struct baton_format baton_format_multiboot = {
	.name = "multiboot-x86",
	.boot_info_name = "mbi",
	.probe = mb1_probe,
	.parse = mb1_parse,
	.plan = mb_plan,
	.boot_info = mb_boot_info,
	.exit = mb_exit,
	.version = mb_version,
	.describe = mb_describe,
	.no_file_load = 1,
	.no_crash = 1,
	.bios_area = 1,
};
