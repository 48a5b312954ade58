/* SPDX-License-Identifier: MIT */
/* The ELF core header the capture kernel's /proc/vmcore starts from (elfcorehdr=). */
#include "elfcore.h"

#include <elf.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* The class being written: ELF64, or ELF32 for --elf32-core-headers. */
struct writer {
	uint8_t *buf;
	size_t n;        /* program headers written */
	int elf32;
};

static size_t ehdr_size(int elf32)
{
	return elf32 ? sizeof(Elf32_Ehdr) : sizeof(Elf64_Ehdr);
}

static size_t phdr_size(int elf32)
{
	return elf32 ? sizeof(Elf32_Phdr) : sizeof(Elf64_Phdr);
}

/* ELF32 fields were checked to fit (check32), but a virtual address above 4 GiB, which no
 * 32-bit field holds, reads 0: unknown. */
static void put_phdr(struct writer *w, uint32_t type, uint64_t offset, uint64_t vaddr,
		     uint64_t paddr, uint64_t size)
{
	uint32_t flags = type == PT_LOAD ? PF_R | PF_W | PF_X : 0;
	uint8_t *at = w->buf + ehdr_size(w->elf32) + w->n++ * phdr_size(w->elf32);

	if (w->elf32) {
		Elf32_Phdr ph = {
			.p_type = type, .p_offset = (uint32_t)offset,
			.p_vaddr = vaddr > UINT32_MAX ? 0 : (uint32_t)vaddr,
			.p_paddr = (uint32_t)paddr, .p_filesz = (uint32_t)size,
			.p_memsz = (uint32_t)size, .p_flags = flags, .p_align = 0,
		};
		memcpy(at, &ph, sizeof(ph));
		return;
	}
	Elf64_Phdr ph = {
		.p_type = type, .p_flags = flags, .p_offset = offset, .p_vaddr = vaddr,
		.p_paddr = paddr, .p_filesz = size, .p_memsz = size, .p_align = 0,
	};
	memcpy(at, &ph, sizeof(ph));
}

static void put_ehdr(struct writer *w, size_t phnum)
{
	unsigned char ident[EI_NIDENT] = { 0 };

	memcpy(ident, ELFMAG, SELFMAG);
	ident[EI_CLASS] = w->elf32 ? ELFCLASS32 : ELFCLASS64;
	ident[EI_DATA] = ELFDATA2LSB;
	ident[EI_VERSION] = EV_CURRENT;
	ident[EI_OSABI] = ELFOSABI_NONE;   /* Linux's ELF_OSABI on x86 */
	if (w->elf32) {
		Elf32_Ehdr eh = {
			.e_type = ET_CORE, .e_machine = EM_X86_64, .e_version = EV_CURRENT,
			.e_phoff = sizeof(Elf32_Ehdr), .e_ehsize = sizeof(Elf32_Ehdr),
			.e_phentsize = sizeof(Elf32_Phdr), .e_phnum = (uint16_t)phnum,
		};
		memcpy(eh.e_ident, ident, sizeof(ident));
		memcpy(w->buf, &eh, sizeof(eh));
		return;
	}
	Elf64_Ehdr eh = {
		.e_type = ET_CORE, .e_machine = EM_X86_64, .e_version = EV_CURRENT,
		.e_phoff = sizeof(Elf64_Ehdr), .e_ehsize = sizeof(Elf64_Ehdr),
		.e_phentsize = sizeof(Elf64_Phdr), .e_phnum = (uint16_t)phnum,
	};
	memcpy(eh.e_ident, ident, sizeof(ident));
	memcpy(w->buf, &eh, sizeof(eh));
}

/* An ELF32 header holds [addr, addr + size) only below 4 GiB. */
static int check32(const char *what, uint64_t addr, uint64_t size, struct baton_error *err)
{
	if (addr <= UINT32_MAX && size <= UINT32_MAX && addr + size <= (uint64_t)UINT32_MAX + 1)
		return 0;
	return baton_fail(err, ERANGE, "crash: elfcorehdr: %s 0x%" PRIx64 "-0x%" PRIx64 " lies "
			  "above 4 GiB: an ELF32 core header cannot describe it (use ELF64, the "
			  "default)", what, addr, addr + size - 1);
}

/* Everything an ELF32 header would hold, checked before anything is written. */
static int check_elf32(const struct baton_crash_info *info, const struct baton_elfcore_opts *opts,
		       const struct baton_ranges *loads, struct baton_error *err)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < info->nr_notes; i++)
		rc = check32("CPU note", info->notes[i].addr, info->notes[i].size, err);
	if (!rc)
		rc = check32("VMCOREINFO", info->vmcoreinfo_addr, info->vmcoreinfo_size, err);
	if (!rc)
		rc = check32("kernel text", info->text_paddr, info->text_size, err);
	if (!rc && opts->backup_size)
		rc = check32("backup copy", opts->backup_dst, opts->backup_size, err);
	for (size_t i = 0; !rc && i < loads->nr; i++)
		rc = check32("System RAM", loads->v[i].start, loads->v[i].end - loads->v[i].start,
			     err);
	return rc;
}

/* The dumped RAM: System RAM minus the excluded ranges, split at the backup source's bounds. */
static int dump_ranges(const struct baton_crash_info *info, const struct baton_elfcore_opts *opts,
		       struct baton_ranges *out, struct baton_error *err)
{
	struct baton_ranges cut, pieces = { 0 };
	uint64_t bs = opts->backup_src, be = opts->backup_src + opts->backup_size;
	int rc = baton_ranges_normalize(&cut, opts->exclude, opts->nr_exclude, err);

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; !rc && i < info->ram.nr; i++)
		if (info->ram.ranges[i].kind == BATON_MEM_RAM)
			rc = baton_ranges_subtract(&pieces, info->ram.ranges[i].start,
					     info->ram.ranges[i].end, &cut, err);
	for (size_t i = 0; !rc && i < pieces.nr; i++) {
		uint64_t s = pieces.v[i].start, e = pieces.v[i].end;

		if (opts->backup_size && s < be && bs < e) {
			if (s < bs && (rc = baton_ranges_add(out, s, bs, err)))
				break;
			if ((rc = baton_ranges_add(out, s > bs ? s : bs, e < be ? e : be, err)))
				break;
			s = e < be ? e : be;
		}
		if (s < e)
			rc = baton_ranges_add(out, s, e, err);
	}
	baton_ranges_free(&cut);
	baton_ranges_free(&pieces);
	if (rc) {
		baton_ranges_free(out);
	}
	return rc;
}

int baton_elfcore_build(const struct baton_crash_info *info, const struct baton_elfcore_opts *opts,
			uint8_t **out, size_t *size, struct baton_error *err)
{
	uint64_t bs = opts->backup_src, be = bs + opts->backup_size, backed = 0;
	struct baton_ranges loads;
	struct writer w = { NULL, 0, opts->elf32 };
	size_t phnum;
	uint8_t *buf;
	int rc;

	*out = NULL;
	*size = 0;
	if (!info->nr_notes || !info->vmcoreinfo_size || !info->text_size)
		return baton_fail(err, EINVAL, "crash: elfcorehdr: no CPU notes, VMCOREINFO or"
				  " kernel text to describe");
	if (opts->backup_size && (be < bs || !opts->backup_dst ||
				  opts->backup_dst + opts->backup_size < opts->backup_dst))
		return baton_fail(err, EINVAL, "crash: elfcorehdr: bad backup 0x%" PRIx64 "+0x%"
				  PRIx64 " -> 0x%" PRIx64, bs, opts->backup_size, opts->backup_dst);
	if ((rc = dump_ranges(info, opts, &loads, err)))
		goto out;
	for (size_t i = 0; i < loads.nr; i++)
		if (opts->backup_size && loads.v[i].start >= bs && loads.v[i].end <= be)
			backed += loads.v[i].end - loads.v[i].start;
	if (backed != opts->backup_size) {
		rc = baton_fail(err, EINVAL, "crash: elfcorehdr: backup source 0x%" PRIx64 "-0x%"
				PRIx64 " is not all dumped System RAM", bs, be - 1);
		goto out;
	}
	phnum = info->nr_notes + 2 + loads.nr;
	if (opts->elf32 && (rc = check_elf32(info, opts, &loads, err)))
		goto out;
	if (phnum >= PN_XNUM) {
		rc = baton_fail(err, E2BIG, "crash: elfcorehdr: %zu program headers: more than"
				" e_phnum holds (%d)", phnum, PN_XNUM - 1);
		goto out;
	}
	*size = (ehdr_size(opts->elf32) + phnum * phdr_size(opts->elf32) + BATON_ELFCORE_ALIGN - 1) &
		~(size_t)(BATON_ELFCORE_ALIGN - 1);
	if (!(buf = calloc(1, *size))) {
		rc = baton_fail(err, ENOMEM, "crash: elfcorehdr: out of memory for %zu bytes",
				*size);
		*size = 0;
		goto out;
	}
	w.buf = buf;
	put_ehdr(&w, phnum);
	for (size_t i = 0; i < info->nr_notes; i++)
		put_phdr(&w, PT_NOTE, info->notes[i].addr, 0, info->notes[i].addr,
			 info->notes[i].size);
	put_phdr(&w, PT_NOTE, info->vmcoreinfo_addr, 0, info->vmcoreinfo_addr,
		 info->vmcoreinfo_size);
	put_phdr(&w, PT_LOAD, info->text_paddr, info->text_vaddr, info->text_paddr,
		 info->text_size);
	for (size_t i = 0; i < loads.nr; i++) {
		uint64_t s = loads.v[i].start;
		int backup = opts->backup_size && s >= bs && loads.v[i].end <= be;

		put_phdr(&w, PT_LOAD, backup ? opts->backup_dst + (s - bs) : s,
			 info->page_offset + s, s, loads.v[i].end - s);
	}
	*out = buf;
out:
	baton_ranges_free(&loads);
	return rc;
}
