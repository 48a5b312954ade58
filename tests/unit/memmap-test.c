/* SPDX-License-Identifier: MIT */
/* Tests for lib/memmap.c: kinds, sorting and merging, /proc/iomem and /sys/firmware/memmap readers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "identmap.h"
#include "memmap.h"
#include "support/fixture.h"

#define MEMMAP FIXTURES "/memmap"

struct expect {
	uint64_t start, end;   /* end exclusive */
	enum baton_mem_kind kind;
};

#define RAM BATON_MEM_RAM
#define RES BATON_MEM_RESERVED
#define ACPI BATON_MEM_ACPI
#define NVS BATON_MEM_NVS
#define PMEM BATON_MEM_PMEM
#define SOFT BATON_MEM_SOFT_RESERVED
#define UNUSABLE BATON_MEM_UNUSABLE
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void check_map(const struct baton_memmap *map, const struct expect *e, size_t n)
{
	for (size_t i = 0; i < map->nr && i < n; i++) {
		const struct baton_mem_range *r = &map->ranges[i];
		if (r->start != e[i].start || r->end != e[i].end || r->kind != e[i].kind)
			fail_msg("range %zu: got 0x%llx-0x%llx %s, want 0x%llx-0x%llx %s", i,
				 (unsigned long long)r->start, (unsigned long long)r->end,
				 baton_mem_kind_name(r->kind), (unsigned long long)e[i].start,
				 (unsigned long long)e[i].end, baton_mem_kind_name(e[i].kind));
	}
	assert_int_equal(map->nr, n);
}

/* ret must be -code and the message must contain every given fragment. */
static void check_error(int ret, const struct baton_error *err, int code, const char *frag1,
			const char *frag2)
{
	if (ret != -code)
		fail_msg("got %d (%s), want %d", ret, err->msg, -code);
	assert_int_equal(err->code, code);
	assert_true(strncmp(err->msg, "memmap: ", 8) == 0);
	assert_null(strchr(err->msg, '\n'));
	if (!strstr(err->msg, frag1) || (frag2 && !strstr(err->msg, frag2)))
		fail_msg("message \"%s\" lacks \"%s\"%s%s", err->msg, frag1, frag2 ? " or " : "",
			 frag2 ? frag2 : "");
}

static int parse_text(struct baton_memmap *map, const char *text, struct baton_error *err)
{
	return baton_memmap_parse_iomem(map, text, strlen(text), "iomem", err);
}

/* --- kinds ------------------------------------------------------------------------------------ */

static void test_kind_names(void **state)
{
	static const struct {
		const char *name;
		enum baton_mem_kind kind;
	} v[] = {
		{ "System RAM", RAM },
		{ "Reserved", RES },
		{ "ACPI Tables", ACPI },
		{ "ACPI Non-volatile Storage", NVS },
		{ "Unusable memory", UNUSABLE },
		{ "Persistent Memory", PMEM },
		{ "Persistent Memory (legacy)", PMEM },
		{ "Soft Reserved", SOFT },
		{ "Unknown E820 type", RES },
		{ "PCI Bus 0000:00", RES },
		{ "RAM buffer", RES },
		{ "system ram", RES },
		{ "System RAM (kmem)", RES },
		{ "", RES },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(v); i++)
		assert_int_equal(baton_mem_kind_from_name(v[i].name), v[i].kind);
	for (int k = RAM; k <= SOFT; k++)
		assert_int_equal(baton_mem_kind_from_name(baton_mem_kind_name(k)), k);
}

static void test_kind_ram_like(void **state)
{
	(void)state;
	assert_true(baton_mem_kind_is_ram_like(RAM));
	assert_true(baton_mem_kind_is_ram_like(ACPI));
	assert_true(baton_mem_kind_is_ram_like(NVS));
	assert_true(baton_mem_kind_is_ram_like(PMEM));
	assert_false(baton_mem_kind_is_ram_like(RES));
	assert_false(baton_mem_kind_is_ram_like(UNUSABLE));
	assert_false(baton_mem_kind_is_ram_like(SOFT));
}

/* --- add and sort ----------------------------------------------------------------------------- */

static void test_add_rejects_empty_range(void **state)
{
	struct baton_memmap map = { 0 };
	struct baton_error err = { 0 };

	(void)state;
	check_error(baton_memmap_add(&map, 0x2000, 0x2000, RAM, &err), &err, EINVAL,
		    "0x2000-0x2000", NULL);
	check_error(baton_memmap_add(&map, 0x2000, 0x1000, RAM, &err), &err, EINVAL, "empty", NULL);
	check_error(baton_memmap_add(&map, 0, 0x1000, (enum baton_mem_kind)99, &err), &err, EINVAL,
		    "kind 99", NULL);
	assert_int_equal(map.nr, 0);
	baton_memmap_free(&map);
}

static void test_add_cap(void **state)
{
	struct baton_memmap map = { 0 };
	struct baton_error err = { 0 };

	(void)state;
	for (uint64_t i = 0; i < BATON_MEMMAP_MAX; i++)
		assert_int_equal(baton_memmap_add(&map, i * 0x2000, i * 0x2000 + 0x1000, RAM, &err), 0);
	check_error(baton_memmap_add(&map, 1ull << 40, (1ull << 40) + 0x1000, RAM, &err), &err,
		    E2BIG, "more than 4096", NULL);
	assert_int_equal(map.nr, BATON_MEMMAP_MAX);
	baton_memmap_free(&map);
	assert_null(map.ranges);
	assert_int_equal(map.nr, 0);
}

static void test_sort_merges(void **state)
{
	struct baton_memmap map = { 0 };
	struct baton_error err = { 0 };
	static const struct expect want[] = {
		{ 0x0, 0x1000, RES },
		{ 0x1000, 0xa0000, RAM },        /* two touching pieces */
		{ 0xa0000, 0x100000, RES },      /* touching, but a different kind: kept apart */
		{ 0x100000, 0x80000000, RAM },   /* a duplicate and a contained piece */
		{ 0x100000000, 0x200000000, RAM },
	};

	(void)state;
	assert_int_equal(baton_memmap_add(&map, 0x100000000, 0x200000000, RAM, &err), 0);
	assert_int_equal(baton_memmap_add(&map, 0x50000, 0xa0000, RAM, &err), 0);
	assert_int_equal(baton_memmap_add(&map, 0x100000, 0x80000000, RAM, &err), 0);
	assert_int_equal(baton_memmap_add(&map, 0xa0000, 0x100000, RES, &err), 0);
	assert_int_equal(baton_memmap_add(&map, 0x100000, 0x80000000, RAM, &err), 0);
	assert_int_equal(baton_memmap_add(&map, 0x1000, 0x50000, RAM, &err), 0);
	assert_int_equal(baton_memmap_add(&map, 0x200000, 0x300000, RAM, &err), 0);
	assert_int_equal(baton_memmap_add(&map, 0x0, 0x1000, RES, &err), 0);
	assert_int_equal(baton_memmap_sort(&map, &err), 0);
	check_map(&map, want, NELEM(want));
	/* Sorting a sorted map changes nothing. */
	assert_int_equal(baton_memmap_sort(&map, &err), 0);
	check_map(&map, want, NELEM(want));
	baton_memmap_free(&map);
}

static void test_sort_rejects_overlap(void **state)
{
	struct baton_memmap map = { 0 };
	struct baton_error err = { 0 };

	(void)state;
	assert_int_equal(baton_memmap_add(&map, 0x100000, 0x80000000, RAM, &err), 0);
	assert_int_equal(baton_memmap_add(&map, 0x0, 0x100000, RAM, &err), 0);
	/* Inside a RAM range that only reaches this far after merging. */
	assert_int_equal(baton_memmap_add(&map, 0x7fff0000, 0x90000000, RES, &err), 0);
	check_error(baton_memmap_sort(&map, &err), &err, EINVAL,
		    "Reserved 0x7fff0000-0x8fffffff overlaps System RAM 0x0-0x7fffffff", NULL);
	/* Sorting works on the caller's map: it stays theirs to free. */
	assert_int_equal(map.nr, 3);
	baton_memmap_free(&map);
}

static void test_sort_empty(void **state)
{
	struct baton_memmap map = { 0 };
	struct baton_error err = { 0 };

	(void)state;
	assert_int_equal(baton_memmap_sort(&map, &err), 0);
	assert_int_equal(map.nr, 0);
}

/* --- /proc/iomem ------------------------------------------------------------------------------ */

static const struct expect laptop[] = {
	{ 0x0, 0x1000, RES },
	{ 0x1000, 0x9f000, RAM },
	{ 0x9f000, 0x100000, RES },
	{ 0x100000, 0x40000000, RAM },
	{ 0x40000000, 0x40400000, RES },
	{ 0x40400000, 0x75c2f000, RAM },          /* five pieces split by setup_data */
	{ 0x75c2f000, 0x7915f000, RES },
	{ 0x7915f000, 0x79364000, NVS },
	{ 0x79364000, 0x793ff000, ACPI },
	{ 0x793ff000, 0x79400000, RAM },
	{ 0x79400000, 0xf0000000, RES },          /* Reserved + PCI Bus + PCI MMCONFIG */
	{ 0xfc800000, 0xfe800000, RES },          /* PCI Bus */
	{ 0xfec00000, 0xfec00400, RES },          /* IOAPIC 0 */
	{ 0xfed00000, 0xfed00400, RES },          /* HPET 0 */
	{ 0xfed10000, 0xfed18000, RES },          /* pnp 00:04 */
	{ 0xfed20000, 0xfed80000, RES },
	{ 0xfed90000, 0xfed91000, RES },          /* dmar0 */
	{ 0xfee00000, 0xfee01000, RES },          /* Local APIC */
	{ 0xff000000, 0x100000000, RES },
	{ 0x100000000, 0x47f800000, RAM },        /* Kernel code, Crash kernel inside: ignored */
	{ 0x47f800000, 0x480000000, RES },        /* RAM buffer */
	{ 0x4000000000, 0x8000000000, RES },      /* 64-bit PCI window */
};

static void test_iomem_laptop(void **state)
{
	struct baton_memmap map = { 0 };
	struct baton_error err = { 0 };

	(void)state;
	/* No sys/ under this root: the reader falls back to proc/iomem. */
	assert_int_equal(baton_memmap_read_machine(&map, MEMMAP "/laptop", &err), 0);
	check_map(&map, laptop, NELEM(laptop));
	baton_memmap_free(&map);

	/* A trailing slash on the root is the same root. */
	assert_int_equal(baton_memmap_read_machine(&map, MEMMAP "/laptop//", &err), 0);
	check_map(&map, laptop, NELEM(laptop));
	baton_memmap_free(&map);
}

/* 64-bit PCI windows of a 52-bit machine, from /proc/iomem: read as listed, and the identity map
 * clips them at 256 TiB instead of failing the plan. */
static void test_iomem_windows_above_256t_are_clipped(void **state)
{
	static const struct expect top[] = {
		{ 0x100000000, 0x2080000000, RAM },
		{ 0x3ffe00000000, 0x400000000000, RES },
		{ 0xffff00000000, 0x1001000000000, RES },
		{ 0xfc00000000000, 0x10000000000000, RES },
	};
	struct baton_memmap map = { 0 };
	struct baton_identmap_layout l;
	struct baton_error err = { 0 };

	(void)state;
	assert_int_equal(baton_memmap_read_machine(&map, MEMMAP "/mmioh", &err), 0);
	assert_true(map.nr >= NELEM(top));
	for (size_t i = 0; i < NELEM(top); i++) {
		const struct baton_mem_range *r = &map.ranges[map.nr - NELEM(top) + i];
		assert_int_equal(r->start, top[i].start);
		assert_int_equal(r->end, top[i].end);
		assert_int_equal(r->kind, top[i].kind);
	}
	if (baton_identmap_layout(&map, NULL, 0, &l, &err))
		fail_msg("%s", err.msg);
	const struct baton_map_span *last = &l.spans[l.nr - 1];
	assert_int_equal(last->start, 0xffff00000000);
	assert_int_equal(last->end, BATON_IDENTMAP_LIMIT);
	assert_int_equal(last->cache, BATON_CACHE_UC);
	assert_int_equal(l.spans[l.nr - 2].start, 0x3ffe00000000);
	assert_int_equal(l.spans[l.nr - 2].end, 0x400000000000);
	baton_identmap_layout_free(&l);
	baton_memmap_free(&map);
}

static void test_iomem_children_ignored(void **state)
{
	struct baton_memmap map = { 0 };
	struct baton_error err = { 0 };
	static const struct expect want[] = {
		{ 0x100000, 0xc0000000, RAM },
		{ 0xc0000000, 0xd0000000, RES },
	};

	(void)state;
	assert_int_equal(parse_text(&map,
		"00100000-bfffffff : System RAM\n"
		"  01000000-01e0278f : Kernel code\n"
		"  02000000-023fffff : Reserved\n"
		"    02000000-020fffff : ACPI Tables\n"
		"  30000000-3fffffff : Crash kernel\n"
		"\t40000000-4fffffff : Reserved\n"
		"c0000000-cfffffff : PCI MMCONFIG 0000 [bus 00-ff]\n"
		"  c0000000-cfffffff : System RAM\n", &err), 0);
	check_map(&map, want, NELEM(want));
	baton_memmap_free(&map);
}

static void test_iomem_kinds_and_quirks(void **state)
{
	struct baton_memmap map = { 0 };
	struct baton_error err = { 0 };
	static const struct expect want[] = {
		{ 0x0, 0x1000, RES },
		{ 0x1000, 0xa0000, RAM },
		{ 0x100000, 0x200000, UNUSABLE },
		{ 0x200000, 0x300000, PMEM },
		{ 0x300000, 0x400000, SOFT },
		{ 0x400000, 0x500000, PMEM },
		{ 0x500000, 0x600000, RES },
		{ 0x0000380000000000, 0x0000380100000000, RES },
		{ 0xfffffff000000000, 0xffffffffffffffff, RES },  /* loses the top byte */
	};

	(void)state;
	/* CRLF line ends, no final newline, blank lines, 16-digit and wide addresses, odd spacing. */
	assert_int_equal(parse_text(&map,
		"00000000-00000fff : Reserved\r\n"
		"\r\n"
		"0000000000001000-000000000009ffff : System RAM\r\n"
		"00100000-001fffff : Unusable memory\r\n"
		"00200000-002fffff : Persistent Memory (legacy)\n"
		"00300000-003fffff : Soft Reserved\n"
		"\n"
		"00400000-004fffff:Persistent Memory\n"
		"00500000-005fffff : Unknown E820 type  \n"
		"380000000000-3800ffffffff : PCI Bus 0000:00\n"
		"FFFFFFF000000000-FFFFFFFFFFFFFFFF : Reserved", &err), 0);
	check_map(&map, want, NELEM(want));
	baton_memmap_free(&map);
}

static void test_iomem_malformed(void **state)
{
	static const struct {
		const char *text;
		const char *frag;
	} v[] = {
		{ "00000000-00000fff : Reserved\n0x1000-0009ffff : System RAM\n", "line 2: malformed" },
		{ "0000g000-0009ffff : System RAM\n", "line 1: malformed" },
		{ "00001000 0009ffff : System RAM\n", "line 1: malformed" },
		{ "00001000-0009ffff System RAM\n", "line 1: malformed" },
		{ "00001000- : System RAM\n", "line 1: malformed" },
		{ "\n\n00001000-0009ffff\n", "line 3: malformed" },
		{ "10000000000000000-10000000000000fff : System RAM\n", "line 1: malformed" },
		{ "-00001000-0009ffff : System RAM\n", "line 1: malformed" },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(v); i++) {
		struct baton_memmap map = { 0 };
		struct baton_error err = { 0 };
		check_error(parse_text(&map, v[i].text, &err), &err, EINVAL, "memmap: iomem: ",
			    v[i].frag);
		assert_true(fx_all_zero(&map, sizeof(map)));
	}
}

static void test_iomem_end_below_start(void **state)
{
	struct baton_memmap map = { 0 };
	struct baton_error err = { 0 };

	(void)state;
	check_error(parse_text(&map, "00000000-00000fff : Reserved\n"
				     "00100000-000fffff : System RAM\n", &err),
		    &err, EINVAL, "iomem: line 2: end 0xfffff is below start 0x100000", NULL);
	assert_true(fx_all_zero(&map, sizeof(map)));
}

static void test_iomem_zeroed(void **state)
{
	struct baton_memmap map = { 0 };
	struct baton_error err = { 0 };

	(void)state;
	/* The sysfs directory exists but is empty, so proc/iomem is read: as a non-root user would. */
	check_error(baton_memmap_read_machine(&map, MEMMAP "/nonroot", &err), &err, EACCES,
		    "nonroot/proc/iomem: every address reads as zero", "needs root");
	assert_true(fx_all_zero(&map, sizeof(map)));
}

static void test_iomem_empty(void **state)
{
	static const char *v[] = { "", "\n\n", "  00001000-0009ffff : System RAM\n" };

	(void)state;
	for (size_t i = 0; i < NELEM(v); i++) {
		struct baton_memmap map = { 0 };
		struct baton_error err = { 0 };
		check_error(parse_text(&map, v[i], &err), &err, ENOENT, "iomem: no memory map", NULL);
		assert_true(fx_all_zero(&map, sizeof(map)));
	}
}

static void test_iomem_overlap(void **state)
{
	struct baton_memmap map = { 0 };
	struct baton_error err = { 0 };

	(void)state;
	check_error(parse_text(&map, "00100000-bfffffff : System RAM\n"
				     "a0000000-afffffff : Reserved\n", &err),
		    &err, EINVAL, "overlaps", NULL);
	assert_true(fx_all_zero(&map, sizeof(map)));
}

static char *many_lines(size_t n, uint64_t step)
{
	size_t size = n * 64 + 1, off = 0;
	char *text = malloc(size);

	assert_non_null(text);
	text[0] = '\0';
	/* Each RAM page is followed by a hole, so nothing merges. */
	for (size_t i = 0; i < n; i++)
		off += (size_t)snprintf(text + off, size - off, "%08llx-%08llx : System RAM\n",
					(unsigned long long)(i * step),
					(unsigned long long)(i * step + 0xfff));
	return text;
}

static void test_iomem_too_many(void **state)
{
	struct baton_memmap map = { 0 };
	struct baton_error err = { 0 };
	char *text;

	(void)state;
	text = many_lines(BATON_MEMMAP_MAX, 0x2000);
	assert_int_equal(parse_text(&map, text, &err), 0);
	assert_int_equal(map.nr, BATON_MEMMAP_MAX);
	baton_memmap_free(&map);
	free(text);

	text = many_lines(BATON_MEMMAP_MAX + 1, 0x2000);
	check_error(parse_text(&map, text, &err), &err, E2BIG, "iomem: more than 4096", NULL);
	assert_true(fx_all_zero(&map, sizeof(map)));
	free(text);

	/* Adjacent pieces of one kind (memory hot-plug blocks) merge as they are read. */
	text = many_lines(BATON_MEMMAP_MAX * 2, 0x1000);
	assert_int_equal(parse_text(&map, text, &err), 0);
	assert_int_equal(map.nr, 1);
	assert_int_equal(map.ranges[0].end, BATON_MEMMAP_MAX * 2 * 0x1000ull);
	baton_memmap_free(&map);
	free(text);
}

/* --- /sys/firmware/memmap --------------------------------------------------------------------- */

static const struct expect server[] = {
	{ 0x0, 0x9a000, RAM },
	{ 0x9a000, 0xa0000, RES },
	{ 0xe0000, 0x100000, RES },
	{ 0x100000, 0x5c7c5000, RAM },
	{ 0x5c7c5000, 0x5f8d5000, RES },
	{ 0x5f8d5000, 0x5fa52000, ACPI },
	{ 0x5fa52000, 0x6047c000, NVS },
	{ 0x6047c000, 0x6f7ff000, RES },
	{ 0x6f7ff000, 0x6f800000, RAM },
	{ 0x6f800000, 0x90000000, RES },
	{ 0xfd000000, 0xfe800000, RES },
	{ 0xfed20000, 0xfed45000, RES },
	{ 0xff000000, 0x100000000, RES },
	{ 0x100000000, 0x4080000000, RAM },       /* two NUMA nodes, touching */
	{ 0x4080000000, 0x4880000000, PMEM },
	{ 0x4880000000, 0x4c80000000, SOFT },
	{ 0x4c80000000, 0x4d00000000, RAM },      /* hot-added, entry 17 */
};

static void test_sysfs_server(void **state)
{
	struct baton_memmap map = { 0 };
	struct baton_error err = { 0 };

	(void)state;
	assert_int_equal(baton_memmap_read_sysfs(&map, MEMMAP "/server/sys/firmware/memmap", &err), 0);
	check_map(&map, server, NELEM(server));
	baton_memmap_free(&map);

	/* With both sources present the firmware map wins over the mem=-trimmed /proc/iomem. */
	assert_int_equal(baton_memmap_read_machine(&map, MEMMAP "/server", &err), 0);
	check_map(&map, server, NELEM(server));
	baton_memmap_free(&map);
}

static void test_sysfs_whitespace(void **state)
{
	struct baton_memmap map = { 0 };
	struct baton_error err = { 0 };
	static const struct expect want[] = {
		{ 0x0, 0x9fc00, RAM },
		{ 0x9fc00, 0x100000, RES },
		{ 0x100000, 0x40000000, ACPI },
		{ 0x40000000, 0x50000000, RES },   /* unknown type string */
	};

	(void)state;
	assert_int_equal(baton_memmap_read_sysfs(&map, MEMMAP "/sysfs/whitespace", &err), 0);
	check_map(&map, want, NELEM(want));
	baton_memmap_free(&map);
}

static void test_sysfs_duplicate(void **state)
{
	struct baton_memmap map = { 0 };
	struct baton_error err = { 0 };
	static const struct expect want[] = {
		{ 0x0, 0x9fc00, RAM },
		{ 0x9fc00, 0xa0000, RES },
		{ 0x100000, 0x80000000, RAM },
	};

	(void)state;
	assert_int_equal(baton_memmap_read_sysfs(&map, MEMMAP "/sysfs/duplicate", &err), 0);
	check_map(&map, want, NELEM(want));
	baton_memmap_free(&map);
}

static void test_sysfs_errors(void **state)
{
	static const struct {
		const char *dir;
		int code;
		const char *frag1, *frag2;
	} v[] = {
		{ "bad-hex", EINVAL, "sysfs/bad-hex/1/start: not a 64-bit hex number", "0x10g000" },
		{ "end-below-start", EINVAL, "sysfs/end-below-start/1: end 0x1fffff is below start"
		  " 0x200000", NULL },
		{ "missing-type", ENOENT, "sysfs/missing-type/1/type: cannot open", NULL },
		{ "overlap", EINVAL, "Reserved 0x80000-0x17ffff overlaps System RAM 0x0-0xfffff", NULL },
		{ "too-long", EINVAL, "sysfs/too-long/0/start: longer than 63 bytes", NULL },
		{ "empty", ENOENT, "sysfs/empty: no memory map", NULL },
		{ "does-not-exist", ENOENT, "sysfs/does-not-exist: cannot open", NULL },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(v); i++) {
		struct baton_memmap map = { 0 };
		struct baton_error err = { 0 };
		char dir[512];

		snprintf(dir, sizeof(dir), "%s/sysfs/%s", MEMMAP, v[i].dir);
		check_error(baton_memmap_read_sysfs(&map, dir, &err), &err, v[i].code, v[i].frag1,
			    v[i].frag2);
		assert_true(fx_all_zero(&map, sizeof(map)));
	}
}

/* --- the machine ------------------------------------------------------------------------------ */

static void test_machine_missing_root(void **state)
{
	struct baton_memmap map = { 0 };
	struct baton_error err = { 0 };

	(void)state;
	check_error(baton_memmap_read_machine(&map, MEMMAP "/does-not-exist", &err), &err, ENOENT,
		    "does-not-exist/proc/iomem: cannot open",
		    "does-not-exist/sys/firmware/memmap has no entries");
	assert_true(fx_all_zero(&map, sizeof(map)));
}

/* The running machine: whatever it is, the map must be sorted, disjoint and hold some RAM. */
static void test_machine_real(void **state)
{
	struct baton_memmap map = { 0 };
	struct baton_error err = { 0 };
	uint64_t ram = 0;
	int ret;

	(void)state;
	ret = baton_memmap_read_machine(&map, "/", &err);
	if (ret == -EACCES) {
		baton_memmap_free(&map);
		skip();
	}
	if (ret)
		fail_msg("%s", err.msg);
	for (size_t i = 0; i < map.nr; i++) {
		assert_true(map.ranges[i].start < map.ranges[i].end);
		if (i)
			assert_true(map.ranges[i - 1].end <= map.ranges[i].start);
		if (map.ranges[i].kind == RAM)
			ram += map.ranges[i].end - map.ranges[i].start;
	}
	assert_true(ram >= 16ull << 20);
	baton_memmap_free(&map);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_kind_ram_like),
		cmocka_unit_test(test_add_rejects_empty_range),
		cmocka_unit_test(test_add_cap),
		cmocka_unit_test(test_sort_merges),
		cmocka_unit_test(test_sort_rejects_overlap),
		cmocka_unit_test(test_sort_empty),
		cmocka_unit_test(test_iomem_laptop),
		cmocka_unit_test(test_iomem_windows_above_256t_are_clipped),
		cmocka_unit_test(test_iomem_children_ignored),
		cmocka_unit_test(test_iomem_kinds_and_quirks),
		cmocka_unit_test(test_iomem_malformed),
		cmocka_unit_test(test_iomem_end_below_start),
		cmocka_unit_test(test_iomem_zeroed),
		cmocka_unit_test(test_iomem_empty),
		cmocka_unit_test(test_iomem_overlap),
		cmocka_unit_test(test_iomem_too_many),
		cmocka_unit_test(test_sysfs_server),
		cmocka_unit_test(test_sysfs_whitespace),
		cmocka_unit_test(test_sysfs_duplicate),
		cmocka_unit_test(test_sysfs_errors),
		cmocka_unit_test(test_machine_missing_root),
		cmocka_unit_test(test_machine_real),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
