/* SPDX-License-Identifier: MIT */
/* Shared by the crash tests (crash_read, elfcore, crash_map): fixture roots, a kcore writer and
 * an oracle for the ELF core header. No library code: each test links the units it names. */
#ifndef BATON_TESTS_UNIT_SUPPORT_CRASH_FIXTURE_H
#define BATON_TESTS_UNIT_SUPPORT_CRASH_FIXTURE_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

#include "crash.h"
#include "elfcore.h"

#define CRASH FIXTURES "/crash"
#define HIGH CRASH "/qemu-6g-high"   /* 4-level, crashkernel=256M,high: two regions; CPUs 0-3 */
#define LA57 CRASH "/qemu-2g-la57"   /* 5-level, crashkernel=256M: one region */
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define PG 4096ULL
#define RAM BATON_MEM_RAM
#define RES BATON_MEM_RESERVED
#define CPU "sys/devices/system/cpu/"
#define VMCI "sys/kernel/vmcoreinfo"

void check_error(int ret, const struct baton_error *err, int code, const char *frag1,
			const char *frag2);

/* A whole file, NUL-terminated; procfs and sysfs files report no useful size, so read to EOF. */
uint8_t *slurp(const char *path, size_t *size);

/* A writable copy of a fixture root. */
char *copy_root(const char *fixture);

void rm_file(const char *root, const char *rel);

/* The kcore generator: an ELF64 core header and these program headers, nothing else (readers
 * need no more: the real file is as large as the address space). */
void write_kcore(const char *root, const Elf64_Phdr *ph, size_t n);

/* The fixture's real kcore program headers, to edit. */
size_t fixture_kcore(const char *fixture, Elf64_Phdr *ph, size_t max);

Elf64_Phdr phdr_at(const uint8_t *buf, size_t i);

size_t merge_ranges(struct baton_phys_range *r, size_t n);

uint64_t overlap(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2);

/* Everything the header must be, from the inputs alone. */
void check_elfcore(const struct baton_crash_info *info, const struct baton_elfcore_opts *o,
			  const uint8_t *buf, size_t size);

#endif
