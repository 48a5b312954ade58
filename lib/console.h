/* SPDX-License-Identifier: MIT */
/* Which screens the purgatory reports on (--console-vga, --console-fb, --reset-vga). */
#ifndef BATON_LIB_CONSOLE_H
#define BATON_LIB_CONSOLE_H

#include <stdint.h>

#include "baton/abi.h"
#include "error.h"
#include "memmap.h"

struct baton_console_plan {
	uint32_t pf;            /* BATON_PF_CONSOLE_VGA, _CONSOLE_FB, _RESET_VGA */
	struct baton_fb fb;     /* with BATON_PF_CONSOLE_FB */
};

/* From the load flags (enum baton_load_flag) and the running kernel's screen_info (NULL: none
 * known): what the parameter block asks of the purgatory. A screen the flags need but the
 * machine lacks is one line in err; so is a framebuffer the purgatory's identity map does not
 * reach (above 4 GiB, outside every range of map). */
int baton_console_plan(unsigned load_flags, const uint8_t *screen_info,
		       const struct baton_memmap *map, struct baton_console_plan *out,
		       struct baton_error *err);

#endif
