/* SPDX-License-Identifier: MIT */
/* A kernel crash dump (/proc/vmcore or a copy): its ELF64 program headers, its VMCOREINFO note,
 * and reads of the dead kernel's memory by virtual address through the PT_LOADs. */
#ifndef BATON_LIB_VMCORE_H
#define BATON_LIB_VMCORE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Where the dump's bytes come from: a file descriptor (baton_vmcore_open_file) or, in the tests
 * and the fuzz target, memory. A dump can be far larger than the capture kernel's memory, so it
 * is read piece by piece, never mapped whole. */
struct baton_vmcore_reader {
	/* Exactly len bytes at offset: 0, or a negative errno (-EIO for a short read). */
	int (*read)(void *ctx, uint64_t offset, void *buf, size_t len);
	void *ctx;
	uint64_t size;   /* the file's size: nothing past it is read */
};

struct baton_vmcore_load {
	uint64_t vaddr, offset, filesz;
};

struct baton_vmcore {
	struct baton_vmcore_reader rd;
	const char *name;              /* the file, for messages */
	struct baton_vmcore_load *loads;
	size_t nr_loads;
	char *info;                    /* VMCOREINFO's text, NUL-terminated */
	size_t info_len;
	int fd;                        /* baton_vmcore_open_file's, else -1 */
};

/* Reads the ELF header (ELF64, little-endian, x86-64, ET_CORE), the program headers and the
 * VMCOREINFO note. `name` (kept, not copied) names the file in messages. */
int baton_vmcore_open(struct baton_vmcore *vc, const struct baton_vmcore_reader *rd,
		      const char *name, struct baton_error *err);
/* The same on the file at path, read with pread. */
int baton_vmcore_open_file(struct baton_vmcore *vc, const char *path, struct baton_error *err);
void baton_vmcore_close(struct baton_vmcore *vc);

/* The number after "KEY=" on a VMCOREINFO line, in `base` (16 for SYMBOL(), 10 for SIZE(),
 * OFFSET(), LENGTH()): 0, or -ENOENT (*out untouched) when there is no such line or its value is
 * not all digits. */
int baton_vmcore_info(const struct baton_vmcore *vc, const char *key, unsigned base,
		      uint64_t *out);

/* len bytes of the dead kernel's memory at vaddr, through the PT_LOADs (several when they are
 * contiguous); `what` names the object in the message when some byte is not in the dump. */
int baton_vmcore_read(const struct baton_vmcore *vc, uint64_t vaddr, void *buf, size_t len,
		      const char *what, struct baton_error *err);

#endif
