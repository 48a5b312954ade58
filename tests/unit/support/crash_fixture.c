/* SPDX-License-Identifier: MIT */
/* Helpers of the crash tests; see crash_fixture.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <elf.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "support/crash_fixture.h"
#include "support/fixture.h"

void check_error(int ret, const struct baton_error *err, int code, const char *frag1,
			const char *frag2)
{
	if (ret != -code)
		fail_msg("got %d (%s), want %d", ret, err->msg, -code);
	assert_int_equal(err->code, code);
	assert_true(strncmp(err->msg, "crash: ", 7) == 0);
	assert_null(strchr(err->msg, '\n'));
	if (!strstr(err->msg, frag1) || (frag2 && !strstr(err->msg, frag2)))
		fail_msg("message \"%s\" lacks \"%s\"%s%s", err->msg, frag1, frag2 ? " or " : "",
			 frag2 ? frag2 : "");
}

/* A whole file, NUL-terminated; procfs and sysfs files report no useful size, so read to EOF. */
uint8_t *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return NULL;
	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap + 1);
			assert_non_null(buf);
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n);
	fclose(f);
	buf[len] = 0;
	*size = len;
	return buf;
}

static const char *copy_src, *copy_dst;

static int copy_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_F) {
		size_t size;
		uint8_t *data = slurp(path, &size);

		assert_non_null(data);
		fx_write(copy_dst, path + strlen(copy_src) + 1, data, size);
		free(data);
	}
	return 0;
}

/* A writable copy of a fixture root. */
char *copy_root(const char *fixture)
{
	char *root = fx_tmpdir();

	copy_src = fixture;
	copy_dst = root;
	assert_int_equal(nftw(fixture, copy_entry, 16, FTW_PHYS), 0);
	return root;
}

void rm_file(const char *root, const char *rel)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(unlink(path), 0);
}

/* The kcore generator: an ELF64 core header and these program headers, nothing else (readers
 * need no more: the real file is as large as the address space). */
void write_kcore(const char *root, const Elf64_Phdr *ph, size_t n)
{
	Elf64_Ehdr eh = { 0 };
	uint8_t *buf = calloc(1, sizeof(eh) + n * sizeof(*ph));

	assert_non_null(buf);
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(*ph);
	eh.e_phnum = (uint16_t)n;
	memcpy(buf, &eh, sizeof(eh));
	memcpy(buf + sizeof(eh), ph, n * sizeof(*ph));
	fx_write(root, "proc/kcore", buf, sizeof(eh) + n * sizeof(*ph));
	free(buf);
}

/* The fixture's real kcore program headers, to edit. */
size_t fixture_kcore(const char *fixture, Elf64_Phdr *ph, size_t max)
{
	char path[4096];
	size_t size, n;
	uint8_t *buf;
	Elf64_Ehdr eh;

	snprintf(path, sizeof(path), "%s/proc/kcore", fixture);
	buf = slurp(path, &size);
	assert_non_null(buf);
	memcpy(&eh, buf, sizeof(eh));
	n = eh.e_phnum;
	assert_true(n <= max && eh.e_phoff + n * sizeof(*ph) <= size);
	memcpy(ph, buf + eh.e_phoff, n * sizeof(*ph));
	free(buf);
	return n;
}

Elf64_Phdr phdr_at(const uint8_t *buf, size_t i)
{
	Elf64_Phdr ph;

	memcpy(&ph, buf + sizeof(Elf64_Ehdr) + i * sizeof(ph), sizeof(ph));
	return ph;
}

static int cmp_range(const void *pa, const void *pb)
{
	const struct baton_phys_range *a = pa, *b = pb;

	return a->start < b->start ? -1 : a->start > b->start;
}

size_t merge_ranges(struct baton_phys_range *r, size_t n)
{
	size_t k = 0;

	qsort(r, n, sizeof(*r), cmp_range);
	for (size_t i = 0; i < n; i++) {
		if (r[i].start >= r[i].end)
			continue;
		if (k && r[i].start <= r[k - 1].end) {
			if (r[i].end > r[k - 1].end)
				r[k - 1].end = r[i].end;
			continue;
		}
		r[k++] = r[i];
	}
	return k;
}

uint64_t overlap(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2)
{
	uint64_t s = s1 > s2 ? s1 : s2, e = e1 < e2 ? e1 : e2;

	return e > s ? e - s : 0;
}

/* Everything the header must be, from the inputs alone. */
void check_elfcore(const struct baton_crash_info *info, const struct baton_elfcore_opts *o,
			  const uint8_t *buf, size_t size)
{
	struct baton_phys_range ex[64];
	size_t nex = o->nr_exclude, phnum, first;
	uint64_t want = 0, got = 0, backed = 0, prev_end = 0;
	Elf64_Ehdr eh;
	Elf64_Phdr ph;

	assert_true(nex <= NELEM(ex));
	memcpy(ex, o->exclude, nex * sizeof(*ex));
	nex = merge_ranges(ex, nex);

	memcpy(&eh, buf, sizeof(eh));
	assert_memory_equal(eh.e_ident, "\177ELF\2\1\1\0\0\0\0\0\0\0\0\0", EI_NIDENT);
	assert_int_equal(eh.e_type, ET_CORE);
	assert_int_equal(eh.e_machine, EM_X86_64);
	assert_int_equal(eh.e_version, EV_CURRENT);
	assert_int_equal(eh.e_entry, 0);
	assert_int_equal(eh.e_phoff, sizeof(Elf64_Ehdr));
	assert_int_equal(eh.e_shoff, 0);
	assert_int_equal(eh.e_flags, 0);
	assert_int_equal(eh.e_ehsize, sizeof(Elf64_Ehdr));
	assert_int_equal(eh.e_phentsize, sizeof(Elf64_Phdr));
	assert_int_equal(eh.e_shnum, 0);
	phnum = eh.e_phnum;
	assert_int_equal(size % BATON_ELFCORE_ALIGN, 0);
	assert_true(size >= sizeof(eh) + phnum * sizeof(ph));
	assert_true(size - BATON_ELFCORE_ALIGN < sizeof(eh) + phnum * sizeof(ph));
	for (size_t i = sizeof(eh) + phnum * sizeof(ph); i < size; i++)
		assert_int_equal(buf[i], 0);

	for (size_t i = 0; i < info->nr_notes; i++) {
		ph = phdr_at(buf, i);
		assert_int_equal(ph.p_type, PT_NOTE);
		assert_int_equal(ph.p_flags, 0);
		assert_int_equal(ph.p_offset, info->notes[i].addr);
		assert_int_equal(ph.p_paddr, info->notes[i].addr);
		assert_int_equal(ph.p_vaddr, 0);
		assert_int_equal(ph.p_filesz, info->notes[i].size);
		assert_int_equal(ph.p_memsz, info->notes[i].size);
	}
	ph = phdr_at(buf, info->nr_notes);
	assert_int_equal(ph.p_type, PT_NOTE);
	assert_int_equal(ph.p_offset, info->vmcoreinfo_addr);
	assert_int_equal(ph.p_paddr, info->vmcoreinfo_addr);
	assert_int_equal(ph.p_filesz, info->vmcoreinfo_size);
	ph = phdr_at(buf, info->nr_notes + 1);
	assert_int_equal(ph.p_type, PT_LOAD);
	assert_int_equal(ph.p_flags, PF_R | PF_W | PF_X);
	assert_int_equal(ph.p_vaddr, info->text_vaddr);
	assert_int_equal(ph.p_paddr, info->text_paddr);
	assert_int_equal(ph.p_offset, info->text_paddr);
	assert_int_equal(ph.p_memsz, info->text_size);

	/* RAM: in address order, disjoint, inside System RAM, outside every excluded range, and as
	 * many bytes as System RAM minus the excluded ranges: so every such byte exactly once. */
	first = info->nr_notes + 2;
	for (size_t i = first; i < phnum; i++) {
		int in_ram = 0;

		ph = phdr_at(buf, i);
		assert_int_equal(ph.p_type, PT_LOAD);
		assert_int_equal(ph.p_flags, PF_R | PF_W | PF_X);
		assert_int_equal(ph.p_align, 0);
		assert_true(ph.p_memsz > 0);
		assert_int_equal(ph.p_filesz, ph.p_memsz);
		assert_int_equal(ph.p_vaddr, info->page_offset + ph.p_paddr);
		assert_true(i == first || ph.p_paddr >= prev_end);
		prev_end = ph.p_paddr + ph.p_memsz;
		for (size_t r = 0; r < info->ram.nr; r++)
			in_ram |= ph.p_paddr >= info->ram.ranges[r].start &&
				  prev_end <= info->ram.ranges[r].end;
		assert_true(in_ram);
		for (size_t x = 0; x < nex; x++)
			assert_int_equal(overlap(ph.p_paddr, prev_end, ex[x].start, ex[x].end), 0);
		if (o->backup_size && ph.p_paddr >= o->backup_src &&
		    prev_end <= o->backup_src + o->backup_size) {
			assert_int_equal(ph.p_offset, o->backup_dst + (ph.p_paddr - o->backup_src));
			backed += ph.p_memsz;
		} else {
			assert_int_equal(overlap(ph.p_paddr, prev_end, o->backup_src,
						 o->backup_src + o->backup_size), 0);
			assert_int_equal(ph.p_offset, ph.p_paddr);
		}
		got += ph.p_memsz;
	}
	for (size_t r = 0; r < info->ram.nr; r++) {
		want += info->ram.ranges[r].end - info->ram.ranges[r].start;
		for (size_t x = 0; x < nex; x++)
			want -= overlap(info->ram.ranges[r].start, info->ram.ranges[r].end,
					ex[x].start, ex[x].end);
	}
	assert_int_equal(got, want);
	assert_int_equal(backed, o->backup_size);
}
