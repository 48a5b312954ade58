/* SPDX-License-Identifier: MIT */
/* Tests for the Xen backend against a stand-in libxenctrl (no hypercall is made). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <dlfcn.h>
#include <cmocka.h>
#include <xenctrl.h>

#include "fakes/xenctrl_state.h"
#include "image.h"
#include "backend_xen.h"
#include "kexec.h"
#include "support/fixture.h"

static struct fake_xen_state *fake(void)
{
	void *lib = dlopen(FAKE_XENCTRL, RTLD_NOW | RTLD_NOLOAD);
	struct fake_xen_state *(*get)(void) = (struct fake_xen_state *(*)(void))dlsym(lib,
										 "fake_xen_state");
	assert_non_null(get);
	return get();
}

/* The Xen backend over the stand-in libxenctrl, reading ROOT for what dom0 itself knows. */
static struct baton_backend open_fake(const char *root)
{
	struct baton_config cfg = { root, FAKE_XENCTRL };
	struct baton_backend be;
	struct baton_error err = { 0 };

	if (baton_backend_open_ops(&be, &baton_backend_xen, NULL, root, &cfg, &err))
		fail_msg("%s", err.msg);
	return be;
}

static void dom0_is_detected_from_capabilities(void **state)
{
	(void)state;
	char *root = fx_tmpdir();

	assert_false(baton_xen_is_dom0(root));
	fx_write_str(root, "proc/xen/capabilities", "");
	assert_false(baton_xen_is_dom0(root));   /* a domU */
	fx_write_str(root, "proc/xen/capabilities", "control_d\n");
	assert_true(baton_xen_is_dom0(root));
	fx_rm_rf(root);
	free(root);
}

static void missing_library_is_a_clear_error(void **state)
{
	(void)state;
	struct baton_config cfg = { "", "/nonexistent/libxenctrl.so" };
	struct baton_backend x;
	struct baton_error err = { 0 };

	assert_int_equal(baton_backend_open_ops(&x, &baton_backend_xen, NULL, "", &cfg, &err),
			 -ENOENT);
	assert_non_null(strstr(err.msg, "libxenctrl"));
	assert_true(fx_all_zero(&x, sizeof(x)));
}

static void segments_reach_xc_kexec_load_without_map_only(void **state)
{
	(void)state;
	struct baton_backend x = open_fake("");
	static const uint8_t a[100] = { 1, 2, 3 }, b[8] = { 9 };
	struct baton_kexec_segment segs[] = {
		{ a, sizeof(a), 0x1000000, 0x3000000 },
		{ NULL, 0, 0x2000000, 0x9f000 },      /* empty: zero-filled, not map-only */
		{ b, sizeof(b), 0x7f000000, 0x7000 },
	};

	assert_int_equal(x.ops->kexec_load(&x, 0x7f000000, 3, segs, BATON_KEXEC_ARCH_X86_64), 0);
	struct fake_xen_state *f = fake();
	assert_int_equal(f->type, KEXEC_TYPE_DEFAULT);
	assert_int_equal(f->arch, 62);
	assert_int_equal(f->entry, 0x7f000000);
	assert_int_equal(f->nr, 3);
	assert_int_equal(f->segs[0].buf_size, 100);
	assert_int_equal(f->segs[0].dest_maddr, 0x1000000);
	assert_int_equal(f->segs[0].dest_size, 0x3000000);
	assert_memory_equal(f->bytes[0], a, 64);
	assert_non_null(f->segs[1].buf.h.p);
	assert_int_equal(f->segs[1].buf_size, 0);
	assert_int_equal(f->segs[2].dest_size, 0x7000);
	assert_memory_equal(f->bytes[2], b, sizeof(b));

	assert_int_equal(x.ops->kexec_load(&x, 0x7f000000, 3, segs,
					BATON_KEXEC_ARCH_X86_64 | BATON_KEXEC_ON_CRASH), 0);
	assert_int_equal(f->type, KEXEC_TYPE_CRASH);
	baton_backend_close(&x);
}

static void unload_status_and_exec(void **state)
{
	(void)state;
	struct baton_backend x = open_fake("");
	struct baton_error err = { 0 };
	int loaded = -1;

	assert_int_equal(baton_kexec_unload(&x, 1, &err), 0);
	assert_int_equal(fake()->unload_type, KEXEC_TYPE_CRASH);
	assert_int_equal(x.ops->loaded(&x, 1, &loaded, &err), 0);
	assert_int_equal(loaded, 0);
	assert_int_equal(baton_kexec_unload(&x, 0, &err), 0);
	assert_int_equal(baton_kexec_exec(&x, 0, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "no kexec image loaded"));
	baton_backend_close(&x);
}

static void machine_map_comes_from_the_hypervisor(void **state)
{
	(void)state;
	struct baton_backend x = open_fake("");
	struct baton_memmap map = { 0 };

	assert_int_equal(x.ops->memmap(&x, &map, NULL), 0);
	assert_int_equal(map.nr, 6);
	assert_int_equal(map.ranges[3].start, 0x100000);
	assert_int_equal(map.ranges[3].end, 0x7ffe0000);
	assert_int_equal(map.ranges[3].kind, BATON_MEM_RAM);
	assert_int_equal(map.ranges[1].kind, BATON_MEM_RESERVED);
	baton_memmap_free(&map);
	baton_backend_close(&x);
}

static void crash_facts_come_from_xen_ranges(void **state)
{
	(void)state;
	struct baton_backend x = open_fake("");
	struct baton_memmap map = { 0 };
	struct baton_crash_info info;

	assert_int_equal(x.ops->memmap(&x, &map, NULL), 0);
	assert_int_equal(x.ops->crash_facts(&x, &map, &info, NULL), 0);
	assert_int_equal(info.nr_crash, 1);
	assert_int_equal(info.crash[0].start, 0x40000000);
	assert_int_equal(info.crash[0].end, 0x50000000);
	assert_int_equal(info.nr_notes, 2);
	assert_int_equal(info.notes[1].addr, 0x7f9f2400);
	assert_int_equal(info.vmcoreinfo_addr, 0x7f9f1000);
	assert_int_equal(info.text_paddr, 0x7f600000);
	assert_int_equal(info.ram.nr, 2);
	/* no crash hotplug under Xen, and it says why (never KEXEC_UPDATE_ELFCOREHDR: 0x4 is
	 * Xen's KEXEC_LIVE_UPDATE) */
	assert_int_equal(info.hotplug_phdrs_size, 0);
	assert_non_null(strstr(info.no_hotplug, "not applicable under Xen"));
	baton_crash_info_free(&info);
	baton_memmap_free(&map);
	baton_backend_close(&x);
}

/* A machine map too large to copy fails after the notes were read: nothing is left of them. */
static void failed_crash_read_leaves_nothing(void **state)
{
	(void)state;
	struct baton_backend x = open_fake("");
	struct baton_memmap map = { 0 };
	struct baton_crash_info info;
	struct baton_error err = { 0 };

	for (uint64_t i = 0; i <= BATON_MEMMAP_MAX; i++)
		assert_int_equal(baton_memmap_add(&map, (i + 1) << 21, ((i + 1) << 21) + 4096,
						  BATON_MEM_RAM, NULL), i < BATON_MEMMAP_MAX ? 0 : -E2BIG);
	/* baton_memmap_add stops at the limit: grow the map past it by hand. */
	map.ranges = realloc(map.ranges, (map.nr + 1) * sizeof(*map.ranges));
	assert_non_null(map.ranges);
	map.ranges[map.nr++] = (struct baton_mem_range){ 1ULL << 40, (1ULL << 40) + 4096,
							 BATON_MEM_RAM };
	assert_int_equal(x.ops->crash_facts(&x, &map, &info, &err), -E2BIG);
	assert_true(fx_all_zero(&info, sizeof(info)));
	baton_memmap_free(&map);
	baton_backend_close(&x);
}

static void image_under_xen_uses_the_machine_map_and_4_level(void **state)
{
	(void)state;
	char *root = fx_tmpdir();
	struct fx_bzimage spec = fx_bzimage_defaults();
	size_t size;
	uint8_t *bz = fx_bzimage_build(&spec, &size);
	char kernel[4200];
	struct baton_backend ctx = open_fake(root);
	struct baton_load_opts o = { kernel, NULL, "console=hvc0", BATON_LOAD_CRASH, 0, 0, NULL, 0, NULL, 0 };
	struct baton_error err = { 0 };
	struct baton_image img;

	fx_write(root, "boot/vmlinuz", bz, size);
	free(bz);
	snprintf(kernel, sizeof(kernel), "%s/boot/vmlinuz", root);
	fx_cpuinfo(root, "fpu pdpe1gb la57");   /* dom0's view: Xen still runs 4-level */
	if (baton_image_prepare(&ctx, &o, &img, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(img.in.features, 0);
	for (size_t i = 0; i < img.segs.nr; i++)
		assert_true(img.segs.seg[i].mem >= 0x40000000 &&
			    img.segs.seg[i].mem + img.segs.seg[i].memsz <= 0x50000000);
	assert_non_null(strstr(img.cmdline, "console=hvc0 elfcorehdr=0x"));
	baton_image_free(&img);
	baton_backend_close(&ctx);
	fx_rm_rf(root);
	free(root);
}

/* The machine map the fake hypervisor reports: a fixture, as e820 entries. */
static struct e820entry *e820_from_fixture(const char *name, uint32_t *nr)
{
	static const uint32_t e820_type[] = {
		[BATON_MEM_RAM] = 1, [BATON_MEM_RESERVED] = 2, [BATON_MEM_ACPI] = 3,
		[BATON_MEM_NVS] = 4, [BATON_MEM_UNUSABLE] = 5, [BATON_MEM_PMEM] = 7,
		[BATON_MEM_SOFT_RESERVED] = 0xefffffff,
	};
	struct baton_memmap map = { 0 };
	struct e820entry *e;

	fx_memmap_load(name, &map);
	e = calloc(map.nr, sizeof(*e));
	assert_non_null(e);
	for (size_t i = 0; i < map.nr; i++)
		e[i] = (struct e820entry){ map.ranges[i].start,
					   map.ranges[i].end - map.ranges[i].start,
					   e820_type[map.ranges[i].kind] };
	*nr = (uint32_t)map.nr;
	baton_memmap_free(&map);
	return e;
}

/* The 2-socket 1.5 TiB server under Xen: the table count follows the real CPU's pdpe1gb as
 * physinfo reports it, whatever dom0's cpuinfo says (docs/handover.md, section 3). */
static size_t server_tables_under_xen(uint32_t hw_cap2)
{
	char *root = fx_tmpdir();
	struct fx_bzimage spec = fx_bzimage_defaults();
	size_t size, pages;
	uint8_t *bz = fx_bzimage_build(&spec, &size);
	char kernel[4200];
	struct baton_backend ctx = open_fake(root);
	struct baton_load_opts o = { kernel, NULL, "console=hvc0", 0, 0, 0, NULL, 0, NULL, 0 };
	struct baton_error err = { 0 };
	struct baton_image img;
	struct fake_xen_state *f = fake();
	struct e820entry *e = e820_from_fixture("identmap/server-2s-1.5t.memmap", &f->map_nr);

	f->map = e;
	f->hw_cap[2] = hw_cap2;
	fx_write(root, "boot/vmlinuz", bz, size);
	free(bz);
	snprintf(kernel, sizeof(kernel), "%s/boot/vmlinuz", root);
	fx_cpuinfo(root, "fpu hypervisor la57");   /* dom0's filtered view: no pdpe1gb */
	if (baton_image_prepare(&ctx, &o, &img, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(img.in.features, (hw_cap2 >> 26) & 1 ? BATON_CPU_GBPAGES : 0);
	pages = img.map_stats.table_pages;
	baton_image_free(&img);
	f->map = NULL;
	f->hw_cap[2] = 0;
	free(e);
	baton_backend_close(&ctx);
	fx_rm_rf(root);
	free(root);
	return pages;
}

static void server_under_xen_uses_1g_pages_when_the_cpu_has_them(void **state)
{
	(void)state;
	/* 0x80000001.edx of a Cascade Lake: ... PAGE1GB (26), RDTSCP (27), LM (29). */
	assert_int_equal(server_tables_under_xen(0x2c100800), 22);
	assert_int_equal(server_tables_under_xen(0x28100800), 4629);   /* without PAGE1GB */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dom0_is_detected_from_capabilities),
		cmocka_unit_test(missing_library_is_a_clear_error),
		cmocka_unit_test(segments_reach_xc_kexec_load_without_map_only),
		cmocka_unit_test(unload_status_and_exec),
		cmocka_unit_test(machine_map_comes_from_the_hypervisor),
		cmocka_unit_test(crash_facts_come_from_xen_ranges),
		cmocka_unit_test(failed_crash_read_leaves_nothing),
		cmocka_unit_test(image_under_xen_uses_the_machine_map_and_4_level),
		cmocka_unit_test(server_under_xen_uses_1g_pages_when_the_cpu_has_them),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
