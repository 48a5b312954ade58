/* SPDX-License-Identifier: MIT */
/* Tests for the public library (baton/baton.h) over a fake syscall seam and fixture machines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#include "baton/baton.h"
#include "session.h"
#include "support/fake_sys.h"
#include "support/fixture.h"

struct world {
	char *root;
	char kernel[4200];
	char initrd[4200];
	struct fake_sys fake;
	struct baton *b;
};

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	struct fx_bzimage spec = fx_bzimage_defaults();
	size_t size;
	uint8_t *bz = fx_bzimage_build(&spec, &size);
	struct baton_config cfg;

	w->root = fx_tmpdir();
	fx_memmap_from_file(w->root, FIXTURES "/qemu-1g.memmap");
	fx_cpuinfo(w->root, "fpu pdpe1gb");
	fx_write(w->root, "boot/vmlinuz", bz, size);
	fx_write_str(w->root, "sys/kernel/kexec_loaded", "1\n");
	fx_write_str(w->root, "sys/kernel/kexec_crash_loaded", "0\n");
	free(bz);
	snprintf(w->kernel, sizeof(w->kernel), "%s/boot/vmlinuz", w->root);
	cfg = (struct baton_config){ .root = w->root };
	assert_int_equal(baton_open_backend(&w->b, &cfg, &fake_backend_ops, &w->fake, NULL), 0);
	assert_false(baton_under_xen(w->b));
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	baton_close(w->b);
	fx_rm_rf(w->root);
	free(w->root);
	free(w);
	return 0;
}

static void plan_describes_what_load_hands_over(void **state)
{
	struct world *w = *state;
	struct baton_load_opts opts = { .kernel = w->kernel, .cmdline = "console=ttyS0" };
	struct baton_plan_info info;
	struct baton_plan *plan;

	assert_int_equal(baton_plan_create(w->b, &opts, &plan, NULL), 0);
	assert_int_equal(w->fake.loads, 0);   /* planning loads nothing */
	baton_plan_info(plan, &info);
	assert_string_equal(info.cmdline, "console=ttyS0");
	assert_int_equal(info.boot_protocol, 0x020f);
	assert_int_equal(info.paging_levels, 4);
	assert_true(info.gbpages);
	assert_true(info.table_pages >= 2);
	assert_true(info.nr_segments >= 4);   /* kernel, boot_params, page tables, purgatory */
	assert_null(baton_plan_segment(plan, info.nr_segments));

	assert_int_equal(baton_load(w->b, plan, NULL), 0);
	assert_int_equal(w->fake.loads, 1);
	assert_int_equal(w->fake.entry, info.entry);
	assert_int_equal(w->fake.nr, info.nr_segments);
	assert_int_equal(w->fake.flags & 1, 0);   /* not KEXEC_ON_CRASH */
	for (size_t i = 0; i < info.nr_segments; i++) {
		const struct baton_plan_segment *s = baton_plan_segment(plan, i);
		assert_non_null(s->name);
		assert_int_equal(w->fake.segs[i].mem, s->mem);
		assert_int_equal(w->fake.segs[i].memsz, s->memsz);
		assert_int_equal(w->fake.segs[i].bufsz, s->bufsz);
		assert_true(i == 0 || s->mem > baton_plan_segment(plan, i - 1)->mem ||
			    s->mem + s->memsz <= baton_plan_segment(plan, i - 1)->mem);
	}
	baton_plan_free(plan);
}

/* A program built against 0.1.0 passes a struct that ends before the modules: the library reads
 * no further unless BATON_LOAD_MODULES says there is more (ASan sees any read past the end). */
static void options_of_version_0_1_0_are_read_no_further(void **state)
{
	struct world *w = *state;
	struct baton_load_opts full = { .kernel = w->kernel, .cmdline = "console=ttyS0" };
	size_t old_size = offsetof(struct baton_load_opts, modules);
	void *old = malloc(old_size);
	struct baton_plan *plan;

	assert_non_null(old);
	memcpy(old, &full, old_size);
	assert_int_equal(baton_plan_create(w->b, old, &plan, NULL), 0);
	baton_plan_free(plan);
	assert_int_equal(baton_load_file(w->b, old, NULL), 0);
	free(old);
}

static void memory_map_is_the_firmware_one(void **state)
{
	struct world *w = *state;
	struct baton_load_opts opts = { .kernel = w->kernel };
	struct baton_plan_info info;
	struct baton_plan_range r;
	struct baton_plan *plan;
	uint64_t ram = 0;

	assert_int_equal(baton_plan_create(w->b, &opts, &plan, NULL), 0);
	baton_plan_info(plan, &info);
	assert_true(info.nr_ranges > 2);
	for (size_t i = 0; i < info.nr_ranges; i++) {
		assert_int_equal(baton_plan_range(plan, i, &r), 0);
		assert_true(r.start < r.end);
		if (r.type == BATON_MEM_TYPE_RAM) {
			assert_string_equal(r.type_name, "System RAM");
			ram += r.end - r.start;
		}
	}
	assert_true(ram > 1000ull << 20 && ram <= 1ull << 30);
	assert_int_equal(baton_plan_range(plan, info.nr_ranges, &r), -ERANGE);
	baton_plan_free(plan);
}

static void bad_kernel_is_one_error_and_no_plan(void **state)
{
	struct world *w = *state;
	struct baton_load_opts opts = { .kernel = "/nonexistent/vmlinuz" };
	struct baton_plan *plan = (struct baton_plan *)1;
	struct baton_error err = { 0 };

	assert_true(baton_plan_create(w->b, &opts, &plan, &err) < 0);
	assert_null(plan);
	assert_non_null(strstr(err.msg, "/nonexistent/vmlinuz"));
	assert_null(strchr(err.msg, '\n'));
}

static void confidential_guest_gets_no_plan(void **state)
{
	struct world *w = *state;
	struct baton_load_opts opts = { .kernel = w->kernel };
	struct baton_plan *plan = (struct baton_plan *)1;
	struct baton_error err = { 0 };

	fx_cpuinfo(w->root, "fpu pdpe1gb hypervisor tdx_guest");
	assert_int_equal(baton_plan_create(w->b, &opts, &plan, &err), -EOPNOTSUPP);
	assert_null(plan);
	assert_int_equal(err.code, EOPNOTSUPP);
	assert_non_null(strstr(err.msg, "Intel TDX guest"));
	/* The kernel's loader handles these guests: with the fallback, a plan for it. */
	struct baton_plan_info info;
	struct baton_error why;
	opts.flags = BATON_LOAD_FALLBACK_FILE;
	assert_int_equal(baton_plan_create(w->b, &opts, &plan, &err), 0);
	baton_plan_info(plan, &info);
	assert_true(info.flags & BATON_LOAD_FILE);
	assert_true(baton_fell_back(w->b, &why));
	assert_non_null(strstr(why.msg, "Intel TDX guest"));
	baton_plan_free(plan);
	fx_cpuinfo(w->root, "fpu pdpe1gb");
}

/* --reuse-cmdline in the library: the running kernel's line first, BOOT_IMAGE= (and for a crash
 * image crashkernel=) dropped; the kernel's loader gets the same line. */
static void reused_cmdline_comes_first(void **state)
{
	struct world *w = *state;
	struct baton_load_opts opts = { .kernel = w->kernel, .cmdline = "x=1",
					.flags = BATON_LOAD_REUSE_CMDLINE };
	struct baton_plan_info info;
	struct baton_plan *plan;

	fx_write_str(w->root, "proc/cmdline", "BOOT_IMAGE=/vmlinuz root=/dev/vda crashkernel=256M\n");
	assert_int_equal(baton_plan_create(w->b, &opts, &plan, NULL), 0);
	baton_plan_info(plan, &info);
	assert_string_equal(info.cmdline, "root=/dev/vda crashkernel=256M x=1");
	baton_plan_free(plan);
	opts.flags |= BATON_LOAD_FILE | BATON_LOAD_CRASH;
	assert_int_equal(baton_plan_create(w->b, &opts, &plan, NULL), 0);
	baton_plan_info(plan, &info);
	assert_string_equal(info.cmdline, "root=/dev/vda x=1");
	assert_int_equal(info.nr_segments, 0);
	assert_int_equal(baton_load(w->b, plan, NULL), 0);
	assert_int_equal(w->fake.loads, 0);
	assert_int_equal(w->fake.file_loads, 1);
	assert_string_equal(w->fake.file_cmdline, "root=/dev/vda x=1");
	baton_plan_free(plan);
	assert_int_equal(baton_load_file(w->b, &opts, NULL), 0);
	assert_int_equal(w->fake.file_len, strlen("root=/dev/vda x=1") + 1);
	char path[4300];
	snprintf(path, sizeof(path), "%s/proc/cmdline", w->root);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(baton_plan_create(w->b, &opts, &plan, NULL), -ENOENT);
	assert_null(plan);
}

/* A UKI: planned as its .linux with .ucode, .initrd and --initrd back to back as one initrd and
 * its .cmdline first (BATON_LOAD_IMAGE_CMDLINE); refused, the kernel's loader gets the .linux
 * and the same pieces joined in memfds. */
static void a_uki_goes_to_either_loader(void **state)
{
	struct world *w = *state;
	static const char cmd[] = "console=ttyS0 uki=1\n", uc[] = "UCODE", rd[] = "INITRD-BYTES!";
	struct fx_bzimage spec = fx_bzimage_defaults();
	size_t bzsize, size;
	uint8_t *bz = fx_bzimage_build(&spec, &bzsize);
	const struct fx_pe_section sec[] = {
		{ ".cmdline", cmd, sizeof(cmd) - 1 }, { ".ucode", uc, 5 }, { ".linux", bz, bzsize },
		{ ".initrd", rd, 13 },
	};
	const struct fx_pe pe = { 0, sec, 4 };
	uint8_t *uki = fx_pe_build(&pe, &size);
	char path[4300], extra[4300];
	struct baton_load_opts opts = { .kernel = path, .initrd = extra, .cmdline = "x=1",
					.flags = BATON_LOAD_IMAGE_CMDLINE | BATON_LOAD_FALLBACK_FILE };
	struct baton_plan_info info;
	struct baton_plan *plan;
	struct baton_error err = { 0 };

	fx_write(w->root, "boot/uki.efi", uki, size);
	fx_write(w->root, "boot/extra", "EXTRA", 5);
	snprintf(path, sizeof(path), "%s/boot/uki.efi", w->root);
	snprintf(extra, sizeof(extra), "%s/boot/extra", w->root);
	assert_int_equal(baton_plan_create(w->b, &opts, &plan, &err), 0);
	baton_plan_info(plan, &info);
	assert_string_equal(info.cmdline, "console=ttyS0 uki=1 x=1");
	assert_int_equal(info.boot_protocol, 0x020f);

	const struct baton_segments *segs = &plan->img.segs;
	const char *names[] = { "kernel", ".ucode", ".initrd", "initrd", "boot_params" };
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(segs->seg[i].name, names[i]);
	assert_memory_equal(segs->seg[0].buf, bz + 5 * 512, bzsize - 5 * 512);
	assert_ptr_equal(segs->seg[1].buf, plan->img.in.kernel.uki.ucode.data);   /* no copies */
	assert_ptr_equal(segs->seg[2].buf, plan->img.in.kernel.uki.initrd.data);
	assert_memory_equal(segs->seg[2].buf, rd, 13);
	assert_memory_equal(segs->seg[3].buf, "EXTRA", 5);
	for (size_t i = 1; i < 3; i++)
		assert_int_equal(segs->seg[i].mem + segs->seg[i].memsz, segs->seg[i + 1].mem);
	const struct boot_params *bp = segs->seg[4].buf;
	assert_int_equal(bp->hdr.ramdisk_image, segs->seg[1].mem);
	assert_int_equal(bp->hdr.ramdisk_size, segs->seg[3].mem + 5 - segs->seg[1].mem);

	w->fake.load_result = -EPERM;
	assert_int_equal(baton_load(w->b, plan, &err), 0);
	assert_true(baton_fell_back(w->b, NULL));
	assert_int_equal(w->fake.file_ksize, bzsize);
	assert_memory_equal(w->fake.file_khead, bz, sizeof(w->fake.file_khead));
	/* each piece from a 4-byte boundary, zeros between */
	assert_int_equal(w->fake.file_isize, 8 + 16 + 5);
	assert_memory_equal(w->fake.file_ibuf, "UCODE\0\0\0INITRD-BYTES!\0\0\0EXTRA", 29);
	assert_string_equal(w->fake.file_cmdline, "console=ttyS0 uki=1 x=1");
	assert_int_equal(w->fake.flags, 0);
	baton_plan_free(plan);

	/* without the flag the caller's line is the line; forced to be a bzImage it is not one */
	opts.flags = 0;
	opts.initrd = NULL;
	assert_int_equal(baton_plan_create(w->b, &opts, &plan, &err), 0);
	baton_plan_info(plan, &info);
	assert_string_equal(info.cmdline, "x=1");
	baton_plan_free(plan);
	opts.flags = BATON_LOAD_TYPE | BATON_LOAD_IMAGE_CMDLINE;
	opts.type = "bzImage";
	assert_int_equal(baton_plan_create(w->b, &opts, &plan, &err), -ENOEXEC);
	assert_non_null(strstr(err.msg, "not a Linux kernel image"));
	free(uki);
	free(bz);
}

/* BATON_LOAD_FALLBACK_FILE: a refused kexec_load goes to the kernel's loader, and says why;
 * without the flag, or with a refusal of another kind, nothing falls back. */
static void lockdown_falls_back_in_the_library(void **state)
{
	struct world *w = *state;
	struct baton_load_opts opts = { .kernel = w->kernel, .cmdline = "c",
					.flags = BATON_LOAD_FALLBACK_FILE };
	struct baton_error err = { 0 }, why;
	struct baton_plan *plan;

	assert_int_equal(baton_plan_create(w->b, &opts, &plan, &err), 0);
	assert_false(baton_fell_back(w->b, &why));
	w->fake.load_result = -EPERM;
	assert_int_equal(baton_load(w->b, plan, &err), 0);
	assert_true(baton_fell_back(w->b, &why));
	assert_int_equal(why.code, EPERM);
	assert_non_null(strstr(why.msg, "kexec_load: not permitted"));
	assert_int_equal(w->fake.loads, 1);
	assert_int_equal(w->fake.file_loads, 1);
	w->fake.load_result = -EBUSY;
	assert_int_equal(baton_load(w->b, plan, &err), -EBUSY);
	assert_false(baton_fell_back(w->b, NULL));
	assert_int_equal(w->fake.file_loads, 1);
	baton_plan_free(plan);
}

static void exec_flags_choose_sync_and_ifdown(void **state)
{
	struct world *w = *state;

	assert_int_equal(baton_exec(w->b, 0, NULL), 0);
	assert_int_equal(w->fake.syncs, 1);
	assert_int_equal(w->fake.ifdowns, 0);
	assert_int_equal(baton_exec(w->b, BATON_EXEC_NO_SYNC | BATON_EXEC_IFDOWN, NULL), 0);
	assert_int_equal(w->fake.syncs, 1);
	assert_int_equal(w->fake.ifdowns, 1);
	assert_int_equal(w->fake.reboots, 2);
}

static void loaded_unload_and_the_kernels_loader(void **state)
{
	struct world *w = *state;
	struct baton_load_opts opts = { .kernel = w->kernel, .flags = BATON_LOAD_CRASH };
	int loaded = -1;

	assert_int_equal(baton_loaded(w->b, 0, &loaded, NULL), 0);
	assert_int_equal(loaded, 1);
	assert_int_equal(baton_loaded(w->b, 1, &loaded, NULL), 0);
	assert_int_equal(loaded, 0);
	assert_int_equal(baton_unload(w->b, 1, NULL), 0);
	assert_int_equal(w->fake.nr, 0);
	assert_int_equal(w->fake.flags & 1, 1);   /* KEXEC_ON_CRASH */
	assert_int_equal(baton_load_file(w->b, &opts, NULL), 0);
	assert_int_equal(w->fake.file_loads, 1);
	assert_int_equal(w->fake.flags, 2 | 4);   /* KEXEC_FILE_ON_CRASH | NO_INITRAMFS */
}

/* --- failures after each stage of reading and planning leave nothing behind --------------------
 * A failed plan must leave *out NULL and free what it had read and built: heap buffers, which
 * LeakSanitizer checks after each case in the ASan build (`make check`; once a case leaks, later
 * cases report that leak again: read the first report), and the kernel's and initrd's
 * mappings, which no leak checker sees: they are counted in /proc/self/maps. */

/* Lines of /proc/self/maps that name a file under dir. */
static int mappings_under(const char *dir)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[8192];
	int n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		n += strstr(line, dir) != NULL;
	fclose(f);
	return n;
}

/* Under ASan: whether LeakSanitizer finds unreachable heap now (it prints what it finds). */
static int leaks_found(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return __lsan_do_recoverable_leak_check();
#else
	return 0;
#endif
}

enum machine_kind { PLAIN, CRASH, EFI };

/* Runs a shell command whose every %s is root. */
static void sh(const char *fmt, const char *root)
{
	char cmd[20000];

	snprintf(cmd, sizeof(cmd), fmt, root, root, root, root);
	assert_int_equal(system(cmd), 0);
}

/* A machine the plan succeeds on: a kernel, an initrd and, by kind, a crash region (a copy of
 * tests/fixtures/crash/qemu-2g-la57) or a UEFI runtime map (tests/fixtures/efi). */
static struct world *world_of(enum machine_kind kind)
{
	struct world *w = calloc(1, sizeof(*w));
	struct fx_bzimage spec = fx_bzimage_defaults();
	struct baton_config cfg;
	uint8_t rd[70000];
	size_t size;
	uint8_t *bz = fx_bzimage_build(&spec, &size);

	assert_non_null(w);
	w->root = fx_tmpdir();
	fx_cpuinfo(w->root, kind == CRASH ? "fpu pdpe1gb la57" : "fpu pdpe1gb");
	fx_write(w->root, "boot/vmlinuz", bz, size);
	free(bz);
	for (size_t i = 0; i < sizeof(rd); i++)
		rd[i] = (uint8_t)(i ^ (i >> 8));
	fx_write(w->root, "boot/initrd", rd, sizeof(rd));
	snprintf(w->kernel, sizeof(w->kernel), "%s/boot/vmlinuz", w->root);
	snprintf(w->initrd, sizeof(w->initrd), "%s/boot/initrd", w->root);
	if (kind == CRASH) {
		sh("cp -r " FIXTURES "/crash/qemu-2g-la57/. %s/", w->root);
	} else if (kind == EFI) {
		fx_memmap_from_file(w->root, FIXTURES "/efi/memmap");
		sh("mkdir -p %s/sys/firmware/efi %s/sys/kernel/boot_params && cd " FIXTURES "/efi && "
		   "cp -r runtime-map fw_vendor config_table systab %s/sys/firmware/efi/ && "
		   "cp boot_params %s/sys/kernel/boot_params/data", w->root);
	} else {
		fx_memmap_from_file(w->root, FIXTURES "/qemu-1g.memmap");
	}
	cfg = (struct baton_config){ .root = w->root };
	assert_int_equal(baton_open_backend(&w->b, &cfg, &fake_backend_ops, &w->fake, NULL), 0);
	return w;
}

static void world_free(struct world *w)
{
	baton_close(w->b);
	fx_rm_rf(w->root);
	free(w->root);
	free(w);
}

static void rm(struct world *w, const char *rel)
{
	char cmd[8400];

	snprintf(cmd, sizeof(cmd), "rm -rf %s/%s", w->root, rel);
	assert_int_equal(system(cmd), 0);
}

/* Replaces the "Crash kernel" line of the crash machine's /proc/iomem (NULL: drops it). */
static void crash_region(struct world *w, const char *line)
{
	char cmd[8400];

	snprintf(cmd, sizeof(cmd), "sed -i '/Crash kernel/%s' %s/proc/iomem",
		 line ? line : "d", w->root);
	assert_int_equal(system(cmd), 0);
}

static char long_cmdline[3000];

struct breakage {
	const char *what;
	enum machine_kind kind;
	void (*apply)(struct world *w, struct baton_load_opts *o);
	int code;
	const char *needle;   /* in the message */
};

static void kernel_missing(struct world *w, struct baton_load_opts *o)
{
	rm(w, "boot/vmlinuz");
	(void)o;
}

static void kernel_not_a_bzimage(struct world *w, struct baton_load_opts *o)
{
	fx_write_str(w->root, "boot/vmlinuz", "#!/bin/sh\necho not a kernel, but long enough "
		     "to be mapped and read past its first bytes................................"
		     "................................................................\n");
	(void)o;
}

static void initrd_missing(struct world *w, struct baton_load_opts *o)
{
	rm(w, "boot/initrd");
	(void)o;
}

static void cpuinfo_missing(struct world *w, struct baton_load_opts *o)
{
	rm(w, "proc/cpuinfo");
	(void)o;
}

static void la57_kernel_lacks_5level(struct world *w, struct baton_load_opts *o)
{
	struct fx_bzimage spec = fx_bzimage_defaults();
	size_t size;
	uint8_t *bz;

	spec.xloadflags &= (uint16_t)~0x20;   /* no XLF_5LEVEL */
	bz = fx_bzimage_build(&spec, &size);
	fx_write(w->root, "boot/vmlinuz", bz, size);
	free(bz);
	fx_cpuinfo(w->root, "fpu la57");
	(void)o;
}

static void efi_descriptor_incomplete(struct world *w, struct baton_load_opts *o)
{
	rm(w, "sys/firmware/efi/runtime-map/3/phys_addr");
	(void)o;
}

static void efi_config_table_missing(struct world *w, struct baton_load_opts *o)
{
	rm(w, "sys/firmware/efi/config_table");
	(void)o;
}

static void memmap_missing(struct world *w, struct baton_load_opts *o)
{
	rm(w, "sys/firmware/memmap");
	(void)o;
}

static void memmap_empty(struct world *w, struct baton_load_opts *o)
{
	rm(w, "sys/firmware/memmap");
	fx_write_str(w->root, "proc/iomem", "");
	(void)o;
}

static void memmap_overlapping(struct world *w, struct baton_load_opts *o)
{
	rm(w, "sys/firmware/memmap");
	fx_write_str(w->root, "proc/iomem", "00000000-0009fbff : System RAM\n"
		     "00100000-3ffdffff : System RAM\n3ff00000-3fffffff : Reserved\n");
	(void)o;
}

static void memmap_bad_sysfs_entry(struct world *w, struct baton_load_opts *o)
{
	fx_write_str(w->root, "sys/firmware/memmap/3/end", "0x1000\n");   /* below its start */
	(void)o;
}

static void no_crash_region(struct world *w, struct baton_load_opts *o)
{
	crash_region(w, NULL);
	(void)o;
}

static void crash_notes_missing(struct world *w, struct baton_load_opts *o)
{
	rm(w, "sys/devices/system/cpu/cpu0/crash_notes");
	rm(w, "sys/devices/system/cpu/cpu1/crash_notes");
	(void)o;
}

static void crash_notes_size_bad(struct world *w, struct baton_load_opts *o)
{
	fx_write_str(w->root, "sys/devices/system/cpu/cpu1/crash_notes_size", "lots\n");
	(void)o;
}

static void vmcoreinfo_missing(struct world *w, struct baton_load_opts *o)
{
	rm(w, "sys/kernel/vmcoreinfo");
	(void)o;
}

static void kcore_not_elf(struct world *w, struct baton_load_opts *o)
{
	fx_write_str(w->root, "proc/kcore", "this is not an ELF core file at all, but text.......");
	(void)o;
}

static void tiny_memory_map(struct world *w, struct baton_load_opts *o)
{
	rm(w, "sys/firmware/memmap");
	fx_write_str(w->root, "proc/iomem", "00000000-0009fbff : System RAM\n"
		     "00100000-01ffffff : System RAM\n");
	(void)o;
}

/* The kernel fills all RAM from 1 MiB: the boot_params, tables and purgatory have no room. */
static void room_for_the_kernel_only(struct world *w, struct baton_load_opts *o)
{
	rm(w, "sys/firmware/memmap");
	fx_write_str(w->root, "proc/iomem", "00000000-0009fbff : System RAM\n"
		     "01000000-02ffffff : System RAM\n");
	o->initrd = NULL;
	(void)w;
}

static void initrd_too_big(struct world *w, struct baton_load_opts *o)
{
	static uint8_t big[0x3f000000 / 4096];

	/* Sparse: the size alone matters. */
	char path[4200];
	snprintf(path, sizeof(path), "%s/boot/initrd", w->root);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0x3f000000 - (long)sizeof(big), SEEK_SET), 0);
	assert_int_equal(fwrite(big, 1, sizeof(big), f), sizeof(big));
	assert_int_equal(fclose(f), 0);
	(void)o;
}

/* A crash region that takes the kernel and the backup of low memory, then is full. */
static void crash_region_full_before_elfcorehdr(struct world *w, struct baton_load_opts *o)
{
	crash_region(w, "s/.*/  6e000000-7009efff : Crash kernel/");
	o->initrd = NULL;
}

static void crash_region_too_small(struct world *w, struct baton_load_opts *o)
{
	crash_region(w, "s/.*/  6e000000-6e0fffff : Crash kernel/");
	(void)o;
}

static void cmdline_too_long(struct world *w, struct baton_load_opts *o)
{
	memset(long_cmdline, 'x', sizeof(long_cmdline) - 1);
	o->cmdline = long_cmdline;
	(void)w;
}

/* --module strings ("FILE ARGS"), the files of the world they were made for. */
static char module_str[17][8400];
static const char *module_list[17];

static void modules_of(struct world *w, struct baton_load_opts *o, size_t n, const char *file)
{
	for (size_t i = 0; i < n; i++) {
		snprintf(module_str[i], sizeof(module_str[i]), "%s/%s dom0_mem=%zu", w->root, file, i);
		module_list[i] = module_str[i];
	}
	o->modules = module_list;
	o->nr_modules = n;
	o->flags |= BATON_LOAD_MODULES;
}

/* Mapped, then refused by the format: a bzImage takes none. */
static void modules_for_a_bzimage(struct world *w, struct baton_load_opts *o)
{
	modules_of(w, o, 2, "boot/initrd");
}

static void module_missing(struct world *w, struct baton_load_opts *o)
{
	modules_of(w, o, 2, "boot/initrd");
	snprintf(module_str[1], sizeof(module_str[1]), "%s/boot/nothing here", w->root);
}

static void seventeen_modules(struct world *w, struct baton_load_opts *o)
{
	modules_of(w, o, 17, "boot/initrd");
}

static void modules_for_the_kernels_loader(struct world *w, struct baton_load_opts *o)
{
	modules_of(w, o, 1, "boot/initrd");
	o->flags |= BATON_LOAD_FILE;
}

/* The last step that can fail: everything is placed and the tables are built. */
static void no_random_seed(struct world *w, struct baton_load_opts *o)
{
	w->fake.random_result = -EIO;
	(void)o;
}

static const struct breakage breakages[] = {
	{ "kernel missing", PLAIN, kernel_missing, ENOENT, "kernel: " },
	{ "kernel not a bzImage", PLAIN, kernel_not_a_bzimage, ENOEXEC, "bzimage" },
	{ "initrd missing", PLAIN, initrd_missing, ENOENT, "initrd: " },
	{ "modules for a bzImage", PLAIN, modules_for_a_bzimage, EINVAL,
	  "vmlinuz: takes no --module (a multiboot kernel does)" },
	{ "module missing", PLAIN, module_missing, ENOENT, "module: " },
	{ "17 modules", PLAIN, seventeen_modules, E2BIG, "at most 16" },
	{ "modules for kexec_file_load", PLAIN, modules_for_the_kernels_loader, EINVAL,
	  "takes no --module" },
	{ "cpuinfo missing", PLAIN, cpuinfo_missing, ENOENT, "cpuinfo" },
	{ "5-level machine, kernel without XLF_5LEVEL", PLAIN, la57_kernel_lacks_5level, ENOEXEC,
	  "5-level" },
	{ "EFI runtime map entry incomplete", EFI, efi_descriptor_incomplete, ENOENT, "phys_addr" },
	{ "EFI config_table missing", EFI, efi_config_table_missing, ENOENT, "config_table" },
	{ "memory map missing", PLAIN, memmap_missing, ENOENT, "memmap" },
	{ "memory map empty", PLAIN, memmap_empty, ENOENT, "no memory map" },
	{ "memory map overlapping", PLAIN, memmap_overlapping, EINVAL, "overlaps" },
	{ "memory map entry inverted", PLAIN, memmap_bad_sysfs_entry, EINVAL, "below start" },
	{ "crash: no crash region", CRASH, no_crash_region, ENOENT, "crashkernel=" },
	{ "crash: no crash_notes", CRASH, crash_notes_missing, ENOENT, "crash_notes" },
	{ "crash: crash_notes_size bad", CRASH, crash_notes_size_bad, EINVAL, "crash_notes_size" },
	{ "crash: no vmcoreinfo", CRASH, vmcoreinfo_missing, ENOENT, "vmcoreinfo" },
	{ "crash: /proc/kcore not ELF", CRASH, kcore_not_elf, ENOEXEC, "kcore" },
	{ "crash: region too small for the kernel", CRASH, crash_region_too_small, ENOSPC,
	  "init_size" },
	{ "crash: region full before the ELF core header", CRASH,
	  crash_region_full_before_elfcorehdr, ENOSPC, "ELF core header" },
	{ "no room for the kernel", PLAIN, tiny_memory_map, ENOSPC, "init_size" },
	{ "no room for the initrd", PLAIN, initrd_too_big, ENOSPC, "initrd" },
	{ "no room for boot_params", PLAIN, room_for_the_kernel_only, ENOSPC, "boot_params" },
	{ "command line too long", PLAIN, cmdline_too_long, E2BIG, "cmdline_size" },
	{ "no random seed", PLAIN, no_random_seed, EIO, "random seed" },
};

static struct baton_load_opts opts_of(const struct world *w, enum machine_kind kind)
{
	return (struct baton_load_opts){ .kernel = w->kernel, .initrd = w->initrd,
					 .cmdline = "console=ttyS0",
					 .flags = kind == CRASH ? BATON_LOAD_CRASH : 0 };
}

/* The machines themselves plan fine: each failure below is the breakage's doing. */
static void unbroken_machines_plan(void **state)
{
	(void)state;
	for (enum machine_kind kind = PLAIN; kind <= EFI; kind++) {
		struct world *w = world_of(kind);
		struct baton_load_opts o = opts_of(w, kind);
		struct baton_error err = { 0 };
		struct baton_plan *plan = NULL;

		if (baton_plan_create(w->b, &o, &plan, &err))
			fail_msg("machine kind %d: %s", kind, err.msg);
		assert_true(mappings_under(w->root) > 0);   /* the kernel and initrd, while held */
		baton_plan_free(plan);
		assert_int_equal(mappings_under(w->root), 0);
		world_free(w);
	}
}

static int complain(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint_error(fmt, ap);
	va_end(ap);
	return 1;
}

/* Every case runs and reports; the test fails at the end if any did. */
static void each_failure_leaves_nothing_behind(void **state)
{
	int failed = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(breakages) / sizeof(breakages[0]); i++) {
		const struct breakage *k = &breakages[i];
		struct world *w = world_of(k->kind);
		struct baton_load_opts o = opts_of(w, k->kind);
		struct baton_error err = { 0 };
		struct baton_plan *plan = (struct baton_plan *)&err;   /* not NULL */
		int rc, bad = 0;

		k->apply(w, &o);
		rc = baton_plan_create(w->b, &o, &plan, &err);
		if (rc != -k->code || err.code != k->code || !strstr(err.msg, k->needle))
			bad |= complain("%s: got %d '%s', want %d and '%s'\n", k->what, rc,
					  err.msg, -k->code, k->needle);
		if (plan)
			bad |= complain("%s: *out is not NULL\n", k->what);
		if (mappings_under(w->root))
			bad |= complain("%s: the kernel or initrd is still mapped\n", k->what);
		if (leaks_found())
			bad |= complain("%s: LeakSanitizer found the leaks above\n", k->what);
		failed += bad;
		world_free(w);
	}
	assert_int_equal(failed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(plan_describes_what_load_hands_over, setup, teardown),
		cmocka_unit_test_setup_teardown(options_of_version_0_1_0_are_read_no_further, setup,
						teardown),
		cmocka_unit_test_setup_teardown(memory_map_is_the_firmware_one, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_kernel_is_one_error_and_no_plan, setup, teardown),
		cmocka_unit_test_setup_teardown(confidential_guest_gets_no_plan, setup, teardown),
		cmocka_unit_test_setup_teardown(exec_flags_choose_sync_and_ifdown, setup, teardown),
		cmocka_unit_test_setup_teardown(reused_cmdline_comes_first, setup, teardown),
		cmocka_unit_test_setup_teardown(lockdown_falls_back_in_the_library, setup, teardown),
		cmocka_unit_test_setup_teardown(loaded_unload_and_the_kernels_loader, setup, teardown),
		cmocka_unit_test_setup_teardown(a_uki_goes_to_either_loader, setup, teardown),
		cmocka_unit_test(unbroken_machines_plan),
		cmocka_unit_test(each_failure_leaves_nothing_behind),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
