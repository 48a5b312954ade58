/* SPDX-License-Identifier: MIT */
/* Linux bzImage: validation of the setup header and what the loader needs from it. */
#ifndef BATON_LIB_BZIMAGE_H
#define BATON_LIB_BZIMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct baton_bzimage {
	const uint8_t *data;         /* the whole file (not owned) */
	size_t size;
	size_t setup_size;           /* (setup_sects + 1) * 512: real-mode part */
	const uint8_t *kernel;       /* protected-mode payload: data + setup_size */
	size_t kernel_size;
	size_t header_size;          /* bytes of setup header from 0x1f1: 0x202 + data[0x201] - 0x1f1 */
	uint16_t protocol;           /* e.g. 0x020f */
	uint16_t xloadflags;
	uint8_t relocatable;
	uint32_t kernel_alignment;
	uint64_t pref_address;
	uint32_t init_size;
	uint32_t cmdline_size;       /* maximum length, excluding the NUL */
	uint32_t initrd_addr_max;
};

#define BATON_XLF_KERNEL_64             (1u << 0)
#define BATON_XLF_CAN_BE_LOADED_ABOVE_4G (1u << 1)
#define BATON_XLF_EFI_HANDOVER_32       (1u << 2)
#define BATON_XLF_EFI_HANDOVER_64       (1u << 3)
#define BATON_XLF_EFI_KEXEC             (1u << 4)
#define BATON_XLF_5LEVEL                (1u << 5)
#define BATON_XLF_5LEVEL_ENABLED        (1u << 6)

#define BATON_BZIMAGE_MIN_PROTOCOL 0x020c   /* 2.12: xloadflags, 64-bit entry */

/* Validate `data` as a bzImage a 64-bit loader can boot; `name` (the file) appears in messages,
 * which name the failing field, e.g. "bzimage: vmlinuz: boot protocol 2.10 is older than 2.12". */
int baton_bzimage_parse(struct baton_bzimage *img, const uint8_t *data, size_t size,
			const char *name, struct baton_error *err);

#endif
