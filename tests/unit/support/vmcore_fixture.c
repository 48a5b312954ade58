/* SPDX-License-Identifier: MIT */
/* Synthetic crash dumps for the vmcore and vmcore-dmesg tests. */
#include "vmcore_fixture.h"

#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOTE_AT 512u

void vmfx_init(struct vmfx *f)
{
	memset(f, 0, sizeof(*f));
	f->size = sizeof(f->file);
}

uint8_t *vmfx_mem(struct vmfx *f, uint64_t vaddr)
{
	if (vaddr < VMFX_VA || vaddr - VMFX_VA >= VMFX_MEM)
		abort();
	return f->file + VMFX_MEM_AT + (vaddr - VMFX_VA);
}

void vmfx_put64(struct vmfx *f, uint64_t vaddr, uint64_t v)
{
	memcpy(vmfx_mem(f, vaddr), &v, sizeof(v));
}

void vmfx_info(struct vmfx *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	f->info_len += (size_t)vsnprintf(f->info + f->info_len, sizeof(f->info) - f->info_len, fmt,
					 ap);
	va_end(ap);
	f->info_len += (size_t)snprintf(f->info + f->info_len, sizeof(f->info) - f->info_len, "\n");
	if (f->info_len >= sizeof(f->info))
		abort();
}

static void phdr(struct vmfx *f, int i, uint32_t type, uint64_t off, uint64_t va, uint64_t size)
{
	Elf64_Phdr p = {
		.p_type = type, .p_offset = off, .p_vaddr = va, .p_paddr = va - VMFX_VA + 0x1000000,
		.p_filesz = size, .p_memsz = size,
	};
	memcpy(f->file + sizeof(Elf64_Ehdr) + (size_t)i * sizeof(p), &p, sizeof(p));
}

void vmfx_finish(struct vmfx *f)
{
	Elf64_Ehdr e = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB, EV_CURRENT },
		.e_type = ET_CORE, .e_machine = EM_X86_64, .e_version = EV_CURRENT,
		.e_phoff = sizeof(Elf64_Ehdr), .e_ehsize = sizeof(Elf64_Ehdr),
		.e_phentsize = sizeof(Elf64_Phdr), .e_phnum = 4,
	};
	/* A CORE note first, as in /proc/vmcore, then VMCOREINFO (name padded to 12 bytes). */
	uint32_t prstatus[3] = { 5, 8, NT_PRSTATUS };
	uint32_t info[3] = { 11, (uint32_t)f->info_len, 0 };
	size_t n = NOTE_AT, half = VMFX_MEM / 2;

	memcpy(f->file, &e, sizeof(e));
	memcpy(f->file + n, prstatus, sizeof(prstatus));
	memcpy(f->file + n + 12, "CORE", 5);
	n += 12 + 8 + 8;
	memcpy(f->file + n, info, sizeof(info));
	memcpy(f->file + n + 12, "VMCOREINFO", 11);
	memcpy(f->file + n + 24, f->info, f->info_len);
	n += 24 + ((f->info_len + 3) & ~3ul);
	if (n > VMFX_MEM_AT)
		abort();
	phdr(f, 0, PT_NOTE, NOTE_AT, 0, n - NOTE_AT);
	phdr(f, 1, PT_LOAD, VMFX_MEM_AT, VMFX_VA, half);
	phdr(f, 2, PT_LOAD, VMFX_MEM_AT + half, VMFX_VA + half, half);
	/* Not in the file: a dump cut short. */
	phdr(f, 3, PT_LOAD, sizeof(f->file), VMFX_VA + 2 * half, 4096);
}

static int read_mem(void *ctx, uint64_t offset, void *buf, size_t len)
{
	struct vmfx *f = ctx;

	if (offset > f->size || len > f->size - offset)
		return -EIO;
	memcpy(buf, f->file + offset, len);
	return 0;
}

struct baton_vmcore_reader vmfx_reader(struct vmfx *f)
{
	return (struct baton_vmcore_reader){ .read = read_mem, .ctx = f, .size = f->size };
}
