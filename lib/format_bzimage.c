/* SPDX-License-Identifier: MIT */
/* The bzImage format: Linux's x86 boot protocol (Documentation/arch/x86/boot.rst) as a format of
 * the table. The setup header is parsed by bzimage.c, the zero page built by bootparams.c. */
#include "format.h"


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

/* The kernel at or above pref_address (the decompressor would move itself up there, over other
 * segments), lowest first; the initrd below initrd_addr_max, highest first. */
static int bzimage_plan(const struct baton_format_ctx *ctx, struct baton_format_plan *out,
			struct baton_error *err)
{
	const struct baton_bzimage *bz = &ctx->kernel->bz;
	const struct baton_placer *pl = &ctx->placer;
	const struct baton_load_opts *opts = ctx->opts;
	int above4g = (bz->xloadflags & BATON_XLF_CAN_BE_LOADED_ABOVE_4G) != 0;
	struct baton_segment *k = &ctx->seg[BATON_SEG_KERNEL];
	struct baton_segment *rd = &ctx->seg[BATON_SEG_INITRD];

	if ((ctx->features & BATON_CPU_LA57) && !(opts->flags & BATON_LOAD_ENTRY_32BIT) &&
	    !(bz->xloadflags & BATON_XLF_5LEVEL))
		return baton_fail(err, ENOEXEC, "bzimage: %s: kernel cannot run with 5-level paging "
				  "(no XLF_5LEVEL) and the running kernel uses it; use --entry-32bit",
				  opts->kernel);
	k->memsz = page_round(bz->init_size > bz->kernel_size ? bz->init_size : bz->kernel_size);
	struct baton_seg_place kat = { bz->kernel_alignment, bz->pref_address, UINT64_MAX,
				       BATON_PLACE_LOWEST, above4g };
	if (pl->place(pl->ctx, k, &kat))
		return pl->no_room(pl->ctx, k, opts->kernel, " (init_size)", err);
	k->buf = bz->kernel;
	k->bufsz = bz->kernel_size;

	if (ctx->initrd_size) {
		rd->memsz = page_round(ctx->initrd_size);
		/* initrd_addr_max first; a kernel that can take its initrd above 4 GiB takes it
		 * anywhere (initrd_addr_max stays 2 GiB for old loaders' sake). */
		struct baton_seg_place low = { BATON_PAGE_SIZE, 0, (uint64_t)bz->initrd_addr_max + 1,
					       BATON_PLACE_HIGHEST, 0 };
		struct baton_seg_place any = { BATON_PAGE_SIZE, 0, UINT64_MAX, BATON_PLACE_HIGHEST,
					       1 };
		if (pl->place(pl->ctx, rd, &low) && (!above4g || pl->place(pl->ctx, rd, &any)))
			return pl->no_room(pl->ctx, rd, opts->initrd, "", err);
	}
	out->cmdline_max = bz->cmdline_size;
	out->cmdline_max_field = "cmdline_size";
	return 0;
}

/* 64-bit protocol: load address + 0x200, RSI = the zero page. 32-bit (--entry-32bit):
 * code32_start, paging off, ESI = the zero page, ECX = the entry. */
static void bzimage_exit(const struct baton_format_ctx *ctx, uint64_t boot_info,
			 struct baton_exit *out)
{
	uint64_t load = ctx->seg[BATON_SEG_KERNEL].mem;

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

static const char *const bzimage_aliases[] = { "bzImage64", NULL };

const struct baton_format baton_format_bzimage = {
	.name = "bzImage",
	.aliases = bzimage_aliases,
	.probe = bzimage_probe,
	.parse = bzimage_parse,
	.plan = bzimage_plan,
	.exit = bzimage_exit,
};
