/* SPDX-License-Identifier: MIT */
/* The bzImage format: Linux's x86 boot protocol (Documentation/arch/x86/boot.rst) as a format of
 * the table. The setup header is parsed by bzimage.c; the boot information is the zero page
 * (bootparams.c), the command line and the setup_data list (linux_boot.c). */
#include "format.h"

#include <stdio.h>
#include <string.h>

#include "bzimage_real.h"
#include "inputs.h"
#include "linux_boot.h"

#define KERNEL_ENTRY64_OFFSET 0x200

static uint64_t page_round(uint64_t v)
{
	return (v + BATON_PAGE_SIZE - 1) & ~(BATON_PAGE_SIZE - 1);
}

/* The boot flag and "HdrS": whether the file claims to be a bzImage at all. */
static int bzimage_probe(const uint8_t *data, size_t size)
{
	return size >= 0x206 && data[0x1fe] == 0x55 && data[0x1ff] == 0xaa &&
	       data[0x202] == 'H' && data[0x203] == 'd' && data[0x204] == 'r' && data[0x205] == 'S';
}

static int bzimage_parse(const uint8_t *data, size_t size, const char *file,
			 struct baton_kernel *out, struct baton_error *err)
{
	return baton_bzimage_parse(&out->bz, data, size, file, err);
}

/* The initrd's pieces back to back, each from a page boundary, as one region: below
 * initrd_addr_max first; a kernel that can take its initrd above 4 GiB takes it anywhere
 * (initrd_addr_max stays 2 GiB for old loaders' sake). The first piece's segment is placed for
 * them all, the others follow it. */
static int plan_initrd(const struct baton_format_ctx *ctx, const struct baton_initrd_part *parts,
		       size_t nr, int above4g, struct baton_error *err)
{
	const struct baton_bzimage *bz = &ctx->in->kernel.bz;
	const struct baton_placer *pl = &ctx->placer;
	struct baton_seg_place low = { BATON_PAGE_SIZE, 0, (uint64_t)bz->initrd_addr_max + 1,
				       BATON_PLACE_HIGHEST, 0 };
	struct baton_seg_place any = { BATON_PAGE_SIZE, 0, UINT64_MAX, BATON_PLACE_HIGHEST, 1 };
	struct baton_segment *first = NULL, *s;
	size_t was = ctx->segs->nr, pieces = 0;
	uint64_t total = 0, at = 0;
	int rc;

	for (size_t i = 0; i < nr; i++) {
		total += page_round(parts[i].size);
		pieces += parts[i].size != 0;
	}
	if (!total)
		return 0;
	for (size_t i = 0; i < nr; i++) {
		if (!parts[i].size)
			continue;
		rc = baton_segments_add(ctx->segs, BATON_SEG_INITRD, parts[i].name, &s, err);
		if (rc)
			goto fail;
		s->buf = parts[i].data;
		s->bufsz = parts[i].size;
		s->memsz = page_round(parts[i].size);
		if (first) {
			s->mem = at;
			at += s->memsz;
			continue;
		}
		first = s;
		first->memsz = total;
		if (pl->place(pl->ctx, first, &low) && (!above4g || pl->place(pl->ctx, first, &any))) {
			rc = pl->no_room(pl->ctx, first, parts[i].file,
					 pieces > 1 ? " (the initrd's pieces together)" : "", err);
			goto fail;
		}
		first->memsz = page_round(parts[i].size);
		at = first->mem + first->memsz;
	}
	return 0;
fail:
	ctx->segs->nr = was;   /* the list as it was */
	return rc;
}

/* The kernel at or above pref_address (the decompressor would move itself up there, over other
 * segments), lowest first; then the initrd. */
int baton_bzimage_plan_with(const struct baton_format_ctx *ctx,
			    const struct baton_initrd_part *parts, size_t nr,
			    struct baton_format_plan *out, struct baton_error *err)
{
	const struct baton_bzimage *bz = &ctx->in->kernel.bz;
	const struct baton_load_opts *opts = ctx->opts;
	int real = (opts->flags & BATON_LOAD_REAL_MODE) != 0;
	/* Real mode: the header has 32-bit fields only (ramdisk_image, code32_start). */
	int above4g = !real && (bz->xloadflags & BATON_XLF_CAN_BE_LOADED_ABOVE_4G);
	int rc;

	if (ctx->in->nr_modules)
		return baton_fail(err, EINVAL, "bzimage: %s: takes no --module (a multiboot kernel "
				  "does)", opts->kernel);
	if (real && (rc = baton_bzimage_real_check(ctx, err)))
		return rc;
	if ((ctx->in->features & BATON_CPU_LA57) && !(opts->flags & BATON_LOAD_ENTRY_32BIT) &&
	    !real && !(bz->xloadflags & BATON_XLF_5LEVEL))
		return baton_fail(err, ENOEXEC, "bzimage: %s: kernel cannot run with 5-level paging "
				  "(no XLF_5LEVEL) and the running kernel uses it; use --entry-32bit",
				  opts->kernel);
	struct baton_seg_load k = {
		BATON_SEG_KERNEL, bz->kernel, bz->kernel_size,
		bz->init_size > bz->kernel_size ? bz->init_size : bz->kernel_size,
		{ bz->kernel_alignment, bz->pref_address, UINT64_MAX, BATON_PLACE_LOWEST, above4g },
		opts->kernel, " (init_size)",
	};
	rc = baton_format_load(ctx, &k, NULL, err);
	if (!rc)
		rc = plan_initrd(ctx, parts, nr, above4g, err);
	if (rc)
		return rc;
	out->cmdline_max = bz->cmdline_size;
	out->cmdline_max_field = "cmdline_size";
	if (real) {
		out->below4g = 1;
		out->real_mode = 1;
		out->boot_info_name = "realmode";
	}
	return 0;
}

static int bzimage_plan(const struct baton_format_ctx *ctx, struct baton_format_plan *out,
			struct baton_error *err)
{
	const struct baton_file *initrd = &ctx->in->initrd_file;
	const struct baton_initrd_part part = { initrd->data, initrd->size, NULL, ctx->opts->initrd };

	return baton_bzimage_plan_with(ctx, &part, 1, out, err);
}

/* The boot information: the zero page from the file's own setup header (linux_boot.c). */
int baton_bzimage_boot_info(const struct baton_format_ctx *ctx, struct baton_boot_info *bi,
			    struct baton_error *err)
{
	const struct baton_bzimage *bz = &ctx->in->kernel.bz;

	if (ctx->opts->flags & BATON_LOAD_REAL_MODE)
		return baton_bzimage_real_boot_info(ctx, bi, err);
	return baton_linux_boot_info(ctx, bz->data + offsetof(struct boot_params, hdr),
				     bz->header_size, bi, err);
}

/* 64-bit protocol: load address + 0x200, RSI = the zero page. 32-bit (--entry-32bit):
 * code32_start, paging off, ESI = the zero page, ECX = the entry. Real mode (--real-mode): the
 * setup code in the real-mode kernel, which is the boot information then. */
void baton_bzimage_exit(const struct baton_format_ctx *ctx, uint64_t boot_info,
			struct baton_exit *out)
{
	const struct baton_segment *k = baton_segments_get(ctx->segs, BATON_SEG_KERNEL);
	uint64_t load = k ? k->mem : 0;

	if (ctx->opts->flags & BATON_LOAD_REAL_MODE) {
		baton_bzimage_real_exit(boot_info, out);
		return;
	}
	*out = (struct baton_exit){ 0 };
	if (ctx->opts->flags & BATON_LOAD_ENTRY_32BIT) {
		out->mode = BATON_EXIT_PROTECTED32;
		out->entry = load;
		out->regs[BATON_EXIT_RCX] = load;
	} else {
		out->mode = BATON_EXIT_LONG64;
		out->entry = load + KERNEL_ENTRY64_OFFSET;
	}
	out->regs[BATON_EXIT_RSI] = boot_info;
}

void baton_bzimage_version(const struct baton_kernel *k, char *buf, size_t cap)
{
	snprintf(buf, cap, "%u.%02u", k->bz.protocol >> 8, k->bz.protocol & 0xff);
}

static void bzimage_describe(const struct baton_kernel *k, const struct baton_segments *segs,
			     char *buf, size_t cap)
{
	(void)segs;
	snprintf(buf, cap, "boot protocol %u.%02u", k->bz.protocol >> 8, k->bz.protocol & 0xff);
}

static const char *const bzimage_aliases[] = { "bzImage64", NULL };

const struct baton_format baton_format_bzimage = {
	.name = "bzImage",
	.aliases = bzimage_aliases,
	.boot_info_name = "boot_params",
	.probe = bzimage_probe,
	.parse = bzimage_parse,
	.plan = bzimage_plan,
	.boot_info = baton_bzimage_boot_info,
	.exit = baton_bzimage_exit,
	.version = baton_bzimage_version,
	.describe = bzimage_describe,
	.setup_data = 1,
	.real_mode = 1,
};
