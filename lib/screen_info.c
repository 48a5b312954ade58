/* SPDX-License-Identifier: MIT */
/* Reads the running kernel's screen_info: the one place its byte offsets live. */
#include "screen_info.h"

#include <string.h>

#include "le.h"

#define VIDEO_CAPABILITY_64BIT_BASE (1u << 1)

static int framebuffer(const uint8_t *si, struct baton_screen_fb *fb)
{
	fb->addr = baton_le32(si + 0x18);
	if (baton_le32(si + 0x36) & VIDEO_CAPABILITY_64BIT_BASE)
		fb->addr |= (uint64_t)baton_le32(si + 0x3a) << 32;
	fb->width = baton_le16(si + 0x12);
	fb->height = baton_le16(si + 0x14);
	fb->bpp = (uint8_t)baton_le16(si + 0x16);
	fb->pitch = baton_le16(si + 0x24);
	fb->red_size = si[0x26];
	fb->red_pos = si[0x27];
	fb->green_size = si[0x28];
	fb->green_pos = si[0x29];
	fb->blue_size = si[0x2a];
	fb->blue_pos = si[0x2b];
	return fb->addr && fb->width && fb->height && fb->bpp;
}

void baton_screen_info_parse(const uint8_t si[0x40], struct baton_screen *out)
{
	memset(out, 0, sizeof(*out));
	out->type = si[0x0f];
	out->cols = si[0x07];
	out->lines = si[0x0e];
	switch (out->type) {
	case BATON_VIDEO_VGA_FLAG:
	case BATON_VIDEO_EGAC:
	case BATON_VIDEO_VGAC:
		/* Mode 7 is monochrome text at 0xb0000, not the colour text memory. */
		if (si[0x06] != 7)
			out->kind = BATON_SCREEN_VGA_TEXT;
		break;
	case BATON_VIDEO_VLFB:
	case BATON_VIDEO_EFI:
		if (framebuffer(si, &out->fb))
			out->kind = BATON_SCREEN_LFB;
		else
			memset(&out->fb, 0, sizeof(out->fb));
		break;
	}
}
