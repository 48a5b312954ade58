/* SPDX-License-Identifier: MIT */
/* Programs a VGA for 80x25 colour text (mode 3) without the BIOS (--reset-vga). */
#ifndef BATON_PURGATORY_VGA_RESET_H
#define BATON_PURGATORY_VGA_RESET_H

void vga_reset_text_mode(void);

#endif
