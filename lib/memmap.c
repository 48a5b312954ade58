/* SPDX-License-Identifier: MIT */
/* The machine's physical memory map, read from /sys/firmware/memmap or /proc/iomem. */
#include "memmap.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "iomem.h"
#include "text.h"

static const struct {
	const char *name;
	enum baton_mem_kind kind;
} kind_names[] = {
	/* The strings of the kernel's e820_type_to_string(); anything else is RESERVED. */
	{ "System RAM", BATON_MEM_RAM },
	{ "Reserved", BATON_MEM_RESERVED },
	{ "ACPI Tables", BATON_MEM_ACPI },
	{ "ACPI Non-volatile Storage", BATON_MEM_NVS },
	{ "Unusable memory", BATON_MEM_UNUSABLE },
	{ "Persistent Memory", BATON_MEM_PMEM },
	{ "Persistent Memory (legacy)", BATON_MEM_PMEM },
	{ "Soft Reserved", BATON_MEM_SOFT_RESERVED },
};

static enum baton_mem_kind kind_from_name_len(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
		if (strlen(kind_names[i].name) == len && !memcmp(kind_names[i].name, name, len))
			return kind_names[i].kind;
	return BATON_MEM_RESERVED;
}

enum baton_mem_kind baton_mem_kind_from_name(const char *name)
{
	return kind_from_name_len(name, strlen(name));
}

const char *baton_mem_kind_name(enum baton_mem_kind kind)
{
	switch (kind) {
	case BATON_MEM_RAM: return "System RAM";
	case BATON_MEM_RESERVED: return "Reserved";
	case BATON_MEM_ACPI: return "ACPI Tables";
	case BATON_MEM_NVS: return "ACPI Non-volatile Storage";
	case BATON_MEM_UNUSABLE: return "Unusable memory";
	case BATON_MEM_PMEM: return "Persistent Memory";
	case BATON_MEM_SOFT_RESERVED: return "Soft Reserved";
	}
	return "unknown";
}

int baton_mem_kind_is_ram_like(enum baton_mem_kind kind)
{
	return kind == BATON_MEM_RAM || kind == BATON_MEM_ACPI || kind == BATON_MEM_NVS ||
	       kind == BATON_MEM_PMEM;
}

void baton_memmap_free(struct baton_memmap *map)
{
	free(map->ranges);
	map->ranges = NULL;
	map->nr = 0;
	map->cap = 0;
}

int baton_memmap_add(struct baton_memmap *map, uint64_t start, uint64_t end,
		     enum baton_mem_kind kind, struct baton_error *err)
{
	if (end <= start)
		return baton_fail(err, EINVAL, "memmap: empty range 0x%" PRIx64 "-0x%" PRIx64
				  " (end is exclusive)", start, end);
	if ((unsigned)kind > BATON_MEM_SOFT_RESERVED)
		return baton_fail(err, EINVAL, "memmap: unknown memory kind %d", (int)kind);
	if (map->nr >= BATON_MEMMAP_MAX)
		return baton_fail(err, E2BIG, "memmap: more than %d ranges", BATON_MEMMAP_MAX);
	if (map->nr == map->cap) {
		size_t cap = map->cap ? map->cap * 2 : 64;
		struct baton_mem_range *r;

		if (cap > BATON_MEMMAP_MAX)
			cap = BATON_MEMMAP_MAX;
		r = realloc(map->ranges, cap * sizeof(*r));
		if (!r)
			return baton_fail(err, ENOMEM, "memmap: out of memory for %zu ranges", cap);
		map->ranges = r;
		map->cap = cap;
	}
	map->ranges[map->nr++] = (struct baton_mem_range){ start, end, kind };
	return 0;
}

static int cmp_range(const void *pa, const void *pb)
{
	const struct baton_mem_range *a = pa, *b = pb;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->end != b->end)
		return a->end < b->end ? -1 : 1;
	return (int)a->kind - (int)b->kind;
}

int baton_memmap_sort(struct baton_memmap *map, struct baton_error *err)
{
	size_t out = 0;

	if (map->nr)
		qsort(map->ranges, map->nr, sizeof(map->ranges[0]), cmp_range);
	/* After sorting by start, the last kept range always reaches furthest, so comparing each
	 * range with it alone finds every overlap. */
	for (size_t i = 0; i < map->nr; i++) {
		struct baton_mem_range r = map->ranges[i];

		if (out) {
			struct baton_mem_range *last = &map->ranges[out - 1];

			if (r.start < last->end && r.kind != last->kind)
				return baton_fail(err, EINVAL, "memmap: %s 0x%" PRIx64 "-0x%" PRIx64
						  " overlaps %s 0x%" PRIx64 "-0x%" PRIx64,
						  baton_mem_kind_name(r.kind), r.start, r.end - 1,
						  baton_mem_kind_name(last->kind), last->start,
						  last->end - 1);
			if (r.start <= last->end && r.kind == last->kind) {
				if (r.end > last->end)
					last->end = r.end;
				continue;
			}
		}
		map->ranges[out++] = r;
	}
	map->nr = out;
	return 0;
}

/* Record [start, last] (both inclusive, as the kernel prints them). An adjacent range of the
 * same kind extends the previous one: firmware and hot-plug split RAM into many such pieces,
 * and merging early keeps them under BATON_MEMMAP_MAX. */
static int append_range(struct baton_memmap *map, uint64_t start, uint64_t last,
			enum baton_mem_kind kind, const char *where, struct baton_error *err)
{
	/* A range ending at the top of the address space loses its last byte: [start, end) cannot
	 * express it, and nothing is ever loaded or mapped there. */
	uint64_t end = last == UINT64_MAX ? UINT64_MAX : last + 1;

	if (map->nr) {
		struct baton_mem_range *prev = &map->ranges[map->nr - 1];
		if (prev->end == start && prev->kind == kind) {
			prev->end = end;
			return 0;
		}
	}
	if (map->nr >= BATON_MEMMAP_MAX)
		return baton_fail(err, E2BIG, "memmap: %s: more than %d memory ranges", where,
				  BATON_MEMMAP_MAX);
	if (end <= start)   /* only [UINT64_MAX, UINT64_MAX] gets here */
		return 0;
	return baton_memmap_add(map, start, end, kind, err);
}

/* A small sysfs file into buf, whitespace-trimmed. */
static int read_small_file(const char *path, char *buf, size_t size, struct baton_error *err)
{
	int rc = baton_file_read_text(path, buf, size);

	if (rc == -EFBIG)
		return baton_fail(err, EINVAL, "memmap: %s: longer than %zu bytes", path, size - 1);
	if (rc)
		return baton_fail(err, -rc, "memmap: %s: cannot open: %s", path, strerror(-rc));
	return 0;
}

static int read_sysfs_hex(const char *path, uint64_t *out, struct baton_error *err)
{
	char buf[64];
	const char *p = buf, *end;
	int ret = read_small_file(path, buf, sizeof(buf), err);

	if (ret)
		return ret;
	end = buf + strlen(buf);
	if (baton_parse_hex(&p, end, out) || p != end)
		return baton_fail(err, EINVAL, "memmap: %s: not a 64-bit hex number: \"%.32s\"",
				  path, buf);
	return 0;
}

static int path_join(char *out, size_t size, const char *a, const char *b, const char *c,
		     struct baton_error *err)
{
	int n = snprintf(out, size, "%s/%s%s%s", a, b, c ? "/" : "", c ? c : "");

	if (n < 0 || (size_t)n >= size)
		return baton_fail(err, ENAMETOOLONG, "memmap: %s/%s: path too long", a, b);
	return 0;
}

static int read_sysfs_entry(struct baton_memmap *map, const char *dir, const char *entry,
			    struct baton_error *err)
{
	char path[PATH_MAX], type[128];
	uint64_t start, last;
	int ret;

	if ((ret = path_join(path, sizeof(path), dir, entry, "start", err)) ||
	    (ret = read_sysfs_hex(path, &start, err)) ||
	    (ret = path_join(path, sizeof(path), dir, entry, "end", err)) ||
	    (ret = read_sysfs_hex(path, &last, err)) ||
	    (ret = path_join(path, sizeof(path), dir, entry, "type", err)) ||
	    (ret = read_small_file(path, type, sizeof(type), err)))
		return ret;
	if (last < start)
		return baton_fail(err, EINVAL, "memmap: %s/%s: end 0x%" PRIx64
				  " is below start 0x%" PRIx64, dir, entry, last, start);
	path_join(path, sizeof(path), dir, entry, NULL, NULL);
	return append_range(map, start, last, baton_mem_kind_from_name(type), path, err);
}

static int is_entry_name(const char *name)
{
	if (!*name)
		return 0;
	for (; *name; name++)
		if (*name < '0' || *name > '9')
			return 0;
	return 1;
}

/* Entries are numbered 0..N-1, but readdir gives no order: baton_memmap_sort() puts it right. */
int baton_memmap_read_sysfs(struct baton_memmap *map, const char *dir, struct baton_error *err)
{
	DIR *d;
	struct dirent *de;
	size_t entries = 0;
	int ret = 0;

	memset(map, 0, sizeof(*map));
	if (!(d = opendir(dir)))
		return baton_fail(err, errno, "memmap: %s: cannot open: %s", dir, strerror(errno));
	while (!ret && (de = readdir(d))) {
		if (!is_entry_name(de->d_name))
			continue;
		entries++;
		ret = read_sysfs_entry(map, dir, de->d_name, err);
	}
	closedir(d);
	if (!ret && (!entries || !map->nr))
		ret = baton_fail(err, ENOENT, "memmap: %s: no memory map (no entries)", dir);
	if (!ret)
		ret = baton_memmap_sort(map, err);
	if (ret)
		baton_memmap_free(map);
	return ret;
}

static int parse_iomem(struct baton_memmap *map, const char *text, size_t len, const char *name,
		       struct baton_error *err)
{
	struct baton_iomem_iter it;
	struct baton_iomem_entry e;
	size_t top = 0;
	int ret;

	baton_iomem_begin(&it, text, len, BATON_IOMEM_TOP);
	while ((ret = baton_iomem_next(&it, &e))) {
		const char *l;

		if (ret < 0) {
			int n = baton_iomem_excerpt(&it, &l);

			return baton_fail(err, EINVAL, "memmap: %s: line %d: malformed, expected"
					  " \"start-end : name\" in hex: \"%.*s\"", name, it.line, n,
					  l);
		}
		if (e.last < e.start)
			return baton_fail(err, EINVAL, "memmap: %s: line %d: end 0x%" PRIx64
					  " is below start 0x%" PRIx64, name, it.line, e.last,
					  e.start);
		top++;
		ret = append_range(map, e.start, e.last, kind_from_name_len(e.name, e.name_len),
				   name, err);
		if (ret)
			return ret;
	}
	/* No entry, or only ones that cannot be expressed ([2^64-1, 2^64-1]): no map at all. */
	if (!top || !map->nr)
		return baton_fail(err, ENOENT, "memmap: %s: no memory map (no top-level entries)",
				  name);
	/* Since Linux 4.15 only CAP_SYS_ADMIN sees the addresses; others read 00000000-00000000. */
	if (!it.nonzero)
		return baton_fail(err, EACCES, "memmap: %s: every address reads as zero:"
				  " reading it needs root (CAP_SYS_ADMIN)", name);
	return baton_memmap_sort(map, err);
}

int baton_memmap_parse_iomem(struct baton_memmap *map, const char *text, size_t len,
			     const char *name, struct baton_error *err)
{
	int ret;

	memset(map, 0, sizeof(*map));
	ret = parse_iomem(map, text, len, name, err);
	if (ret)
		baton_memmap_free(map);
	return ret;
}

static int sysfs_has_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int found = 0;

	if (!d)
		return 0;
	while (!found && (de = readdir(d)))
		found = is_entry_name(de->d_name);
	closedir(d);
	return found;
}

int baton_memmap_read_machine(struct baton_memmap *map, const char *root, struct baton_error *err)
{
	char sysfs[PATH_MAX], iomem[PATH_MAX];
	struct baton_file f;
	size_t rlen;
	int ret, n;

	memset(map, 0, sizeof(*map));
	if (!root)
		root = "";
	rlen = strlen(root);
	while (rlen && root[rlen - 1] == '/')   /* "" and "/" both mean the running machine */
		rlen--;
	n = snprintf(sysfs, sizeof(sysfs), "%.*s/sys/firmware/memmap", (int)rlen, root);
	if (n < 0 || (size_t)n >= sizeof(sysfs))
		return baton_fail(err, ENAMETOOLONG, "memmap: %.*s: root path too long", (int)rlen,
				  root);
	snprintf(iomem, sizeof(iomem), "%.*s/proc/iomem", (int)rlen, root);

	/* The firmware's own map is preferred: /proc/iomem is the running kernel's view, trimmed
	 * by mem= and similar options. */
	if (sysfs_has_entries(sysfs))
		return baton_memmap_read_sysfs(map, sysfs, err);

	ret = baton_iomem_read(&f, iomem);
	if (ret == -EFBIG)
		return baton_fail(err, EFBIG, "memmap: %s: larger than %u MiB", iomem,
				  BATON_IOMEM_MAX >> 20);
	if (ret == -ENOMEM)
		return baton_fail(err, ENOMEM, "memmap: %s: out of memory", iomem);
	if (ret)
		return baton_fail(err, -ret, "memmap: %s: cannot open: %s (and %s has no entries)",
				  iomem, strerror(-ret), sysfs);
	ret = baton_memmap_parse_iomem(map, (const char *)f.data, f.size, iomem, err);
	baton_file_free(&f);
	return ret;
}
