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
};

/* Defaults of a modern x86-64 kernel (protocol 2.15, 64-bit, 5-level capable). */
struct fx_bzimage fx_bzimage_defaults(void);
/* Build the image in a malloc'd buffer; *size receives its length. */
uint8_t *fx_bzimage_build(const struct fx_bzimage *spec, size_t *size);

#endif
