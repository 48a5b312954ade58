/* SPDX-License-Identifier: MIT */
/* Tests for lib/mbi.c: both structures for QEMU's 1 GiB map with two modules, byte for byte against
 * golden files (BATON_UPDATE_GOLDEN=1 rewrites them) and read back; counting equals writing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "le.h"
#include "mbi.h"
#include "memmap.h"
#include "multiboot2.h"
#include "support/fixture.h"

#define MBI_ADDR 0x3ffd0000ull

static struct baton_memmap map;

static const struct baton_mbi_module modules[] = {
	{ 0x3f000000, 0x3f800000, "vmlinuz root=/dev/vda console=hvc0" },
	{ 0x3f800000, 0x3fc00123, "initrd.img" },
};

static struct baton_mbi_input input(void)
{
	return (struct baton_mbi_input){
		.addr = MBI_ADDR, .cmdline = "xen console=com1 dom0_mem=512M", .memmap = &map,
		.modules = modules, .nr_modules = 2, .load_base = 0x3e000000,
	};
}

typedef int (*build_fn)(const struct baton_mbi_input *, uint8_t *, size_t, size_t *,
			struct baton_error *);

/* Count, then write into a buffer of exactly that size: the two must agree. */
static uint8_t *build(build_fn fn, const struct baton_mbi_input *in, size_t *size)
{
	struct baton_error err = { 0 };
	size_t need, wrote;
	uint8_t *buf;

	if (fn(in, NULL, 0, &need, &err))
		fail_msg("count: %s", err.msg);
	buf = malloc(need);
	memset(buf, 0xa5, need);
	if (fn(in, buf, need, &wrote, &err))
		fail_msg("write: %s", err.msg);
	assert_int_equal(wrote, need);
	*size = need;
	return buf;
}

static void golden(const char *name, const uint8_t *buf, size_t size)
{
	char path[4096];
	uint8_t *want = malloc(size + 1);
	FILE *f;

	snprintf(path, sizeof(path), "%s/mbi/%s", FIXTURES, name);
	if (getenv("BATON_UPDATE_GOLDEN")) {
		f = fopen(path, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(buf, 1, size, f), size);
		fclose(f);
	}
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(want, 1, size + 1, f), size);
	fclose(f);
	assert_memory_equal(want, buf, size);
	free(want);
}

static int setup(void **state)
{
	(void)state;
	fx_memmap_load("qemu-1g.memmap", &map);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	baton_memmap_free(&map);
	return 0;
}

/* The tag of this type (the n-th of them), or NULL. */
static const uint8_t *find_tag(const uint8_t *mbi, uint32_t type, unsigned n)
{
	for (size_t pos = 8; pos < baton_le32(mbi); pos += (baton_le32(mbi + pos + 4) + 7) & ~7u)
		if (baton_le32(mbi + pos) == type && !n--)
			return mbi + pos;
	return NULL;
}

static void mbi2_qemu_1g(void **state)
{
	(void)state;
	struct baton_mbi_input in = input();
	size_t size, pos, tags = 0;
	uint8_t *mbi = build(baton_mbi2_build, &in, &size);
	const uint8_t *t;

	golden("qemu-1g.mbi2", mbi, size);
	assert_int_equal(baton_le32(mbi), size);
	assert_int_equal(baton_le32(mbi + 4), 0);
	/* Every tag 8-byte aligned, inside, padding zero; the last is END. */
	for (pos = 8; pos < size; tags++) {
		uint32_t tsize = baton_le32(mbi + pos + 4);

		assert_int_equal(pos % 8, 0);
		assert_true(tsize >= 8 && pos + tsize <= size);
		for (size_t p = pos + tsize; p < ((pos + tsize + 7) & ~(size_t)7); p++)
			assert_int_equal(mbi[p], 0);
		if (baton_le32(mbi + pos) == BATON_MBI_END) {
			assert_int_equal(tsize, 8);
			assert_int_equal(pos + 8, size);
		}
		pos += (tsize + 7) & ~7u;
	}
	assert_int_equal(pos, size);
	assert_int_equal(tags, 8);   /* cmdline, name, 2 modules, meminfo, mmap, load base, end */

	t = find_tag(mbi, BATON_MBI_CMDLINE, 0);
	assert_string_equal((const char *)t + 8, "xen console=com1 dom0_mem=512M");
	t = find_tag(mbi, BATON_MBI_BOOT_LOADER_NAME, 0);
	assert_string_equal((const char *)t + 8, "baton");
	for (unsigned i = 0; i < 2; i++) {
		t = find_tag(mbi, BATON_MBI_MODULE, i);
		assert_int_equal(baton_le32(t + 8), modules[i].start);
		assert_int_equal(baton_le32(t + 12), modules[i].end);
		assert_string_equal((const char *)t + 16, modules[i].string);
	}
	t = find_tag(mbi, BATON_MBI_BASIC_MEMINFO, 0);
	assert_int_equal(baton_le32(t + 8), 639);                           /* 0x9fc00 */
	assert_int_equal(baton_le32(t + 12), (0x3ffe0000 - 0x100000) / 1024);
	t = find_tag(mbi, BATON_MBI_MMAP, 0);
	assert_int_equal(baton_le32(t + 4), 16 + 24 * map.nr);
	assert_int_equal(baton_le32(t + 8), 24);
	for (size_t i = 0; i < map.nr; i++) {
		const uint8_t *e = t + 16 + 24 * i;

		assert_int_equal(baton_le64(e), map.ranges[i].start);
		assert_int_equal(baton_le64(e + 8), map.ranges[i].end - map.ranges[i].start);
		assert_int_equal(baton_le32(e + 16), map.ranges[i].kind == BATON_MEM_RAM ? 1 : 2);
	}
	t = find_tag(mbi, BATON_MBI_LOAD_BASE_ADDR, 0);
	assert_int_equal(baton_le32(t + 4), 12);
	assert_int_equal(baton_le32(t + 8), 0x3e000000);
	assert_null(find_tag(mbi, BATON_MBI_FRAMEBUFFER, 0));
	assert_null(find_tag(mbi, BATON_MBI_ACPI_OLD, 0));
	free(mbi);
}

static void mbi2_acpi_and_framebuffer(void **state)
{
	(void)state;
	struct baton_mbi_input in = input();
	uint8_t rsdp[40] = "RSD PTR ";
	struct baton_screen_fb fb = { 0xfd000000, 4096, 1024, 768, 32, 16, 8, 8, 8, 0, 8 };
	struct baton_error err = { 0 };
	size_t size;
	uint8_t *mbi;
	const uint8_t *t;

	in.rsdp = rsdp;
	in.rsdp_size = 20;
	in.framebuffer = &fb;
	mbi = build(baton_mbi2_build, &in, &size);
	t = find_tag(mbi, BATON_MBI_ACPI_OLD, 0);
	assert_non_null(t);
	assert_int_equal(baton_le32(t + 4), 28);
	assert_memory_equal(t + 8, rsdp, 20);
	assert_null(find_tag(mbi, BATON_MBI_ACPI_NEW, 0));
	t = find_tag(mbi, BATON_MBI_FRAMEBUFFER, 0);
	assert_int_equal(baton_le32(t + 4), 38);
	assert_int_equal(baton_le64(t + 8), 0xfd000000);
	assert_int_equal(baton_le32(t + 16), 4096);
	assert_int_equal(baton_le32(t + 20), 1024);
	assert_int_equal(baton_le32(t + 24), 768);
	assert_int_equal(t[28], 32);
	assert_int_equal(t[29], 1);
	assert_memory_equal(t + 32, ((uint8_t[]){ 16, 8, 8, 8, 0, 8 }), 6);
	free(mbi);

	rsdp[15] = 2;                        /* revision 2: its length field */
	baton_put_le32(rsdp + 20, 36);
	in.rsdp_size = sizeof(rsdp);
	mbi = build(baton_mbi2_build, &in, &size);
	t = find_tag(mbi, BATON_MBI_ACPI_NEW, 0);
	assert_int_equal(baton_le32(t + 4), 44);
	assert_memory_equal(t + 8, rsdp, 36);
	free(mbi);

	baton_put_le32(rsdp + 20, 41);
	assert_int_equal(baton_mbi2_build(&in, NULL, 0, &size, &err), -EINVAL);
	assert_string_equal(err.msg, "mbi: multiboot2: RSDP revision 2 with length 41 in 40 bytes");
	in.rsdp_size = 19;
	assert_int_equal(baton_mbi2_build(&in, NULL, 0, &size, &err), -EINVAL);
	assert_string_equal(err.msg, "mbi: multiboot2: no RSDP in the 19 bytes given");
	assert_int_equal(size, 0);
}

static void mbi1_qemu_1g(void **state)
{
	(void)state;
	struct baton_mbi_input in = input();
	size_t size;
	uint8_t *mbi = build(baton_mbi1_build, &in, &size);
	const uint8_t *mods, *mmap;

#define AT(ptr) (mbi + ((ptr) - MBI_ADDR))
	golden("qemu-1g.mbi1", mbi, size);
	assert_int_equal(baton_le32(mbi), 0x24d);                       /* flags 0, 2, 3, 6, 9 */
	assert_int_equal(baton_le32(mbi + 4), 639);
	assert_int_equal(baton_le32(mbi + 8), (0x3ffe0000 - 0x100000) / 1024);
	assert_string_equal((const char *)AT(baton_le32(mbi + 16)), in.cmdline);
	assert_int_equal(baton_le32(mbi + 20), 2);
	mods = AT(baton_le32(mbi + 24));
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(baton_le32(mods + 16 * i), modules[i].start);
		assert_int_equal(baton_le32(mods + 16 * i + 4), modules[i].end);
		assert_string_equal((const char *)AT(baton_le32(mods + 16 * i + 8)),
				    modules[i].string);
	}
	assert_int_equal(baton_le32(mbi + 44), 24 * map.nr);
	mmap = AT(baton_le32(mbi + 48));
	for (size_t i = 0; i < map.nr; i++) {
		const uint8_t *e = mmap + 24 * i;

		assert_int_equal(baton_le32(e), 20);
		assert_int_equal(baton_le64(e + 4), map.ranges[i].start);
		assert_int_equal(baton_le64(e + 12), map.ranges[i].end - map.ranges[i].start);
		assert_int_equal(baton_le32(e + 20), map.ranges[i].kind == BATON_MEM_RAM ? 1 : 2);
	}
	assert_string_equal((const char *)AT(baton_le32(mbi + 64)), "baton");
	/* Every pointer lands inside the structure; the last string ends it. */
	assert_int_equal(AT(baton_le32(mods + 16 + 8)) + strlen(modules[1].string) + 1,
			 mbi + size);
#undef AT
	free(mbi);
}

static void counting_equals_writing(void **state)
{
	(void)state;
	static const build_fn fns[] = { baton_mbi2_build, baton_mbi1_build };
	struct baton_mbi_input in = input();
	struct baton_error err = { 0 };

	for (unsigned f = 0; f < 2; f++) {
		for (size_t nmods = 0; nmods <= 2; nmods++) {
			size_t size;
			uint8_t *buf;

			in.nr_modules = nmods;
			in.cmdline = nmods == 1 ? NULL : "x";
			in.loader_name = nmods == 2 ? "a longer name" : NULL;
			buf = build(fns[f], &in, &size);
			/* One byte short: -ENOSPC, the buffer zeroed, no size. */
			size_t got = 99;
			uint8_t *small = malloc(size - 1);
			memset(small, 0xa5, size - 1);
			assert_int_equal(fns[f](&in, small, size - 1, &got, &err), -ENOSPC);
			assert_int_equal(got, 0);
			assert_true(fx_all_zero(small, size - 1));
			free(small);
			free(buf);
		}
	}
}

static void refusals(void **state)
{
	(void)state;
	struct baton_mbi_input in = input();
	struct baton_mbi_module high[] = { { 0xfffff000, 0x100001000ull, "m" } };
	struct baton_memmap empty = { 0 };
	struct baton_error err = { 0 };
	size_t size = 7;

	in.modules = high;
	in.nr_modules = 1;
	assert_int_equal(baton_mbi2_build(&in, NULL, 0, &size, &err), -ERANGE);
	assert_string_equal(err.msg, "mbi: multiboot2: module 0 (0xfffff000-0x100001000) is not a"
			    " range below 4 GiB");
	assert_int_equal(size, 0);
	assert_int_equal(baton_mbi1_build(&in, NULL, 0, &size, &err), -ERANGE);
	high[0].end = 0xffffe000;
	assert_int_equal(baton_mbi1_build(&in, NULL, 0, &size, &err), -ERANGE);

	in = input();
	in.memmap = &empty;
	assert_int_equal(baton_mbi2_build(&in, NULL, 0, &size, &err), -EINVAL);
	assert_string_equal(err.msg, "mbi: multiboot2: no memory map");
	in = input();
	in.addr = 0x1004;
	assert_int_equal(baton_mbi2_build(&in, NULL, 0, &size, &err), -EINVAL);
	assert_string_equal(err.msg, "mbi: multiboot2: address 0x1004 is not 8-byte aligned");
	in = input();
	in.load_base = 0x100000000ull;
	assert_int_equal(baton_mbi2_build(&in, NULL, 0, &size, &err), -ERANGE);
	in = input();
	in.addr = 0xffffff00;
	assert_int_equal(baton_mbi1_build(&in, NULL, 0, &size, &err), -ERANGE);
	assert_string_equal(err.msg, "mbi: multiboot: 0x193 bytes at 0xffffff00 reach past 4 GiB");
	in.addr = 0xfffffe00;
	assert_int_equal(baton_mbi1_build(&in, NULL, 0, &size, &err), 0);
}

static void meminfo(void **state)
{
	(void)state;
	struct baton_memmap m = { 0 };
	uint32_t lower, upper;

	assert_int_equal(baton_memmap_add(&m, 0x1000, 0x9f000, BATON_MEM_RAM, NULL), 0);
	assert_int_equal(baton_memmap_add(&m, 0x100000, 0x200000, BATON_MEM_RAM, NULL), 0);
	assert_int_equal(baton_memmap_add(&m, 0x200000, 0x300000, BATON_MEM_ACPI, NULL), 0);
	assert_int_equal(baton_memmap_add(&m, 0x300000, 0x400000, BATON_MEM_RAM, NULL), 0);
	baton_mbi_meminfo(&m, &lower, &upper);
	assert_int_equal(lower, 0);            /* no RAM at 0 */
	assert_int_equal(upper, 1024);         /* up to the ACPI hole */
	baton_memmap_free(&m);
	assert_int_equal(baton_memmap_add(&m, 0, 0x100000000ull, BATON_MEM_RAM, NULL), 0);
	assert_int_equal(baton_memmap_add(&m, 0x100000000ull, 0x10000000000ull, BATON_MEM_RAM,
					  NULL), 0);
	baton_mbi_meminfo(&m, &lower, &upper);
	assert_int_equal(lower, 640);
	assert_int_equal(upper, (0x10000000000ull - 0x100000) / 1024);
	baton_memmap_free(&m);
}

/* Xen's cmdline_cook(): unless the loader's name holds "GRUB " and then no '0', drop the first
 * word (and the spaces after it). */
static const char *xen_cook(const char *p, const char *loader)
{
	const char *g = strstr(loader, "GRUB ");

	while (*p == ' ')
		p++;
	if (g && g[5] != '0')
		return p;
	while (*p && *p != ' ')
		p++;
	while (*p == ' ')
		p++;
	return p;
}

static void xen_strings(void **state)
{
	(void)state;
	char buf[64];

	assert_int_equal(baton_mbi_string(NULL, 0, "/boot/vmlinuz-6.1", "root=/dev/vda ro"), 28);
	assert_int_equal(baton_mbi_string(buf, sizeof(buf), "/boot/vmlinuz-6.1",
					  "root=/dev/vda ro"), 28);
	assert_string_equal(buf, "vmlinuz-6.1 root=/dev/vda ro");
	assert_string_equal(xen_cook(buf, BATON_MBI_LOADER_NAME), "root=/dev/vda ro");
	assert_string_equal(xen_cook(buf, "GRUB 2.06-13+deb12u1"), buf);
	assert_string_equal(xen_cook(buf, "GNU GRUB 0.97"), "root=/dev/vda ro");

	assert_int_equal(baton_mbi_string(buf, sizeof(buf), "initrd.img", NULL), 10);
	assert_string_equal(buf, "initrd.img");
	assert_string_equal(xen_cook(buf, BATON_MBI_LOADER_NAME), "");
	assert_int_equal(baton_mbi_string(buf, sizeof(buf), "/boot/xen.gz", ""), 6);
	assert_string_equal(buf, "xen.gz");
	assert_int_equal(baton_mbi_string(buf, 5, "/boot/xen.gz", "console=com1"), 19);
	assert_string_equal(buf, "xen.");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mbi2_qemu_1g),
		cmocka_unit_test(mbi2_acpi_and_framebuffer),
		cmocka_unit_test(mbi1_qemu_1g),
		cmocka_unit_test(counting_equals_writing),
		cmocka_unit_test(refusals),
		cmocka_unit_test(meminfo),
		cmocka_unit_test(xen_strings),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
