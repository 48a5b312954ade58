/* SPDX-License-Identifier: MIT */
/* The ACPI root pointer (RSDP): where the running kernel found it, and its bytes where Linux lets
 * a program read them, for kernels that look for it in the boot information (multiboot2's ACPI
 * tags) or in BIOS memory (the EBDA). */
#ifndef BATON_LIB_ACPI_H
#define BATON_LIB_ACPI_H

#include <stddef.h>
#include <stdint.h>

#include "baton/abi.h"
#include "bootparam.h"
#include "error.h"
#include "rsdp.h"

struct baton_rsdp {
	uint64_t addr;                  /* physical; 0: none found */
	uint8_t bytes[BATON_RSDP_MAX];
	uint32_t size;                  /* bytes read and checked; 0: not readable here */
};

/* Find the RSDP the running kernel uses: its address from ROOT/sys/firmware/efi/systab (ACPI20=,
 * then ACPI=), else the running kernel's zero page (acpi_rsdp_addr; `running` may be NULL),
 * else by the BIOS's scan of ROOT/dev/mem (the EBDA's first KiB, then 0xe0000-0xfffff). Its
 * bytes from ROOT/dev/mem when Linux allows (not over the ACPI tables with IO_STRICT_DEVMEM:
 * then size is 0 and the address alone is returned). 0 and *out, or -errno and one line (no
 * address and nothing found, bytes read that are no RSDP) with *out zeroed. */
int baton_rsdp_read(const char *root, const struct boot_params *running, struct baton_rsdp *out,
		    struct baton_error *err);

#endif
