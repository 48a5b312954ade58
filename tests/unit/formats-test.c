/* SPDX-License-Identifier: MIT */
/* The format table: lookup by name and alias, detection, and each format's exit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "format.h"
#include "inputs.h"
#include "support/fixture.h"

static void names_and_aliases_find_their_format(void **state)
{
	(void)state;
	assert_ptr_equal(baton_format_at(0), &baton_format_bzimage);
	assert_ptr_equal(baton_format_lookup("bzImage"), &baton_format_bzimage);
	assert_ptr_equal(baton_format_lookup("bzImage64"), &baton_format_bzimage);
	assert_null(baton_format_lookup("bzimage"));
	assert_null(baton_format_lookup("elf-x86"));
	assert_ptr_equal(baton_format_at(1), &baton_format_uki);
	assert_ptr_equal(baton_format_at(2), &baton_format_multiboot2);
	assert_ptr_equal(baton_format_at(3), &baton_format_multiboot);
	assert_ptr_equal(baton_format_at(4), &baton_format_elf_x86_64);
	assert_null(baton_format_at(5));
	assert_ptr_equal(baton_format_lookup("uki"), &baton_format_uki);
	assert_ptr_equal(baton_format_lookup("elf-x86_64"), &baton_format_elf_x86_64);
	assert_ptr_equal(baton_format_lookup("multiboot2-x86"), &baton_format_multiboot2);
	assert_ptr_equal(baton_format_lookup("multiboot-x86"), &baton_format_multiboot);
	for (size_t i = 0; baton_format_at(i); i++) {
		const struct baton_format *f = baton_format_at(i);
		assert_non_null(f->probe);
		assert_non_null(f->parse);
		assert_non_null(f->plan);
		assert_non_null(f->exit);
		assert_non_null(f->version);
		assert_non_null(f->describe);
	}
}

static void detection_parses_or_says_why_not(void **state)
{
	(void)state;
	uint8_t junk[4096] = { 0 };
	struct baton_kernel k;
	struct baton_error err = { 0 };

	assert_int_equal(baton_format_detect(junk, sizeof(junk), "junk", &k, &err), -ENOEXEC);
	assert_non_null(strstr(err.msg, "bzimage: junk: not a Linux kernel image"));
	assert_null(k.format);
}

static void bzimage_exit_follows_the_boot_protocol(void **state)
{
	(void)state;
	struct baton_segments segs = { 0 };
	struct baton_load_opts o = { 0 };
	struct baton_format_ctx ctx = { .opts = &o, .segs = &segs };
	struct baton_segment *k;
	struct baton_exit e;

	assert_int_equal(baton_segments_add(&segs, BATON_SEG_KERNEL, NULL, &k, NULL), 0);
	k->mem = 0x1000000;
	baton_format_bzimage.exit(&ctx, 0x7000, &e);
	assert_int_equal(e.mode, BATON_EXIT_LONG64);
	assert_int_equal(e.entry, 0x1000200);
	assert_int_equal(e.regs[BATON_EXIT_RSI], 0x7000);
	assert_int_equal(e.regs[BATON_EXIT_RCX], 0);
	o.flags = BATON_LOAD_ENTRY_32BIT;
	baton_format_bzimage.exit(&ctx, 0x7000, &e);
	assert_int_equal(e.mode, BATON_EXIT_PROTECTED32);
	assert_int_equal(e.entry, 0x1000000);
	assert_int_equal(e.regs[BATON_EXIT_RSI], 0x7000);
	assert_int_equal(e.regs[BATON_EXIT_RCX], 0x1000000);
}

/* A placer over one free range [0x100000, 0x200000), lowest first. */
struct fake_planner {
	uint64_t next;
	int no_rooms;
};

static int fake_place(void *ctx, struct baton_segment *s, const struct baton_seg_place *at)
{
	struct fake_planner *f = ctx;
	uint64_t start = at->min > f->next ? at->min : f->next;

	if (start + s->memsz > 0x200000 || start + s->memsz > at->max)
		return -ENOSPC;
	s->mem = start;
	f->next = start + s->memsz;
	return 0;
}

static int fake_no_room(void *ctx, const struct baton_segment *s, const char *file,
			const char *what, struct baton_error *err)
{
	((struct fake_planner *)ctx)->no_rooms++;
	return baton_fail(err, ENOSPC, "%s: %s: no room%s", s->name, file, what);
}

/* A format's segment: added, rounded up to pages, placed (at a fixed address here), its bytes
 * set; one that does not fit is named and leaves the list as it was. */
static void format_load_adds_and_places(void **state)
{
	(void)state;
	static const uint8_t bytes[5000];
	struct fake_planner f = { 0x100000, 0 };
	struct baton_segments segs = { 0 };
	struct baton_format_ctx ctx = { .segs = &segs, .placer = { fake_place, fake_no_room, &f } };
	struct baton_seg_load ld = { BATON_SEG_KERNEL, bytes, sizeof(bytes), 0x3000,
				     baton_seg_at(0x150000, 0x3000), "xen.gz", " (PT_LOAD 0)" };
	struct baton_error err = { 0 };
	struct baton_segment *s;

	assert_int_equal(baton_format_load(&ctx, &ld, &s, &err), 0);
	assert_string_equal(s->name, "kernel");
	assert_int_equal(s->mem, 0x150000);
	assert_int_equal(s->memsz, 0x3000);
	assert_ptr_equal(s->buf, bytes);
	assert_int_equal(s->bufsz, sizeof(bytes));
	ld.role = BATON_SEG_MODULE;
	ld.memsz = 0x100001;
	ld.at = (struct baton_seg_place){ BATON_PAGE_SIZE, 0, UINT64_MAX, BATON_PLACE_LOWEST, 0 };
	assert_int_equal(baton_format_load(&ctx, &ld, &s, &err), -ENOSPC);
	assert_null(s);
	assert_string_equal(err.msg, "module.0: xen.gz: no room (PT_LOAD 0)");
	assert_int_equal(segs.nr, 1);
	ld.memsz = 1;
	assert_int_equal(baton_format_load(&ctx, &ld, NULL, &err), 0);
	assert_string_equal(segs.seg[1].name, "module.0");
	assert_int_equal(segs.seg[1].memsz, 0x1000);
	assert_int_equal(segs.seg[1].mem, 0x153000);
}

/* bzImage first (it is not ELF), then multiboot2, then v1: Xen carries both multiboot headers
 * and is multiboot2 unless -t says otherwise; -t forces a format whatever the file says. */
static void multiboot_detection_order_and_forcing(void **state)
{
	(void)state;
	struct fx_mbimage spec = fx_mbimage_defaults();
	struct baton_error err = { 0 };
	struct baton_kernel k;
	size_t size, bzsize;
	uint8_t *img = fx_mbimage_build(&spec, &size);
	struct fx_bzimage bzspec = fx_bzimage_defaults();
	uint8_t *bz = fx_bzimage_build(&bzspec, &bzsize);

	assert_true(baton_format_multiboot2.probe(img, size));
	assert_true(baton_format_multiboot.probe(img, size));
	assert_false(baton_format_bzimage.probe(img, size));
	assert_int_equal(baton_format_detect(img, size, "xen", &k, &err), 0);
	assert_ptr_equal(k.format, &baton_format_multiboot2);
	assert_int_equal(k.mb.version, 2);
	assert_int_equal(k.mb.entry, 0x200010);
	assert_int_equal(k.mb.elf.loads[0].paddr, 0x200000);
	assert_true(baton_mb2_has(&k.mb.mb2, BATON_MB2_HTAG_RELOCATABLE));
	assert_int_equal(baton_format_parse_as(&baton_format_multiboot, img, size, "xen", &k, &err),
			 0);
	assert_ptr_equal(k.format, &baton_format_multiboot);
	assert_int_equal(k.mb.version, 1);
	assert_int_equal(k.mb.entry, 0x200010);
	/* a bzImage stays a bzImage; forced as multiboot, the multiboot parser says why not */
	assert_int_equal(baton_format_detect(bz, bzsize, "vmlinuz", &k, &err), 0);
	assert_ptr_equal(k.format, &baton_format_bzimage);
	assert_int_equal(baton_format_parse_as(&baton_format_multiboot2, bz, bzsize, "vmlinuz", &k,
					       &err), -ENOEXEC);
	assert_null(k.format);
	assert_non_null(strstr(err.msg, "vmlinuz"));
	assert_int_equal(baton_format_parse_as(&baton_format_bzimage, img, size, "xen", &k, &err),
			 -ENOEXEC);
	assert_non_null(strstr(err.msg, "bzimage: xen"));
	free(img);
	/* only v1: detected as v1; forced as multiboot2, refused */
	spec.mb2 = 0;
	img = fx_mbimage_build(&spec, &size);
	assert_int_equal(baton_format_detect(img, size, "mb1", &k, &err), 0);
	assert_ptr_equal(k.format, &baton_format_multiboot);
	assert_int_equal(baton_format_parse_as(&baton_format_multiboot2, img, size, "mb1", &k,
					       &err), -ENOEXEC);
	assert_non_null(strstr(err.msg, "mb1"));
	free(img);
	free(bz);
}

/* A required header tag baton cannot satisfy is refused by name; so is an unaligned load. */
static void multiboot_refusals_name_the_problem(void **state)
{
	(void)state;
	struct fx_mbimage spec = fx_mbimage_defaults();
	struct baton_error err = { 0 };
	struct baton_kernel k;
	size_t size;
	uint8_t *img;

	spec.required_tag = BATON_MB2_HTAG_EFI_BS;
	img = fx_mbimage_build(&spec, &size);
	assert_int_equal(baton_format_detect(img, size, "xen", &k, &err), -ENOEXEC);
	assert_non_null(strstr(err.msg, "EFI boot services"));
	free(img);
	spec = fx_mbimage_defaults();
	spec.paddr = 0x200800;
	img = fx_mbimage_build(&spec, &size);
	assert_int_equal(baton_format_detect(img, size, "xen", &k, &err), -ENOEXEC);
	assert_string_equal(err.msg, "multiboot: xen: load 0 at 0x200800 is not page aligned");
	free(img);
}

/* Protected mode, EAX = the loader's magic, EBX = the MBI, the entry moved with the image. */
/* A UKI is detected after the bzImage (it has no setup header of its own) and parsed as its
 * .linux; what is wrong with one is said by the UKI's parsers, not the bzImage's. */
static void uki_detection_and_its_linux(void **state)
{
	(void)state;
	struct fx_bzimage spec = fx_bzimage_defaults();
	size_t bzsize, size;
	uint8_t *bz = fx_bzimage_build(&spec, &bzsize);
	struct fx_pe_section sec[] = { { ".cmdline", "quiet", 5 }, { ".linux", bz, bzsize } };
	struct fx_pe pe = { 0, sec, 2 };
	uint8_t *uki = fx_pe_build(&pe, &size);
	struct baton_kernel k;
	struct baton_error err = { 0 };
	char what[128];

	assert_false(baton_format_bzimage.probe(uki, size));
	assert_true(baton_format_uki.probe(uki, size));
	assert_false(baton_format_uki.probe(bz, bzsize));
	assert_int_equal(baton_format_detect(uki, size, "uki.efi", &k, &err), 0);
	assert_ptr_equal(k.format, &baton_format_uki);
	assert_int_equal(k.bz.protocol, 0x020f);
	assert_ptr_equal(k.bz.data, k.uki.linux_.data);
	assert_int_equal(k.uki.cmdline.size, 5);
	baton_format_uki.describe(&k, NULL, what, sizeof(what));
	assert_string_equal(what, "UKI: .linux boot protocol 2.15, .cmdline");
	baton_format_uki.version(&k, what, sizeof(what));
	assert_string_equal(what, "2.15");
	free(uki);

	sec[1].data = "not a kernel";
	sec[1].size = 12;
	uki = fx_pe_build(&pe, &size);
	assert_true(fx_refused(baton_format_detect(uki, size, "uki.efi", &k, &err), &err, &k,
			       sizeof(k), "bzimage: uki.efi (.linux): file too small (12 bytes) to "
			       "hold a setup header"));
	free(uki);

	sec[1].data = bz;
	sec[1].size = bzsize;
	uki = fx_pe_build(&pe, &size);
	assert_true(fx_refused(baton_format_detect(uki, size - 512, "uki.efi", &k, &err), &err, &k,
			       sizeof(k), "pe: uki.efi: section 1 (.linux): 0x10a00 bytes at 0x400 "
			       "run past the end of the file (68608 bytes)"));
	/* -t uki on a bzImage, -t bzImage on a UKI: each format's own reason */
	assert_true(fx_refused(baton_format_parse_as(&baton_format_uki, bz, bzsize, "vmlinuz", &k,
						     &err), &err, &k, sizeof(k),
			       "pe: vmlinuz: not a PE/COFF image (no MZ header)"));
	assert_true(fx_refused(baton_format_parse_as(&baton_format_bzimage, uki, size, "uki.efi",
						     &k, &err), &err, &k, sizeof(k),
			       "bzimage: uki.efi: not a Linux kernel image (no boot flag 0xAA55 at "
			       "0x1fe)"));
	free(uki);
	free(bz);
}

static void multiboot_exit_registers(void **state)
{
	(void)state;
	struct fx_mbimage spec = fx_mbimage_defaults();
	struct baton_inputs in = { 0 };
	struct baton_segments segs = { 0 };
	struct baton_load_opts o = { 0 };
	struct baton_format_ctx ctx = { .in = &in, .opts = &o, .segs = &segs };
	struct baton_segment *k;
	struct baton_exit e;
	size_t size;
	uint8_t *img = fx_mbimage_build(&spec, &size);

	assert_int_equal(baton_format_detect(img, size, "xen", &in.kernel, NULL), 0);
	assert_int_equal(baton_segments_add(&segs, BATON_SEG_KERNEL, NULL, &k, NULL), 0);
	k->mem = 0x200000;
	baton_format_multiboot2.exit(&ctx, 0x7000, &e);
	assert_int_equal(e.mode, BATON_EXIT_PROTECTED32);
	assert_int_equal(e.entry, 0x200010);
	assert_int_equal(e.regs[BATON_EXIT_RAX], 0x36d76289);
	assert_int_equal(e.regs[BATON_EXIT_RBX], 0x7000);
	for (int r = BATON_EXIT_RCX; r < BATON_EXIT_NR_REGS; r++)
		assert_int_equal(e.regs[r], 0);
	k->mem = 0x600000;   /* relocated by 4 MiB */
	baton_format_multiboot2.exit(&ctx, 0x7000, &e);
	assert_int_equal(e.entry, 0x600010);
	assert_int_equal(baton_format_parse_as(&baton_format_multiboot, img, size, "xen", &in.kernel,
					       NULL), 0);
	baton_format_multiboot.exit(&ctx, 0x8000, &e);
	assert_int_equal(e.mode, BATON_EXIT_PROTECTED32);
	assert_int_equal(e.regs[BATON_EXIT_RAX], 0x2badb002);
	assert_int_equal(e.regs[BATON_EXIT_RBX], 0x8000);
	free(img);
}

/* A vmlinux (no multiboot header) is elf-x86_64, after the others: Xen's ELF32 stays multiboot;
 * forced as elf-x86_64, an ELF32 is refused by name; Linux is known by its notes. */
static void elf_detection_and_linux_notes(void **state)
{
	(void)state;
	struct fx_vmlinux spec = fx_vmlinux_defaults();
	struct fx_mbimage mbspec = fx_mbimage_defaults();
	struct baton_error err = { 0 };
	struct baton_kernel k;
	size_t size, mbsize;
	uint8_t *img = fx_vmlinux_build(&spec, &size);
	uint8_t *mb = fx_mbimage_build(&mbspec, &mbsize);

	assert_true(baton_format_elf_x86_64.probe(img, size));
	assert_false(baton_format_elf_x86_64.probe(mb, mbsize));
	assert_int_equal(baton_format_detect(img, size, "vmlinux", &k, &err), 0);
	assert_ptr_equal(k.format, &baton_format_elf_x86_64);
	assert_true(k.elf.linux_kernel);
	assert_int_equal(k.elf.elf.nr_loads, 3);
	assert_int_equal(k.elf.elf.entry, 0x1000000);
	assert_int_equal(baton_format_detect(mb, mbsize, "xen", &k, &err), 0);
	assert_ptr_equal(k.format, &baton_format_multiboot2);
	assert_int_equal(baton_format_parse_as(&baton_format_elf_x86_64, mb, mbsize, "xen", &k, &err),
			 -ENOEXEC);
	assert_null(k.format);
	assert_string_equal(err.msg, "elf: xen: an ELF32 (i386) image; elf-x86_64 takes ELF64 "
			    "x86-64 executables");
	free(img);
	for (int note = 0; note <= 3; note++) {
		spec.linux_note = note;
		img = fx_vmlinux_build(&spec, &size);
		assert_int_equal(baton_format_detect(img, size, "vmlinux", &k, &err), 0);
		assert_int_equal(k.elf.linux_kernel, note == 1 || note == 2);
		free(img);
	}
	spec = fx_vmlinux_defaults();
	spec.paddr = 0x1000800;
	img = fx_vmlinux_build(&spec, &size);
	assert_int_equal(baton_format_detect(img, size, "vmlinux", &k, &err), -ENOEXEC);
	assert_string_equal(err.msg, "elf: vmlinux: PT_LOAD 0 at 0x1000800 is not page aligned");
	assert_null(k.format);
	free(img);
	spec.paddr = 0xffffffff00000ull;   /* the second load lies past 2^52 */
	img = fx_vmlinux_build(&spec, &size);
	assert_int_equal(baton_format_detect(img, size, "vmlinux", &k, &err), -ENOEXEC);
	assert_string_equal(err.msg, "elf: vmlinux: PT_LOAD 1 at 0x10000000105000+0x5000 ends past "
			    "x86-64's 52-bit physical address space");
	free(img);
	free(mb);
}

/* Debian's 6.1 vmlinux: its real headers and notes at their offsets in a file of its size (the
 * code bytes zero): four PT_LOADs, the percpu one at vaddr 0, a physical e_entry, and Linux. */
static void real_vmlinux_headers(void **state)
{
	(void)state;
	size_t hsize, nsize, size = 0x3200b70;
	uint8_t *head = fx_read_fixture("elf/vmlinux-6.1-head", &hsize);
	uint8_t *notes = fx_read_fixture("elf/vmlinux-6.1-notes", &nsize);
	uint8_t *img = calloc(1, size);
	struct baton_error err = { 0 };
	struct baton_kernel k;

	memcpy(img, head, hsize);
	memcpy(img + 0x1637e70, notes, nsize);
	assert_int_equal(baton_format_detect(img, size, "vmlinux", &k, &err), 0);
	assert_ptr_equal(k.format, &baton_format_elf_x86_64);
	assert_true(k.elf.linux_kernel);
	assert_int_equal(k.elf.elf.entry, 0x1000000);
	assert_int_equal(k.elf.elf.nr_loads, 4);
	assert_int_equal(k.elf.elf.loads[0].paddr, 0x1000000);
	assert_int_equal(k.elf.elf.loads[0].vaddr, 0xffffffff81000000ull);
	assert_int_equal(k.elf.elf.loads[2].paddr, 0x301a000);
	assert_int_equal(k.elf.elf.loads[2].vaddr, 0);
	assert_int_equal(k.elf.elf.loads[3].memsz, 0xdb2000);
	assert_int_equal(k.elf.elf.nr_notes, 1);
	assert_true(baton_elf_has_note(&k.elf.elf, img, "Xen", 6, "linux", 6));
	assert_true(baton_elf_has_note(&k.elf.elf, img, "GNU", 3, NULL, 0));
	/* cut short, the last PT_LOAD runs past the file: refused by name */
	assert_int_equal(baton_format_detect(img, 0x3000000, "vmlinux", &k, &err), -ENOEXEC);
	assert_string_equal(err.msg, "elf: vmlinux: PT_LOAD 3: file bytes 0x244e000+0xdb2000 run "
			    "past the file's 0x3000000 bytes");
	free(img);
	free(head);
	free(notes);
}

/* 64-bit at the ELF entry (or --entry): RSI = boot_params for Linux, RDI = the notes for
 * --args-elf, no register for --args-none. */
static void elf_exit_per_argument_style(void **state)
{
	(void)state;
	struct fx_vmlinux spec = fx_vmlinux_defaults();
	struct baton_inputs in = { 0 };
	struct baton_segments segs = { 0 };
	struct baton_load_opts o = { 0 };
	struct baton_format_ctx ctx = { .in = &in, .opts = &o, .segs = &segs };
	struct baton_exit e;
	size_t size;
	uint8_t *img = fx_vmlinux_build(&spec, &size);

	assert_int_equal(baton_format_detect(img, size, "vmlinux", &in.kernel, NULL), 0);
	baton_format_elf_x86_64.exit(&ctx, 0x7000, &e);
	assert_int_equal(e.mode, BATON_EXIT_LONG64);
	assert_int_equal(e.entry, 0x1000000);
	for (int r = 0; r < BATON_EXIT_NR_REGS; r++)
		assert_int_equal(e.regs[r], r == BATON_EXIT_RSI ? 0x7000 : 0);
	o.flags = BATON_LOAD_ARGS_ELF | BATON_LOAD_ENTRY;
	o.entry = 0x1000040;
	baton_format_elf_x86_64.exit(&ctx, 0x8000, &e);
	assert_int_equal(e.entry, 0x1000040);
	for (int r = 0; r < BATON_EXIT_NR_REGS; r++)
		assert_int_equal(e.regs[r], r == BATON_EXIT_RDI ? 0x8000 : 0);
	o.flags = BATON_LOAD_ARGS_NONE;
	baton_format_elf_x86_64.exit(&ctx, 0, &e);
	assert_int_equal(e.entry, 0x1000000);
	for (int r = 0; r < BATON_EXIT_NR_REGS; r++)
		assert_int_equal(e.regs[r], 0);
	/* an ELF that is not Linux gets the notes by default */
	free(img);
	spec.linux_note = 3;
	img = fx_vmlinux_build(&spec, &size);
	assert_int_equal(baton_format_detect(img, size, "kernel.elf", &in.kernel, NULL), 0);
	o.flags = 0;
	baton_format_elf_x86_64.exit(&ctx, 0x9000, &e);
	assert_int_equal(e.regs[BATON_EXIT_RDI], 0x9000);
	assert_int_equal(e.regs[BATON_EXIT_RSI], 0);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_and_aliases_find_their_format),
		cmocka_unit_test(detection_parses_or_says_why_not),
		cmocka_unit_test(bzimage_exit_follows_the_boot_protocol),
		cmocka_unit_test(format_load_adds_and_places),
		cmocka_unit_test(multiboot_detection_order_and_forcing),
		cmocka_unit_test(multiboot_refusals_name_the_problem),
		cmocka_unit_test(multiboot_exit_registers),
		cmocka_unit_test(uki_detection_and_its_linux),
		cmocka_unit_test(elf_detection_and_linux_notes),
		cmocka_unit_test(elf_exit_per_argument_style),
		cmocka_unit_test(real_vmlinux_headers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
