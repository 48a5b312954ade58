/* SPDX-License-Identifier: MIT */
/* What the running kernel's screen_info says about the screen: VGA text or a linear framebuffer. */
#ifndef BATON_LIB_SCREEN_INFO_H
#define BATON_LIB_SCREEN_INFO_H

#include <stdint.h>

/* screen_info.orig_video_isVGA values that matter here (Linux's uapi/linux/screen_info.h). */
#define BATON_VIDEO_VGA_FLAG 0x01   /* set by Linux's own real-mode setup on a VGA adapter */
#define BATON_VIDEO_EGAC 0x21
#define BATON_VIDEO_VGAC 0x22
#define BATON_VIDEO_VLFB 0x23       /* VESA linear framebuffer (BIOS: a VGA is behind it) */
#define BATON_VIDEO_EFI 0x70        /* EFI GOP framebuffer: no legacy VGA promised */

enum baton_screen_kind {
	BATON_SCREEN_NONE,        /* headless, or a type the purgatory cannot draw on */
	BATON_SCREEN_VGA_TEXT,    /* colour text mode at 0xb8000 */
	BATON_SCREEN_LFB,         /* a linear RGB framebuffer (fb below) */
};

/* A linear framebuffer as screen_info describes it. */
struct baton_screen_fb {
	uint64_t addr;
	uint32_t pitch;             /* bytes a line */
	uint32_t width, height;     /* pixels */
	uint8_t bpp;
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};

struct baton_screen {
	enum baton_screen_kind kind;
	uint8_t type;               /* orig_video_isVGA as found */
	uint8_t cols, lines;        /* text mode: orig_video_cols, orig_video_lines */
	struct baton_screen_fb fb;  /* BATON_SCREEN_LFB */
};

/* Classify the 64 bytes of a zero page's screen_info; never fails (unknown is NONE). */
void baton_screen_info_parse(const uint8_t si[0x40], struct baton_screen *out);

#endif
