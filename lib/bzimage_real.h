/* SPDX-License-Identifier: MIT */
/* The bzImage's 16-bit entry (--real-mode): what changes from the 64-bit protocol. */
#ifndef BATON_LIB_BZIMAGE_REAL_H
#define BATON_LIB_BZIMAGE_REAL_H

#include "format.h"

/* Where the real-mode kernel's stack and heap end (from its start) and its command line begins:
 * Documentation/arch/x86/boot.rst's layout for a protocol 2.02+ kernel that can use the heap. */
#define BATON_REAL_HEAP_END 0xe000
/* The real-mode code's limit: the setup code's own linker script keeps it below 32 KiB. */
#define BATON_REAL_SETUP_MAX 0x8000

/* Whether this load can take the real-mode entry: not on a machine booted through UEFI (no BIOS
 * answers the setup code), not with real-mode code above 32 KiB. (image.c refuses -p and
 * --entry-32bit with it, before the crash facts are read.) */
int baton_bzimage_real_check(const struct baton_format_ctx *ctx, struct baton_error *err);

/* The real-mode kernel as its boot information: the setup sectors with the header filled in
 * (heap_end_ptr, CAN_USE_HEAP, cmd_line_ptr, code32_start, the initrd, type_of_loader), the
 * heap and stack, the command line at BATON_REAL_HEAP_END, then setup_data (an RNG seed, the
 * timing record). One walk: counts when bi->buf is NULL (struct baton_boot_info, format.h). */
int baton_bzimage_real_boot_info(const struct baton_format_ctx *ctx, struct baton_boot_info *bi,
				 struct baton_error *err);

/* BATON_EXIT_REAL16 into the setup code at `base` (the real-mode kernel's address): CS = seg +
 * 0x20, IP = 0, the data segments seg, SP at the heap's end. */
void baton_bzimage_real_exit(uint64_t base, struct baton_exit *out);

#endif
