/* SPDX-License-Identifier: MIT */
/* Test fixtures: temporary roots and synthetic kernels. */
#include "fixture.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "le.h"
#include "memmap.h"

static __attribute__((noreturn)) void die(const char *what)
{
	perror(what);
	abort();
}

char *fx_tmpdir(void)
{
	char *dir = strdup("/tmp/baton-test-XXXXXX");
	if (!dir || !mkdtemp(dir))
		die("mkdtemp");
	return dir;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void fx_rm_rf(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void mkdirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		mkdir(path, 0755);
		*p = '/';
	}
}

void fx_write(const char *dir, const char *rel, const void *data, size_t size)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	mkdirs(path);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f))
		die(path);
}

void fx_write_str(const char *dir, const char *rel, const char *text)
{
	fx_write(dir, rel, text, strlen(text));
}

void fx_memmap_from_file(const char *dir, const char *fixture)
{
	FILE *f = fopen(fixture, "r");
	char line[512];
	int n = 0;

	if (!f)
		die(fixture);
	while (fgets(line, sizeof(line), f)) {
		char start[64], end[64], rel[128];
		int off = 0;
		if (sscanf(line, "%63s %63s %n", start, end, &off) < 2 || line[0] == '#')
			continue;
		char *type = line + off;
		type[strcspn(type, "\n")] = 0;
		snprintf(rel, sizeof(rel), "sys/firmware/memmap/%d/start", n);
		fx_write_str(dir, rel, start);
		snprintf(rel, sizeof(rel), "sys/firmware/memmap/%d/end", n);
		fx_write_str(dir, rel, end);
		snprintf(rel, sizeof(rel), "sys/firmware/memmap/%d/type", n);
		fx_write_str(dir, rel, type);
		n++;
	}
	fclose(f);
}

void fx_cpuinfo(const char *dir, const char *flags)
{
	char text[1024];
	snprintf(text, sizeof(text), "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: %s\n"
		 "bugs\t\t:\n\n", flags);
	fx_write_str(dir, "proc/cpuinfo", text);
}

int fx_all_zero(const void *p, size_t size)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < size; i++)
		if (b[i])
			return 0;
	return 1;
}

struct fx_bzimage fx_bzimage_defaults(void)
{
	struct fx_bzimage s = {
		.protocol = 0x020f,
		.xloadflags = 0x7b,   /* KERNEL_64, ABOVE_4G, EFI handovers, EFI_KEXEC, 5LEVEL */
		.init_size = 0x2000000,
		.cmdline_size = 2047,
		.kernel_alignment = 0x200000,
		.pref_address = 0x1000000,
		.payload = 0x10000,
	};
	return s;
}

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

uint8_t *fx_bzimage_build(const struct fx_bzimage *s, size_t *size)
{
	const uint8_t sects = s->setup_sects ? s->setup_sects : 4;
	const size_t setup = (sects + 1) * 512u;
	uint8_t *b = calloc(1, setup + s->payload);

	if (!b)
		die("calloc");
	b[0x1f1] = sects;
	for (size_t i = 0x400; i < setup; i++)   /* "setup code" past the header: not all zero */
		b[i] = (uint8_t)(i * 7 + 1);
	put16(b + 0x1fe, 0xaa55);
	b[0x200] = 0xeb;
	b[0x201] = 0x6a;                /* header ends at 0x26c */
	memcpy(b + 0x202, "HdrS", 4);
	put16(b + 0x206, s->protocol);
	b[0x211] = 0x01;                /* LOADED_HIGH */
	put32(b + 0x214, 0x100000);
	put32(b + 0x22c, 0x7fffffff);
	put32(b + 0x230, s->kernel_alignment);
	b[0x234] = 1;
	put16(b + 0x236, s->xloadflags);
	put32(b + 0x238, s->cmdline_size);
	memcpy(b + 0x258, &s->pref_address, 8);
	put32(b + 0x260, s->init_size);
	for (size_t i = 0; i < s->payload; i++)
		b[setup + i] = (uint8_t)(i * 131 + 7);
	*size = setup + s->payload;
	return b;
}

void fx_memmap_load(const char *name, struct baton_memmap *map)
{
	char path[512], line[256];
	struct baton_error err = { 0 };
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", FIXTURES, name);
	f = fopen(path, "r");
	if (!f)
		die(path);
	memset(map, 0, sizeof(*map));
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *q;
		uint64_t start, last;
		line[strcspn(line, "\n")] = 0;
		if (!*line || *line == '#')
			continue;
		start = strtoull(p, &q, 16);
		last = strtoull(q, &p, 16);
		if (q == line || p == q || *p != ' ' ||
		    baton_memmap_add(map, start, last + 1, baton_mem_kind_from_name(p + 1), &err)) {
			fprintf(stderr, "%s: bad line '%s' %s\n", path, line, err.msg);
			abort();
		}
	}
	fclose(f);
	if (baton_memmap_sort(map, &err)) {
		fprintf(stderr, "%s: %s\n", path, err.msg);
		abort();
	}
}

struct fx_mbimage fx_mbimage_defaults(void)
{
	return (struct fx_mbimage){ 1, 1, 0x200000, 0x5000, 0x9000, 1, 0, 1, 0x200000, 0xfffff000,
				    0x200000, 1, 0 };
}

#define FX_MB_DATA 0x1000   /* the first PT_LOAD's bytes in the file */

uint8_t *fx_mbimage_build(const struct fx_mbimage *sp, size_t *size)
{
	size_t load_span = ((size_t)sp->memsz + 0xfff) & ~(size_t)0xfff;
	size_t total = FX_MB_DATA + (size_t)sp->nr_loads * sp->filesz;
	uint8_t *b = calloc(1, total);
	size_t h = 0x200, t;

	/* ELF32 header and program headers */
	memcpy(b, "\x7f" "ELF\x01\x01\x01", 7);
	put16(b + 16, 2);                         /* ET_EXEC */
	put16(b + 18, 3);                         /* EM_386 */
	put32(b + 20, 1);
	put32(b + 24, sp->paddr + 0x10);          /* e_entry */
	put32(b + 28, 52);                        /* e_phoff */
	put16(b + 40, 52);
	put16(b + 42, 32);
	put16(b + 44, (uint16_t)sp->nr_loads);
	for (int i = 0; i < sp->nr_loads; i++) {
		uint8_t *ph = b + 52 + 32 * i;
		uint32_t at = sp->paddr + (uint32_t)(i * (load_span + sp->gap));
		put32(ph, 1);
		put32(ph + 4, FX_MB_DATA + (uint32_t)i * sp->filesz);
		put32(ph + 8, at);
		put32(ph + 12, at);
		put32(ph + 16, sp->filesz);
		put32(ph + 20, sp->memsz);
		put32(ph + 24, 7);
		put32(ph + 28, 0x1000);
	}
	if (sp->mb1) {
		put32(b + 0x100, 0x1badb002);
		put32(b + 0x104, 3);                  /* page-aligned modules, memory info */
		put32(b + 0x108, -(0x1badb002u + 3));
	}
	if (sp->mb2) {
		put32(b + h, 0xe85250d6);
		t = h + 16;
		put16(b + t, 6);                      /* module alignment, optional */
		put16(b + t + 2, 1);
		put32(b + t + 4, 8);
		t += 8;
		if (sp->relocatable) {
			put16(b + t, 10);
			put16(b + t + 2, 1);
			put32(b + t + 4, 24);
			put32(b + t + 8, sp->reloc_min);
			put32(b + t + 12, sp->reloc_max);
			put32(b + t + 16, sp->reloc_align);
			put32(b + t + 20, sp->reloc_pref);
			t += 24;
		}
		if (sp->required_tag) {
			put16(b + t, sp->required_tag);
			put32(b + t + 4, 8);
			t += 8;
		}
		put32(b + t + 4, 8);                  /* end */
		t += 8;
		put32(b + h + 8, (uint32_t)(t - h));
		put32(b + h + 12, -(0xe85250d6u + (uint32_t)(t - h)));
	}
	for (size_t i = FX_MB_DATA; i < total; i++)
		b[i] = (uint8_t)(i * 13 + 5);
	*size = total;
	return b;
}

uint8_t *fx_read_fixture(const char *rel, size_t *size)
{
	char path[4096];
	uint8_t *data = malloc(1 << 16);
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", FIXTURES, rel);
	if (!data || !(f = fopen(path, "rb")))
		die(path);
	*size = fread(data, 1, 1 << 16, f);
	fclose(f);
	return data;
}

int fx_refused(int rc, const struct baton_error *err, const void *out, size_t size,
	       const char *msg)
{
	if (rc != -ENOEXEC || err->code != ENOEXEC) {
		fprintf(stderr, "got %d (code %d), want -ENOEXEC for \"%s\"\n", rc, err->code, msg);
		return 0;
	}
	if (!fx_all_zero(out, size)) {
		fprintf(stderr, "the output is not left empty after \"%s\"\n", msg);
		return 0;
	}
	if (strcmp(err->msg, msg)) {
		fprintf(stderr, "message\n  \"%s\"\nwant\n  \"%s\"\n", err->msg, msg);
		return 0;
	}
	return 1;
}

struct fx_vmlinux fx_vmlinux_defaults(void)
{
	return (struct fx_vmlinux){ .paddr = 0x1000000, .filesz = 0x3000, .memsz = 0x5000,
				    .nr_loads = 3, .gap = 0x200000, .linux_note = 1 };
}

#define FX_ELF_NOTE 0x800   /* the PT_NOTE's bytes in the file */
#define FX_ELF_DATA 0x1000  /* the first PT_LOAD's bytes */

uint8_t *fx_vmlinux_build(const struct fx_vmlinux *sp, size_t *size)
{
	size_t span = ((size_t)sp->memsz + 0xfff) & ~(size_t)0xfff;
	size_t total = FX_ELF_DATA + (size_t)sp->nr_loads * sp->filesz;
	int nr_ph = sp->nr_loads + (sp->linux_note ? 1 : 0);
	uint8_t *b = calloc(1, total);
	uint64_t at = sp->paddr;

	memcpy(b, "\x7f" "ELF\x02\x01\x01", 7);
	put16(b + 16, 2);                                   /* ET_EXEC */
	put16(b + 18, 62);                                  /* EM_X86_64 */
	put32(b + 20, 1);
	put64(b + 24, sp->entry ? sp->entry : sp->paddr);   /* e_entry: phys_startup_64 */
	put64(b + 32, 64);                                  /* e_phoff */
	put16(b + 52, 64);
	put16(b + 54, 56);
	put16(b + 56, (uint16_t)nr_ph);
	for (int i = 0; i < sp->nr_loads; i++) {
		uint8_t *ph = b + 64 + 56 * i;

		put32(ph, 1);
		put32(ph + 4, 7);
		put64(ph + 8, FX_ELF_DATA + (uint64_t)i * sp->filesz);
		put64(ph + 16, i == 2 ? 0 : 0xffffffff80000000ull + at);
		put64(ph + 24, at);
		put64(ph + 32, sp->filesz);
		put64(ph + 40, sp->memsz);
		put64(ph + 48, 0x200000);
		for (uint32_t j = 0; j < sp->filesz; j++)
			b[FX_ELF_DATA + (size_t)i * sp->filesz + j] = (uint8_t)(j * 31 + i);
		at += span + (i ? 0 : sp->gap);
	}
	if (sp->linux_note) {
		uint8_t *ph = b + 64 + 56 * sp->nr_loads, *n = b + FX_ELF_NOTE;
		/* a GNU build id first (a walk must step over it), then what says Linux */
		put32(n, 4);
		put32(n + 4, 8);
		put32(n + 8, 3);
		memcpy(n + 12, "GNU", 4);
		n += 24;
		if (sp->linux_note == 1) {      /* Linux's build salt */
			put32(n, 6);
			put32(n + 4, 4);
			put32(n + 8, 0x100);
			memcpy(n + 12, "Linux", 6);
		} else if (sp->linux_note == 2) { /* Xen's XEN_ELFNOTE_GUEST_OS */
			put32(n, 4);
			put32(n + 4, 6);
			put32(n + 8, 6);
			memcpy(n + 12, "Xen", 4);
			memcpy(n + 16, "linux", 6);
		}
		put32(ph, 4);                                  /* PT_NOTE */
		put64(ph + 8, FX_ELF_NOTE);
		put64(ph + 32, sp->linux_note == 3 ? 24 : 48);
		put64(ph + 40, sp->linux_note == 3 ? 24 : 48);
		put64(ph + 48, 4);
	}
	*size = total;
	return b;
}

uint8_t *fx_pe_build(const struct fx_pe *spec, size_t *size)
{
	size_t at = (FX_PE_SECTION(spec->nr) + 511) & ~(size_t)511, total = at;
	uint8_t *b;

	for (size_t i = 0; i < spec->nr; i++)
		total += (spec->sec[i].size + 511) & ~(size_t)511;
	b = calloc(1, total);
	if (!b)
		die("calloc");
	b[0] = 'M';
	b[1] = 'Z';
	baton_put_le32(b + 0x3c, FX_PE_LFANEW);
	memcpy(b + FX_PE_LFANEW, "PE\0\0", 4);
	baton_put_le16(b + FX_PE_LFANEW + 4, spec->machine ? spec->machine : 0x8664);
	baton_put_le16(b + FX_PE_LFANEW + 6, (uint16_t)spec->nr);
	baton_put_le16(b + FX_PE_LFANEW + 20, 240);
	baton_put_le16(b + FX_PE_LFANEW + 24, 0x20b);
	for (size_t i = 0; i < spec->nr; i++) {
		uint8_t *h = b + FX_PE_SECTION(i);
		size_t raw = (spec->sec[i].size + 511) & ~(size_t)511;

		memcpy(h, spec->sec[i].name, strnlen(spec->sec[i].name, 8));
		baton_put_le32(h + 8, (uint32_t)spec->sec[i].size);
		baton_put_le32(h + 12, (uint32_t)(0x10000 * (i + 1)));
		baton_put_le32(h + 16, (uint32_t)raw);
		baton_put_le32(h + 20, (uint32_t)at);
		if (spec->sec[i].size)
			memcpy(b + at, spec->sec[i].data, spec->sec[i].size);
		at += raw;
	}
	*size = total;
	return b;
}
