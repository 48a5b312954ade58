/* SPDX-License-Identifier: MIT */
/* Shared by the libFuzzer targets: invariant checks, input splitting, scratch trees in /dev/shm. */
#ifndef BATON_FUZZ_FUZZ_H
#define BATON_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "memmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A failed invariant: print it and abort, which libFuzzer reports as a crash with a stack. */
#define FUZZ_CHECK(cond, ...) \
	do { \
		if (!(cond)) \
			fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__); \
	} while (0)

_Noreturn void fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* 1 when NAME is listed in BATON_FUZZ_KNOWN (comma-separated): a finding already reported whose
 * check is skipped, so that fuzzing goes on past it until the library is fixed. */
int fuzz_known(const char *name);

/* A library refusal: a negative errno and a one-line message (printed with BATON_FUZZ_VERBOSE=1). */
void fuzz_check_error(int rc, const struct baton_error *err);
/* QEMU's 1 GiB map (tests/fixtures/qemu-1g.memmap): the machine the targets that plan or build
 * boot information lay it out for. */
extern const struct baton_memmap fuzz_qemu_1g;

/* What baton_memmap_sort() promises: ranges non-empty, sorted, disjoint, touching ones differ. */
void fuzz_check_memmap(const struct baton_memmap *map);

struct fuzz_part {
	const uint8_t *data;
	size_t size;
};

/* Split data at each occurrence of sep into at most max parts (the last takes the rest). */
size_t fuzz_split(const uint8_t *data, size_t size, const char *sep, struct fuzz_part *parts,
		  size_t max);

/* This process's scratch directory /dev/shm/baton-fuzz-TAG-PID, created once, removed at exit. */
const char *fuzz_scratch(const char *tag);
/* mkdir -p */
void fuzz_mkdirs(const char *path);
/* Write (create or truncate) path with exactly these bytes. */
void fuzz_write(const char *path, const void *data, size_t size);

#endif
