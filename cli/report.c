/* Printing the plan: segments, entry, identity map. */
#include "report.h"

static void print_digest(FILE *out, const uint8_t d[32])
{
	for (int i = 0; i < 32; i++)
		fprintf(out, "%02x", d[i]);
}

void report_plan(FILE *out, const struct baton_image *img, const char *kernel)
{
	static const char *const sizes[BATON_PAGE_SIZES] = { "4K", "2M", "1G" };
	const struct baton_identmap_stats *st = &img->map_stats;

	fprintf(out, "kernel: %s (boot protocol %u.%02u, %s entry%s)\n", kernel,
		img->bz.protocol >> 8, img->bz.protocol & 0xff,
		(img->flags & BATON_LOAD_ENTRY_32BIT) ? "32-bit" : "64-bit",
		(img->flags & BATON_LOAD_CRASH) ? ", crash image" : "");
	fprintf(out, "command line: \"%s\"\n", img->cmdline ? img->cmdline : "");
	fprintf(out, "%-12s %-18s %-12s %-12s %s\n", "segment", "address", "bytes", "memsz",
		"sha256 (of the bytes the purgatory verifies)");
	for (int i = 0; i < BATON_SEG_COUNT; i++) {
		const struct baton_segment *s = &img->seg[i];
		if (!s->memsz)
			continue;
		fprintf(out, "%-12s 0x%016llx 0x%-10llx 0x%-10llx ", s->name,
			(unsigned long long)s->mem, (unsigned long long)s->bufsz,
			(unsigned long long)s->memsz);
		print_digest(out, s->sha256);
		fputc('\n', out);
	}
	if (img->backup_size)
		fprintf(out, "backup: 0x%llx bytes from 0x%llx saved to 0x%llx by the purgatory\n",
			(unsigned long long)img->backup_size, (unsigned long long)img->backup_src,
			(unsigned long long)img->seg[BATON_SEG_BACKUP].mem);
	fprintf(out, "entry: 0x%llx (purgatory), kernel entry 0x%llx\n",
		(unsigned long long)img->entry, (unsigned long long)img->kernel_entry);
	fprintf(out, "identity map: %zu table pages, PML4 at 0x%llx, PML5 at 0x%llx "
		"(1G pages %s, running %d-level)\n", st->table_pages,
		(unsigned long long)img->roots.pml4, (unsigned long long)img->roots.pml5,
		(img->features & BATON_CPU_GBPAGES) ? "on" : "off",
		(img->features & BATON_CPU_LA57) ? 5 : 4);
	for (int s = BATON_PAGE_SIZES - 1; s >= 0; s--)
		fprintf(out, "  %s pages: %llu write-back, %llu uncached\n", sizes[s],
			(unsigned long long)st->leaves[s][0], (unsigned long long)st->leaves[s][1]);
}
