/* SPDX-License-Identifier: MIT */
/* Synthetic x86-64 crash dumps in memory: an ELF core file whose PT_NOTE holds a VMCOREINFO the
 * test writes and whose two contiguous PT_LOADs map VMFX_MEM bytes of kernel memory at VMFX_VA. */
#ifndef BATON_TESTS_VMCORE_FIXTURE_H
#define BATON_TESTS_VMCORE_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "vmcore.h"

#define VMFX_VA 0xffffffff82000000ull
#define VMFX_MEM (64u << 10)
#define VMFX_MEM_AT 8192u      /* the memory's file offset */

struct vmfx {
	uint8_t file[VMFX_MEM_AT + VMFX_MEM];
	size_t size;               /* the file's size (a test may cut it short) */
	char info[4096];           /* VMCOREINFO */
	size_t info_len;
};

void vmfx_init(struct vmfx *f);
/* The kernel memory at vaddr (VMFX_VA <= vaddr < VMFX_VA + VMFX_MEM). */
uint8_t *vmfx_mem(struct vmfx *f, uint64_t vaddr);
void vmfx_put64(struct vmfx *f, uint64_t vaddr, uint64_t v);
/* A VMCOREINFO line (printf format, newline added). */
void vmfx_info(struct vmfx *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes the ELF header, program headers and the note: call after the last vmfx_info(). */
void vmfx_finish(struct vmfx *f);
/* A reader of the file's first f->size bytes. */
struct baton_vmcore_reader vmfx_reader(struct vmfx *f);

#endif
