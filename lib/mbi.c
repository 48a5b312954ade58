/* SPDX-License-Identifier: MIT */
/* Multiboot boot information (Multiboot2 Specification 3.6, Multiboot 0.6.96 3.3), counted and
 * written by the same walk. */
#include "mbi.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "le.h"
#include "multiboot2.h"

#define MB1_INFO_SIZE   116
#define MB1_MOD_SIZE    16
#define MB1_MMAP_SIZE   24     /* the size field (20) and the 20 bytes it counts */
#define MB2_MMAP_ENTRY  24

/* v1 info flags */
#define MB1_INFO_MEMORY      (1u << 0)
#define MB1_INFO_CMDLINE     (1u << 2)
#define MB1_INFO_MODS        (1u << 3)
#define MB1_INFO_MMAP        (1u << 6)
#define MB1_INFO_LOADER_NAME (1u << 9)

#define LOW_MEM_TOP  0xa0000u
#define HIGH_MEM     0x100000u
#define FOUR_GIB     0x100000000ull

/* The walk's cursor: counts always, writes only when it has a buffer with room. */
struct cursor {
	uint8_t *buf;
	size_t cap;
	size_t pos;
};

static uint8_t *take(struct cursor *c, size_t n)
{
	uint8_t *p = c->buf && n <= c->cap && c->pos <= c->cap - n ? c->buf + c->pos : NULL;

	c->pos += n;
	return p;
}

static void put32(struct cursor *c, uint32_t v)
{
	uint8_t *p = take(c, 4);
	if (p)
		baton_put_le32(p, v);
}

static void put64(struct cursor *c, uint64_t v)
{
	uint8_t *p = take(c, 8);
	if (p)
		baton_put_le64(p, v);
}

static void put8(struct cursor *c, uint8_t v)
{
	uint8_t *p = take(c, 1);
	if (p)
		*p = v;
}

static void put_bytes(struct cursor *c, const void *src, size_t n)
{
	uint8_t *p = take(c, n);
	if (p && n)
		memcpy(p, src, n);
}

static void put_zeros(struct cursor *c, size_t n)
{
	uint8_t *p = take(c, n);
	if (p)
		memset(p, 0, n);
}

static void align8(struct cursor *c)
{
	put_zeros(c, (8 - c->pos % 8) % 8);
}

static const char *str(const char *s)
{
	return s ? s : "";
}

/* multiboot's memory types: 1 available, 2 reserved, 3 ACPI reclaimable, 4 NVS, 5 defective.
 * Persistent and soft-reserved memory are no RAM for the kernel: reserved. */
static uint32_t mb_type(enum baton_mem_kind kind)
{
	switch (kind) {
	case BATON_MEM_RAM:
		return 1;
	case BATON_MEM_ACPI:
		return 3;
	case BATON_MEM_NVS:
		return 4;
	case BATON_MEM_UNUSABLE:
		return 5;
	default:
		return 2;
	}
}

void baton_mbi_meminfo(const struct baton_memmap *map, uint32_t *mem_lower, uint32_t *mem_upper)
{
	uint64_t low = 0, high = HIGH_MEM;

	for (size_t i = 0; i < map->nr; i++) {
		const struct baton_mem_range *r = &map->ranges[i];

		if (r->kind != BATON_MEM_RAM)
			continue;
		if (r->start <= low && r->end > low)
			low = r->end;
		if (r->start <= high && r->end > high)
			high = r->end;
	}
	*mem_lower = (uint32_t)((low < LOW_MEM_TOP ? low : LOW_MEM_TOP) / 1024);
	high = (high - HIGH_MEM) / 1024;
	*mem_upper = high > UINT32_MAX ? UINT32_MAX : (uint32_t)high;
}

/* What both structures need of the input, checked before either pass so that the passes agree. */
static int check_input(const struct baton_mbi_input *in, const char *what, struct baton_error *err)
{
	if (!in->memmap || !in->memmap->nr)
		return baton_fail(err, EINVAL, "mbi: %s: no memory map", what);
	if (in->nr_modules && !in->modules)
		return baton_fail(err, EINVAL, "mbi: %s: %zu modules and no list", what,
				  in->nr_modules);
	for (size_t i = 0; i < in->nr_modules; i++) {
		const struct baton_mbi_module *m = &in->modules[i];

		if (m->end < m->start || m->end > FOUR_GIB)
			return baton_fail(err, ERANGE, "mbi: %s: module %zu (0x%llx-0x%llx) is not"
					  " a range below 4 GiB", what, i,
					  (unsigned long long)m->start, (unsigned long long)m->end);
	}
	return 0;
}

static int finish(struct cursor *c, size_t *size, const char *what, struct baton_error *err)
{
	if (c->buf && c->pos > c->cap) {
		memset(c->buf, 0, c->cap);
		return baton_fail(err, ENOSPC, "mbi: %s: buffer of %zu bytes, the structure needs %zu",
				  what, c->cap, c->pos);
	}
	if (c->pos > UINT32_MAX)
		return baton_fail(err, ERANGE, "mbi: %s: structure of %zu bytes", what, c->pos);
	*size = c->pos;
	return 0;
}

static void tag(struct cursor *c, uint32_t type, size_t size)
{
	align8(c);
	put32(c, type);
	put32(c, (uint32_t)size);
}

static void string_tag(struct cursor *c, uint32_t type, const char *s)
{
	size_t n = strlen(s) + 1;

	tag(c, type, 8 + n);
	put_bytes(c, s, n);
}

static void walk2(struct cursor *c, const struct baton_mbi_input *in, size_t rsdp_len)
{
	const struct baton_memmap *map = in->memmap;
	uint32_t lower, upper;

	put32(c, 0);   /* total_size, once known */
	put32(c, 0);
	string_tag(c, BATON_MBI_CMDLINE, str(in->cmdline));
	string_tag(c, BATON_MBI_BOOT_LOADER_NAME,
		   in->loader_name ? in->loader_name : BATON_MBI_LOADER_NAME);
	for (size_t i = 0; i < in->nr_modules; i++) {
		const char *s = str(in->modules[i].string);

		tag(c, BATON_MBI_MODULE, 16 + strlen(s) + 1);
		put32(c, (uint32_t)in->modules[i].start);
		put32(c, (uint32_t)in->modules[i].end);
		put_bytes(c, s, strlen(s) + 1);
	}
	baton_mbi_meminfo(map, &lower, &upper);
	tag(c, BATON_MBI_BASIC_MEMINFO, 16);
	put32(c, lower);
	put32(c, upper);
	tag(c, BATON_MBI_MMAP, 16 + MB2_MMAP_ENTRY * map->nr);
	put32(c, MB2_MMAP_ENTRY);
	put32(c, 0);   /* entry_version */
	for (size_t i = 0; i < map->nr; i++) {
		put64(c, map->ranges[i].start);
		put64(c, map->ranges[i].end - map->ranges[i].start);
		put32(c, mb_type(map->ranges[i].kind));
		put32(c, 0);
	}
	tag(c, BATON_MBI_LOAD_BASE_ADDR, 12);
	put32(c, (uint32_t)in->load_base);
	if (in->framebuffer) {
		const struct baton_screen_fb *fb = in->framebuffer;

		tag(c, BATON_MBI_FRAMEBUFFER, 38);
		put64(c, fb->addr);
		put32(c, fb->pitch);
		put32(c, fb->width);
		put32(c, fb->height);
		put8(c, fb->bpp);
		put8(c, 1);   /* framebuffer_type: direct RGB */
		put_zeros(c, 2);
		put8(c, fb->red_pos);
		put8(c, fb->red_size);
		put8(c, fb->green_pos);
		put8(c, fb->green_size);
		put8(c, fb->blue_pos);
		put8(c, fb->blue_size);
	}
	if (in->rsdp) {
		tag(c, rsdp_len == 20 ? BATON_MBI_ACPI_OLD : BATON_MBI_ACPI_NEW, 8 + rsdp_len);
		put_bytes(c, in->rsdp, rsdp_len);
	}
	tag(c, BATON_MBI_END, 8);
	if (c->buf && c->pos <= c->cap)
		baton_put_le32(c->buf, (uint32_t)c->pos);
}

/* The RSDP's bytes the ACPI tag carries: 20 for revision 0 and 1, its length field from 2. */
static int rsdp_length(const struct baton_mbi_input *in, size_t *len, struct baton_error *err)
{
	*len = 0;
	if (!in->rsdp)
		return 0;
	if (in->rsdp_size < 20 || memcmp(in->rsdp, "RSD PTR ", 8))
		return baton_fail(err, EINVAL, "mbi: multiboot2: no RSDP in the %zu bytes given",
				  in->rsdp_size);
	if (in->rsdp[15] < 2) {
		*len = 20;
		return 0;
	}
	if (in->rsdp_size < 36 || baton_le32(in->rsdp + 20) < 36 ||
	    baton_le32(in->rsdp + 20) > in->rsdp_size)
		return baton_fail(err, EINVAL, "mbi: multiboot2: RSDP revision %u with length"
				  " %u in %zu bytes", in->rsdp[15],
				  in->rsdp_size < 36 ? 0 : baton_le32(in->rsdp + 20), in->rsdp_size);
	*len = baton_le32(in->rsdp + 20);
	return 0;
}

int baton_mbi2_build(const struct baton_mbi_input *in, uint8_t *buf, size_t cap, size_t *size,
		     struct baton_error *err)
{
	struct cursor c = { buf, cap, 0 };
	size_t rsdp_len;
	int rc;

	*size = 0;
	rc = check_input(in, "multiboot2", err);
	if (rc)
		return rc;
	if (in->addr % 8)
		return baton_fail(err, EINVAL, "mbi: multiboot2: address 0x%llx is not 8-byte"
				  " aligned", (unsigned long long)in->addr);
	if (in->load_base >= FOUR_GIB)
		return baton_fail(err, ERANGE, "mbi: multiboot2: load base 0x%llx is above 4 GiB",
				  (unsigned long long)in->load_base);
	rc = rsdp_length(in, &rsdp_len, err);
	if (rc)
		return rc;
	walk2(&c, in, rsdp_len);
	return finish(&c, size, "multiboot2", err);
}

/* The v1 layout: the info struct, module structs, memory map, then the strings. */
struct layout1 {
	size_t mods, mmap, strings;
};

static void walk1(struct cursor *c, const struct baton_mbi_input *in)
{
	const struct baton_memmap *map = in->memmap;
	const char *name = in->loader_name ? in->loader_name : BATON_MBI_LOADER_NAME;
	struct layout1 l;
	uint64_t s;
	uint32_t lower, upper;

	l.mods = (MB1_INFO_SIZE + 7) & ~(size_t)7;
	l.mmap = l.mods + MB1_MOD_SIZE * in->nr_modules;
	l.strings = l.mmap + MB1_MMAP_SIZE * map->nr;
	s = in->addr + l.strings;   /* the next string's address */

	baton_mbi_meminfo(map, &lower, &upper);
	put32(c, MB1_INFO_MEMORY | MB1_INFO_CMDLINE | MB1_INFO_MODS | MB1_INFO_MMAP |
	      MB1_INFO_LOADER_NAME);
	put32(c, lower);
	put32(c, upper);
	put32(c, 0);                                       /* boot_device */
	put32(c, (uint32_t)s);                             /* cmdline */
	s += strlen(str(in->cmdline)) + 1;
	put32(c, (uint32_t)in->nr_modules);
	put32(c, (uint32_t)(in->addr + l.mods));
	put_zeros(c, 16);                                  /* syms */
	put32(c, (uint32_t)(MB1_MMAP_SIZE * map->nr));
	put32(c, (uint32_t)(in->addr + l.mmap));
	put_zeros(c, 12);                                  /* drives, config_table */
	put32(c, (uint32_t)s);                             /* boot_loader_name */
	s += strlen(name) + 1;
	put_zeros(c, MB1_INFO_SIZE - 68);                  /* apm, vbe, framebuffer */
	align8(c);
	for (size_t i = 0; i < in->nr_modules; i++) {
		put32(c, (uint32_t)in->modules[i].start);
		put32(c, (uint32_t)in->modules[i].end);
		put32(c, (uint32_t)s);
		put32(c, 0);
		s += strlen(str(in->modules[i].string)) + 1;
	}
	for (size_t i = 0; i < map->nr; i++) {
		put32(c, MB1_MMAP_SIZE - 4);
		put64(c, map->ranges[i].start);
		put64(c, map->ranges[i].end - map->ranges[i].start);
		put32(c, mb_type(map->ranges[i].kind));
	}
	put_bytes(c, str(in->cmdline), strlen(str(in->cmdline)) + 1);
	put_bytes(c, name, strlen(name) + 1);
	for (size_t i = 0; i < in->nr_modules; i++)
		put_bytes(c, str(in->modules[i].string), strlen(str(in->modules[i].string)) + 1);
}

int baton_mbi1_build(const struct baton_mbi_input *in, uint8_t *buf, size_t cap, size_t *size,
		     struct baton_error *err)
{
	struct cursor c = { buf, cap, 0 };
	int rc;

	*size = 0;
	rc = check_input(in, "multiboot", err);
	if (rc)
		return rc;
	walk1(&c, in);
	/* Every pointer is 32 bits: the whole structure must end below 4 GiB. */
	if (in->addr >= FOUR_GIB || c.pos > FOUR_GIB - in->addr) {
		if (buf)
			memset(buf, 0, cap);
		return baton_fail(err, ERANGE, "mbi: multiboot: 0x%zx bytes at 0x%llx reach past"
				  " 4 GiB", c.pos, (unsigned long long)in->addr);
	}
	return finish(&c, size, "multiboot", err);
}

size_t baton_mbi_string(char *buf, size_t cap, const char *file, const char *args)
{
	const char *base = file ? file : "";
	const char *slash = strrchr(base, '/');
	int n;

	if (slash)
		base = slash + 1;
	if (args && *args)
		n = snprintf(buf, cap, "%s %s", base, args);
	else
		n = snprintf(buf, cap, "%s", base);
	return n < 0 ? 0 : (size_t)n;
}
