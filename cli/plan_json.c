/* SPDX-License-Identifier: MIT */
/* The plan as one JSON document (--dry-run --json): the same facts as the picture, for programs.
 * Integers throughout, every `end` exclusive; docs/plan.md has the schema. */
#include "plan_json.h"

#include "decompress.h"
#include "mapwalk.h"
#include "sha256_tree.h"

/* JSON kind names: stable identifiers, documented in docs/plan.md. */
static const char *const kind_json[BATON_MEM_SOFT_RESERVED + 1] = {
	[BATON_MEM_RAM] = "ram", [BATON_MEM_RESERVED] = "reserved", [BATON_MEM_ACPI] = "acpi",
	[BATON_MEM_NVS] = "nvs", [BATON_MEM_UNUSABLE] = "unusable", [BATON_MEM_PMEM] = "pmem",
	[BATON_MEM_SOFT_RESERVED] = "soft_reserved",
};

static const char *const json_page_name[BATON_PAGE_SIZES] = { "4K", "2M", "1G" };

/* Length of the well-formed UTF-8 sequence at s (no overlongs, surrogates or values above
 * U+10FFFF), 0 if there is none. Stops at the terminating NUL, which is no continuation byte. */
static size_t utf8_len(const unsigned char *s)
{
	static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t n;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void plan_json_string(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");

	fputc('"', out);
	while (*s) {
		size_t n = utf8_len(s);
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", out);
		else if (*s == '\t')
			fputs("\\t", out);
		else if (*s == '\r')
			fputs("\\r", out);
		else if (*s < 0x20 || *s == 0x7f || !n)
			fprintf(out, "\\u%04x", *s);
		else
			fwrite(s, 1, n, out);
		s += n ? n : 1;
	}
	fputc('"', out);
}

static void json_key(FILE *out, const char *key)
{
	fprintf(out, ",\n  \"%s\": ", key);
}

static void json_u64(FILE *out, const char *key, uint64_t v)
{
	json_key(out, key);
	fprintf(out, "%llu", (unsigned long long)v);
}

static void json_bool(FILE *out, const char *key, int v)
{
	json_key(out, key);
	fputs(v ? "true" : "false", out);
}

static void json_memmap(FILE *out, const char *key, const struct baton_memmap *m)
{
	json_key(out, key);
	fputc('[', out);
	for (size_t i = 0; i < m->nr; i++)
		fprintf(out, "%s\n    {\"start\": %llu, \"end\": %llu, \"kind\": \"%s\"}",
			i ? "," : "", (unsigned long long)m->ranges[i].start,
			(unsigned long long)m->ranges[i].end, kind_json[m->ranges[i].kind]);
	fputs(m->nr ? "\n  ]" : "]", out);
}

static void json_segments(FILE *out, const struct baton_image *img)
{
	int first = 1;

	json_key(out, "segments");
	fputc('[', out);
	for (size_t i = 0; i < img->segs.nr; i++) {
		const struct baton_segment *s = &img->segs.seg[i];
		fprintf(out, "%s\n    {\"name\": \"%s\", \"mem\": %llu, \"memsz\": %llu, \"bufsz\": %zu, "
			"\"hashed_start\": %llu, \"hashed_size\": %llu, \"root\": \"", first ? "" : ",",
			s->name, (unsigned long long)s->mem, (unsigned long long)s->memsz, s->bufsz,
			(unsigned long long)s->hashed_start, (unsigned long long)s->hashed_size);
		for (int b = 0; b < 32; b++)
			fprintf(out, "%02x", s->root[b]);
		fputs("\", \"sha256\": \"", out);
		for (int b = 0; b < 32; b++)
			fprintf(out, "%02x", s->sha256[b]);
		fputs("\"}", out);
		first = 0;
	}
	fputs("\n  ]", out);
}

static void json_crash(FILE *out, const struct baton_image *img)
{
	json_key(out, "crash_regions");
	fputc('[', out);
	for (size_t i = 0; i < img->in.crash.nr_crash; i++)
		fprintf(out, "%s{\"start\": %llu, \"end\": %llu}", i ? ", " : "",
			(unsigned long long)img->in.crash.crash[i].start,
			(unsigned long long)img->in.crash.crash[i].end);
	fputc(']', out);
	json_key(out, "backup");
	if (img->backup_size)
		fprintf(out, "{\"src\": %llu, \"dst\": %llu, \"size\": %llu}",
			(unsigned long long)img->backup_src,
			(unsigned long long)img->backup_dst,
			(unsigned long long)img->backup_size);
	else
		fputs("null", out);
	json_key(out, "hotplug");
	fputs(img->hotplug ? "true" : "false", out);
	if (img->boot_map.nr)
		json_memmap(out, "boot_memory_map", &img->boot_map);
}

/* Only where the purgatory writes one: a plan without it has no such key. */
static void json_bios_area(FILE *out, const struct baton_image *img)
{
	json_key(out, "bios_area");
	fprintf(out, "{\"ebda\": %llu, \"ebda_kib\": %u, \"base_kib\": %u, \"rsdp\": %llu}",
		(unsigned long long)img->bios.ebda, img->bios.ebda_kib, img->bios.base_kib,
		(unsigned long long)img->bios.rsdp);
	json_memmap(out, "boot_memory_map", &img->boot_map);
}

static void json_warnings(FILE *out, const struct baton_image *img)
{
	json_key(out, "warnings");
	fputc('[', out);
	for (size_t i = 0; i < img->warnings.nr; i++) {
		fputs(i ? ", " : "", out);
		plan_json_string(out, img->warnings.line[i]);
	}
	fputc(']', out);
}

static void json_identity_map(FILE *out, const struct baton_image *img,
			      const struct baton_map_runs *map)
{
	const struct baton_identmap_stats *st = &map->stats;

	json_key(out, "identity_map");
	fprintf(out, "{\n    \"pml4\": %llu, \"pml5\": %llu, \"table_pages\": %zu, "
		"\"paging_levels\": %d, \"gbpages\": %s,\n    \"leaves\": {",
		(unsigned long long)img->roots.pml4, (unsigned long long)img->roots.pml5,
		st->table_pages, (img->in.features & BATON_CPU_LA57) ? 5 : 4,
		(img->in.features & BATON_CPU_GBPAGES) ? "true" : "false");
	for (int s = 0; s < BATON_PAGE_SIZES; s++)
		fprintf(out, "%s\"%s\": {\"WB\": %llu, \"UC\": %llu}", s ? ", " : "", json_page_name[s],
			(unsigned long long)st->leaves[s][0], (unsigned long long)st->leaves[s][1]);
	fputs("},\n    \"runs\": [", out);
	for (size_t i = 0; i < map->nr; i++)
		fprintf(out, "%s\n      {\"start\": %llu, \"end\": %llu, \"page_size\": %llu, "
			"\"cache\": \"%s\"}", i ? "," : "", (unsigned long long)map->runs[i].start,
			(unsigned long long)map->runs[i].end,
			(unsigned long long)baton_page_bytes(map->runs[i].page_size),
			map->runs[i].cache == BATON_CACHE_UC ? "UC" : "WB");
	fputs(map->nr ? "\n    ]\n  }" : "]\n  }", out);
}

/* A UKI's sections and what each became ("kernel", "initrd", "cmdline", ...); none is left out
 * silently: a .dtb is listed as not passed. */
static void json_uki(FILE *out, const struct baton_uki *u)
{
	const struct {
		const char *name, *as;
		const struct baton_uki_part *part;
	} s[] = {
		{ ".linux", "kernel", &u->linux_ }, { ".ucode", "initrd", &u->ucode },
		{ ".initrd", "initrd", &u->initrd }, { ".cmdline", "cmdline", &u->cmdline },
		{ ".uname", "informational", &u->uname }, { ".dtb", "not passed", &u->dtb },
	};
	int first = 1;

	json_key(out, "uki_sections");
	fputc('[', out);
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		if (!s[i].part->data)
			continue;
		fprintf(out, "%s{\"section\": \"%s\", \"bytes\": %zu, \"as\": \"%s\"}",
			first ? "" : ", ", s[i].name, s[i].part->size, s[i].as);
		first = 0;
	}
	fputc(']', out);
}

int plan_json(FILE *out, const struct baton_image *img, const char *kernel,
		   struct baton_error *err)
{
	struct baton_map_runs map;
	char version[32];
	int rc = baton_mapwalk_image(img, &map, err);

	if (rc)
		return rc;
	fputs("{\n  \"baton_plan\": 1", out);
	json_key(out, "kernel");
	plan_json_string(out, kernel);
	if (img->in.kernel_file.compression) {
		json_key(out, "kernel_compression");
		plan_json_string(out, baton_compression_name(img->in.kernel_file.compression));
	}
	json_key(out, "protocol");
	img->in.kernel.format->version(&img->in.kernel, version, sizeof(version));
	plan_json_string(out, version);
	if (img->in.kernel.format == &baton_format_uki)
		json_uki(out, &img->in.kernel.uki);
	/* Only multiboot kernels take modules: a bzImage's plan has no such key. */
	if (img->in.nr_modules) {
		json_key(out, "modules");
		fputc('[', out);
		for (size_t i = 0; i < img->in.nr_modules; i++) {
			fputs(i ? ", " : "", out);
			plan_json_string(out, img->in.modules[i].string);
		}
		fputc(']', out);
	}
	json_key(out, "cmdline");
	plan_json_string(out, img->cmdline);
	json_bool(out, "crash", img->flags & BATON_LOAD_CRASH);
	json_bool(out, "entry_32bit", img->flags & BATON_LOAD_ENTRY_32BIT);
	if (img->flags & BATON_LOAD_REAL_MODE)   /* only then: older plans stay as they were */
		json_bool(out, "real_mode", 1);
	json_bool(out, "serial", img->flags & BATON_LOAD_SERIAL);
	json_bool(out, "efi", img->in.efi.present);
	json_u64(out, "entry", img->entry);
	json_u64(out, "kernel_entry", img->kernel_entry);
	json_memmap(out, "memory_map", &img->in.memmap);
	if (img->flags & BATON_LOAD_CRASH)
		json_crash(out, img);
	if (img->have_bios)
		json_bios_area(out, img);
	if (img->warnings.nr)
		json_warnings(out, img);
	json_key(out, "digest");
	fprintf(out, "{\"kind\": \"tree\", \"version\": %d, \"chunk\": %u}", BATON_TREE_VERSION,
		BATON_TREE_CHUNK);
	json_segments(out, img);
	json_identity_map(out, img, &map);
	fputs("\n}\n", out);
	baton_map_runs_free(&map);
	return 0;
}
