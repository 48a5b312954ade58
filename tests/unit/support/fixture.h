/* SPDX-License-Identifier: MIT */
/* Test fixtures: temporary machine roots (sysfs/procfs files) and synthetic bzImages. */
#ifndef BATON_TESTS_FIXTURE_H
#define BATON_TESTS_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

/* A fresh temporary directory (caller frees the string and removes the tree with fx_rm_rf). */
char *fx_tmpdir(void);
void fx_rm_rf(const char *dir);
/* Write DIR/REL, creating parent directories. */
void fx_write(const char *dir, const char *rel, const void *data, size_t size);
void fx_write_str(const char *dir, const char *rel, const char *text);
/* DIR/sys/firmware/memmap from a fixture file of lines "0xSTART 0xEND-INCLUSIVE TYPE". */
void fx_memmap_from_file(const char *dir, const char *fixture);
/* DIR/proc/cpuinfo with the given flags line. */
void fx_cpuinfo(const char *dir, const char *flags);

/* 1 when all `size` bytes at p are zero: an output a failed call left empty. */
int fx_all_zero(const void *p, size_t size);

/* tests/fixtures/REL read whole (at most 64 KiB; aborts if it cannot be read); free() it. */
uint8_t *fx_read_fixture(const char *rel, size_t *size);

struct baton_error;
/* 1 when a parser refused as the library's rule says: rc == -ENOEXEC, err says ENOEXEC and
 * exactly msg, and the `size` bytes of its output at out are zero; else 0, with what differs on
 * standard error. */
int fx_refused(int rc, const struct baton_error *err, const void *out, size_t size,
	       const char *msg);

struct baton_memmap;
/* Parse tests/fixtures/NAME, one range a line: "0x<start> 0x<end, inclusive> <type>" ('#' lines
 * are comments), into a sorted map; aborts the test on a bad line. */
void fx_memmap_load(const char *name, struct baton_memmap *map);

struct fx_bzimage {
	uint16_t protocol;
	uint16_t xloadflags;
	uint32_t init_size;
	uint32_t cmdline_size;
	uint32_t kernel_alignment;
	uint64_t pref_address;
	size_t payload;      /* bytes after the setup sectors */
	uint8_t setup_sects; /* 0: 4 */
};

/* Defaults of a modern x86-64 kernel (protocol 2.15, 64-bit, 5-level capable). */
struct fx_bzimage fx_bzimage_defaults(void);
/* Build the image in a malloc'd buffer; *size receives its length. */
uint8_t *fx_bzimage_build(const struct fx_bzimage *spec, size_t *size);

/* A multiboot kernel as Xen is one: an ELF32 executable with one or two PT_LOADs (the second
 * `gap` bytes after the first), a multiboot2 header, a multiboot v1 header, or both. */
struct fx_mbimage {
	int mb2, mb1;            /* which headers */
	uint32_t paddr;          /* of the first PT_LOAD (vaddr = paddr) */
	uint32_t filesz, memsz;  /* of each PT_LOAD */
	int nr_loads;            /* 1 or 2 */
	uint32_t gap;            /* between the loads' pages */
	int relocatable;         /* mb2: a relocatable tag, min/max/align/preference below */
	uint32_t reloc_min, reloc_max, reloc_align, reloc_pref;
	uint16_t required_tag;   /* mb2: one more tag, required (0: none), e.g. 7 (EFI boot services) */
};

/* Xen's shape: both headers, at 0x200000, relocatable from 2 MiB at 2 MiB alignment. */
struct fx_mbimage fx_mbimage_defaults(void);
uint8_t *fx_mbimage_build(const struct fx_mbimage *spec, size_t *size);

/* An ELF64 x86-64 executable shaped as a Linux vmlinux is: PT_LOADs linked at
 * 0xffffffff80000000 + paddr (the third, as .data..percpu, at vaddr 0), each `filesz` bytes in a
 * `memsz` load, the second `gap` bytes above the first's pages and the rest adjacent, e_entry the
 * first's physical address, and a PT_NOTE saying Linux (or not). */
struct fx_vmlinux {
	uint64_t paddr;          /* of the first PT_LOAD */
	uint32_t filesz, memsz;  /* of each */
	int nr_loads;            /* 1..3 */
	uint32_t gap;
	int linux_note;          /* the PT_NOTE: 0 none, 1 GNU and Linux notes, 2 GNU and Xen's
				  * GUEST_OS "linux", 3 a GNU note only (not Linux) */
	uint64_t entry;          /* 0: paddr */
};

/* Three loads at 16 MiB, 2 MiB between the first two, a Linux note. */
struct fx_vmlinux fx_vmlinux_defaults(void);
uint8_t *fx_vmlinux_build(const struct fx_vmlinux *spec, size_t *size);

/* A PE32+ image as objcopy makes a UKI: DOS header, e_lfanew FX_PE_LFANEW, COFF header, a
 * 240-byte optional header, the section table at FX_PE_TABLE, then each section's bytes from a
 * 512-byte boundary (SizeOfRawData rounded up to 512, VirtualSize the bytes given). */
#define FX_PE_LFANEW 0x80
#define FX_PE_TABLE  (FX_PE_LFANEW + 24 + 240)
#define FX_PE_SECTION(i) (FX_PE_TABLE + (i) * 40)

struct fx_pe_section {
	const char *name;      /* up to 8 characters */
	const void *data;
	size_t size;
};

struct fx_pe {
	uint16_t machine;      /* 0: x86-64 */
	const struct fx_pe_section *sec;
	size_t nr;
};

uint8_t *fx_pe_build(const struct fx_pe *spec, size_t *size);

#endif
