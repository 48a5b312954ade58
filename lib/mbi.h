/* SPDX-License-Identifier: MIT */
/* The boot information a multiboot kernel receives: multiboot2's tagged MBI and multiboot v1's
 * info structure, each built by one count-then-write walk from a typed description. */
#ifndef BATON_LIB_MBI_H
#define BATON_LIB_MBI_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "memmap.h"
#include "screen_info.h"

#define BATON_MBI_LOADER_NAME "baton"

struct baton_mbi_module {
	uint64_t start;             /* physical address of the first byte */
	uint64_t end;               /* one past the last byte; both below 4 GiB */
	const char *string;         /* NULL is ""; for Xen see baton_mbi_string() */
};

struct baton_mbi_input {
	uint64_t addr;                            /* physical address the structure goes to */
	const char *cmdline;                      /* NULL is "" */
	const char *loader_name;                  /* NULL is BATON_MBI_LOADER_NAME */
	const struct baton_memmap *memmap;        /* sorted (baton_memmap_sort); required */
	const struct baton_mbi_module *modules;
	size_t nr_modules;
	/* Multiboot2 only: */
	uint64_t load_base;                       /* LOAD_BASE_ADDR: where the image was put */
	const uint8_t *rsdp;                      /* a copy of the RSDP, NULL: no ACPI tag */
	size_t rsdp_size;                         /* bytes at rsdp */
	const struct baton_screen_fb *framebuffer;   /* NULL: no FRAMEBUFFER tag (multiboot2 only) */
};

/* The multiboot2 information structure at in->addr (8-byte aligned): the header (total_size,
 * reserved), then CMDLINE, BOOT_LOADER_NAME, one MODULE a module, BASIC_MEMINFO, MMAP,
 * LOAD_BASE_ADDR, FRAMEBUFFER (if given), ACPI_NEW for an RSDP of revision 2 or later (its own
 * length field) else ACPI_OLD (20 bytes) (if given), END; every tag 8-byte aligned, padding zero.
 *
 * One walk, two passes: with buf NULL it only sets *size; with a buffer of cap >= that size it
 * writes exactly *size bytes. Errors: -EINVAL (no memory map, a short RSDP, addr unaligned),
 * -ERANGE (a module or the load base above 4 GiB), -ENOSPC (cap too small: buf zeroed). After an
 * error *size is 0. */
int baton_mbi2_build(const struct baton_mbi_input *in, uint8_t *buf, size_t cap, size_t *size,
		     struct baton_error *err);

/* The multiboot v1 info structure at in->addr (below 4 GiB with all it holds): the 116-byte
 * struct with flags MEMORY, CMDLINE, MODS, MMAP and BOOT_LOADER_NAME, then the module structs,
 * the memory map's size-prefixed entries, and the strings, every pointer into this same buffer.
 * load_base, rsdp and framebuffer are ignored. The same two passes and errors as above. */
int baton_mbi1_build(const struct baton_mbi_input *in, uint8_t *buf, size_t cap, size_t *size,
		     struct baton_error *err);

/* mem_lower and mem_upper (KiB) of BASIC_MEMINFO and v1's MEMORY flag: the RAM from 0 up to
 * 640 KiB, and the RAM from 1 MiB up to the first hole (at most 0xffffffff KiB). */
void baton_mbi_meminfo(const struct baton_memmap *map, uint32_t *mem_lower, uint32_t *mem_upper);

/* A command line or module string "FILE ARGS": the basename of `file`, then a space and `args`
 * when args is neither NULL nor "". Like snprintf: returns the length (without the NUL), writes at
 * most cap bytes and NUL-terminates when cap > 0.
 *
 * Why: Xen (xen/arch/x86/setup.c, cmdline_cook()) believes a loader whose name does not contain
 * "GRUB " followed by anything but '0' (GRUB 2 and later) puts the image's name first, as GRUB
 * legacy did, and drops the first word of its own command line and of every module's string
 * (dom0's kernel command line is its module's string). baton's name is "baton", so every such
 * string must start with a word to lose: the file's basename, as GRUB legacy wrote it. */
size_t baton_mbi_string(char *buf, size_t cap, const char *file, const char *args);

#endif
