/* SPDX-License-Identifier: MIT */
/* The bzImage format: Linux's x86 boot protocol (Documentation/arch/x86/boot.rst) as a format of
 * the table. The setup header is parsed by bzimage.c; the boot information is the zero page
 * (bootparams.c), the command line and the setup_data list, laid out here. */
#include "format.h"

#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "bootparams.h"
#include "bzimage_real.h"
#include "inputs.h"
#include "setup_nodes.h"

#define KERNEL_ENTRY64_OFFSET 0x200
#define RNG_SEED_BYTES 32

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

/* The boot information: the zero page, the command line, then the setup_data list: the EFI
 * runtime map and SETUP_EFI, the e820 entries the zero page has no room for, a seed for the new
 * kernel's RNG, and the timing record the purgatory fills in. */

int baton_bzimage_boot_info(const struct baton_format_ctx *ctx, struct baton_boot_info *bi,
			    struct baton_error *err)
{
	const struct baton_inputs *in = ctx->in;
	const struct baton_memmap *map = bi->map;
	size_t extra = map->nr > E820_MAX_ZEROPAGE ? map->nr - E820_MAX_ZEROPAGE : 0;
	uint8_t *seg = bi->buf;
	uint64_t phys = bi->phys;
	struct boot_params *bp = (struct boot_params *)seg;
	struct baton_setup_nodes w = { seg, phys, sizeof(*bp) + bi->cmdline_len + 1,
				       offsetof(struct boot_params, hdr.setup_data) };
	size_t map_at = baton_align8(w.at);
	int rc;

	if (ctx->opts->flags & BATON_LOAD_REAL_MODE)
		return baton_bzimage_real_boot_info(ctx, bi, err);
	if (seg) {
		const struct baton_segment *k = baton_segments_get(ctx->segs, BATON_SEG_KERNEL);
		struct baton_boot_layout layout = {
			.kernel_addr = k ? k->mem : 0,
			.cmdline_addr = phys + sizeof(struct boot_params),
		};
		layout.initrd_size = baton_segments_span(ctx->segs, BATON_SEG_INITRD, &layout.initrd_addr);
		baton_bootparams_build(bp, &in->kernel.bz, map, in->have_running ? &in->running : NULL,
				       &layout);
		if (bi->cmdline_len)
			memcpy(seg + sizeof(*bp), bi->cmdline, bi->cmdline_len);
	}
	/* EFI: the runtime map, then SETUP_EFI; without EFI, efi_info is cleared. */
	if (in->efi.present)
		w.at = map_at + baton_efi_map_size(&in->efi);
	struct efi_setup_data setup = { 0 };
	if (seg)
		baton_efi_apply(&in->efi, bp, seg + map_at, phys + map_at, &setup);
	if (in->efi.present) {
		void *node = baton_setup_node_add(&w, SETUP_EFI, sizeof(setup));
		if (node)
			memcpy(node, &setup, sizeof(setup));
	}
	if (extra) {
		struct e820_entry *e = baton_setup_node_add(
			&w, SETUP_E820_EXT, (uint32_t)(extra * sizeof(struct e820_entry)));
		if (e)
			baton_bootparams_e820_entries(e, map, E820_MAX_ZEROPAGE, extra);
	}
	if (in->dtb_size) {
		void *dtb = baton_setup_node_add(&w, SETUP_DTB, (uint32_t)in->dtb_size);
		if (dtb)
			memcpy(dtb, in->dtb_file.data, in->dtb_size);
	}
	void *seed = baton_setup_node_add(&w, SETUP_RNG_SEED, RNG_SEED_BYTES);
	if (seed) {
		rc = ctx->system->ops->random(ctx->system, seed, RNG_SEED_BYTES);
		if (rc)
			return baton_fail(err, -rc, "bootparams: no random seed for the new kernel: %s",
					  strerror(-rc));
	}
	baton_setup_node_add(&w, BATON_SETUP_TIMING, sizeof(struct baton_timing));
	if (seg)
		bi->timing = phys + w.at - sizeof(struct baton_timing);
	bi->size = w.at;
	return 0;
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
