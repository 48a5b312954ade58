/* SPDX-License-Identifier: MIT */
/* The ACPI RSDP's checks, freestanding: shared by the loader and the purgatory. */
#ifndef BATON_PURGATORY_RSDP_H
#define BATON_PURGATORY_RSDP_H

#include <stddef.h>
#include <stdint.h>

#include "baton/abi.h"

/* The bytes an RSDP at `b` takes (20 before revision 2, else its length field), when its
 * signature and checksums hold and they fit in `avail` and BATON_RSDP_MAX; else 0. Reads only
 * bytes it has checked it may (firmware memory, volatile). */
size_t baton_rsdp_check(const volatile uint8_t *b, size_t avail);

#endif
