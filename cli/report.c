/* SPDX-License-Identifier: MIT */
/* Printing the plan: segments, entry, identity map. */
#include "report.h"

#include <string.h>

#include "decompress.h"
#include "le.h"
#include "multiboot2.h"
#include "sha256_tree.h"
#include "timing.h"

static void print_digest(FILE *out, const uint8_t d[32])
{
	for (int i = 0; i < 32; i++)
		fprintf(out, "%02x", d[i]);
}

/* The multiboot information as built: multiboot2's tags (a walk over the segment's bytes), or v1's
 * flags. */
static void report_mbi(FILE *out, const struct baton_image *img)
{
	const struct baton_segment *b = baton_segments_get(&img->segs, BATON_SEG_BOOT_INFO);
	const uint8_t *p = img->boot_seg;
	size_t total, at = 8;

	if (!b || !p || b->bufsz < 8)
		return;
	if (img->in.kernel.mb.version == 1) {
		fprintf(out, "mbi (multiboot v1 info) at 0x%llx: flags 0x%x\n",
			(unsigned long long)b->mem, baton_le32(p));
		return;
	}
	total = baton_le32(p);
	fprintf(out, "mbi (multiboot2) at 0x%llx, %zu bytes:\n", (unsigned long long)b->mem, total);
	while (at + 8 <= total && total <= b->bufsz) {
		uint32_t type = baton_le32(p + at), size = baton_le32(p + at + 4);
		fprintf(out, "  tag %2u %-32s %u bytes", type, baton_mbi_tag_name(type), size);
		if (type == BATON_MBI_CMDLINE || type == BATON_MBI_BOOT_LOADER_NAME)
			fprintf(out, ": \"%.*s\"", size > 9 ? (int)(size - 9) : 0, p + at + 8);
		else if (type == BATON_MBI_MODULE && size >= 16)
			fprintf(out, ": 0x%x-0x%x \"%.*s\"", baton_le32(p + at + 8),
				baton_le32(p + at + 12), size > 17 ? (int)(size - 17) : 0, p + at + 16);
		else if (type == BATON_MBI_LOAD_BASE_ADDR && size >= 12)
			fprintf(out, ": 0x%x", baton_le32(p + at + 8));
		fputc('\n', out);
		if (type == BATON_MBI_END || size < 8)
			break;
		at += (size + 7) & ~(size_t)7;
	}
}

void report_plan(FILE *out, const struct baton_image *img, const char *kernel)
{
	static const char *const sizes[BATON_PAGE_SIZES] = { "4K", "2M", "1G" };
	const struct baton_identmap_stats *st = &img->map_stats;

	const struct baton_kernel *k = &img->in.kernel;
	const struct baton_file *kf = &img->in.kernel_file;
	char what[96];
	int entry32 = img->exit_mode == BATON_EXIT_PROTECTED32;
	const char *entry = (img->flags & BATON_LOAD_REAL_MODE) ? "real-mode"
			    : entry32 ? "32-bit" : "64-bit";

	k->format->describe(k, &img->segs, what, sizeof(what));
	fprintf(out, "kernel: %s (", kernel);
	if (kf->compression)
		fprintf(out, "%s, %zu bytes unpacked to %zu; ",
			baton_compression_name(kf->compression), kf->packed_size, kf->size);
	fprintf(out, "%s, %s entry%s)\n", what, entry,
		(img->flags & BATON_LOAD_CRASH) ? ", crash image" : "");
	fprintf(out, "command line: \"%s\"\n", img->cmdline ? img->cmdline : "");
	for (size_t i = 0; i < img->in.nr_modules; i++)
		fprintf(out, "module %zu: \"%s\"\n", i, img->in.modules[i].string);
	fprintf(out, "%-12s %-18s %-12s %-12s %s\n", "segment", "address", "bytes", "memsz",
		"sha256 (of the bytes the purgatory verifies)");
	for (size_t i = 0; i < img->segs.nr; i++) {
		const struct baton_segment *s = &img->segs.seg[i];
		fprintf(out, "%-12s 0x%016llx 0x%-10llx 0x%-10llx ", s->name,
			(unsigned long long)s->mem, (unsigned long long)s->bufsz,
			(unsigned long long)s->memsz);
		print_digest(out, s->sha256);
		fputc('\n', out);
	}
	fprintf(out, "tree digest v%d, %u KiB chunks (what the purgatory checks), root per segment:\n",
		BATON_TREE_VERSION, BATON_TREE_CHUNK >> 10);
	for (size_t i = 0; i < img->segs.nr; i++) {
		const struct baton_segment *s = &img->segs.seg[i];
		fprintf(out, "  %-12s ", s->name);
		print_digest(out, s->root);
		fputc('\n', out);
	}
	if (img->in.efi.present)
		fprintf(out, "efi: %zu runtime map entries and the firmware tables passed on "
			"(SETUP_EFI)\n", img->in.efi.nr);
	if (img->backup_size)
		fprintf(out, "backup: 0x%llx bytes from 0x%llx saved to 0x%llx by the purgatory\n",
			(unsigned long long)img->backup_size, (unsigned long long)img->backup_src,
			(unsigned long long)img->backup_dst);
	if (img->hotplug) {
		const struct baton_segment *eh = baton_segments_get(&img->segs,
								    BATON_SEG_ELFCOREHDR);
		fprintf(out, "hotplug: the kernel rewrites elfcorehdr (0x%llx bytes at 0x%llx) when "
			"CPUs or memory come or go: the purgatory checks its ELF header, not a "
			"digest\n", (unsigned long long)eh->memsz, (unsigned long long)eh->mem);
	}
	if (img->have_bios && img->bios.rsdp)
		fprintf(out, "bios area: EBDA at 0x%llx (%u KiB, reserved in the new kernel's map) "
			"with the RSDP copied from 0x%llx, BDA base memory %u KiB: written by the "
			"purgatory (UEFI left none)\n", (unsigned long long)img->bios.ebda,
			img->bios.ebda_kib, (unsigned long long)img->bios.rsdp, img->bios.base_kib);
	else if (img->have_bios)
		fprintf(out, "bios area: EBDA at 0x%llx (%u KiB, reserved in the new kernel's map) "
			"without an RSDP, BDA base memory %u KiB: written by the purgatory (UEFI "
			"left none)\n", (unsigned long long)img->bios.ebda, img->bios.ebda_kib,
			img->bios.base_kib);
	fprintf(out, "entry: 0x%llx (purgatory), kernel entry 0x%llx\n",
		(unsigned long long)img->entry, (unsigned long long)img->kernel_entry);
	fprintf(out, "identity map: %zu table pages, PML4 at 0x%llx, PML5 at 0x%llx "
		"(1G pages %s, running %d-level)\n", st->table_pages,
		(unsigned long long)img->roots.pml4, (unsigned long long)img->roots.pml5,
		(img->in.features & BATON_CPU_GBPAGES) ? "on" : "off",
		(img->in.features & BATON_CPU_LA57) ? 5 : 4);
	for (int s = BATON_PAGE_SIZES - 1; s >= 0; s--)
		fprintf(out, "  %s pages: %llu write-back, %llu uncached\n", sizes[s],
			(unsigned long long)st->leaves[s][0], (unsigned long long)st->leaves[s][1]);
	if (k->mb.version)
		report_mbi(out, img);
}

void report_handover(FILE *out, const struct baton_report *r, int json)
{
	const struct baton_report *t = r;
	const char *sha = t->sha_ni == 1 ? "sha-ni" : t->sha_ni == 2 ? "avx" : "portable";
	const char *entry = t->entry_real_mode ? "real-mode" : t->entry_32bit ? "32-bit" : "64-bit";
	int levels = t->paging_levels;

	if (json) {
		fprintf(out, "{\"tsc_entry\": %llu, \"tsc_verified\": %llu, \"tsc_jump\": %llu, "
			"\"tsc_khz\": %llu, \"verify_ms\": %.3f, \"total_ms\": %.3f, "
			"\"bytes_hashed\": %llu, \"regions\": %u, \"hash_mb_per_s\": %.1f, "
			"\"sha256\": \"%s\", \"paging_levels\": %d, \"entry\": \"%s\", \"nmis\": %u}\n",
			(unsigned long long)t->tsc_entry, (unsigned long long)t->tsc_verified,
			(unsigned long long)t->tsc_jump, (unsigned long long)r->tsc_khz, r->verify_ms,
			r->total_ms, (unsigned long long)t->bytes_hashed, t->regions,
			r->hash_mb_per_s, sha, levels, entry, t->nmis);
		return;
	}
	fprintf(out, "purgatory: %u regions, %llu bytes verified (%s SHA-256), %d-level paging, "
		"%s entry\n", t->regions, (unsigned long long)t->bytes_hashed, sha, levels, entry);
	fprintf(out, "  entry -> verified:  %llu TSC cycles", (unsigned long long)(t->tsc_verified -
										  t->tsc_entry));
	if (r->tsc_khz)
		fprintf(out, " = %.3f ms (%.1f MB/s)", r->verify_ms, r->hash_mb_per_s);
	fprintf(out, "\n  entry -> kernel:    %llu TSC cycles", (unsigned long long)(t->tsc_jump -
										  t->tsc_entry));
	if (r->tsc_khz)
		fprintf(out, " = %.3f ms", r->total_ms);
	fprintf(out, "\n");
	if (t->nmis)
		fprintf(out, "  NMIs survived:      %u\n", t->nmis);
}
