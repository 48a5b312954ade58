/* SPDX-License-Identifier: MIT */
/* Linux's boot information (the zero page, the command line, the setup_data list), for every
 * format that enters Linux through its boot protocol: a bzImage, an ELF vmlinux. */
#ifndef BATON_LIB_LINUX_BOOT_H
#define BATON_LIB_LINUX_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "format.h"

/* A format's boot_info step for Linux (struct baton_boot_info: count without a buffer, then
 * write): the zero page from `hdr` (hdr_size bytes of setup header from 0x1f1, the kernel's own or
 * synthesised), the kernel and initrd where ctx->segs put them (the first BATON_SEG_KERNEL is
 * code32_start; the initrd spans every BATON_SEG_INITRD piece), the command line after it, then the EFI runtime map and SETUP_EFI, the e820
 * entries beyond the zero page's 128, a seed for the new kernel's RNG and the timing record. */
int baton_linux_boot_info(const struct baton_format_ctx *ctx, const uint8_t *hdr, size_t hdr_size,
			  struct baton_boot_info *bi, struct baton_error *err);

#endif
