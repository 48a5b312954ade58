/* SPDX-License-Identifier: MIT */
/* The ELF core header the capture kernel's /proc/vmcore starts from (elfcorehdr=). */
#include "elfcore.h"

#include <elf.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static void put_phdr(uint8_t *buf, size_t *n, uint32_t type, uint64_t offset, uint64_t vaddr,
		     uint64_t paddr, uint64_t size)
{
	Elf64_Phdr ph = {
		.p_type = type,
		.p_flags = type == PT_LOAD ? PF_R | PF_W | PF_X : 0,
		.p_offset = offset,
		.p_vaddr = vaddr,
		.p_paddr = paddr,
		.p_filesz = size,
		.p_memsz = size,
		.p_align = 0,
	};

	memcpy(buf + sizeof(Elf64_Ehdr) + *n * sizeof(ph), &ph, sizeof(ph));
	++*n;
}

static void put_ehdr(uint8_t *buf, size_t phnum)
{
	Elf64_Ehdr eh = {
		.e_type = ET_CORE,
		.e_machine = EM_X86_64,
		.e_version = EV_CURRENT,
		.e_phoff = sizeof(Elf64_Ehdr),
		.e_ehsize = sizeof(Elf64_Ehdr),
		.e_phentsize = sizeof(Elf64_Phdr),
		.e_phnum = (uint16_t)phnum,
	};

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_ident[EI_OSABI] = ELFOSABI_NONE;   /* Linux's ELF_OSABI on x86 */
	memcpy(buf, &eh, sizeof(eh));
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
	size_t phnum, n = 0;
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
	if (phnum >= PN_XNUM) {
		rc = baton_fail(err, E2BIG, "crash: elfcorehdr: %zu program headers: more than"
				" e_phnum holds (%d)", phnum, PN_XNUM - 1);
		goto out;
	}
	*size = (sizeof(Elf64_Ehdr) + phnum * sizeof(Elf64_Phdr) + BATON_ELFCORE_ALIGN - 1) &
		~(size_t)(BATON_ELFCORE_ALIGN - 1);
	if (!(buf = calloc(1, *size))) {
		rc = baton_fail(err, ENOMEM, "crash: elfcorehdr: out of memory for %zu bytes",
				*size);
		*size = 0;
		goto out;
	}
	put_ehdr(buf, phnum);
	for (size_t i = 0; i < info->nr_notes; i++)
		put_phdr(buf, &n, PT_NOTE, info->notes[i].addr, 0, info->notes[i].addr,
			 info->notes[i].size);
	put_phdr(buf, &n, PT_NOTE, info->vmcoreinfo_addr, 0, info->vmcoreinfo_addr,
		 info->vmcoreinfo_size);
	put_phdr(buf, &n, PT_LOAD, info->text_paddr, info->text_vaddr, info->text_paddr,
		 info->text_size);
	for (size_t i = 0; i < loads.nr; i++) {
		uint64_t s = loads.v[i].start;
		int backup = opts->backup_size && s >= bs && loads.v[i].end <= be;

		put_phdr(buf, &n, PT_LOAD, backup ? opts->backup_dst + (s - bs) : s,
			 info->page_offset + s, s, loads.v[i].end - s);
	}
	*out = buf;
out:
	baton_ranges_free(&loads);
	return rc;
}
