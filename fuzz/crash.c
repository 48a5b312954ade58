/* SPDX-License-Identifier: MIT */
/* Fuzz target: the crash facts (baton_crash_read: CPU list, crash_notes, vmcoreinfo, /proc/iomem,
 * the /proc/kcore ELF headers) from a fake root in /dev/shm, then the ELF core header and the
 * capture kernel's e820 built from them. The input is the files' bytes separated by "\n%%\n":
 * proc/iomem, cpu/possible, kernel/vmcoreinfo, proc/kcore, then crash_notes and crash_notes_size
 * of cpu0, cpu1, ... A missing part is a missing file. */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crash_map.h"
#include "crash_read.h"
#include "elfcore.h"
#include "fuzz.h"

#define SEP "\n%%\n"
#define CPUS 16
#define FIXED 4
#define PAGE 4096ULL

static char files[FIXED + 2 * CPUS][192];
static const char *root;

static void setup(void)
{
	static const char *const fixed[FIXED] = {
		"/proc/iomem", "/sys/devices/system/cpu/possible", "/sys/kernel/vmcoreinfo",
		"/proc/kcore",
	};
	char dir[256];

	root = fuzz_scratch("crash");
	for (int i = 0; i < FIXED; i++)
		snprintf(files[i], sizeof(files[i]), "%s%s", root, fixed[i]);
	snprintf(dir, sizeof(dir), "%s/proc", root);
	fuzz_mkdirs(dir);
	snprintf(dir, sizeof(dir), "%s/sys/kernel", root);
	fuzz_mkdirs(dir);
	for (int cpu = 0; cpu < CPUS; cpu++) {
		snprintf(dir, sizeof(dir), "%s/sys/devices/system/cpu/cpu%d", root, cpu);
		fuzz_mkdirs(dir);
		snprintf(files[FIXED + 2 * cpu], sizeof(files[0]), "%s/crash_notes", dir);
		snprintf(files[FIXED + 2 * cpu + 1], sizeof(files[0]), "%s/crash_notes_size", dir);
	}
}

static uint64_t overlap(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2)
{
	uint64_t s = s1 > s2 ? s1 : s2, e = e1 < e2 ? e1 : e2;

	return e > s ? e - s : 0;
}

static void check_info(const struct baton_crash_info *info)
{
	FUZZ_CHECK(info->nr_notes > 0, "no notes");
	for (size_t i = 0; i < info->nr_notes; i++) {
		const struct baton_crash_note *n = &info->notes[i];

		FUZZ_CHECK(n->cpu < BATON_CRASH_MAX_CPUS && (!i || n->cpu > n[-1].cpu),
			   "note %zu: cpu %u", i, n->cpu);
		FUZZ_CHECK(n->addr && n->size && n->addr + n->size > n->addr, "note %zu", i);
	}
	FUZZ_CHECK(info->vmcoreinfo_addr && info->vmcoreinfo_size, "vmcoreinfo");
	fuzz_check_memmap(&info->ram);
	FUZZ_CHECK(info->ram.nr > 0, "no RAM");
	for (size_t i = 0; i < info->ram.nr; i++)
		FUZZ_CHECK(info->ram.ranges[i].kind == BATON_MEM_RAM, "ram %zu: kind", i);
	FUZZ_CHECK(info->nr_crash >= 1 && info->nr_crash <= BATON_CRASH_MAX_REGIONS, "%zu regions",
		   info->nr_crash);
	for (size_t i = 0; i < info->nr_crash; i++)
		FUZZ_CHECK(info->crash[i].start < info->crash[i].end &&
			   (!i || info->crash[i - 1].end <= info->crash[i].start), "crash region %zu", i);
	FUZZ_CHECK(info->text_size > 0, "text_size");
	FUZZ_CHECK(info->page_offset >= 0xff00000000000000ULL, "page_offset 0x%llx",
		   (unsigned long long)info->page_offset);
}

/* Bytes of System RAM outside the crash regions: what the PT_LOADs after the text must cover. */
static uint64_t dumped_bytes(const struct baton_crash_info *info)
{
	uint64_t total = 0;

	for (size_t i = 0; i < info->ram.nr; i++) {
		const struct baton_mem_range *r = &info->ram.ranges[i];

		total += r->end - r->start;
		for (size_t c = 0; c < info->nr_crash; c++)
			total -= overlap(r->start, r->end, info->crash[c].start, info->crash[c].end);
	}
	return total;
}

static void check_elfcore(const struct baton_crash_info *info, const uint8_t *buf, size_t size)
{
	Elf64_Ehdr eh;
	uint64_t loaded = 0;
	size_t notes = 0;

	FUZZ_CHECK(size >= sizeof(eh) && size % BATON_ELFCORE_ALIGN == 0, "size %zu", size);
	memcpy(&eh, buf, sizeof(eh));
	FUZZ_CHECK(!memcmp(eh.e_ident, ELFMAG, SELFMAG) && eh.e_type == ET_CORE &&
		   eh.e_machine == EM_X86_64 && eh.e_phoff == sizeof(eh) &&
		   eh.e_phentsize == sizeof(Elf64_Phdr), "ELF header");
	FUZZ_CHECK(eh.e_phnum >= info->nr_notes + 2 &&
		   sizeof(eh) + (size_t)eh.e_phnum * sizeof(Elf64_Phdr) <= size, "e_phnum %u",
		   eh.e_phnum);
	for (size_t i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, buf + sizeof(eh) + i * sizeof(ph), sizeof(ph));
		FUZZ_CHECK(ph.p_filesz == ph.p_memsz && ph.p_memsz, "phdr %zu: size", i);
		if (ph.p_type == PT_NOTE) {
			FUZZ_CHECK(i == notes, "PT_NOTE %zu after a PT_LOAD", i);
			notes++;
			continue;
		}
		FUZZ_CHECK(ph.p_type == PT_LOAD, "phdr %zu: type %u", i, ph.p_type);
		if (i == notes)   /* the kernel text */
			continue;
		FUZZ_CHECK(ph.p_vaddr == info->page_offset + ph.p_paddr, "phdr %zu: vaddr", i);
		for (size_t c = 0; c < info->nr_crash; c++)
			FUZZ_CHECK(!overlap(ph.p_paddr, ph.p_paddr + ph.p_memsz, info->crash[c].start,
					    info->crash[c].end), "phdr %zu dumps a crash region", i);
		loaded += ph.p_memsz;
	}
	FUZZ_CHECK(notes == info->nr_notes + 1, "%zu PT_NOTEs for %zu CPUs", notes, info->nr_notes);
	FUZZ_CHECK(loaded == dumped_bytes(info), "PT_LOADs cover 0x%llx bytes, RAM outside the crash"
		   " regions is 0x%llx", (unsigned long long)loaded,
		   (unsigned long long)dumped_bytes(info));
	for (size_t i = sizeof(eh) + (size_t)eh.e_phnum * sizeof(Elf64_Phdr); i < size; i++)
		FUZZ_CHECK(!buf[i], "padding byte %zu", i);
}

/* The capture kernel's e820, with the segments placed as high in the last region as they fit. */
static void check_crash_memmap(const struct baton_crash_info *info, uint64_t backup_dst,
			       uint64_t backup_size, size_t elf_size)
{
	const struct baton_phys_range *c = &info->crash[info->nr_crash - 1];
	struct baton_memmap firmware = { 0 }, out = { 0 };
	struct baton_phys_range keep[2];
	struct baton_error err = { 0 };
	uint64_t top = backup_size ? backup_dst : c->end & ~(PAGE - 1);
	size_t n = 0;
	int rc;

	if (baton_memmap_read_machine(&firmware, root, &err)) {
		baton_memmap_free(&firmware);
		return;
	}
	if (top - c->start >= elf_size + PAGE) {
		keep[n].end = top;
		keep[n].start = (top - elf_size) & ~(PAGE - 1);
		n++;
	}
	if (backup_size)
		keep[n++] = (struct baton_phys_range){ backup_dst, backup_dst + backup_size };
	rc = baton_crash_memmap(&firmware, info, c->start, c->end, keep, n, &out, &err);
	if (rc)
		fuzz_check_error(rc, &err);
	else
		fuzz_check_memmap(&out);
	baton_memmap_free(&out);
	baton_memmap_free(&firmware);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part parts[FIXED + 2 * CPUS];
	struct baton_crash_info info;
	struct baton_elfcore_opts opts;
	struct baton_error err = { 0 };
	uint8_t *elf = NULL;
	size_t np, elf_size = 0;
	int rc;

	if (!root)
		setup();
	np = fuzz_split(data, size, SEP, parts, FIXED + 2 * CPUS);
	for (size_t i = 0; i < FIXED + 2 * CPUS; i++) {
		if (i < np)
			fuzz_write(files[i], parts[i].data, parts[i].size);
		else
			unlink(files[i]);
	}

	rc = baton_crash_read(root, &info, &err);
	if (rc) {
		fuzz_check_error(rc, &err);
		baton_crash_info_free(&info);
		return 0;
	}
	check_info(&info);

	opts = (struct baton_elfcore_opts){ info.crash, info.nr_crash, 0, 0, 0, 0 };
	if (!baton_crash_backup_range(&info, &opts.backup_src, &opts.backup_size)) {
		const struct baton_phys_range *c = &info.crash[info.nr_crash - 1];
		uint64_t need = (opts.backup_size + PAGE - 1) & ~(PAGE - 1);

		FUZZ_CHECK(opts.backup_size && opts.backup_src < BATON_CRASH_BACKUP_LIMIT &&
			   opts.backup_src + opts.backup_size <= BATON_CRASH_BACKUP_LIMIT, "backup");
		opts.backup_dst = c->end - c->start >= need ? (c->end - need) & ~(PAGE - 1) : 0;
		if (opts.backup_dst < c->start)
			opts.backup_dst = 0;
	}
	rc = baton_elfcore_build(&info, &opts, &elf, &elf_size, &err);
	if (rc) {
		fuzz_check_error(rc, &err);
		FUZZ_CHECK(!elf && !elf_size, "output on failure");
	} else {
		check_elfcore(&info, elf, elf_size);
		if (!opts.backup_size || opts.backup_dst)
			check_crash_memmap(&info, opts.backup_dst, opts.backup_size, elf_size);
	}
	free(elf);
	/* --elf32-core-headers: the same facts in 32 bits, or a refusal (ERANGE), nothing left. */
	opts.elf32 = 1;
	elf = NULL;
	rc = baton_elfcore_build(&info, &opts, &elf, &elf_size, &err);
	if (rc) {
		fuzz_check_error(rc, &err);
		FUZZ_CHECK(!elf && !elf_size, "output on failure (ELF32)");
	} else {
		FUZZ_CHECK(elf && elf_size && elf[4] == 1, "ELF32 class");
	}
	free(elf);
	baton_crash_info_free(&info);
	return 0;
}
