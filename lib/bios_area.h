/* SPDX-License-Identifier: MIT */
/* The legacy BIOS data a multiboot kernel reads at its entry whatever its boot information says
 * (Xen: the BDA's base memory size and EBDA segment, the EBDA's RSDP), where the firmware left
 * none (UEFI): planned here, written by the purgatory (struct baton_bios_area, abi.h). */
#ifndef BATON_LIB_BIOS_AREA_H
#define BATON_LIB_BIOS_AREA_H

#include "acpi.h"
#include "baton/abi.h"
#include "error.h"
#include "memmap.h"

/* One KiB: room for the RSDP copy, and what the EBDA's first byte says. */
#define BATON_EBDA_KIB 1
/* The least conventional memory a kernel's real-mode trampoline below the EBDA can live with. */
#define BATON_BIOS_MIN_BASE 0x20000

/* The EBDA at the top of the RAM below 640 KiB (its last KiB), the BDA's base memory ending
 * there, and the RSDP at `rsdp`'s address (NULL or 0: none) to be copied into it. -ENOSPC and one line when no RAM below
 * 640 KiB reaches BATON_BIOS_MIN_BASE; *out is then zeroed. */
int baton_bios_area_plan(const struct baton_memmap *map, const struct baton_rsdp *rsdp,
			 struct baton_bios_area *out, struct baton_error *err);

/* `map` with the EBDA's KiB reserved, into *out (overwritten; empty after an error). */
int baton_bios_area_reserve(const struct baton_memmap *map, const struct baton_bios_area *b,
			    struct baton_memmap *out, struct baton_error *err);

#endif
