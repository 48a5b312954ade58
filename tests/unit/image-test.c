/* SPDX-License-Identifier: MIT */
/* Tests for image preparation against fixture machines: placement, digests, purgatory params. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/sha.h>

#include "bootparam.h"
#include "image.h"
#include "le.h"
#include "mbi.h"
#include "purgatory_image.h"
#include "sha256.h"
#include "support/fake_sys.h"
#include "support/fixture.h"
#include "support/tree_oracle.h"
#include "sha256_tree.h"
#include "verify.h"

struct machine {
	char *root;
	char kernel[4200];
	char initrd[4200];
};

static struct machine *machine(const char *memmap, const char *flags, struct fx_bzimage spec,
			       size_t initrd_size)
{
	struct machine *m = calloc(1, sizeof(*m));
	size_t size;
	uint8_t *bz = fx_bzimage_build(&spec, &size);

	m->root = fx_tmpdir();
	fx_memmap_from_file(m->root, memmap);
	fx_cpuinfo(m->root, flags);
	fx_write(m->root, "boot/vmlinuz", bz, size);
	free(bz);
	snprintf(m->kernel, sizeof(m->kernel), "%s/boot/vmlinuz", m->root);
	if (initrd_size) {
		uint8_t *rd = malloc(initrd_size);
		for (size_t i = 0; i < initrd_size; i++)
			rd[i] = (uint8_t)(i ^ (i >> 8));
		fx_write(m->root, "boot/initrd", rd, initrd_size);
		free(rd);
		snprintf(m->initrd, sizeof(m->initrd), "%s/boot/initrd", m->root);
	}
	return m;
}

static void machine_free(struct machine *m)
{
	fx_rm_rf(m->root);
	free(m->root);
	free(m);
}

/* The first segment of `role`, or an unused (all-zero) one. */
static const struct baton_segment *seg_of(const struct baton_image *img, enum baton_seg_role role)
{
	static const struct baton_segment none;
	const struct baton_segment *s = baton_segments_get(&img->segs, role);

	return s ? s : &none;
}

static const struct baton_params *params_of(const struct baton_image *img)
{
	struct baton_purgatory_layout pl;
	assert_int_equal(baton_purgatory_layout(seg_of(img, BATON_SEG_PURGATORY)->buf,
						seg_of(img, BATON_SEG_PURGATORY)->bufsz, &pl, NULL), 0);
	return (const void *)((const uint8_t *)seg_of(img, BATON_SEG_PURGATORY)->buf + pl.params_offset);
}

/* The bytes at physical address `phys`, as the loaded image will hold them. */
static const uint8_t *at_phys(const struct baton_image *img, uint64_t phys, uint64_t size)
{
	for (size_t i = 0; i < img->segs.nr; i++) {
		const struct baton_segment *s = &img->segs.seg[i];
		if (s->memsz && phys >= s->mem && phys + size <= s->mem + s->bufsz)
			return (const uint8_t *)s->buf + (phys - s->mem);
	}
	fail_msg("0x%llx+0x%llx is in no segment", (unsigned long long)phys,
		 (unsigned long long)size);
	return NULL;
}

static void check_image(const struct baton_image *img, const struct baton_load_opts *o)
{
	const struct baton_params *p = params_of(img);
	const struct baton_segment *k = seg_of(img, BATON_SEG_KERNEL);
	const struct baton_segment *bs = seg_of(img, BATON_SEG_BOOT_INFO);
	const struct boot_params *bp = bs->buf;

	/* Segments: page aligned, inside RAM at or above 1 MiB, pairwise disjoint. */
	for (size_t i = 0; i < img->segs.nr; i++) {
		const struct baton_segment *s = &img->segs.seg[i];
		assert_true(s->memsz > 0);
		assert_int_equal(s->mem % 4096, 0);
		assert_int_equal(s->memsz % 4096, 0);
		assert_true(s->bufsz <= s->memsz);
		assert_true(s->mem >= 0x100000);
		int in_ram = 0;
		for (size_t r = 0; r < img->in.memmap.nr; r++)
			in_ram |= img->in.memmap.ranges[r].kind == BATON_MEM_RAM &&
				  s->mem >= img->in.memmap.ranges[r].start &&
				  s->mem + s->memsz <= img->in.memmap.ranges[r].end;
		assert_true(in_ram);
		for (size_t j = 0; j < i; j++) {
			const struct baton_segment *t = &img->segs.seg[j];
			if (t->memsz)
				assert_true(s->mem + s->memsz <= t->mem || t->mem + t->memsz <= s->mem);
		}
	}
	assert_int_equal(k->mem % img->in.kernel.bz.kernel_alignment, 0);
	assert_true(k->mem >= img->in.kernel.bz.pref_address);
	assert_true(k->memsz >= img->in.kernel.bz.init_size);

	/* The purgatory's parameters: valid, and every region's digest matches the loaded bytes. */
	assert_int_equal(baton_verify_params(p), BATON_PARAMS_OK);
	assert_int_equal(img->entry, seg_of(img, BATON_SEG_PURGATORY)->mem);
	if (o->flags & BATON_LOAD_ENTRY_32BIT) {
		assert_int_equal(p->exit_mode, BATON_EXIT_PROTECTED32);
		assert_int_equal(p->exit_entry, k->mem);
		assert_int_equal(p->exit_regs[BATON_EXIT_RCX], k->mem);
	} else {
		assert_int_equal(p->exit_mode, BATON_EXIT_LONG64);
		assert_int_equal(p->exit_entry, k->mem + 0x200);
		assert_int_equal(p->exit_regs[BATON_EXIT_RCX], 0);
	}
	assert_int_equal(p->exit_regs[BATON_EXIT_RSI], bs->mem);
	assert_int_equal(p->exit_regs[BATON_EXIT_RAX], 0);
	assert_int_equal(p->exit_regs[BATON_EXIT_RBX], 0);
	assert_int_equal(p->pml4, img->roots.pml4);
	assert_int_equal(p->pml5, img->roots.pml5);
	assert_int_equal(p->backup_size, 0);
	/* Every region carries its tree root (checked against the oracle on OpenSSL). */
	assert_int_equal(p->digest, BATON_DIGEST_TREE);
	assert_int_equal(p->digest_chunk, BATON_TREE_CHUNK);
	for (uint32_t i = 0; i < p->nr_regions; i++) {
		uint8_t d[32];
		fx_tree_root(at_phys(img, p->regions[i].start, p->regions[i].size),
			     p->regions[i].size, p->digest_chunk, d);
		assert_memory_equal(d, p->regions[i].sha256, 32);
	}
	assert_int_equal(p->nr_regions, o->initrd ? 5 : 4);

	/* boot_params point at the right places and the command line is exactly the one asked. */
	assert_int_equal(bp->hdr.code32_start, (uint32_t)k->mem);
	uint64_t cmd = bp->hdr.cmd_line_ptr | (uint64_t)bp->ext_cmd_line_ptr << 32;
	assert_int_equal(cmd, bs->mem + 4096);
	assert_string_equal((const char *)at_phys(img, cmd, 1), o->cmdline ? o->cmdline : "");
	if (o->initrd) {
		const struct baton_segment *rd = seg_of(img, BATON_SEG_INITRD);
		assert_int_equal(bp->hdr.ramdisk_image | (uint64_t)bp->ext_ramdisk_image << 32, rd->mem);
		assert_int_equal(bp->hdr.ramdisk_size, rd->bufsz);
	}
	assert_memory_equal(k->buf, (const uint8_t *)img->in.kernel_file.data + img->in.kernel.bz.setup_size,
			    k->bufsz);
	assert_int_equal(img->map_stats.table_pages * 4096, seg_of(img, BATON_SEG_PAGE_TABLES)->memsz);

	/* The setup_data list: the e820 entries beyond 128, a device tree if asked, an RNG seed,
	 * the timing record (empty until the purgatory fills it in). */
	const struct baton_memmap *map = img->boot_map.nr ? &img->boot_map : &img->in.memmap;
	uint64_t at = bp->hdr.setup_data;
	const struct setup_data *node;
	assert_true(at > cmd);
	if (img->in.efi.present) {
		node = (const void *)at_phys(img, at, 16);
		assert_int_equal(node->type, SETUP_EFI);
		at = node->next;
	}
	if (map->nr > 128) {
		node = (const void *)at_phys(img, at, 16);
		assert_int_equal(node->type, SETUP_E820_EXT);
		assert_int_equal(node->len, (map->nr - 128) * sizeof(struct e820_entry));
		at = node->next;
	}
	if (img->in.dtb_size) {
		node = (const void *)at_phys(img, at, 16 + img->in.dtb_size);
		assert_int_equal(node->type, SETUP_DTB);
		assert_memory_equal(node->data, img->in.dtb_file.data, img->in.dtb_size);
		at = node->next;
	}
	node = (const void *)at_phys(img, at, 16 + 32);
	assert_int_equal(node->type, SETUP_RNG_SEED);
	assert_int_equal(node->len, 32);
	static const uint8_t zero[sizeof(struct baton_timing)];
	assert_memory_not_equal(node->data, zero, 32);
	node = (const void *)at_phys(img, node->next, 16 + sizeof(struct baton_timing));
	assert_int_equal(node->next, 0);
	assert_int_equal(node->type, BATON_SETUP_TIMING);
	assert_int_equal(node->len, sizeof(struct baton_timing));
	assert_int_equal(p->timing, (uint64_t)((const uint8_t *)node->data -
					       (const uint8_t *)seg_of(img, BATON_SEG_BOOT_INFO)->buf) +
			 seg_of(img, BATON_SEG_BOOT_INFO)->mem);
	assert_memory_equal(node->data, zero, sizeof(zero));
}

static void prepare_ok(struct machine *m, struct baton_load_opts *o, struct baton_image *img)
{
	struct baton_backend ctx = { &baton_backend_linux, m->root, NULL };   /* getrandom(2) */
	struct baton_error err = { 0 };
	int rc = baton_image_prepare(&ctx, o, img, &err);
	if (rc)
		fail_msg("prepare: %s", err.msg);
	check_image(img, o);
}

static void prepare_ok_mb(struct machine *m, struct baton_load_opts *o, struct baton_image *img)
{
	struct baton_backend ctx = { &baton_backend_linux, m->root, NULL };
	struct baton_error err = { 0 };
	int rc = baton_image_prepare(&ctx, o, img, &err);
	if (rc)
		fail_msg("prepare: %s", err.msg);
}

static void qemu_1g_with_initrd(void **state)
{
	(void)state;
	struct machine *m = machine(FIXTURES "/qemu-1g.memmap", "fpu pdpe1gb la57",
				    fx_bzimage_defaults(), 3 << 20);
	struct baton_load_opts o = { .kernel = m->kernel, .initrd = m->initrd,
				     .cmdline = "console=ttyS0 x=\"a b\"" };
	struct baton_image img;

	prepare_ok(m, &o, &img);
	/* Kernel as low as pref_address allows; the small pieces high below 4 GiB. */
	assert_int_equal(seg_of(&img, BATON_SEG_KERNEL)->mem, 0x1000000);
	assert_true(seg_of(&img, BATON_SEG_INITRD)->mem + seg_of(&img, BATON_SEG_INITRD)->memsz <= 0x3ffe0000);
	assert_true(seg_of(&img, BATON_SEG_PURGATORY)->mem > 0x30000000);
	baton_image_free(&img);
	machine_free(m);
}

static void no_initrd_and_no_cmdline(void **state)
{
	(void)state;
	struct machine *m = machine(FIXTURES "/qemu-1g.memmap", "fpu", fx_bzimage_defaults(), 0);
	struct baton_load_opts o = { .kernel = m->kernel };
	struct baton_image img;

	prepare_ok(m, &o, &img);
	assert_int_equal(seg_of(&img, BATON_SEG_INITRD)->memsz, 0);
	baton_image_free(&img);
	machine_free(m);
}

static void entry32_and_serial_reach_the_purgatory(void **state)
{
	(void)state;
	struct machine *m = machine(FIXTURES "/qemu-6g.memmap", "fpu pdpe1gb",
				    fx_bzimage_defaults(), 4096);
	struct baton_load_opts o = { .kernel = m->kernel, .initrd = m->initrd, .cmdline = "quiet",
				     .flags = BATON_LOAD_ENTRY_32BIT | BATON_LOAD_SERIAL,
				     .serial_port = 0x2f8, .serial_baud = 38400 };
	struct baton_image img;

	prepare_ok(m, &o, &img);
	const struct baton_params *p = params_of(&img);
	assert_int_equal(p->flags, BATON_PF_SERIAL);
	assert_int_equal(p->exit_mode, BATON_EXIT_PROTECTED32);
	assert_int_equal(p->serial_port, 0x2f8);
	assert_int_equal(p->serial_baud, 38400);
	assert_int_equal(img.kernel_entry, seg_of(&img, BATON_SEG_KERNEL)->mem);
	for (size_t i = 0; i < img.segs.nr; i++)
		assert_true(img.segs.seg[i].mem + img.segs.seg[i].memsz <= (1ULL << 32));
	baton_image_free(&img);
	machine_free(m);
}

static void big_initrd_goes_above_4g(void **state)
{
	(void)state;
	/* 63 MiB of RAM below 4 GiB, 1 GiB above: a 20 MiB initrd only fits above. */
	struct machine *m = machine(FIXTURES "/small-low.memmap", "fpu", fx_bzimage_defaults(),
				    20 << 20);
	struct baton_load_opts o = { .kernel = m->kernel, .initrd = m->initrd, .cmdline = "" };
	struct baton_image img;

	prepare_ok(m, &o, &img);
	assert_true(seg_of(&img, BATON_SEG_INITRD)->mem >= (1ULL << 32));
	const struct boot_params *bp = seg_of(&img, BATON_SEG_BOOT_INFO)->buf;
	assert_int_equal(bp->ext_ramdisk_image, seg_of(&img, BATON_SEG_INITRD)->mem >> 32);
	baton_image_free(&img);
	machine_free(m);
}

static void expect_error(struct machine *m, struct baton_load_opts *o, int code,
			 const char *needle)
{
	struct baton_backend ctx = { &baton_backend_linux, m->root, NULL };   /* getrandom(2) */
	struct baton_error err = { 0 };
	struct baton_image img;
	int rc = baton_image_prepare(&ctx, o, &img, &err);

	baton_image_free(&img);
	assert_int_equal(rc, -code);
	if (!strstr(err.msg, needle))
		fail_msg("message '%s' lacks '%s'", err.msg, needle);
}

static void refusals_name_the_problem(void **state)
{
	(void)state;
	struct fx_bzimage spec = fx_bzimage_defaults();
	struct machine *m = machine(FIXTURES "/qemu-1g.memmap", "fpu la57", spec, 4096);
	struct baton_load_opts o = { .kernel = m->kernel, .initrd = m->initrd };
	char longline[3000];

	memset(longline, 'x', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = 0;
	o.cmdline = longline;
	expect_error(m, &o, E2BIG, "cmdline_size");
	o.cmdline = NULL;

	o.initrd = "/nonexistent/initrd";
	expect_error(m, &o, ENOENT, "initrd: /nonexistent/initrd");
	o.initrd = m->initrd;
	o.kernel = "/nonexistent/vmlinuz";
	expect_error(m, &o, ENOENT, "kernel: /nonexistent/vmlinuz");
	machine_free(m);

	spec.xloadflags &= (uint16_t)~0x20;   /* no XLF_5LEVEL on a 5-level machine */
	m = machine(FIXTURES "/qemu-1g.memmap", "fpu la57", spec, 0);
	o.kernel = m->kernel;
	o.initrd = NULL;
	expect_error(m, &o, ENOEXEC, "5-level");
	o.flags = BATON_LOAD_ENTRY_32BIT;     /* through the 32-bit entry it is fine */
	struct baton_image img;
	prepare_ok(m, &o, &img);
	baton_image_free(&img);
	machine_free(m);

	spec = fx_bzimage_defaults();
	spec.init_size = 0x7ff00000;          /* 2 GiB does not fit in 1 GiB */
	m = machine(FIXTURES "/qemu-1g.memmap", "fpu", spec, 0);
	o.kernel = m->kernel;
	o.flags = 0;
	expect_error(m, &o, ENOSPC, "init_size");
	machine_free(m);

	m = machine(FIXTURES "/qemu-1g.memmap", "fpu", fx_bzimage_defaults(), 0x3f000000);
	o.kernel = m->kernel;
	o.initrd = m->initrd;
	expect_error(m, &o, ENOSPC, "initrd");
	machine_free(m);
}

/* --real-mode: the real-mode kernel and the trampoline below 640 KiB, the header filled in as a
 * real-mode boot loader does, the exit through BATON_EXIT_REAL16. */
static void real_mode_puts_two_segments_low_and_fills_the_header(void **state)
{
	(void)state;
	struct machine *m = machine(FIXTURES "/qemu-6g.memmap", "fpu pdpe1gb la57",
				    fx_bzimage_defaults(), 3 << 20);
	struct baton_load_opts o = { .kernel = m->kernel, .initrd = m->initrd,
				     .cmdline = "console=ttyS0 rm=1", .flags = BATON_LOAD_REAL_MODE };
	struct baton_backend ctx = { &baton_backend_linux, m->root, NULL };
	struct baton_error err = { 0 };
	struct baton_purgatory_layout pl;
	struct baton_image img;

	if (baton_image_prepare(&ctx, &o, &img, &err))
		fail_msg("prepare: %s", err.msg);
	const struct baton_segment *k = seg_of(&img, BATON_SEG_KERNEL);
	const struct baton_segment *rd = seg_of(&img, BATON_SEG_INITRD);
	const struct baton_segment *rm = seg_of(&img, BATON_SEG_BOOT_INFO);
	const struct baton_segment *tr = seg_of(&img, BATON_SEG_TRAMPOLINE);
	const struct baton_params *p = params_of(&img);
	const uint8_t *file = img.in.kernel_file.data;
	const uint8_t *rmb = rm->buf;
	const struct setup_header *hdr = (const void *)(rmb + 0x1f1);

	assert_string_equal(rm->name, "realmode");
	assert_string_equal(tr->name, "trampoline");
	/* Both below 640 KiB, above the first 64 KiB, disjoint; the rest below 4 GiB. */
	assert_true(rm->mem >= 0x10000 && rm->mem + rm->memsz <= 0x9f000);
	assert_true(tr->mem >= 0x10000 && tr->mem + tr->memsz <= 0x9f000);
	assert_true(tr->mem + tr->memsz <= rm->mem || rm->mem + rm->memsz <= tr->mem);
	assert_int_equal(rm->mem, 0x90000);         /* highest: where old boot loaders put it */
	assert_int_equal(tr->mem, 0x10000);         /* lowest: out of its way */
	for (size_t i = 0; i < img.segs.nr; i++)
		assert_true(img.segs.seg[i].mem + img.segs.seg[i].memsz <= (1ULL << 32));
	assert_int_equal(k->mem, 0x1000000);
	assert_true(rd->mem + rd->memsz <= 0x80000000ULL);

	/* The trampoline: the purgatory's own bytes, as its header says. */
	assert_int_equal(baton_purgatory_layout(baton_purgatory_image, baton_purgatory_image_size,
						&pl, NULL), 0);
	assert_int_equal(tr->bufsz, pl.trampoline_size);
	assert_memory_equal(tr->buf, baton_purgatory_image + pl.trampoline_offset, tr->bufsz);

	/* The real-mode kernel: the file's setup sectors, the header a boot loader writes. */
	assert_memory_equal(rmb, file, 0x210);
	assert_int_equal(hdr->type_of_loader, 0xff);
	assert_int_equal(hdr->loadflags, file[0x211] | 0x80);        /* CAN_USE_HEAP */
	assert_int_equal(hdr->heap_end_ptr, 0xe000 - 0x200);
	assert_int_equal(hdr->cmd_line_ptr, rm->mem + 0xe000);
	assert_string_equal((const char *)rmb + 0xe000, "console=ttyS0 rm=1");
	assert_int_equal(hdr->code32_start, k->mem);
	assert_int_equal(hdr->ramdisk_image, rd->mem);
	assert_int_equal(hdr->ramdisk_size, 3 << 20);
	assert_memory_equal(rmb + 0x268, file + 0x268, img.in.kernel.bz.setup_size - 0x268);
	/* setup_data: an RNG seed, then the timing record the purgatory fills in. */
	const struct setup_data *node = (const void *)at_phys(&img, hdr->setup_data, 16 + 32);
	assert_true(hdr->setup_data > hdr->cmd_line_ptr + strlen("console=ttyS0 rm=1"));
	assert_int_equal(node->type, SETUP_RNG_SEED);
	node = (const void *)at_phys(&img, node->next, 16 + sizeof(struct baton_timing));
	assert_int_equal(node->type, BATON_SETUP_TIMING);
	assert_int_equal(node->next, 0);
	assert_int_equal(p->timing, rm->mem + (uint64_t)((const uint8_t *)node->data - rmb));

	/* The exit: CS = seg + 0x20, IP = 0; DS = ES = FS = GS = SS = seg, SP at the heap's end. */
	assert_int_equal(baton_verify_params(p), BATON_PARAMS_OK);
	assert_int_equal(p->exit_mode, BATON_EXIT_REAL16);
	assert_int_equal(p->exit_entry, rm->mem + 0x200);
	assert_int_equal(p->exit_real_seg, rm->mem >> 4);
	assert_int_equal(p->exit_real_sp, 0xe000);
	assert_int_equal(p->exit_trampoline, tr->mem);
	assert_int_equal(img.kernel_entry, rm->mem + 0x200);
	assert_int_equal(p->nr_regions, 6);
	for (uint32_t i = 0; i < p->nr_regions; i++) {
		uint8_t d[32];
		fx_tree_root(at_phys(&img, p->regions[i].start, p->regions[i].size),
			     p->regions[i].size, p->digest_chunk, d);
		assert_memory_equal(d, p->regions[i].sha256, 32);
	}
	baton_image_free(&img);
	machine_free(m);
}

static void real_mode_refusals(void **state)
{
	(void)state;
	struct fx_bzimage spec = fx_bzimage_defaults();
	struct machine *m = machine(FIXTURES "/qemu-1g.memmap", "fpu", spec, 0);
	struct baton_load_opts o = { .kernel = m->kernel, .flags = BATON_LOAD_REAL_MODE };
	struct boot_params bp = { 0 };

	o.flags = BATON_LOAD_REAL_MODE | BATON_LOAD_ENTRY_32BIT;
	expect_error(m, &o, EINVAL, "--real-mode and --entry-32bit");
	o.flags = BATON_LOAD_REAL_MODE | BATON_LOAD_CRASH;   /* before any crash fact is read */
	expect_error(m, &o, EINVAL, "--real-mode is not for -p");
	/* Booted through UEFI: the EFI stub's signature in the running zero page. */
	memcpy(bp.efi_info, "EL64", 4);
	fx_write(m->root, "sys/kernel/boot_params/data", &bp, sizeof(bp));
	o.flags = BATON_LOAD_REAL_MODE;
	expect_error(m, &o, EOPNOTSUPP, "booted through UEFI");
	machine_free(m);

	spec.setup_sects = 64;                  /* 32.5 KiB of real-mode code */
	m = machine(FIXTURES "/qemu-1g.memmap", "fpu", spec, 0);
	o.kernel = m->kernel;
	expect_error(m, &o, ENOEXEC, "real-mode code");
	machine_free(m);
}

static void confidential_guests_are_refused(void **state)
{
	(void)state;
	struct machine *m = machine(FIXTURES "/qemu-1g.memmap", "fpu hypervisor sev sev_es sev_snp",
				    fx_bzimage_defaults(), 0);
	struct baton_load_opts o = { .kernel = m->kernel };

	expect_error(m, &o, EOPNOTSUPP, "cpu: this is an AMD SEV-SNP guest: baton's purgatory "
		     "cannot run in a confidential guest (use kexec_file_load)");
	fx_cpuinfo(m->root, "fpu hypervisor tdx_guest");
	expect_error(m, &o, EOPNOTSUPP, "cpu: this is an Intel TDX guest");
	o.flags = BATON_LOAD_CRASH;   /* a capture kernel too: the panic would reset */
	expect_error(m, &o, EOPNOTSUPP, "confidential guest");
	o.flags = 0;
	fx_cpuinfo(m->root, "fpu sev sev_es sev_snp");   /* a SEV host plans as usual */
	struct baton_image img;
	prepare_ok(m, &o, &img);
	baton_image_free(&img);
	machine_free(m);
}

static void no_memory_map_is_refused(void **state)
{
	(void)state;
	struct machine *m = machine(FIXTURES "/qemu-1g.memmap", "fpu", fx_bzimage_defaults(), 0);
	char dir[4300];
	snprintf(dir, sizeof(dir), "%s/sys", m->root);
	fx_rm_rf(dir);
	struct baton_load_opts o = { .kernel = m->kernel };
	struct fake_sys fake = { 0 };
	struct baton_backend ctx = fake_sys_ops(&fake, m->root);
	struct baton_error err = { 0 };
	struct baton_image img;

	assert_int_not_equal(baton_image_prepare(&ctx, &o, &img, &err), 0);
	assert_non_null(strstr(err.msg, "memmap"));
	baton_image_free(&img);
	machine_free(m);
}

static void same_inputs_same_plan(void **state)
{
	(void)state;
	struct machine *m = machine(FIXTURES "/qemu-6g.memmap", "fpu pdpe1gb la57",
				    fx_bzimage_defaults(), 5000);
	struct baton_load_opts o = { .kernel = m->kernel, .initrd = m->initrd, .cmdline = "a" };
	struct baton_image a, b;

	prepare_ok(m, &o, &a);
	prepare_ok(m, &o, &b);
	assert_int_equal(a.segs.nr, b.segs.nr);
	for (size_t i = 0; i < a.segs.nr; i++) {
		assert_string_equal(a.segs.seg[i].name, b.segs.seg[i].name);
		assert_int_equal(a.segs.seg[i].mem, b.segs.seg[i].mem);
		/* A fresh RNG seed for each load: the zero page differs, nothing else does. */
		if (a.segs.seg[i].role == BATON_SEG_BOOT_INFO)
			assert_memory_not_equal(a.segs.seg[i].root, b.segs.seg[i].root, 32);
		else
			assert_memory_equal(a.segs.seg[i].root, b.segs.seg[i].root, 32);
	}
	baton_image_free(&a);
	baton_image_free(&b);
	machine_free(m);
}

/* The plain SHA-256 (for sha256sum) costs a second pass: only with BATON_LOAD_PLAIN_SHA256. */
static void plain_sha256_only_when_asked(void **state)
{
	(void)state;
	struct machine *m = machine(FIXTURES "/qemu-6g.memmap", "fpu pdpe1gb la57",
				    fx_bzimage_defaults(), 300000);
	struct baton_load_opts o = { .kernel = m->kernel, .initrd = m->initrd, .cmdline = "a" };
	static const uint8_t zero[32];
	struct baton_image a, b;

	prepare_ok(m, &o, &a);
	o.flags = BATON_LOAD_PLAIN_SHA256;
	prepare_ok(m, &o, &b);
	for (size_t i = 0; i < b.segs.nr; i++) {
		const struct baton_segment *s = &b.segs.seg[i];
		uint8_t d[32];

		if (!s->hashed_size)
			continue;
		assert_memory_equal(a.segs.seg[i].sha256, zero, 32);
		SHA256(at_phys(&b, s->hashed_start, s->hashed_size), s->hashed_size, d);
		assert_memory_equal(s->sha256, d, 32);
		fx_tree_root(at_phys(&b, s->hashed_start, s->hashed_size), s->hashed_size,
			     BATON_TREE_CHUNK, d);
		assert_memory_equal(s->root, d, 32);
		if (s->role != BATON_SEG_BOOT_INFO)
			assert_memory_equal(s->root, a.segs.seg[i].root, 32);
	}
	baton_image_free(&a);
	baton_image_free(&b);
	machine_free(m);
}

/* A copy of a real crash-enabled QEMU guest's /proc and /sys (tests/fixtures/crash). */
static struct machine *crash_machine(void)
{
	struct machine *m = machine(FIXTURES "/qemu-1g.memmap", "fpu pdpe1gb la57",
				    fx_bzimage_defaults(), 70000);
	char cmd[8400];

	snprintf(cmd, sizeof(cmd), "cp -r %s/crash/qemu-2g-la57/. %s/ && rm -rf %s/sys/firmware && "
		 "cp -r %s/crash/qemu-2g-la57/sys/firmware %s/sys/", FIXTURES, m->root, m->root,
		 FIXTURES, m->root);
	assert_int_equal(system(cmd), 0);
	return m;
}

static void crash_image_lives_in_the_crash_region(void **state)
{
	(void)state;
	struct machine *m = crash_machine();
	struct baton_load_opts o = { .kernel = m->kernel, .initrd = m->initrd,
				     .cmdline = "console=ttyS0", .flags = BATON_LOAD_CRASH };
	struct fake_sys fake = { 0 };
	struct baton_backend ctx = fake_sys_ops(&fake, m->root);
	struct baton_error err = { 0 };
	struct baton_image img;

	if (baton_image_prepare(&ctx, &o, &img, &err))
		fail_msg("prepare: %s", err.msg);
	const struct baton_phys_range *c = &img.in.crash.crash[img.in.crash.nr_crash - 1];
	/* Every segment, in load order: kernel, initrd, elfcorehdr, backup and the loader's. */
	static const enum baton_seg_role crash_order[] = {
		BATON_SEG_KERNEL, BATON_SEG_INITRD, BATON_SEG_ELFCOREHDR, BATON_SEG_BACKUP,
		BATON_SEG_BOOT_INFO, BATON_SEG_PAGE_TABLES, BATON_SEG_PURGATORY,
	};
	assert_int_equal(img.segs.nr, 7);
	for (size_t i = 0; i < img.segs.nr; i++) {
		const struct baton_segment *s = &img.segs.seg[i];
		assert_int_equal(s->role, crash_order[i]);
		assert_true(s->memsz > 0);
		assert_true(s->mem >= c->start && s->mem + s->memsz <= c->end);
	}
	const struct baton_segment *eh = seg_of(&img, BATON_SEG_ELFCOREHDR);
	const struct baton_segment *bk = seg_of(&img, BATON_SEG_BACKUP);
	char want[128];
	snprintf(want, sizeof(want), "console=ttyS0 elfcorehdr=0x%llx", (unsigned long long)eh->mem);
	assert_string_equal(img.cmdline, want);
	assert_memory_equal(eh->buf, "\177ELF", 4);

	const struct baton_params *p = params_of(&img);
	assert_int_equal(baton_verify_params(p), BATON_PARAMS_OK);
	assert_int_equal(p->backup_src, 0x1000);
	assert_int_equal(p->backup_size, 0x9ec00);
	assert_int_equal(p->backup_dst, bk->mem);
	assert_int_equal(bk->bufsz, 0);
	assert_int_equal(p->nr_regions, 6);        /* all but the backup */
	for (uint32_t i = 0; i < p->nr_regions; i++)
		assert_int_not_equal(p->regions[i].start, bk->mem);

	/* The capture kernel's e820: crash region RAM around the kept segments, no dead RAM. */
	const struct boot_params *bp = seg_of(&img, BATON_SEG_BOOT_INFO)->buf;
	uint64_t ram = 0;
	for (int i = 0; i < bp->e820_entries; i++) {
		const struct e820_entry *e = &bp->e820_table[i];
		if (e->type != 1)
			continue;
		ram += e->size;
		int in_crash = e->addr >= c->start && e->addr + e->size <= c->end;
		int low = e->addr + e->size <= 0xa0000;
		assert_true(in_crash || low);
		assert_true(e->addr + e->size <= eh->mem || e->addr >= eh->mem + eh->memsz);
		assert_true(e->addr + e->size <= bk->mem || e->addr >= bk->mem + bk->memsz);
	}
	assert_true(ram >= (c->end - c->start) - eh->memsz - bk->memsz);
	baton_image_free(&img);
	machine_free(m);
}

/* Crash hotplug: on by default where the kernel has /sys/kernel/crash_elfcorehdr_size (the
 * header's segment then holds the kernel's largest, and is checked by shape, not digested);
 * off with BATON_LOAD_NO_HOTPLUG; BATON_LOAD_HOTPLUG on a kernel without it is an error. */
static void crash_hotplug_sizes_and_exempts_the_core_header(void **state)
{
	(void)state;
	struct machine *m = crash_machine();
	struct baton_load_opts o = { .kernel = m->kernel, .initrd = m->initrd,
				     .cmdline = "console=ttyS0", .flags = BATON_LOAD_CRASH };
	struct fake_sys fake = { 0 };
	struct baton_backend ctx = fake_sys_ops(&fake, m->root);
	struct baton_error err = { 0 };
	struct baton_image img;

	/* the fixture's 6.1 kernel: no crash hotplug, so none by default ... */
	if (baton_image_prepare(&ctx, &o, &img, &err))
		fail_msg("prepare: %s", err.msg);
	assert_int_equal(img.hotplug, 0);
	assert_int_equal(params_of(&img)->flags & BATON_PF_ELFCORE_HOTPLUG, 0);
	size_t plain = seg_of(&img, BATON_SEG_ELFCOREHDR)->memsz;
	baton_image_free(&img);
	/* ... and asking for it is refused in one line */
	o.flags = BATON_LOAD_CRASH | BATON_LOAD_HOTPLUG;
	assert_int_equal(baton_image_prepare(&ctx, &o, &img, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "hotplug: "));
	assert_non_null(strstr(err.msg, "crash_elfcorehdr_size"));

	/* Debian's 6.12: 8192 CPUs + 8192 memory ranges + 2 program headers */
	fx_write_str(m->root, "sys/kernel/crash_elfcorehdr_size", "917616\n");
	o.flags = BATON_LOAD_CRASH;
	if (baton_image_prepare(&ctx, &o, &img, &err))
		fail_msg("prepare: %s", err.msg);
	assert_int_equal(img.hotplug, 1);
	const struct baton_segment *eh = seg_of(&img, BATON_SEG_ELFCOREHDR);
	assert_true(eh->memsz >= 64 + 917616);
	assert_int_equal(eh->memsz % 4096, 0);
	assert_true(eh->bufsz < eh->memsz);
	const struct baton_params *p = params_of(&img);
	assert_int_equal(baton_verify_params(p), BATON_PARAMS_OK);
	assert_true(p->flags & BATON_PF_ELFCORE_HOTPLUG);
	assert_int_equal(p->elfcorehdr, eh->mem);
	assert_int_equal(p->elfcorehdr_size, eh->memsz);
	assert_int_equal(p->nr_regions, 5);        /* all but the backup and the elfcorehdr */
	for (uint32_t i = 0; i < p->nr_regions; i++)
		assert_int_not_equal(p->regions[i].start, eh->mem);
	/* the bytes baton wrote pass the purgatory's check (at host addresses) */
	struct baton_params host = *p;
	uint8_t *copy = calloc(1, eh->memsz);
	assert_non_null(copy);
	memcpy(copy, eh->buf, eh->bufsz);
	host.elfcorehdr = (uintptr_t)copy;
	assert_int_equal(baton_verify_elfcore(&host), BATON_ELFCORE_OK);
	free(copy);
	/* and no later segment starts with the ELF magic the kernel looks for */
	for (size_t i = (size_t)(eh - img.segs.seg) + 1; i < img.segs.nr; i++)
		assert_true(img.segs.seg[i].bufsz < 4 ||
			    memcmp(img.segs.seg[i].buf, "\177ELF", 4));
	baton_image_free(&img);

	o.flags = BATON_LOAD_CRASH | BATON_LOAD_NO_HOTPLUG;
	if (baton_image_prepare(&ctx, &o, &img, &err))
		fail_msg("prepare: %s", err.msg);
	assert_int_equal(img.hotplug, 0);
	assert_int_equal(seg_of(&img, BATON_SEG_ELFCOREHDR)->memsz, plain);
	assert_int_equal(params_of(&img)->nr_regions, 6);
	baton_image_free(&img);

	fx_write_str(m->root, "sys/kernel/crash_elfcorehdr_size", "lots\n");
	o.flags = BATON_LOAD_CRASH | BATON_LOAD_HOTPLUG;
	assert_int_equal(baton_image_prepare(&ctx, &o, &img, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "not a size"));
	machine_free(m);
}

static void crash_without_region_is_refused(void **state)
{
	(void)state;
	struct machine *m = machine(FIXTURES "/qemu-1g.memmap", "fpu", fx_bzimage_defaults(), 0);
	struct baton_load_opts o = { .kernel = m->kernel, .flags = BATON_LOAD_CRASH };

	fx_write_str(m->root, "proc/iomem", "00000000-0009fbff : System RAM\n"
		     "00100000-3ffdffff : System RAM\n");
	expect_error(m, &o, ENOENT, "crashkernel=");
	machine_free(m);
}

/* --mem-min/--mem-max: every segment inside [mem_min, mem_max], both inclusive (kexec-tools'
 * meaning); a window too small names the bounds, an empty one is refused before planning. */
static void mem_bounds_hold_every_segment(void **state)
{
	(void)state;
	struct machine *m = machine(FIXTURES "/qemu-1g.memmap", "fpu pdpe1gb",
				    fx_bzimage_defaults(), 3 << 20);
	struct baton_load_opts o = { .kernel = m->kernel, .initrd = m->initrd, .cmdline = "x",
				     .flags = BATON_LOAD_MEM_BOUNDS, .mem_min = 0x10000000,
				     .mem_max = 0x17ffffff };
	struct baton_image img;
	uint64_t top = 0;

	prepare_ok(m, &o, &img);
	for (size_t i = 0; i < img.segs.nr; i++) {
		const struct baton_segment *s = &img.segs.seg[i];
		assert_true(s->mem >= o.mem_min);
		assert_true(s->mem + s->memsz - 1 <= o.mem_max);
		if (s->mem + s->memsz > top)
			top = s->mem + s->memsz;
	}
	/* Placed high, the loader's segments end at the last byte allowed: inclusive. */
	assert_int_equal(top, o.mem_max + 1);
	baton_image_free(&img);

	/* Without the flag the fields are not read. */
	o.flags = 0;
	prepare_ok(m, &o, &img);
	assert_true(seg_of(&img, BATON_SEG_PURGATORY)->mem > 0x18000000);
	baton_image_free(&img);

	o.flags = BATON_LOAD_MEM_BOUNDS;
	o.mem_max = 0x100fffff;
	expect_error(m, &o, ENOSPC, "no free RAM for");
	expect_error(m, &o, ENOSPC, "in 0x10000000-0x10100000 (bounds mem_min 0x10000000, "
		     "mem_max 0x100fffff)");
	o.mem_min = 0x20000000;
	expect_error(m, &o, ENOSPC, "placement: the bounds mem_min 0x20000000, mem_max 0x100fffff "
		     "leave nothing of 0x100000-0x800000000000");
	o.mem_min = 0;
	o.mem_max = 0xfffff;
	expect_error(m, &o, ENOSPC, "leave nothing of 0x100000-");
	machine_free(m);
}

/* Walks the zero page's setup_data list for `type`. */
static const struct setup_data *find_setup(const struct baton_image *img, uint32_t type)
{
	const struct boot_params *bp = seg_of(img, BATON_SEG_BOOT_INFO)->buf;

	for (uint64_t at = bp->hdr.setup_data; at;) {
		const struct setup_data *sd = (const void *)at_phys(img, at, sizeof(*sd));
		if (sd->type == type)
			return sd;
		at = sd->next;
	}
	return NULL;
}

/* --dtb: the blob (its totalsize, not the file's trailing bytes) as SETUP_DTB; not a device
 * tree, or a kernel without a zero page, is refused by name. */
static void dtb_rides_in_setup_data(void **state)
{
	(void)state;
	struct machine *m = machine(FIXTURES "/qemu-1g.memmap", "fpu", fx_bzimage_defaults(), 0);
	uint8_t fdt[100] = { 0xd0, 0x0d, 0xfe, 0xed, 0, 0, 0, 72 };
	char path[4300];
	struct baton_load_opts o = { .kernel = m->kernel, .flags = BATON_LOAD_DTB, .dtb = path };
	struct baton_image img;

	for (size_t i = 8; i < sizeof(fdt); i++)
		fdt[i] = (uint8_t)(i * 7);
	fx_write(m->root, "boot/board.dtb", fdt, sizeof(fdt));
	snprintf(path, sizeof(path), "%s/boot/board.dtb", m->root);
	prepare_ok(m, &o, &img);
	const struct setup_data *sd = find_setup(&img, SETUP_DTB);
	assert_non_null(sd);
	assert_int_equal(sd->len, 72);
	assert_memory_equal(at_phys(&img, (uint64_t)((const uint8_t *)sd->data -
			    (const uint8_t *)seg_of(&img, BATON_SEG_BOOT_INFO)->buf) +
			    seg_of(&img, BATON_SEG_BOOT_INFO)->mem, 72), fdt, 72);
	assert_non_null(find_setup(&img, SETUP_RNG_SEED));
	baton_image_free(&img);

	o.flags = 0;
	prepare_ok(m, &o, &img);
	assert_null(find_setup(&img, SETUP_DTB));
	baton_image_free(&img);

	o.flags = BATON_LOAD_DTB;
	fdt[7] = 200;
	fx_write(m->root, "boot/board.dtb", fdt, sizeof(fdt));
	expect_error(m, &o, EINVAL, "board.dtb: totalsize 200, but the file has 100 bytes");
	fdt[0] = 0;
	fx_write(m->root, "boot/board.dtb", fdt, sizeof(fdt));
	expect_error(m, &o, EINVAL, "board.dtb: not a flattened device tree");
	machine_free(m);
}

/* The crash-only options: memmap= of the capture map after elfcorehdr=, an ELF32 header; both
 * refused for a normal image. */
static void crash_memmap_and_elf32(void **state)
{
	(void)state;
	struct machine *m = crash_machine();
	struct baton_load_opts o = { .kernel = m->kernel, .cmdline = "console=ttyS0",
				     .flags = BATON_LOAD_CRASH | BATON_LOAD_MEMMAP_CMDLINE |
					      BATON_LOAD_ELF32_CORE };
	struct fake_sys fake = { 0 };
	struct baton_backend ctx = fake_sys_ops(&fake, m->root);
	struct baton_error err = { 0 };
	struct baton_image img;
	char want[128];

	if (baton_image_prepare(&ctx, &o, &img, &err))
		fail_msg("prepare: %s", err.msg);
	const struct baton_segment *eh = seg_of(&img, BATON_SEG_ELFCOREHDR);
	snprintf(want, sizeof(want), "console=ttyS0 elfcorehdr=0x%llx memmap=exactmap ",
		 (unsigned long long)eh->mem);
	assert_memory_equal(img.cmdline, want, strlen(want));
	assert_int_equal(((const uint8_t *)eh->buf)[EI_CLASS], ELFCLASS32);
	/* One memmap= per RAM range of the capture e820 of 100 KiB or more, as its bytes say. */
	const struct boot_params *bp = seg_of(&img, BATON_SEG_BOOT_INFO)->buf;
	size_t tokens = 0, ram = 0;
	for (const char *t = strstr(img.cmdline, "K@"); t; t = strstr(t + 1, "K@"))
		tokens++;
	for (int i = 0; i < bp->e820_entries; i++) {
		const struct e820_entry *e = &bp->e820_table[i];
		char tok[64];
		if (e->type != 1 || ((e->addr + e->size) >> 10) - (e->addr >> 10) < 100)
			continue;
		ram++;
		snprintf(tok, sizeof(tok), " memmap=%lluK@%lluK",
			 (unsigned long long)(((e->addr + e->size) >> 10) - (e->addr >> 10)),
			 (unsigned long long)(e->addr >> 10));
		if (!strstr(img.cmdline, tok))
			fail_msg("'%s' lacks '%s'", img.cmdline, tok);
	}
	assert_true(ram >= 2);
	assert_int_equal(tokens, ram);
	baton_image_free(&img);
	machine_free(m);

	m = machine(FIXTURES "/qemu-1g.memmap", "fpu", fx_bzimage_defaults(), 0);
	o = (struct baton_load_opts){ .kernel = m->kernel, .flags = BATON_LOAD_ELF32_CORE };
	expect_error(m, &o, EINVAL, "an ELF32 core header is for a crash image (-p) only");
	o.flags = BATON_LOAD_MEMMAP_CMDLINE;
	expect_error(m, &o, EINVAL, "memmap= of the capture map is for a crash image (-p) only");
	machine_free(m);
}

static void more_than_128_ranges_round_trip_through_e820_ext(void **state)
{
	(void)state;
	struct machine *m = machine(FIXTURES "/qemu-1g.memmap", "fpu", fx_bzimage_defaults(), 0);
	char dir[4300], text[200];
	snprintf(dir, sizeof(dir), "%s/sys/firmware/memmap", m->root);
	fx_rm_rf(dir);
	/* 200 RAM ranges each followed by a reserved page, then 1 GiB of RAM for the kernel. */
	int n = 0;
	uint64_t at = 0x100000;
	for (int i = 0; i < 200; i++, at += 0x200000) {
		uint64_t ends[2][2] = { { at, at + 0x1ff000 - 1 }, { at + 0x1ff000, at + 0x1fffff } };
		for (int k = 0; k < 2; k++, n++) {
			snprintf(dir, sizeof(dir), "sys/firmware/memmap/%d/start", n);
			snprintf(text, sizeof(text), "0x%llx", (unsigned long long)ends[k][0]);
			fx_write_str(m->root, dir, text);
			snprintf(dir, sizeof(dir), "sys/firmware/memmap/%d/end", n);
			snprintf(text, sizeof(text), "0x%llx", (unsigned long long)ends[k][1]);
			fx_write_str(m->root, dir, text);
			snprintf(dir, sizeof(dir), "sys/firmware/memmap/%d/type", n);
			fx_write_str(m->root, dir, k ? "Reserved" : "System RAM");
		}
	}
	fx_write_str(m->root, "sys/firmware/memmap/400/start", "0x40000000");
	fx_write_str(m->root, "sys/firmware/memmap/400/end", "0x7fffffff");
	fx_write_str(m->root, "sys/firmware/memmap/400/type", "System RAM");
	struct baton_load_opts o = { .kernel = m->kernel, .cmdline = "x" };
	struct baton_image img;

	prepare_ok(m, &o, &img);
	assert_int_equal(img.in.memmap.nr, 401);
	const struct boot_params *bp = seg_of(&img, BATON_SEG_BOOT_INFO)->buf;
	const struct setup_data *ext = (const void *)at_phys(&img, bp->hdr.setup_data, 16);
	assert_int_equal(ext->type, SETUP_E820_EXT);
	const struct e820_entry *rest = (const void *)ext->data;
	assert_int_equal(bp->e820_entries, 128);
	for (size_t i = 0; i < img.in.memmap.nr; i++) {
		const struct e820_entry *e = i < 128 ? &bp->e820_table[i] : &rest[i - 128];
		assert_int_equal(e->addr, img.in.memmap.ranges[i].start);
		assert_int_equal(e->size, img.in.memmap.ranges[i].end - img.in.memmap.ranges[i].start);
		assert_int_equal(e->type, i % 2 && i < 400 ? 2 : 1);
	}
	baton_image_free(&img);
	machine_free(m);
}

static uint64_t fixture_hex(const char *rel)
{
	char path[4096];
	unsigned long long v = 0;
	snprintf(path, sizeof(path), "%s/efi/%s", FIXTURES, rel);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%llx", &v), 1);
	fclose(f);
	return v;
}

/* A real OVMF guest's /sys (tests/fixtures/efi): the zero page keeps the firmware's runtime
 * services, and is byte for byte the golden one (BATON_UPDATE_GOLDEN=1 rewrites it). */
static void uefi_machine_gets_runtime_map_and_setup_efi(void **state)
{
	(void)state;
	struct machine *m = machine(FIXTURES "/efi/memmap", "fpu pdpe1gb", fx_bzimage_defaults(),
				    4096);
	char cmd[8800];
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/sys/firmware/efi %s/sys/kernel/boot_params && "
		 "cd %s/efi && cp -r runtime-map fw_vendor config_table systab runtime "
		 "fw_platform_size %s/sys/firmware/efi/ && cp boot_params "
		 "%s/sys/kernel/boot_params/data", m->root, m->root, FIXTURES, m->root, m->root);
	assert_int_equal(system(cmd), 0);
	struct baton_load_opts o = { .kernel = m->kernel, .initrd = m->initrd,
				     .cmdline = "console=ttyS0" };
	struct fake_sys fake = { 0 };   /* its random bytes: deterministic */
	struct baton_backend ctx = fake_sys_ops(&fake, m->root);
	struct baton_error err = { 0 };
	struct baton_image img;

	if (baton_image_prepare(&ctx, &o, &img, &err))
		fail_msg("prepare: %s", err.msg);
	check_image(&img, &o);
	const struct baton_segment *bs = seg_of(&img, BATON_SEG_BOOT_INFO);
	const struct boot_params *bp = bs->buf;
	struct efi_info ei;
	memcpy(&ei, bp->efi_info, sizeof(ei));
	assert_int_equal(ei.efi_loader_signature, 0x34364c45);
	assert_int_equal(ei.efi_systab, 0x3f5eb018);
	assert_int_equal(ei.efi_memdesc_size, 40);
	assert_int_equal(ei.efi_memmap_size, 7 * 40);
	uint64_t map = ei.efi_memmap | (uint64_t)ei.efi_memmap_hi << 32;
	const struct efi_memory_desc *d = (const void *)at_phys(&img, map, 7 * 40);
	assert_int_equal(d[0].type, fixture_hex("runtime-map/0/type"));
	assert_int_equal(d[0].phys_addr, fixture_hex("runtime-map/0/phys_addr"));
	assert_int_equal(d[6].virt_addr, fixture_hex("runtime-map/6/virt_addr"));
	assert_int_equal(d[6].num_pages, fixture_hex("runtime-map/6/num_pages"));

	const struct setup_data *node = (const void *)at_phys(&img, bp->hdr.setup_data, 16 + 96);
	assert_int_equal(node->type, SETUP_EFI);
	struct efi_setup_data esd;
	memcpy(&esd, node->data, sizeof(esd));
	assert_int_equal(esd.fw_vendor, fixture_hex("fw_vendor"));
	assert_int_equal(esd.tables, fixture_hex("config_table"));
	assert_int_equal(esd.smbios, 0x3f520000);

	char golden[4096];
	snprintf(golden, sizeof(golden), "%s/efi/baton-boot_params.golden", FIXTURES);
	if (getenv("BATON_UPDATE_GOLDEN")) {
		FILE *g = fopen(golden, "wb");
		assert_int_equal(fwrite(bs->buf, 1, bs->bufsz, g), bs->bufsz);
		fclose(g);
	}
	FILE *g = fopen(golden, "rb");
	assert_non_null(g);
	uint8_t *want = malloc(bs->bufsz + 1);
	assert_int_equal(fread(want, 1, bs->bufsz + 1, g), bs->bufsz);
	fclose(g);
	assert_memory_equal(want, bs->buf, bs->bufsz);
	free(want);
	baton_image_free(&img);
	machine_free(m);
}

/* --- multiboot (Xen) ---------------------------------------------------------------------- */

/* A machine with a multiboot image at boot/xen and two modules ("FILE ARGS"). */
static struct machine *mb_machine(const struct fx_mbimage *spec, char mods[2][4300])
{
	struct machine *m = calloc(1, sizeof(*m));
	size_t size;
	uint8_t *img = fx_mbimage_build(spec, &size);
	uint8_t *blob = malloc(0x12345);

	m->root = fx_tmpdir();
	fx_memmap_from_file(m->root, FIXTURES "/qemu-1g.memmap");
	fx_cpuinfo(m->root, "fpu pdpe1gb");
	fx_write(m->root, "boot/xen", img, size);
	for (size_t i = 0; i < 0x12345; i++)
		blob[i] = (uint8_t)(i * 7);
	fx_write(m->root, "boot/dom0-vmlinuz", blob, 0x12345);
	fx_write(m->root, "boot/dom0-initrd", blob, 0x2001);
	free(blob);
	free(img);
	snprintf(m->kernel, sizeof(m->kernel), "%s/boot/xen", m->root);
	snprintf(mods[0], 4300, "%s/boot/dom0-vmlinuz console=hvc0 root=/dev/ram0", m->root);
	snprintf(mods[1], 4300, "%s/boot/dom0-initrd", m->root);
	return m;
}

/* The tag of this type (the n-th of them) in a multiboot2 MBI, or NULL. */
static const uint8_t *mbi_tag(const uint8_t *mbi, uint32_t type, unsigned n)
{
	for (size_t pos = 8; pos < baton_le32(mbi); pos += (baton_le32(mbi + pos + 4) + 7) & ~7u)
		if (baton_le32(mbi + pos) == type && !n--)
			return mbi + pos;
	return NULL;
}

static uint8_t *read_golden(const char *name, size_t *size)
{
	static uint8_t buf[8192];
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/mbi/%s", FIXTURES, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	*size = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return buf;
}

/* Segments in RAM, disjoint, below 4 GiB (the exit is 32-bit); the parameter block valid and the
 * exit protected mode with EAX = magic, EBX = the MBI. */
static const uint8_t *check_mb_image(const struct baton_image *img, uint32_t magic,
				     uint64_t entry)
{
	const struct baton_params *p = params_of(img);
	const struct baton_segment *mbi = seg_of(img, BATON_SEG_BOOT_INFO);

	for (size_t i = 0; i < img->segs.nr; i++) {
		const struct baton_segment *s = &img->segs.seg[i];
		int in_ram = 0;
		assert_int_equal(s->mem % 4096, 0);
		assert_true(s->mem + s->memsz <= 0x100000000ull);
		for (size_t r = 0; r < img->in.memmap.nr; r++)
			in_ram |= img->in.memmap.ranges[r].kind == BATON_MEM_RAM &&
				  s->mem >= img->in.memmap.ranges[r].start &&
				  s->mem + s->memsz <= img->in.memmap.ranges[r].end;
		assert_true(in_ram);
		for (size_t j = 0; j < i; j++) {
			const struct baton_segment *t = &img->segs.seg[j];
			assert_true(s->mem + s->memsz <= t->mem || t->mem + t->memsz <= s->mem);
		}
	}
	assert_string_equal(mbi->name, "mbi");
	assert_int_equal(baton_verify_params(p), BATON_PARAMS_OK);
	assert_int_equal(p->exit_mode, BATON_EXIT_PROTECTED32);
	assert_int_equal(p->exit_entry, entry);
	assert_int_equal(p->exit_regs[BATON_EXIT_RAX], magic);
	assert_int_equal(p->exit_regs[BATON_EXIT_RBX], mbi->mem);
	for (int r = BATON_EXIT_RCX; r < BATON_EXIT_NR_REGS; r++)
		assert_int_equal(p->exit_regs[r], 0);
	return mbi->buf;
}

/* Xen's shape on QEMU's 1 GiB map: the ELF at its own address, the modules page aligned high
 * below 4 GiB with their bytes exact, the MBI with "xen ARGS", the module strings as given, the
 * load base, and the memory map exactly as the golden MBI of the same machine has it. */
static void multiboot2_plan_on_qemu_1g(void **state)
{
	(void)state;
	struct fx_mbimage spec = fx_mbimage_defaults();
	char mods[2][4300];
	struct machine *m = mb_machine(&spec, mods);
	const char *modv[] = { mods[0], mods[1] };
	struct baton_load_opts o = { .kernel = m->kernel, .cmdline = "console=com1 dom0_mem=512M",
				     .flags = BATON_LOAD_MODULES, .modules = modv,
				     .nr_modules = 2 };
	struct baton_image img;
	const struct baton_segment *k;
	const uint8_t *mbi, *t, *g, *gt;
	size_t gsize;

	prepare_ok_mb(m, &o, &img);
	mbi = check_mb_image(&img, 0x36d76289, 0x200010);
	k = seg_of(&img, BATON_SEG_KERNEL);
	assert_int_equal(k->mem, 0x200000);
	assert_int_equal(k->bufsz, 0x5000);
	assert_int_equal(k->memsz, 0x9000);   /* the bss: zero-filled by kexec */
	assert_string_equal(img.segs.seg[1].name, "module.0");
	assert_string_equal(img.segs.seg[2].name, "module.1");
	assert_int_equal(img.segs.seg[1].bufsz, 0x12345);
	assert_int_equal(img.segs.seg[2].bufsz, 0x2001);
	assert_memory_equal(img.segs.seg[1].buf, img.in.modules[0].file.data, 0x12345);
	t = mbi_tag(mbi, BATON_MBI_CMDLINE, 0);
	assert_string_equal((const char *)t + 8, "xen console=com1 dom0_mem=512M");
	t = mbi_tag(mbi, BATON_MBI_BOOT_LOADER_NAME, 0);
	assert_string_equal((const char *)t + 8, "baton");
	for (unsigned i = 0; i < 2; i++) {
		t = mbi_tag(mbi, BATON_MBI_MODULE, i);
		assert_non_null(t);
		assert_int_equal(baton_le32(t + 8), img.segs.seg[1 + i].mem);
		assert_int_equal(baton_le32(t + 12), img.segs.seg[1 + i].mem +
				 img.segs.seg[1 + i].bufsz);
		assert_string_equal((const char *)t + 16, mods[i]);
	}
	assert_null(mbi_tag(mbi, BATON_MBI_MODULE, 2));
	t = mbi_tag(mbi, BATON_MBI_LOAD_BASE_ADDR, 0);
	assert_int_equal(baton_le32(t + 8), 0x200000);
	g = read_golden("qemu-1g.mbi2", &gsize);
	for (unsigned type = BATON_MBI_BASIC_MEMINFO; type <= BATON_MBI_MMAP; type += 2) {
		t = mbi_tag(mbi, type, 0);
		gt = mbi_tag(g, type, 0);
		assert_non_null(t);
		assert_non_null(gt);
		assert_int_equal(baton_le32(t + 4), baton_le32(gt + 4));
		assert_memory_equal(t, gt, baton_le32(gt + 4));
	}
	baton_image_free(&img);
	machine_free(m);
}

/* Where its own RAM is not free, a relocatable image moves within [min, max] at its alignment,
 * and says so in LOAD_BASE_ADDR and the entry; one that is not relocatable is refused. */
static void multiboot2_relocates_only_when_it_must(void **state)
{
	(void)state;
	struct fx_mbimage spec = fx_mbimage_defaults();
	char mods[2][4300];
	struct machine *m;
	struct baton_load_opts o = { .cmdline = "x" };
	struct baton_image img;
	const uint8_t *mbi;

	spec.paddr = 0x80000000;    /* a hole on this machine */
	spec.nr_loads = 2;
	spec.gap = 0x1000;
	m = mb_machine(&spec, mods);
	o.kernel = m->kernel;
	prepare_ok_mb(m, &o, &img);
	mbi = check_mb_image(&img, 0x36d76289, 0x200010);
	assert_int_equal(img.segs.seg[0].mem, 0x200000);
	assert_int_equal(img.segs.seg[1].mem, 0x200000 + 0x9000 + 0x1000);
	assert_int_equal(baton_le32(mbi_tag(mbi, BATON_MBI_LOAD_BASE_ADDR, 0) + 8), 0x200000);
	baton_image_free(&img);
	machine_free(m);

	spec.relocatable = 0;
	m = mb_machine(&spec, mods);
	o.kernel = m->kernel;
	expect_error(m, &o, ENOSPC, "kernel: ");
	machine_free(m);
}

/* -t multiboot-x86 on a file with both headers: the v1 info structure and EAX = 0x2BADB002. */
static void multiboot_v1_when_forced(void **state)
{
	(void)state;
	struct fx_mbimage spec = fx_mbimage_defaults();
	char mods[2][4300];
	struct machine *m = mb_machine(&spec, mods);
	const char *modv[] = { mods[0], mods[1] };
	struct baton_load_opts o = { .kernel = m->kernel, .cmdline = "console=com1",
				     .flags = BATON_LOAD_MODULES | BATON_LOAD_TYPE,
				     .modules = modv, .nr_modules = 2,
				     .type = "multiboot-x86" };
	struct baton_image img;
	const uint8_t *mbi;

	prepare_ok_mb(m, &o, &img);
	mbi = check_mb_image(&img, 0x2badb002, 0x200010);
	assert_int_equal(baton_le32(mbi) & 0x24d, 0x24d);   /* MEMORY CMDLINE MODS MMAP NAME */
	assert_int_equal(baton_le32(mbi + 20), 2);          /* mods_count */
	assert_int_equal(baton_le32(mbi + 16) - seg_of(&img, BATON_SEG_BOOT_INFO)->mem,
			 baton_le32(mbi + 16) - seg_of(&img, BATON_SEG_BOOT_INFO)->mem);
	assert_string_equal((const char *)mbi + (baton_le32(mbi + 16) -
						 seg_of(&img, BATON_SEG_BOOT_INFO)->mem),
			    "xen console=com1");
	baton_image_free(&img);
	machine_free(m);
}

/* Not as a crash kernel, no --initrd (a module instead), and a bzImage takes no module. */
static void multiboot_refusals(void **state)
{
	(void)state;
	struct fx_mbimage spec = fx_mbimage_defaults();
	char mods[2][4300];
	struct machine *m = mb_machine(&spec, mods);
	struct baton_load_opts o = { .kernel = m->kernel };

	fx_write_str(m->root, "proc/iomem", "00100000-3ffdffff : System RAM\n"
		     "  20000000-2fffffff : Crash kernel\n");
	o.flags = BATON_LOAD_CRASH;
	expect_error(m, &o, EINVAL, "multiboot2-x86: ");
	o.flags = 0;
	o.initrd = mods[1];
	expect_error(m, &o, EINVAL, "takes no --initrd (pass it as a --module)");
	o.initrd = NULL;
	o.flags = BATON_LOAD_DTB;
	o.dtb = mods[1];
	expect_error(m, &o, EINVAL, "a multiboot2-x86 kernel takes no device tree (SETUP_DTB needs "
		     "a zero page: bzImage)");
	machine_free(m);
}


/* A vmlinux on QEMU's 1 GiB map with an initrd and a 1 MiB initrd. */
static struct machine *elf_machine(const struct fx_vmlinux *spec, size_t initrd_size)
{
	struct machine *m = machine(FIXTURES "/qemu-1g.memmap", "fpu pdpe1gb",
				    fx_bzimage_defaults(), initrd_size);
	size_t size;
	uint8_t *img = fx_vmlinux_build(spec, &size);

	fx_write(m->root, "boot/vmlinux", img, size);
	free(img);
	snprintf(m->kernel, sizeof(m->kernel), "%s/boot/vmlinux", m->root);
	return m;
}

/* Each PT_LOAD at its physical address with its bytes (the first reaching the second: the gap is
 * the kernel's), the zero page with the synthesised header (2.12, HdrS, the image's address and
 * span), the command line and initrd where it says, entered at e_entry with RSI = the zero page;
 * every region's digest matches the loaded bytes. */
static void elf_vmlinux_plan_on_qemu_1g(void **state)
{
	(void)state;
	struct fx_vmlinux spec = fx_vmlinux_defaults();
	struct machine *m = elf_machine(&spec, 1 << 20);
	struct baton_load_opts o = { .kernel = m->kernel, .initrd = m->initrd,
				     .cmdline = "console=ttyS0 root=/dev/ram0" };
	struct baton_image img;
	const struct baton_params *p;
	const struct boot_params *bp;
	const struct baton_segment *bs, *rd;

	prepare_ok_mb(m, &o, &img);
	p = params_of(&img);
	assert_int_equal(baton_verify_params(p), BATON_PARAMS_OK);
	assert_string_equal(img.segs.seg[0].name, "kernel");
	assert_int_equal(img.segs.seg[0].mem, 0x1000000);
	assert_int_equal(img.segs.seg[0].memsz, 0x205000);
	assert_int_equal(img.segs.seg[1].mem, 0x1205000);
	assert_int_equal(img.segs.seg[1].memsz, 0x5000);
	assert_int_equal(img.segs.seg[2].mem, 0x120a000);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(img.segs.seg[i].bufsz, 0x3000);
		assert_memory_equal(img.segs.seg[i].buf,
				    (const uint8_t *)img.in.kernel_file.data + 0x1000 + i * 0x3000,
				    0x3000);
	}
	bs = seg_of(&img, BATON_SEG_BOOT_INFO);
	rd = seg_of(&img, BATON_SEG_INITRD);
	assert_string_equal(bs->name, "boot_params");
	assert_int_equal(p->exit_mode, BATON_EXIT_LONG64);
	assert_int_equal(p->exit_entry, 0x1000000);
	assert_int_equal(img.kernel_entry, 0x1000000);
	assert_int_equal(img.exit_mode, BATON_EXIT_LONG64);
	for (int r = 0; r < BATON_EXIT_NR_REGS; r++)
		assert_int_equal(p->exit_regs[r], r == BATON_EXIT_RSI ? bs->mem : 0);
	assert_int_equal(p->nr_regions, 7);   /* 3 loads, initrd, zero page, tables, purgatory */
	for (uint32_t i = 0; i < p->nr_regions; i++) {
		uint8_t d[32];
		fx_tree_root(at_phys(&img, p->regions[i].start, p->regions[i].size),
			     p->regions[i].size, p->digest_chunk, d);
		assert_memory_equal(d, p->regions[i].sha256, 32);
	}
	bp = bs->buf;
	assert_memory_equal(&bp->hdr.header, "HdrS", 4);
	assert_int_equal(bp->hdr.boot_flag, 0xaa55);
	assert_int_equal(bp->hdr.version, 0x020c);
	assert_int_equal(bp->hdr.type_of_loader, TYPE_OF_LOADER_UNDEFINED);
	assert_int_equal(bp->hdr.loadflags, LOADFLAG_LOADED_HIGH);   /* no KASLR_FLAG: not done */
	assert_int_equal(bp->hdr.code32_start, 0x1000000);
	assert_int_equal(bp->hdr.pref_address, 0x1000000);
	assert_int_equal(bp->hdr.init_size, 0x20f000);
	assert_int_equal(bp->hdr.kernel_alignment, 0x200000);
	assert_int_equal(bp->hdr.cmdline_size, 2047);
	assert_int_equal(bp->hdr.cmd_line_ptr, bs->mem + 4096);
	assert_string_equal((const char *)bs->buf + 4096, "console=ttyS0 root=/dev/ram0");
	assert_int_equal(bp->hdr.ramdisk_image, rd->mem);
	assert_int_equal(bp->hdr.ramdisk_size, 1 << 20);
	assert_true(rd->mem + rd->memsz <= 0x80000000);
	assert_int_equal(bp->e820_entries, img.in.memmap.nr);
	assert_int_not_equal(img.timing, 0);
	baton_image_free(&img);
	machine_free(m);
}

/* The IP checksum over the whole block: 0 when b_checksum is right. */
static uint16_t fold_sum(const uint8_t *b, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i < n; i += 2)
		sum += baton_le16(b + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* --args-elf: the ELF boot notes kexec-tools hands an ELF (name, version, command line), with a
 * valid checksum, in RDI; --args-none: no boot information at all, no register. */
static void elf_notes_and_no_arguments(void **state)
{
	(void)state;
	struct fx_vmlinux spec = fx_vmlinux_defaults();
	struct machine *m;
	struct baton_load_opts o = { .cmdline = "hello world", .flags = BATON_LOAD_ARGS_ELF };
	struct baton_image img;
	const struct baton_params *p;
	const struct baton_segment *bs;
	const uint8_t *n;

	spec.linux_note = 3;
	m = elf_machine(&spec, 0);
	o.kernel = m->kernel;
	o.flags = 0;                          /* not Linux: the notes by default */
	prepare_ok_mb(m, &o, &img);
	p = params_of(&img);
	bs = seg_of(&img, BATON_SEG_BOOT_INFO);
	assert_string_equal(bs->name, "elf_notes");
	assert_int_equal(p->exit_regs[BATON_EXIT_RDI], bs->mem);
	assert_int_equal(p->exit_regs[BATON_EXIT_RSI], 0);
	n = bs->buf;
	assert_int_equal(baton_le32(n), 0x0E1FB007);
	assert_int_equal(baton_le32(n + 4), 16 + 20 + 20 + 24);
	assert_int_equal(baton_le16(n + 10), 3);
	assert_int_equal(fold_sum(n, baton_le32(n + 4)), 0);
	assert_int_equal(baton_le32(n + 16 + 8), 2);             /* EBN_BOOTLOADER_NAME */
	assert_string_equal((const char *)n + 16 + 12, "baton");
	assert_int_equal(baton_le32(n + 36 + 8), 3);             /* EBN_BOOTLOADER_VERSION */
	assert_int_equal(baton_le32(n + 56 + 4), 12);
	assert_int_equal(baton_le32(n + 56 + 8), 4);             /* EBN_COMMAND_LINE */
	assert_string_equal((const char *)n + 56 + 12, "hello world");
	assert_int_equal(img.timing, 0);
	baton_image_free(&img);

	o.flags = BATON_LOAD_ARGS_NONE;
	o.cmdline = NULL;
	prepare_ok_mb(m, &o, &img);
	p = params_of(&img);
	assert_null(baton_segments_get(&img.segs, BATON_SEG_BOOT_INFO));
	assert_int_equal(img.segs.nr, 5);                        /* 3 loads, tables, purgatory */
	assert_int_equal(p->nr_regions, 5);
	for (int r = 0; r < BATON_EXIT_NR_REGS; r++)
		assert_int_equal(p->exit_regs[r], 0);
	assert_int_equal(p->exit_entry, 0x1000000);
	baton_image_free(&img);
	machine_free(m);
}

/* What an ELF cannot be given is refused in one line, before anything is built. */
static void elf_refusals(void **state)
{
	(void)state;
	struct fx_vmlinux spec = fx_vmlinux_defaults();
	struct machine *m = elf_machine(&spec, 4096);
	struct baton_load_opts o = { .kernel = m->kernel, .initrd = m->initrd,
				     .flags = BATON_LOAD_ARGS_ELF };
	char bz[4300];

	expect_error(m, &o, EINVAL, "--args-elf passes no initrd (only --args-linux does)");
	o.flags = BATON_LOAD_ARGS_NONE;
	expect_error(m, &o, EINVAL, "--args-none passes no initrd");
	o.initrd = NULL;
	o.cmdline = "quiet";
	expect_error(m, &o, EINVAL, "--args-none passes no command line");
	o.cmdline = NULL;
	o.flags = BATON_LOAD_ARGS_LINUX | BATON_LOAD_ARGS_ELF;
	expect_error(m, &o, EINVAL, "one of --args-linux, --args-elf and --args-none");
	o.flags = BATON_LOAD_ENTRY;
	o.entry = 0x1300000;
	expect_error(m, &o, ENOEXEC, "--entry 0x1300000 is in no PT_LOAD's physical range");
	o.flags = BATON_LOAD_ENTRY_32BIT;
	expect_error(m, &o, EINVAL, "--entry-32bit is a bzImage's protocol");
	o.flags = BATON_LOAD_CRASH;
	fx_write_str(m->root, "proc/iomem", "00100000-3ffdffff : System RAM\n"
		     "  20000000-2fffffff : Crash kernel\n");
	expect_error(m, &o, EINVAL, "elf-x86_64: ");
	/* a bzImage takes neither --entry nor --args-* */
	snprintf(bz, sizeof(bz), "%s/boot/vmlinuz", m->root);
	o.kernel = bz;
	o.flags = BATON_LOAD_ARGS_LINUX;
	expect_error(m, &o, EINVAL, "bzImage: ");
	machine_free(m);
	/* the entry point outside the image (a virtual e_entry) */
	spec.entry = 0xffffffff81000000ull;
	m = elf_machine(&spec, 0);
	o = (struct baton_load_opts){ .kernel = m->kernel };
	expect_error(m, &o, ENOEXEC, "entry point 0xffffffff81000000 is in no PT_LOAD's physical "
		     "range");
	machine_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(qemu_1g_with_initrd),
		cmocka_unit_test(no_initrd_and_no_cmdline),
		cmocka_unit_test(entry32_and_serial_reach_the_purgatory),
		cmocka_unit_test(big_initrd_goes_above_4g),
		cmocka_unit_test(refusals_name_the_problem),
		cmocka_unit_test(confidential_guests_are_refused),
		cmocka_unit_test(no_memory_map_is_refused),
		cmocka_unit_test(same_inputs_same_plan),
		cmocka_unit_test(plain_sha256_only_when_asked),
		cmocka_unit_test(more_than_128_ranges_round_trip_through_e820_ext),
		cmocka_unit_test(uefi_machine_gets_runtime_map_and_setup_efi),
		cmocka_unit_test(crash_image_lives_in_the_crash_region),
		cmocka_unit_test(crash_without_region_is_refused),
		cmocka_unit_test(crash_hotplug_sizes_and_exempts_the_core_header),
		cmocka_unit_test(multiboot2_plan_on_qemu_1g),
		cmocka_unit_test(multiboot2_relocates_only_when_it_must),
		cmocka_unit_test(multiboot_v1_when_forced),
		cmocka_unit_test(multiboot_refusals),
		cmocka_unit_test(mem_bounds_hold_every_segment),
		cmocka_unit_test(dtb_rides_in_setup_data),
		cmocka_unit_test(crash_memmap_and_elf32),
		cmocka_unit_test(elf_vmlinux_plan_on_qemu_1g),
		cmocka_unit_test(elf_notes_and_no_arguments),
		cmocka_unit_test(elf_refusals),
		cmocka_unit_test(real_mode_puts_two_segments_low_and_fills_the_header),
		cmocka_unit_test(real_mode_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
