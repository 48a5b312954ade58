/* SPDX-License-Identifier: MIT */
/* Preparing a kexec image: read inputs, place segments, build the boot information (through the
 * format), identity map and purgatory parameters, digest everything. All of it happens here, while the system is healthy. */
#include "image.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bios_area.h"
#include "cmdline.h"
#include "cpu.h"
#include "crash_map.h"
#include "decompress.h"
#include "efi.h"
#include "elfcore.h"
#include "plan.h"
#include "purgatory_image.h"
#include "sha256.h"
#include "sha256_tree.h"

static uint64_t page_round(uint64_t v)
{
	return (v + BATON_PAGE_SIZE - 1) & ~(BATON_PAGE_SIZE - 1);
}

/* Each --module's file (its first word) mapped, its string kept as given. */
static int read_modules(const struct baton_load_opts *opts, struct baton_inputs *in,
			struct baton_error *err)
{
	if (!opts->nr_modules)
		return 0;
	if (opts->nr_modules > BATON_MAX_SEGMENTS)
		return baton_fail(err, E2BIG, "module: %zu modules, but kexec_load takes at most %d "
				  "segments", opts->nr_modules, BATON_MAX_SEGMENTS);
	in->modules = calloc(opts->nr_modules, sizeof(*in->modules));
	if (!in->modules)
		return baton_fail(err, ENOMEM, "module: out of memory");
	for (size_t i = 0; i < opts->nr_modules; i++) {
		const char *str = opts->modules[i] ? opts->modules[i] : "";
		size_t skip = strspn(str, " \t"), len = strcspn(str + skip, " \t");
		char path[4096];
		int rc;

		if (!len)
			return baton_fail(err, EINVAL, "module: '%s': no file named", str);
		if (len >= sizeof(path))
			return baton_fail(err, ENAMETOOLONG, "module: %.64s...: path too long",
					  str + skip);
		memcpy(path, str + skip, len);
		path[len] = 0;
		in->modules[i].string = strdup(str + skip);
		if (!in->modules[i].string)
			return baton_fail(err, ENOMEM, "module: out of memory");
		in->nr_modules++;
		rc = baton_file_map(&in->modules[i].file, path, "module", err);
		if (rc)
			return rc;
	}
	return 0;
}

/* A flattened device tree for the zero page's SETUP_DTB: only formats with setup_data take
 * one, and the file must be one (its big-endian magic and totalsize). */
static int read_dtb(const struct baton_load_opts *opts, struct baton_inputs *in,
		    struct baton_error *err)
{
	const char *path = opts->dtb ? opts->dtb : "";
	const uint8_t *d;
	uint32_t total;
	int rc;

	if (!in->kernel.format->setup_data)
		return baton_fail(err, EINVAL, "dtb: %s: a %s kernel takes no device tree (SETUP_DTB"
				  " needs a zero page: bzImage)", path, in->kernel.format->name);
	rc = baton_file_map(&in->dtb_file, path, "dtb", err);
	if (rc)
		return rc;
	d = in->dtb_file.data;
	if (in->dtb_file.size < 8 || d[0] != 0xd0 || d[1] != 0x0d || d[2] != 0xfe || d[3] != 0xed)
		return baton_fail(err, EINVAL, "dtb: %s: not a flattened device tree (no d00dfeed "
				  "magic)", path);
	total = (uint32_t)d[4] << 24 | (uint32_t)d[5] << 16 | (uint32_t)d[6] << 8 | d[7];
	if (total > in->dtb_file.size || total < 40)
		return baton_fail(err, EINVAL, "dtb: %s: totalsize %u, but the file has %zu bytes",
				  path, total, in->dtb_file.size);
	/* The blob's own size: what follows in the file is not the kernel's. */
	in->dtb_size = total;
	return 0;
}

/* The running system, through the session's backend: CPU, zero page, firmware tables, memory
 * map, and for a crash image the crash facts. */
static int read_inputs(const struct baton_backend *ctx, const struct baton_load_opts *opts,
		       struct baton_inputs *in, struct baton_warnings *warn, struct baton_error *err)
{
	const char *name = opts->kernel;
	int rc;

	/* A compressed kernel (Debian's xen-*.gz, a vmlinuz.gz) is unpacked here, whatever its
	 * format; the initrd is passed as it is (the new kernel unpacks its own). */
	rc = baton_file_map_image(&in->kernel_file, opts->kernel, "kernel",
				  BATON_IMAGE_DECOMPRESS, 0, err);
	if (rc)
		return rc;
	if (opts->flags & BATON_LOAD_TYPE) {
		const struct baton_format *f = baton_format_lookup(opts->type ? opts->type : "");
		if (!f)
			return baton_fail(err, EINVAL, "type: '%.32s' is not a kernel type baton loads",
					  opts->type ? opts->type : "");
		rc = baton_format_parse_as(f, in->kernel_file.data, in->kernel_file.size, name,
					   &in->kernel, err);
	} else {
		rc = baton_format_detect(in->kernel_file.data, in->kernel_file.size, name,
					 &in->kernel, err);
	}
	if (rc)
		return rc;
	if ((opts->flags & BATON_LOAD_REAL_MODE) && !in->kernel.format->real_mode)
		return baton_fail(err, EINVAL, "%s: %s: no 16-bit entry: --real-mode is for bzImages",
				  in->kernel.format->name, name);
	/* kexec_load takes a crash image's segments only inside the crash region. */
	if ((opts->flags & BATON_LOAD_REAL_MODE) && (opts->flags & BATON_LOAD_CRASH))
		return baton_fail(err, EINVAL, "%s: %s: --real-mode is not for -p: a capture kernel's "
				  "segments must lie in the crash region, the real-mode entry puts two "
				  "below 1 MiB", in->kernel.format->name, name);
	if ((opts->flags & BATON_LOAD_REAL_MODE) && (opts->flags & BATON_LOAD_ENTRY_32BIT))
		return baton_fail(err, EINVAL, "%s: %s: --real-mode and --entry-32bit are two entries: "
				  "give one", in->kernel.format->name, name);
	if ((opts->flags & BATON_LOAD_CRASH) && in->kernel.format->no_crash)
		return baton_fail(err, EINVAL, "%s: %s: not as a crash kernel (-p): baton loads "
				  "only bzImage capture kernels", in->kernel.format->name, name);
	if ((opts->flags & (BATON_LOAD_ENTRY | BATON_LOAD_ARGS_LINUX | BATON_LOAD_ARGS_ELF |
			    BATON_LOAD_ARGS_NONE)) && !in->kernel.format->elf_args)
		return baton_fail(err, EINVAL, "%s: %s: --entry and --args-* are for ELF images "
				  "(elf-x86_64)", in->kernel.format->name, name);
	if (opts->initrd) {
		rc = baton_file_map(&in->initrd_file, opts->initrd, "initrd", err);
		if (rc)
			return rc;
	}
	rc = read_modules(opts, in, err);
	if (!rc && (opts->flags & BATON_LOAD_DTB))
		rc = read_dtb(opts, in, err);
	if (rc)
		return rc;
	rc = ctx->ops->cpu_features(ctx, &in->features, err);
	if (rc)
		return rc;
	in->have_running = ctx->ops->boot_params(ctx, &in->running);
	in->booted_efi = in->have_running && baton_efi_booted(&in->running);
	if (opts->flags & BATON_LOAD_NO_EFI)
		memset(&in->efi, 0, sizeof(in->efi));   /* efi_info is then cleared (efi.c) */
	else
		rc = ctx->ops->efi(ctx, in->have_running ? &in->running : NULL, &in->efi, err);
	/* Where the firmware provides no RSDP where the kernel looks (UEFI), one it cannot read
	 * leaves the new kernel without ACPI: the user hears of it. Elsewhere the kernel's own
	 * scan finds it, and the ACPI tag is only a courtesy. */
	if (!rc && in->kernel.format->bios_area) {
		struct baton_error why = { 0 };
		if (ctx->ops->rsdp(ctx, in->have_running ? &in->running : NULL, &in->rsdp, &why) &&
		    in->booted_efi)
			baton_warn(warn, "%s; the new kernel may find no ACPI tables", why.msg);
	}
	if (!rc)
		rc = ctx->ops->memmap(ctx, &in->memmap, err);
	if (!rc && (opts->flags & BATON_LOAD_CRASH))
		rc = ctx->ops->crash_facts(ctx, &in->memmap, &in->crash, err);
	return rc;
}

/* Where segments may go: free RAM inside a window (all RAM from 1 MiB, or the crash region);
 * for the real-mode entry's two segments, RAM below 640 KiB. */
struct planner {
	struct baton_free free;
	struct baton_free low;   /* [BATON_REAL_LOW_MIN, BATON_REAL_LOW_MAX), when real mode */
	uint64_t min;
	uint64_t max;
	int above4g;     /* segments may go above 4 GiB when nothing fits below */
	const struct baton_load_opts *bounds;   /* with BATON_LOAD_MEM_BOUNDS, for messages */
};

/* The caller's bounds (BATON_LOAD_MEM_BOUNDS), kexec-tools' --mem-min/--mem-max: both bytes
 * inclusive, so a segment [mem, mem + memsz) fits when mem >= mem_min and mem + memsz - 1 <=
 * mem_max. Narrows the window; a window left empty is refused here, in one line. */
static int planner_bound(struct planner *pl, const struct baton_load_opts *o,
			 struct baton_error *err)
{
	uint64_t hi = o->mem_max == UINT64_MAX ? UINT64_MAX : o->mem_max + 1;
	uint64_t lo = pl->min, top = pl->max;

	pl->bounds = o;
	pl->min = o->mem_min > pl->min ? o->mem_min : pl->min;
	pl->max = hi < pl->max ? hi : pl->max;
	if (pl->min < pl->max)
		return 0;
	return baton_fail(err, ENOSPC, "placement: the bounds mem_min 0x%llx, mem_max 0x%llx leave"
			  " nothing of 0x%llx-0x%llx%s", (unsigned long long)o->mem_min,
			  (unsigned long long)o->mem_max, (unsigned long long)lo,
			  (unsigned long long)top, (o->flags & BATON_LOAD_CRASH) ?
			  " (the crash region)" : "");
}

static int planner_init(struct planner *pl, const struct baton_image *img,
			const struct baton_load_opts *opts, struct baton_error *err)
{
	unsigned flags = opts->flags;
	int rc;

	pl->min = BATON_LOW_RESERVE;
	/* Below 128 TiB: a 4-level purgatory (no LA57 from the backend) reaches nothing higher. */
	pl->max = BATON_IDENTMAP_LIMIT_4LEVEL;
	if (flags & BATON_LOAD_CRASH) {
		/* The kernel takes crash segments only inside its main (last) crash region. */
		const struct baton_phys_range *c = &img->in.crash.crash[img->in.crash.nr_crash - 1];
		pl->min = c->start > pl->min ? c->start : pl->min;
		pl->max = c->end < pl->max ? c->end : pl->max;
	}
	pl->above4g = !(flags & BATON_LOAD_ENTRY_32BIT);
	pl->bounds = NULL;
	if ((flags & BATON_LOAD_MEM_BOUNDS) && (rc = planner_bound(pl, opts, err)))
		return rc;
	return baton_free_init(&pl->free, &img->in.memmap, pl->min, pl->max, err);
}

/* Below 4 GiB where possible (and below `max`), else above it if allowed. */
static int place(struct planner *pl, struct baton_segment *s, uint64_t align, uint64_t min,
		 uint64_t max, enum baton_place where, int above4g)
{
	uint64_t lo = min > pl->min ? min : pl->min;
	uint64_t hi = max < pl->max ? max : pl->max;
	struct baton_place_req low = { s->memsz, align, lo, hi < BATON_4G ? hi : BATON_4G, where };
	struct baton_place_req high = { s->memsz, align, lo > BATON_4G ? lo : BATON_4G, hi, where };

	if (!baton_free_take(&pl->free, &low, &s->mem))
		return 0;
	if (above4g && pl->above4g)
		return baton_free_take(&pl->free, &high, &s->mem);
	return -ENOSPC;
}

static int no_room(struct baton_error *err, const struct baton_segment *s, const char *file,
		   const char *what, const struct planner *pl)
{
	char bounds[80] = "";

	if (pl->bounds)
		snprintf(bounds, sizeof(bounds), " (bounds mem_min 0x%llx, mem_max 0x%llx)",
			 (unsigned long long)pl->bounds->mem_min,
			 (unsigned long long)pl->bounds->mem_max);
	return baton_fail(err, ENOSPC, "%s: %s: no free RAM for %llu KiB%s in 0x%llx-0x%llx%s",
			  s->name, file ? file : "", (unsigned long long)s->memsz >> 10, what,
			  (unsigned long long)pl->min, (unsigned long long)pl->max, bounds);
}

/* The planner as formats see it (struct baton_placer, format.h). */
static int placer_place(void *ctx, struct baton_segment *s, const struct baton_seg_place *at)
{
	return place(ctx, s, at->align, at->min, at->max, at->where, at->above4g);
}

static int placer_no_room(void *ctx, const struct baton_segment *s, const char *file,
			  const char *what, struct baton_error *err)
{
	return no_room(err, s, file, what, ctx);
}

/* Crash hotplug: on where the running kernel rewrites the ELF core header (the default), off
 * with BATON_LOAD_NO_HOTPLUG; BATON_LOAD_HOTPLUG makes a kernel that cannot an error (EINVAL,
 * not a refusal kexec_file_load could get around: the kernel's own loader has none either). */
static int want_hotplug(struct baton_image *img, struct baton_error *err)
{
	const struct baton_crash_info *c = &img->in.crash;

	img->hotplug = 0;
	if (img->flags & BATON_LOAD_NO_HOTPLUG)
		return 0;
	/* The kernel rewrites the header as ELF64, and the purgatory checks that shape. */
	if (img->flags & BATON_LOAD_ELF32_CORE) {
		if (img->flags & BATON_LOAD_HOTPLUG)
			return baton_fail(err, EINVAL, "hotplug: the running kernel rewrites the ELF "
					  "core header as ELF64: not with an ELF32 one");
		return 0;
	}
	if (c->hotplug_phdrs_size) {
		img->hotplug = 1;
		return 0;
	}
	if (img->flags & BATON_LOAD_HOTPLUG)
		return baton_fail(err, EINVAL, "hotplug: %s", c->no_hotplug ? c->no_hotplug :
				  "the running kernel has no crash hotplug");
	return 0;
}

/* The kernel finds the header it rewrites as the last segment whose first bytes are the ELF
 * magic (crash_handle_hotplug_event): none of baton's later segments may start with it. */
static int hotplug_header_is_last(const struct baton_image *img, struct baton_error *err)
{
	const struct baton_segment *eh = baton_segments_get(&img->segs, BATON_SEG_ELFCOREHDR);

	for (size_t i = (size_t)(eh - img->segs.seg) + 1; i < img->segs.nr; i++) {
		const struct baton_segment *s = &img->segs.seg[i];
		if (s->bufsz >= SELFMAG && !memcmp(s->buf, ELFMAG, SELFMAG))
			return baton_fail(err, EPROTO, "hotplug: segment %s starts with the ELF magic:"
					  " the kernel would rewrite it instead of the elfcorehdr",
					  s->name);
	}
	return 0;
}

/* The crash image's extras: a backup of low memory and the ELF core header describing the dead
 * kernel's memory, whose address the capture kernel learns from elfcorehdr=. The header comes
 * first in load order; the backup is placed first (the header records where it goes). */
static int place_crash_extras(struct planner *pl, struct baton_image *img,
			      struct baton_cmdline *cmdline, struct baton_error *err)
{
	struct baton_segment *bk, *eh;
	struct baton_elfcore_opts eo = { img->in.crash.crash, img->in.crash.nr_crash, 0, 0, 0,
					 (img->flags & BATON_LOAD_ELF32_CORE) != 0 };
	char token[64];
	size_t size;
	int rc;

	rc = baton_segments_add(&img->segs, BATON_SEG_ELFCOREHDR, NULL, &eh, err);
	if (rc)
		return rc;
	if (!baton_crash_backup_range(&img->in.crash, &eo.backup_src, &eo.backup_size)) {
		rc = baton_segments_add(&img->segs, BATON_SEG_BACKUP, NULL, &bk, err);
		if (rc)
			return rc;
		bk->memsz = page_round(eo.backup_size);
		if (place(pl, bk, BATON_PAGE_SIZE, 0, UINT64_MAX, BATON_PLACE_HIGHEST, 1))
			return no_room(err, bk, "", " (backup of low memory)", pl);
		eo.backup_dst = bk->mem;
	}
	/* The header's size does not depend on where the backup went, only on the ranges. */
	rc = baton_elfcore_build(&img->in.crash, &eo, &img->elfcore_seg, &size, err);
	if (rc)
		return rc;
	eh->buf = img->elfcore_seg;
	eh->bufsz = size;
	eh->memsz = page_round(size);
	/* The kernel's header, for every possible CPU and up to CONFIG_CRASH_MAX_MEMORY_RANGES
	 * ranges, must fit the segment (arch_crash_handle_hotplug_event: elfsz > memsz fails). */
	if ((rc = want_hotplug(img, err)))
		return rc;
	if (img->hotplug && sizeof(Elf64_Ehdr) + img->in.crash.hotplug_phdrs_size > eh->memsz)
		eh->memsz = page_round(sizeof(Elf64_Ehdr) + img->in.crash.hotplug_phdrs_size);
	if (place(pl, eh, BATON_PAGE_SIZE, 0, UINT64_MAX, BATON_PLACE_HIGHEST, 1))
		return no_room(err, eh, "", " (ELF core header)", pl);
	img->backup_src = eo.backup_src;
	img->backup_size = eo.backup_size;
	img->backup_dst = eo.backup_dst;
	snprintf(token, sizeof(token), "elfcorehdr=0x%llx", (unsigned long long)eh->mem);
	return baton_cmdline_append(cmdline, token, err);
}

/* Below 640 KiB: the real-mode kernel highest, where old boot loaders put it (0x90000), the
 * trampoline lowest, out of its way. */
static int place_low(struct planner *pl, struct baton_segment *s, enum baton_place where,
		     struct baton_error *err)
{
	struct baton_place_req req = { s->memsz, BATON_PAGE_SIZE, BATON_REAL_LOW_MIN,
				       BATON_REAL_LOW_MAX, where };

	if (!baton_free_take(&pl->low, &req, &s->mem))
		return 0;
	return baton_fail(err, ENOSPC, "%s: no free RAM for %llu KiB below 640 KiB (0x%llx-0x%llx) "
			  "for the real-mode entry", s->name, (unsigned long long)s->memsz >> 10,
			  BATON_REAL_LOW_MIN, BATON_REAL_LOW_MAX);
}

/* The real-mode exit's trampoline: the purgatory's own bytes, copied below 1 MiB. */
static int place_trampoline(struct planner *pl, struct baton_image *img,
			    const struct baton_purgatory_layout *layout, struct baton_error *err)
{
	struct baton_segment *s;
	int rc = baton_segments_add(&img->segs, BATON_SEG_TRAMPOLINE, NULL, &s, err);

	if (rc)
		return rc;
	s->buf = baton_purgatory_image + layout->trampoline_offset;
	s->bufsz = layout->trampoline_size;
	s->memsz = page_round(layout->trampoline_size);
	return place_low(pl, s, BATON_PLACE_LOWEST, err);
}

/* Small pieces the purgatory and the 32-bit entry need, below 4 GiB when possible, placed high
 * to keep low memory free for the new kernel; the boot information below 640 KiB when the
 * exit is through real mode (the real-mode kernel is the boot information then). */
static int place_small(struct planner *pl, struct baton_image *img,
		       const struct baton_format_plan *fplan, size_t boot_size, size_t table_pages,
		       size_t purgatory_size, struct baton_error *err)
{
	const char *boot_name = fplan->boot_info_name ? fplan->boot_info_name
				: img->in.kernel.format->boot_info_name;
	static const enum baton_seg_role roles[] = {
		BATON_SEG_BOOT_INFO, BATON_SEG_PAGE_TABLES, BATON_SEG_PURGATORY,
	};
	const uint64_t sizes[] = {
		page_round(boot_size), table_pages * BATON_PAGE_SIZE, page_round(purgatory_size),
	};

	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		struct baton_segment *s;
		int rc;

		if (!sizes[i])     /* no boot information (an ELF image given no arguments) */
			continue;
		rc = baton_segments_add(&img->segs, roles[i],
					    roles[i] == BATON_SEG_BOOT_INFO ? boot_name : NULL, &s,
					    err);
		if (rc)
			return rc;
		s->memsz = sizes[i];
		if (fplan->real_mode && roles[i] == BATON_SEG_BOOT_INFO) {
			rc = place_low(pl, s, BATON_PLACE_HIGHEST, err);
			if (rc)
				return rc;
			continue;
		}
		if (place(pl, s, BATON_PAGE_SIZE, 0, UINT64_MAX, BATON_PLACE_HIGHEST, 1))
			return no_room(err, s, "", "", pl);
	}
	return 0;
}

struct table_alloc {
	uint8_t *base;
	uint64_t phys;
	size_t used;
	size_t max;
};

static void *table_alloc_page(void *ctx, uint64_t *phys)
{
	struct table_alloc *a = ctx;
	uint8_t *page;

	if (a->used == a->max)
		return NULL;
	page = a->base + a->used * BATON_PAGE_SIZE;
	*phys = a->phys + a->used * BATON_PAGE_SIZE;
	a->used++;
	memset(page, 0, BATON_PAGE_SIZE);
	return page;
}

static int build_identity_map(struct baton_image *img, size_t pages, struct baton_error *err)
{
	struct baton_phys_range must[BATON_MAX_SEGMENTS];
	struct baton_identmap_layout layout = { 0 };
	struct baton_segment *pt = baton_segments_find(&img->segs, BATON_SEG_PAGE_TABLES);
	struct table_alloc alloc = { NULL, pt->mem, 0, pages };
	size_t n = 0;
	int rc;

	for (size_t i = 0; i < img->segs.nr; i++) {
		must[n].start = img->segs.seg[i].mem;
		must[n].end = img->segs.seg[i].mem + img->segs.seg[i].memsz;
		n++;
	}
	rc = baton_identmap_layout(&img->in.memmap, must, n, &layout, err);
	if (rc)
		return rc;
	img->table_seg = calloc(pages, BATON_PAGE_SIZE);
	if (!img->table_seg) {
		baton_identmap_layout_free(&layout);
		return baton_fail(err, ENOMEM, "identmap: out of memory for %zu pages", pages);
	}
	alloc.base = img->table_seg;
	struct baton_identmap_info info = { { table_alloc_page, &alloc }, img->in.features };
	rc = baton_identmap_build(&layout, &info, &img->roots, &img->map_stats, err);
	baton_identmap_layout_free(&layout);
	if (rc)
		return rc;
	if (alloc.used != pages)
		return baton_fail(err, EPROTO, "identmap: built %zu pages, planned %zu", alloc.used,
				  pages);
	pt->buf = img->table_seg;
	pt->bufsz = pages * BATON_PAGE_SIZE;
	return 0;
}

/* What the capture kernel may use: the crash region (minus what must survive) and low memory. */
static int crash_boot_map(struct baton_image *img, struct baton_error *err)
{
	const struct baton_phys_range *c = &img->in.crash.crash[img->in.crash.nr_crash - 1];
	struct baton_phys_range keep[2];
	size_t n = 0;

	for (size_t i = 0; i < img->segs.nr; i++) {
		const struct baton_segment *s = &img->segs.seg[i];
		if (s->role == BATON_SEG_ELFCOREHDR || s->role == BATON_SEG_BACKUP) {
			keep[n].start = s->mem;
			keep[n].end = s->mem + s->memsz;
			n++;
		}
	}
	return baton_crash_memmap(&img->in.memmap, &img->in.crash, c->start, c->end, keep, n,
				  &img->boot_map, err);
}

/* A BIOS data area for a kernel that reads one (format bios_area) on a machine booted through
 * UEFI, whose firmware left the BDA empty: the purgatory writes it, the new kernel's map keeps
 * the EBDA. Without room for it the load goes on, and the user hears why. */
static int plan_bios_area(struct baton_image *img, struct baton_error *err)
{
	struct baton_memmap *base = img->boot_map.nr ? &img->boot_map : &img->in.memmap;
	struct baton_memmap reserved;
	struct baton_error why = { 0 };
	int rc;

	if (!img->in.kernel.format->bios_area || !img->in.booted_efi)
		return 0;
	if (baton_bios_area_plan(base, &img->in.rsdp, &img->bios, &why)) {
		baton_warn(&img->warnings, "%s: the new kernel finds no BIOS data area", why.msg);
		return 0;
	}
	rc = baton_bios_area_reserve(base, &img->bios, &reserved, err);
	if (rc)
		return rc;
	baton_memmap_free(&img->boot_map);
	img->boot_map = reserved;
	img->have_bios = 1;
	return 0;
}

/* The boot information, as the format lays it out: counted before placement (boot_info with
 * no buffer), written here at the placed address; the two walks must agree. */
static int build_boot_info(const struct baton_format_ctx *fctx, struct baton_image *img,
			   const struct baton_boot_info *counted, struct baton_error *err)
{
	struct baton_segment *bs = baton_segments_find(&img->segs, BATON_SEG_BOOT_INFO);
	struct baton_boot_info bi = *counted;
	int rc;

	if (!bs)
		return 0;
	img->boot_seg = calloc(1, bs->memsz);
	if (!img->boot_seg)
		return baton_fail(err, ENOMEM, "%s: out of memory", bs->name);
	bi.buf = img->boot_seg;
	bi.phys = bs->mem;
	rc = img->in.kernel.format->boot_info(fctx, &bi, err);
	if (rc)
		return rc;
	/* The same walk counted before placement: anything else is a bug, not a bad input. */
	if (bi.size != counted->size)
		return baton_fail(err, EPROTO, "%s: wrote %zu bytes, counted %zu", bs->name, bi.size,
				  counted->size);
	img->timing = bi.timing;
	bs->buf = img->boot_seg;
	bs->bufsz = bs->memsz;
	return 0;
}

/* The tree digest of the range the purgatory verifies (s->hashed_size bytes at p), and only
 * when asked (a dry run) the plain SHA-256 too, a second pass over the bytes. */
static void digest_range(struct baton_segment *s, const void *p, unsigned flags)
{
	baton_sha256_tree(NULL, p, s->hashed_size, BATON_TREE_CHUNK, s->root);
	if (flags & BATON_LOAD_PLAIN_SHA256)
		baton_sha256(p, s->hashed_size, s->sha256);
}

static void digest_segment(struct baton_segment *s, unsigned flags)
{
	s->hashed_start = s->mem;
	s->hashed_size = s->bufsz;
	digest_range(s, s->buf, flags);
}

static int build_purgatory(const struct baton_load_opts *opts, struct baton_image *img,
			   const struct baton_purgatory_layout *pl, const struct baton_exit *exit,
			   struct baton_error *err)
{
	struct baton_segment *ps = baton_segments_find(&img->segs, BATON_SEG_PURGATORY);
	struct baton_purgatory_fill f = {
		.exit = *exit,
		.serial = (opts->flags & BATON_LOAD_SERIAL) != 0,
		.serial_port = opts->serial_port,
		.serial_baud = opts->serial_baud,
		.console = img->console.pf,
		.fb = img->console.fb,
		.pml4 = img->roots.pml4,
		.pml5 = img->roots.pml5,
		.timing = img->timing,
		.backup_src = img->backup_src,
		.backup_dst = img->backup_dst,
		.backup_size = img->backup_size,
		.bios = img->have_bios ? &img->bios : NULL,
		.digest_chunk = BATON_TREE_CHUNK,
		.elfcorehdr = img->hotplug ? baton_segments_get(&img->segs, BATON_SEG_ELFCOREHDR)->mem : 0,
		.elfcorehdr_size = img->hotplug ?
			baton_segments_get(&img->segs, BATON_SEG_ELFCOREHDR)->memsz : 0,
		.seg = img->segs.seg,
		.nr_seg = img->segs.nr,
	};
	int rc;

	img->purgatory_seg = malloc(baton_purgatory_image_size);
	if (!img->purgatory_seg)
		return baton_fail(err, ENOMEM, "purgatory: out of memory");
	memcpy(img->purgatory_seg, baton_purgatory_image, baton_purgatory_image_size);
	ps->buf = img->purgatory_seg;
	ps->bufsz = baton_purgatory_image_size;
	ps->hashed_start = ps->mem + pl->text_offset;
	ps->hashed_size = pl->text_end - pl->text_offset;
	digest_range(ps, img->purgatory_seg + pl->text_offset, img->flags);

	rc = baton_purgatory_params_fill((struct baton_params *)(img->purgatory_seg +
								 pl->params_offset), &f, err);
	if (rc)
		return rc;
	img->entry = ps->mem;
	img->kernel_entry = f.exit.entry;
	img->exit_mode = f.exit.mode;
	return 0;
}


int baton_image_prepare(const struct baton_backend *ctx, const struct baton_load_opts *opts,
			struct baton_image *img, struct baton_error *err)
{
	struct baton_identmap_layout probe = { 0 };
	struct baton_purgatory_layout pl;
	struct baton_cmdline cmdline = { 0 };
	struct baton_format_plan fplan = { 0 };
	struct baton_boot_info bi = { 0 };
	const struct baton_format *format;
	struct baton_format_ctx fctx;
	struct baton_exit exit;
	struct planner planner;
	size_t pages;
	int rc;

	memset(img, 0, sizeof(*img));
	img->flags = opts->flags;
	if ((opts->flags & (BATON_LOAD_MEMMAP_CMDLINE | BATON_LOAD_ELF32_CORE)) &&
	    !(opts->flags & BATON_LOAD_CRASH))
		return baton_fail(err, EINVAL, "%s: %s is for a crash image (-p) only", opts->kernel,
				  (opts->flags & BATON_LOAD_ELF32_CORE) ? "an ELF32 core header"
									 : "memmap= of the capture map");
	rc = baton_purgatory_layout(baton_purgatory_image, baton_purgatory_image_size, &pl, err);
	if (!rc)
		rc = read_inputs(ctx, opts, &img->in, &img->warnings, err);
	if (!rc)
		rc = baton_console_plan(opts->flags, img->in.have_running ?
					img->in.running.screen_info : NULL, &img->in.memmap,
					&img->console, err);
	/* The table count depends on the memory map only, not on where the segments go. */
	if (!rc)
		rc = baton_identmap_layout(&img->in.memmap, NULL, 0, &probe, err);
	if (rc)
		goto fail;
	pages = baton_identmap_pages_needed(&probe, img->in.features);
	baton_identmap_layout_free(&probe);
	format = img->in.kernel.format;

	rc = baton_cmdline_append(&cmdline, opts->cmdline ? opts->cmdline : "", err);
	if (!rc)
		rc = planner_init(&planner, img, opts, err);
	fctx = (struct baton_format_ctx){ &img->in, opts, &img->segs,
					  { placer_place, placer_no_room, &planner }, ctx,
					  &img->warnings };
	if (!rc)
		rc = format->plan(&fctx, &fplan, err);
	if (!rc && fplan.below4g)
		planner.above4g = 0;
	if (!rc && fplan.real_mode)
		rc = baton_free_init(&planner.low, &img->in.memmap, BATON_REAL_LOW_MIN,
				     BATON_REAL_LOW_MAX, err);
	if (!rc && fplan.real_mode)
		rc = place_trampoline(&planner, img, &pl, err);
	if (!rc && (opts->flags & BATON_LOAD_CRASH))
		rc = place_crash_extras(&planner, img, &cmdline, err);
	/* The capture kernel's map depends only on the two segments it must keep. */
	if (!rc && (opts->flags & BATON_LOAD_CRASH))
		rc = crash_boot_map(img, err);
	if (!rc && (opts->flags & BATON_LOAD_MEMMAP_CMDLINE))
		rc = baton_crash_memmap_cmdline(&img->boot_map, &cmdline, err);
	if (!rc)
		rc = plan_bios_area(img, err);
	if (!rc && cmdline.len > fplan.cmdline_max)
		rc = baton_fail(err, E2BIG, "cmdline: %zu bytes, but %s takes at most %u (%s)",
				cmdline.len, opts->kernel, fplan.cmdline_max, fplan.cmdline_max_field);
	bi = (struct baton_boot_info){ .cmdline = cmdline.text ? cmdline.text : "",
				       .cmdline_len = cmdline.len,
				       .map = img->boot_map.nr ? &img->boot_map : &img->in.memmap };
	if (!rc)
		rc = format->boot_info(&fctx, &bi, err);
	if (!rc)
		rc = place_small(&planner, img, &fplan, bi.size, pages, pl.image_size, err);
	if (!rc)
		rc = build_identity_map(img, pages, err);
	if (!rc)
		rc = build_boot_info(&fctx, img, &bi, err);
	if (!rc && img->hotplug)
		rc = hotplug_header_is_last(img, err);
	if (!rc) {
		/* A hotplug elfcorehdr is the kernel's to rewrite: checked by shape, not digest. */
		for (size_t i = 0; i < img->segs.nr; i++)
			if (img->segs.seg[i].role != BATON_SEG_PURGATORY && img->segs.seg[i].bufsz &&
			    !(img->hotplug && img->segs.seg[i].role == BATON_SEG_ELFCOREHDR))
				digest_segment(&img->segs.seg[i], opts->flags);
		const struct baton_segment *bs = baton_segments_get(&img->segs,
								    BATON_SEG_BOOT_INFO);
		format->exit(&fctx, bs ? bs->mem : 0, &exit);
		if (exit.mode == BATON_EXIT_REAL16)
			exit.trampoline = baton_segments_get(&img->segs, BATON_SEG_TRAMPOLINE)->mem;
		rc = build_purgatory(opts, img, &pl, &exit, err);
	}
	img->cmdline = cmdline.text;
	if (!rc)
		return 0;
fail:
	/* The steps above fill in *img as they go: one unwind for all of them. */
	baton_image_free(img);
	return rc;
}

void baton_inputs_free(struct baton_inputs *in)
{
	baton_file_free(&in->kernel_file);
	baton_file_free(&in->initrd_file);
	baton_file_free(&in->dtb_file);
	for (size_t i = 0; i < in->nr_modules; i++) {
		baton_file_free(&in->modules[i].file);
		free(in->modules[i].string);
	}
	free(in->modules);
	baton_memmap_free(&in->memmap);
	baton_crash_info_free(&in->crash);
	baton_efi_free(&in->efi);
	memset(in, 0, sizeof(*in));
}

void baton_image_free(struct baton_image *img)
{
	baton_inputs_free(&img->in);
	baton_memmap_free(&img->boot_map);
	free(img->elfcore_seg);
	free(img->cmdline);
	free(img->boot_seg);
	free(img->table_seg);
	free(img->purgatory_seg);
	memset(img, 0, sizeof(*img));
}
