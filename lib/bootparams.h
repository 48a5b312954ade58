/* SPDX-License-Identifier: MIT */
/* The zero page handed to the new kernel: setup header, e820, command line, initrd. */
#ifndef BATON_LIB_BOOTPARAMS_H
#define BATON_LIB_BOOTPARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "bootparam.h"
#include "error.h"
#include "memmap.h"

struct baton_boot_layout {
	uint64_t kernel_addr;     /* where the protected-mode kernel is loaded */
	uint64_t initrd_addr;     /* 0 with initrd_size 0: no initrd */
	uint64_t initrd_size;
	uint64_t cmdline_addr;    /* physical address of the NUL-terminated command line */
};

/* An e820 type (a firmware's or a hypervisor's table) as baton's kind; unknown types are RESERVED. */
enum baton_mem_kind baton_mem_kind_from_e820(uint32_t type);

/* Firmware memory map -> the zero page's e820 table: its first 128 entries (the rest go in a
 * SETUP_E820_EXT node: baton_bootparams_e820_entries). */
void baton_bootparams_e820(struct boot_params *bp, const struct baton_memmap *map);
/* Entries [first, first + count) of `map` as e820 wire entries. */
void baton_bootparams_e820_entries(struct e820_entry *out, const struct baton_memmap *map,
				   size_t first, size_t count);

/* Fill `bp` from scratch: the kernel's setup header (`hdr`: hdr_size bytes from offset 0x1f1, as a
 * bzImage carries it or as a format synthesises it), e820, placement, and what the running kernel
 * was given by its firmware (`running`: its /sys/kernel/boot_params/data, or NULL) that the new
 * kernel needs as well: screen_info, edid_info, acpi_rsdp_addr, efi_info (which the EFI module
 * then rebuilds). */
void baton_bootparams_build(struct boot_params *bp, const uint8_t *hdr, size_t hdr_size,
			    const struct baton_memmap *map, const struct boot_params *running,
			    const struct baton_boot_layout *layout);

#endif
