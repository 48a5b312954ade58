/* SPDX-License-Identifier: MIT */
/* Tests for the ELF core header (lib/elfcore.c): kexec-tools' headers, a golden file, random maps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <elf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crash_read.h"
#include "elfcore.h"
#include "support/crash_fixture.h"
#include "support/fixture.h"

static void opts_for(const struct baton_crash_info *info, uint64_t backup_dst,
		     struct baton_elfcore_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->exclude = info->crash;
	o->nr_exclude = info->nr_crash;
	assert_int_equal(baton_crash_backup_range(info, &o->backup_src, &o->backup_size), 0);
	o->backup_dst = backup_dst;
}

/* Every program header kexec-tools printed for the same boot (-d), in order. */
static void matches_kexec_tools_on(const char *fixture)
{
	char path[4096], line[512];
	struct baton_crash_info info;
	struct baton_elfcore_opts o;
	struct baton_error err = { 0 };
	unsigned long long backup = 0;
	uint8_t *buf;
	size_t size, n = 0;
	FILE *f;

	assert_int_equal(baton_crash_read(fixture, &info, &err), 0);
	snprintf(path, sizeof(path), "%s.kexec-tools", fixture);
	assert_non_null(f = fopen(path, "r"));
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Created backup segment at %llx", &backup) == 1)
			break;
	assert_true(backup);
	opts_for(&info, backup, &o);
	assert_int_equal(baton_elfcore_build(&info, &o, &buf, &size, &err), 0);
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		const char *h = strstr(line, "p_type = ");
		unsigned type;
		unsigned long long off, paddr, vaddr, filesz, memsz;
		Elf64_Phdr ph;

		if (!h || !strstr(line, "header"))
			continue;
		assert_int_equal(sscanf(h, "p_type = %u, p_offset = %llx p_paddr = %llx"
					" p_vaddr = %llx p_filesz = %llx p_memsz = %llx", &type,
					&off, &paddr, &vaddr, &filesz, &memsz), 6);
		ph = phdr_at(buf, n++);
		assert_int_equal(ph.p_type, type);
		assert_int_equal(ph.p_offset, off);
		assert_int_equal(ph.p_paddr, paddr);
		assert_int_equal(ph.p_vaddr, vaddr);
		assert_int_equal(ph.p_filesz, filesz);
		assert_int_equal(ph.p_memsz, memsz);
	}
	fclose(f);
	{
		Elf64_Ehdr eh;

		memcpy(&eh, buf, sizeof(eh));
		assert_int_equal(n, eh.e_phnum);
	}
	check_elfcore(&info, &o, buf, size);
	free(buf);
	baton_crash_info_free(&info);
}

static void matches_kexec_tools(void **state)
{
	(void)state;
	matches_kexec_tools_on(HIGH);
	matches_kexec_tools_on(LA57);
}

/* The header for qemu-6g-high, byte for byte. BATON_UPDATE_GOLDEN=1 rewrites the golden file;
 * check it with `readelf -lW` (qemu-6g-high.elfcorehdr.txt) before committing. */
static void golden_header(void **state)
{
	const char *golden = CRASH "/qemu-6g-high.elfcorehdr";
	struct baton_crash_info info;
	struct baton_elfcore_opts o;
	struct baton_error err = { 0 };
	uint8_t *buf, *want;
	size_t size, want_size;

	(void)state;
	assert_int_equal(baton_crash_read(HIGH, &info, &err), 0);
	opts_for(&info, 0x1bef61000, &o);
	assert_int_equal(baton_elfcore_build(&info, &o, &buf, &size, &err), 0);
	assert_int_equal(size, 4096);
	if (getenv("BATON_UPDATE_GOLDEN")) {
		char dir[] = CRASH;

		fx_write(dir, "qemu-6g-high.elfcorehdr", buf, size);
	}
	want = slurp(golden, &want_size);
	assert_non_null(want);
	assert_int_equal(want_size, size);
	assert_memory_equal(buf, want, size);
	free(want);
	free(buf);
	baton_crash_info_free(&info);
}

static void without_backup(void **state)
{
	struct baton_crash_info info;
	struct baton_elfcore_opts o = { 0 };
	struct baton_error err = { 0 };
	uint8_t *buf;
	size_t size;

	(void)state;
	assert_int_equal(baton_crash_read(LA57, &info, &err), 0);
	o.exclude = info.crash;
	o.nr_exclude = info.nr_crash;
	assert_int_equal(baton_elfcore_build(&info, &o, &buf, &size, &err), 0);
	check_elfcore(&info, &o, buf, size);
	assert_int_equal(phdr_at(buf, 4).p_offset, 0x1000);
	assert_int_equal(phdr_at(buf, 4).p_memsz, 0x9ec00);
	free(buf);
	baton_crash_info_free(&info);
}

/* A backup source that is only part of a RAM range splits it. */
static void backup_splits_a_range(void **state)
{
	struct baton_crash_info info;
	struct baton_elfcore_opts o;
	struct baton_error err = { 0 };
	uint8_t *buf;
	size_t size;

	(void)state;
	assert_int_equal(baton_crash_read(LA57, &info, &err), 0);
	opts_for(&info, 0x7df61000, &o);
	o.backup_src = 0x2000;
	o.backup_size = 0x3000;
	assert_int_equal(baton_elfcore_build(&info, &o, &buf, &size, &err), 0);
	check_elfcore(&info, &o, buf, size);
	assert_int_equal(phdr_at(buf, 4).p_paddr, 0x1000);
	assert_int_equal(phdr_at(buf, 4).p_offset, 0x1000);
	assert_int_equal(phdr_at(buf, 5).p_paddr, 0x2000);
	assert_int_equal(phdr_at(buf, 5).p_offset, 0x7df61000);
	assert_int_equal(phdr_at(buf, 5).p_memsz, 0x3000);
	assert_int_equal(phdr_at(buf, 6).p_paddr, 0x5000);
	assert_int_equal(phdr_at(buf, 6).p_offset, 0x5000);
	free(buf);
	baton_crash_info_free(&info);
}

/* --elf32-core-headers: the same program headers in ELF32 where everything physical fits 32
 * bits (the 64-bit kernel's virtual addresses read 0); a refusal naming the range otherwise. */
static void elf32_headers(void **state)
{
	struct baton_crash_info info;
	struct baton_elfcore_opts o;
	struct baton_error err = { 0 };
	uint8_t *b64, *b32;
	size_t s64, s32;
	Elf32_Ehdr eh;

	(void)state;
	assert_int_equal(baton_crash_read(LA57, &info, &err), 0);
	opts_for(&info, 0x7df61000, &o);
	assert_int_equal(baton_elfcore_build(&info, &o, &b64, &s64, &err), 0);
	o.elf32 = 1;
	assert_int_equal(baton_elfcore_build(&info, &o, &b32, &s32, &err), 0);
	memcpy(&eh, b32, sizeof(eh));
	assert_memory_equal(eh.e_ident, ELFMAG, SELFMAG);
	assert_int_equal(eh.e_ident[EI_CLASS], ELFCLASS32);
	assert_int_equal(eh.e_type, ET_CORE);
	assert_int_equal(eh.e_machine, EM_X86_64);
	assert_int_equal(eh.e_phoff, sizeof(Elf32_Ehdr));
	assert_int_equal(eh.e_phentsize, sizeof(Elf32_Phdr));
	assert_int_equal(eh.e_phnum, ((const Elf64_Ehdr *)(const void *)b64)->e_phnum);
	for (size_t i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr w = phdr_at(b64, i);
		Elf32_Phdr n;

		memcpy(&n, b32 + sizeof(Elf32_Ehdr) + i * sizeof(n), sizeof(n));
		assert_int_equal(n.p_type, w.p_type);
		assert_int_equal(n.p_flags, w.p_flags);
		assert_int_equal(n.p_offset, w.p_offset);
		assert_int_equal(n.p_paddr, w.p_paddr);
		assert_int_equal(n.p_filesz, w.p_filesz);
		assert_int_equal(n.p_memsz, w.p_memsz);
		assert_int_equal(n.p_vaddr, w.p_vaddr > UINT32_MAX ? 0 : w.p_vaddr);
	}
	assert_int_equal(s32, 4096);
	free(b32);
	free(b64);
	baton_crash_info_free(&info);

	/* qemu-6g-high has RAM above 4 GiB. */
	assert_int_equal(baton_crash_read(HIGH, &info, &err), 0);
	opts_for(&info, 0x1bef61000, &o);
	o.elf32 = 1;
	b32 = (uint8_t *)1;
	assert_int_equal(baton_elfcore_build(&info, &o, &b32, &s32, &err), -ERANGE);
	assert_null(b32);
	assert_int_equal(s32, 0);
	assert_non_null(strstr(err.msg, "lies above 4 GiB: an ELF32 core header cannot describe it"));
	baton_crash_info_free(&info);
}

static void build_errors(void **state)
{
	struct baton_crash_info info;
	struct baton_elfcore_opts o;
	struct baton_error err = { 0 };
	uint8_t *buf = (uint8_t *)&o;
	size_t size = 1, nr_notes;
	struct baton_crash_note *notes;

	(void)state;
	assert_int_equal(baton_crash_read(HIGH, &info, &err), 0);
	opts_for(&info, 0x1bef61000, &o);
	o.backup_dst = 0;
	check_error(baton_elfcore_build(&info, &o, &buf, &size, &err), &err, EINVAL, "bad backup",
		    NULL);
	assert_null(buf);
	assert_int_equal(size, 0);
	o.backup_dst = 0x1bef61000;
	o.backup_src = 0xadfff000;   /* runs into the low crash region */
	o.backup_size = 0x2000;
	check_error(baton_elfcore_build(&info, &o, &buf, &size, &err), &err, EINVAL,
		    "0xadfff000-0xae000fff", "not all dumped System RAM");
	o.backup_src = 0x9f000;      /* runs past System RAM */
	check_error(baton_elfcore_build(&info, &o, &buf, &size, &err), &err, EINVAL,
		    "not all dumped System RAM", NULL);
	o.backup_src = UINT64_MAX - 0x1000;
	check_error(baton_elfcore_build(&info, &o, &buf, &size, &err), &err, EINVAL, "bad backup",
		    NULL);

	/* e_phnum is 16 bits; PN_XNUM (0xffff) would need a section header to hold the count. */
	opts_for(&info, 0x1bef61000, &o);
	notes = info.notes;
	nr_notes = info.nr_notes;
	info.nr_notes = 0xffff - 2 - 5;   /* + vmcoreinfo, text and 5 RAM loads */
	info.notes = calloc(info.nr_notes, sizeof(*info.notes));
	for (size_t i = 0; i < info.nr_notes; i++)
		info.notes[i] = notes[0];
	check_error(baton_elfcore_build(&info, &o, &buf, &size, &err), &err, E2BIG,
		    "65535 program headers", NULL);
	info.nr_notes--;
	assert_int_equal(baton_elfcore_build(&info, &o, &buf, &size, &err), 0);
	assert_int_equal(((Elf64_Ehdr *)(void *)buf)->e_phnum, 0xfffe);
	free(buf);
	free(info.notes);
	info.notes = notes;
	info.nr_notes = 0;
	check_error(baton_elfcore_build(&info, &o, &buf, &size, &err), &err, EINVAL, "no CPU notes",
		    NULL);
	info.nr_notes = nr_notes;
	baton_crash_info_free(&info);
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Random RAM maps, crash regions and backup sources: the header always covers every dumped
 * byte exactly once, or the backup is refused because the crash regions cut into it. */
static void random_maps(void **state)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL;

	(void)state;
	for (int iter = 0; iter < 2000; iter++) {
		struct baton_crash_note note = { 0, 0x7f000000, 368 };
		struct baton_crash_info info = { 0 };
		struct baton_phys_range ex[6];
		struct baton_elfcore_opts o = { 0 };
		struct baton_error err = { 0 };
		uint64_t at = (rnd(&seed) % 3) * 0x1000, backed_cut = 0;
		uint8_t *buf;
		size_t size, nr_ram = 1 + rnd(&seed) % 8;
		int rc;

		info.notes = &note;
		info.nr_notes = 1;
		info.vmcoreinfo_addr = 0x1000000;
		info.vmcoreinfo_size = 0x1024;
		info.text_paddr = 0x1000000;
		info.text_vaddr = 0xffffffff81000000;
		info.text_size = 0x2000000;
		info.page_offset = 0xffff888000000000;
		for (size_t i = 0; i < nr_ram; i++) {
			uint64_t unit = rnd(&seed) % 2 ? 0x400 : 0x100000;
			uint64_t len = (1 + rnd(&seed) % 0x200) * unit;

			assert_int_equal(baton_memmap_add(&info.ram, at, at + len, RAM, &err), 0);
			at += len + (1 + rnd(&seed) % 0x100) * 0x1000;
		}
		assert_int_equal(baton_memmap_sort(&info.ram, &err), 0);
		o.nr_exclude = rnd(&seed) % NELEM(ex);
		for (size_t i = 0; i < o.nr_exclude; i++) {
			uint64_t s = rnd(&seed) % at & ~0xfffULL;

			ex[i].start = s;
			ex[i].end = s + (1 + rnd(&seed) % 0x4000) * 0x1000;
		}
		o.exclude = ex;
		if (!baton_crash_backup_range(&info, &o.backup_src, &o.backup_size))
			o.backup_dst = 0x40000000;
		for (size_t i = 0; i < o.nr_exclude; i++)
			backed_cut += overlap(o.backup_src, o.backup_src + o.backup_size,
					      ex[i].start, ex[i].end);
		rc = baton_elfcore_build(&info, &o, &buf, &size, &err);
		if (backed_cut) {
			check_error(rc, &err, EINVAL, "not all dumped System RAM", NULL);
		} else {
			if (rc)
				fail_msg("iteration %d: %s", iter, err.msg);
			check_elfcore(&info, &o, buf, size);
			free(buf);
		}
		baton_memmap_free(&info.ram);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(matches_kexec_tools),
		cmocka_unit_test(golden_header),
		cmocka_unit_test(without_backup),
		cmocka_unit_test(backup_splits_a_range),
		cmocka_unit_test(build_errors),
		cmocka_unit_test(elf32_headers),
		cmocka_unit_test(random_maps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
