/* SPDX-License-Identifier: MIT */
/* ELF images for x86-64 (elf-x86_64, kexec-tools' name): every PT_LOAD at its physical address,
 * entered in 64-bit mode on baton's identity map at the ELF entry (or --entry). What the kernel is
 * handed is kexec-tools' --args-*: a Linux vmlinux gets boot_params through the 64-bit boot
 * protocol (RSI), any other ELF the ELF boot notes with its command line (RDI), or nothing. */
#include "format.h"

#include <stdio.h>
#include <string.h>

#include "inputs.h"
#include "le.h"
#include "linux_boot.h"

#define XEN_ELFNOTE_GUEST_OS 6

/* x86's COMMAND_LINE_SIZE (2048 since Linux 2.6.x), less the NUL: what a bzImage's cmdline_size
 * says for the same kernel, and the limit kexec-tools keeps for an ELF. */
#define ELF_CMDLINE_MAX 2047
/* The setup header a vmlinux lacks claims 2.12: the oldest protocol with every field baton fills
 * (setup_data 2.09, ext_ramdisk_image and ext_cmd_line_ptr 2.12). */
#define ELF_LINUX_PROTOCOL 0x020c
/* As a bzImage says it (protocol 2.03+): the initrd below 2 GiB first. */
#define ELF_INITRD_ADDR_MAX 0x7fffffffu

/* Where x86-64's physical addresses end (52 bits): no PT_LOAD reaches past it. */
#define ELF_PHYS_MAX (1ULL << 52)

enum elf_args { ARGS_LINUX, ARGS_ELF, ARGS_NONE };

#define ELF_BOOT_MAGIC 0x0E1FB007u
enum { EBN_BOOTLOADER_NAME = 2, EBN_BOOTLOADER_VERSION = 3, EBN_COMMAND_LINE = 4 };

static uint64_t page_round(uint64_t v)
{
	return (v + BATON_PAGE_SIZE - 1) & ~(BATON_PAGE_SIZE - 1);
}

/* An ELF64 x86-64 executable: the magic, class and machine (parse says what else is wrong). */
static int elf_probe(const uint8_t *data, size_t size)
{
	return size >= 20 && data[0] == 0x7f && data[1] == 'E' && data[2] == 'L' && data[3] == 'F' &&
	       data[4] == BATON_ELF_64 && baton_le16(data + 18) == 62;
}

static int elf_parse(const uint8_t *data, size_t size, const char *file, struct baton_kernel *out,
		     struct baton_error *err)
{
	struct baton_elf_kernel *ek = &out->elf;
	int rc = baton_elf_load_parse(&ek->elf, data, size, file, err);

	if (rc)
		return rc;
	if (ek->elf.elf_class != BATON_ELF_64) {
		memset(ek, 0, sizeof(*ek));
		return baton_fail(err, ENOEXEC, "elf: %s: an ELF32 (i386) image; elf-x86_64 takes "
				  "ELF64 x86-64 executables", file);
	}
	for (size_t i = 0; i < ek->elf.nr_loads; i++) {
		unsigned long long paddr = ek->elf.loads[i].paddr, memsz = ek->elf.loads[i].memsz;

		if (paddr & (BATON_PAGE_SIZE - 1)) {
			memset(ek, 0, sizeof(*ek));
			return baton_fail(err, ENOEXEC, "elf: %s: PT_LOAD %zu at 0x%llx is not page "
					  "aligned", file, i, paddr);
		}
		if (paddr >= ELF_PHYS_MAX || memsz > ELF_PHYS_MAX - paddr) {
			memset(ek, 0, sizeof(*ek));
			return baton_fail(err, ENOEXEC, "elf: %s: PT_LOAD %zu at 0x%llx+0x%llx ends "
					  "past x86-64's 52-bit physical address space", file, i,
					  paddr, memsz);
		}
	}
	ek->linux_kernel = baton_elf_has_note(&ek->elf, data, "Linux", -1, NULL, 0) ||
			   baton_elf_has_note(&ek->elf, data, "Xen", XEN_ELFNOTE_GUEST_OS, "linux", 6);
	return 0;
}

/* kexec-tools' --args-*, or the default for the image. At most one is set (the library refuses
 * more in plan). */
static enum elf_args args_of(const struct baton_format_ctx *ctx)
{
	unsigned f = ctx->opts->flags;

	if (f & BATON_LOAD_ARGS_NONE)
		return ARGS_NONE;
	if (f & BATON_LOAD_ARGS_ELF)
		return ARGS_ELF;
	if (f & BATON_LOAD_ARGS_LINUX)
		return ARGS_LINUX;
	return ctx->in->kernel.elf.linux_kernel ? ARGS_LINUX : ARGS_ELF;
}

static uint64_t entry_of(const struct baton_format_ctx *ctx)
{
	return (ctx->opts->flags & BATON_LOAD_ENTRY) ? ctx->opts->entry
						       : ctx->in->kernel.elf.elf.entry;
}

/* The entry must be a byte the image loads: e_entry is physical for a vmlinux (its linker script
 * says ENTRY(phys_startup_64)), and kexec-tools jumps to it as it is; a virtual one is refused
 * here rather than jumped to. */
static int check_entry(const struct baton_format_ctx *ctx, struct baton_error *err)
{
	const struct baton_elf_image *elf = &ctx->in->kernel.elf.elf;
	uint64_t entry = entry_of(ctx);

	for (size_t i = 0; i < elf->nr_loads; i++)
		if (entry >= elf->loads[i].paddr && entry - elf->loads[i].paddr < elf->loads[i].memsz)
			return 0;
	return baton_fail(err, ENOEXEC, "elf: %s: %s 0x%llx is in no PT_LOAD's physical range",
			  ctx->opts->kernel, (ctx->opts->flags & BATON_LOAD_ENTRY) ? "--entry"
										: "entry point",
			  (unsigned long long)entry);
}

static int check_args(const struct baton_format_ctx *ctx, struct baton_error *err)
{
	const struct baton_load_opts *opts = ctx->opts;
	unsigned styles = opts->flags & (BATON_LOAD_ARGS_LINUX | BATON_LOAD_ARGS_ELF |
					 BATON_LOAD_ARGS_NONE);
	enum elf_args args = args_of(ctx);

	if (styles & (styles - 1))
		return baton_fail(err, EINVAL, "elf: %s: one of --args-linux, --args-elf and "
				  "--args-none, not several", opts->kernel);
	if (ctx->in->nr_modules)
		return baton_fail(err, EINVAL, "elf: %s: takes no --module (a multiboot kernel does)",
				  opts->kernel);
	if (opts->flags & BATON_LOAD_ENTRY_32BIT)
		return baton_fail(err, EINVAL, "elf: %s: --entry-32bit is a bzImage's protocol; an "
				  "ELF image is entered in 64-bit mode", opts->kernel);
	if (args != ARGS_LINUX && ctx->in->initrd_file.size)
		return baton_fail(err, EINVAL, "elf: %s: --args-%s passes no initrd (only "
				  "--args-linux does)", opts->kernel, args == ARGS_ELF ? "elf" : "none");
	if (args == ARGS_NONE && opts->cmdline && *opts->cmdline)
		return baton_fail(err, EINVAL, "elf: %s: --args-none passes no command line",
				  opts->kernel);
	return check_entry(ctx, err);
}

/* The lowest PT_LOAD address above `paddr`, 0 for none. */
static uint64_t next_paddr(const struct baton_elf_image *elf, uint64_t paddr)
{
	uint64_t next = 0;

	for (size_t i = 0; i < elf->nr_loads; i++)
		if (elf->loads[i].paddr > paddr && (!next || elf->loads[i].paddr < next))
			next = elf->loads[i].paddr;
	return next;
}

/* Each PT_LOAD exactly where it says (a vmlinux runs where it is linked; nothing relocates it),
 * then for Linux the initrd, below initrd_addr_max first, as for a bzImage. A vmlinux's gaps
 * between PT_LOADs are its own (it reserves _text to _end and later frees the rodata/data gap
 * itself): each load reaches the next, zeroed, so that nothing else is placed there. */
static int elf_plan(const struct baton_format_ctx *ctx, struct baton_format_plan *out,
		    struct baton_error *err)
{
	const struct baton_elf_image *elf = &ctx->in->kernel.elf.elf;
	const struct baton_file *f = &ctx->in->kernel_file;
	const struct baton_file *initrd = &ctx->in->initrd_file;
	const struct baton_placer *pl = &ctx->placer;
	enum elf_args args = args_of(ctx);
	int rc = check_args(ctx, err);

	for (size_t i = 0; !rc && i < elf->nr_loads; i++) {
		const struct baton_elf_load *l = &elf->loads[i];

		uint64_t memsz = l->memsz, next = next_paddr(elf, l->paddr);

		if (!memsz)
			continue;
		if (ctx->in->kernel.elf.linux_kernel && next > l->paddr + memsz)
			memsz = next - l->paddr;
		struct baton_seg_load ld = {
			BATON_SEG_KERNEL, f->data + l->offset, l->filesz, memsz,
			baton_seg_at(l->paddr, page_round(memsz)), ctx->opts->kernel,
			" (at its physical address)",
		};
		rc = baton_format_load(ctx, &ld, NULL, err);
	}
	if (!rc && initrd->size) {
		struct baton_segment *rd;

		rc = baton_segments_add(ctx->segs, BATON_SEG_INITRD, NULL, &rd, err);
		if (rc)
			return rc;
		rd->memsz = page_round(initrd->size);
		struct baton_seg_place low = { BATON_PAGE_SIZE, 0, (uint64_t)ELF_INITRD_ADDR_MAX + 1,
					       BATON_PLACE_HIGHEST, 0 };
		struct baton_seg_place any = { BATON_PAGE_SIZE, 0, UINT64_MAX, BATON_PLACE_HIGHEST,
					       1 };
		/* A 64-bit kernel reads ext_ramdisk_image: anywhere, when nothing fits low. */
		if (pl->place(pl->ctx, rd, &low) && pl->place(pl->ctx, rd, &any))
			return pl->no_room(pl->ctx, rd, ctx->opts->initrd, "", err);
		rd->buf = initrd->data;
		rd->bufsz = initrd->size;
	}
	out->cmdline_max = ELF_CMDLINE_MAX;
	out->cmdline_max_field = "x86's COMMAND_LINE_SIZE";
	out->boot_info_name = args == ARGS_LINUX ? "boot_params" : "elf_notes";
	return rc;
}

/* The setup header a bzImage would carry, for a vmlinux that has none: what the kernel reads of it
 * after the decompressor (version, loadflags, the initrd's limit) and what describes the image
 * (its alignment, address and span); the rest zero, as for a 64-bit kernel it is unused. */
static void linux_header(const struct baton_elf_image *elf, struct setup_header *h)
{
	const struct baton_elf_load *first = &elf->loads[0], *last = &elf->loads[0];

	for (size_t i = 1; i < elf->nr_loads; i++) {
		if (elf->loads[i].paddr < first->paddr)
			first = &elf->loads[i];
		if (elf->loads[i].paddr + elf->loads[i].memsz > last->paddr + last->memsz)
			last = &elf->loads[i];
	}
	memset(h, 0, sizeof(*h));
	h->boot_flag = 0xaa55;
	memcpy(&h->header, "HdrS", 4);
	h->version = ELF_LINUX_PROTOCOL;
	h->loadflags = LOADFLAG_LOADED_HIGH;
	h->initrd_addr_max = ELF_INITRD_ADDR_MAX;
	h->kernel_alignment = first->align > BATON_PAGE_SIZE ? (uint32_t)first->align
							     : BATON_PAGE_SIZE;
	h->xloadflags = BATON_XLF_KERNEL_64;
	h->cmdline_size = ELF_CMDLINE_MAX;
	h->pref_address = first->paddr;
	h->init_size = (uint32_t)(page_round(last->paddr + last->memsz) - first->paddr);
}

/* The ELF boot notes kexec-tools hands an ELF (include/boot/elf_boot.h): a header, then the boot
 * loader's name and version and the command line as notes with no name, checksummed as IP does. */
static uint16_t ip_checksum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i < len; i += 2) {
		sum += (uint32_t)p[i] | (i + 1 < len ? (uint32_t)p[i + 1] << 8 : 0);
		if (sum > 0xffff)
			sum -= 0xffff;
	}
	return (uint16_t)~sum;
}

static size_t add_note(uint8_t *buf, size_t at, uint32_t type, const char *desc, size_t len)
{
	if (buf) {
		baton_put_le32(buf + at, 0);                /* n_namesz: a standard note */
		baton_put_le32(buf + at + 4, (uint32_t)len);
		baton_put_le32(buf + at + 8, type);
		memcpy(buf + at + 12, desc, len);
	}
	return at + 12 + ((len + 3) & ~(size_t)3);
}

static void elf_notes(const char *cmdline, size_t cmdline_len, struct baton_boot_info *bi)
{
	static const char name[] = "baton", version[] = BATON_VERSION;
	uint8_t *b = bi->buf;
	size_t at = 16;

	at = add_note(b, at, EBN_BOOTLOADER_NAME, name, sizeof(name));
	at = add_note(b, at, EBN_BOOTLOADER_VERSION, version, sizeof(version));
	at = add_note(b, at, EBN_COMMAND_LINE, cmdline, cmdline_len + 1);
	if (b) {
		baton_put_le32(b, ELF_BOOT_MAGIC);
		baton_put_le32(b + 4, (uint32_t)at);
		baton_put_le16(b + 10, 3);                  /* b_records */
		baton_put_le16(b + 8, ip_checksum(b, at));  /* over the rest, b_checksum 0 */
	}
	bi->size = at;
}

static int elf_boot_info(const struct baton_format_ctx *ctx, struct baton_boot_info *bi,
			 struct baton_error *err)
{
	struct setup_header h;

	switch (args_of(ctx)) {
	case ARGS_LINUX:
		linux_header(&ctx->in->kernel.elf.elf, &h);
		return baton_linux_boot_info(ctx, (const uint8_t *)&h, sizeof(h), bi, err);
	case ARGS_ELF:
		elf_notes(bi->cmdline, bi->cmdline_len, bi);
		return 0;
	case ARGS_NONE:
		break;
	}
	bi->size = 0;
	return 0;
}

/* 64-bit, on baton's identity map: Linux's 64-bit boot protocol (RSI = boot_params), the ELF
 * convention kexec-tools' x86-64 loader uses (RDI = the notes), or no register at all. */
static void elf_exit(const struct baton_format_ctx *ctx, uint64_t boot_info, struct baton_exit *out)
{
	*out = (struct baton_exit){ .mode = BATON_EXIT_LONG64, .entry = entry_of(ctx) };
	switch (args_of(ctx)) {
	case ARGS_LINUX:
		out->regs[BATON_EXIT_RSI] = boot_info;
		break;
	case ARGS_ELF:
		out->regs[BATON_EXIT_RDI] = boot_info;
		break;
	case ARGS_NONE:
		break;
	}
}

static void elf_version(const struct baton_kernel *k, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s", k->elf.linux_kernel ? "ELF64 Linux" : "ELF64");
}

/* What it is handed shows in the boot information's name (the plan chose it). */
static void elf_describe(const struct baton_kernel *k, const struct baton_segments *segs,
			 char *buf, size_t cap)
{
	const struct baton_segment *bi = baton_segments_get(segs, BATON_SEG_BOOT_INFO);
	const char *args = !bi ? "no arguments"
		: !strcmp(bi->name, "boot_params") ? "Linux boot_params (64-bit boot protocol)"
		: "ELF boot notes";

	snprintf(buf, cap, "%s, %zu PT_LOADs at their addresses, %s",
		 k->elf.linux_kernel ? "ELF64 vmlinux" : "ELF64", k->elf.elf.nr_loads, args);
}

const struct baton_format baton_format_elf_x86_64 = {
	.name = "elf-x86_64",
	.boot_info_name = "boot_params",
	.probe = elf_probe,
	.parse = elf_parse,
	.plan = elf_plan,
	.boot_info = elf_boot_info,
	.exit = elf_exit,
	.version = elf_version,
	.describe = elf_describe,
	.no_file_load = 1,   /* x86's kexec_file_load takes bzImages only */
	.no_crash = 1,
	.elf_args = 1,
};
