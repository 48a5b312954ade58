/* SPDX-License-Identifier: MIT */
/* Mode 3 from the VGA's register description (IBM VGA technical reference: 80x25 text, 9-dot
 * characters, 720x400 at 70 Hz, colour registers at 0x3d4/0x3da). The values are the mode's,
 * the tables baton's own. The font in plane 2 and the DAC's palette are left as they are: the
 * firmware loaded them, and a kernel that changed them (fbcon) is not the one the new kernel
 * inherits text from. */
#include "vga_reset.h"

#include <stdint.h>

#include "io.h"

enum {
	VGA_AC = 0x3c0,           /* attribute controller: index and data through one port */
	VGA_MISC_WRITE = 0x3c2,
	VGA_SEQ = 0x3c4,
	VGA_GC = 0x3ce,
	VGA_CRTC = 0x3d4,
	VGA_STATUS = 0x3da,       /* reading it sets the attribute controller to "index next" */
};

#define MISC_MODE3 0x67       /* colour I/O at 0x3dx, RAM on, 28.322 MHz clock, 400 lines */
#define AC_PALETTE_ON 0x20    /* index bit 5: the attribute controller drives the screen again */
#define CRTC_PROTECT 0x11     /* bit 7 locks CRTC registers 0-7 */

static const uint8_t seq[] = {
	0x03,   /* 0 reset: both halves running */
	0x00,   /* 1 clocking: 9-dot characters, screen on */
	0x03,   /* 2 map mask: planes 0 (characters) and 1 (attributes) */
	0x00,   /* 3 character map: font 0 */
	0x02,   /* 4 memory mode: odd/even addressing, more than 64 KiB */
};

static const uint8_t crtc[] = {
	0x5f, 0x4f, 0x50, 0x82,   /* 0-3 horizontal total, display end, blank start and end */
	0x55, 0x81,               /* 4-5 horizontal retrace start and end */
	0xbf, 0x1f,               /* 6-7 vertical total, overflow */
	0x00, 0x4f,               /* 8-9 preset row scan, 16 scan lines a character */
	0x0d, 0x0e,               /* a-b cursor: scan lines 13-14 */
	0x00, 0x00, 0x00, 0x00,   /* c-f start address 0, cursor at 0 */
	0x9c, 0x8e, 0x8f,         /* 10-12 vertical retrace start and end (unlocked), display end */
	0x28,                     /* 13 offset: 80 words a row */
	0x1f,                     /* 14 underline location */
	0x96, 0xb9,               /* 15-16 vertical blank start and end */
	0xa3,                     /* 17 mode control: byte mode, retrace on */
	0xff,                     /* 18 line compare: none */
};

static const uint8_t gc[] = {
	0x00, 0x00, 0x00, 0x00,   /* 0-3 set/reset, enable, colour compare, rotate: unused */
	0x00,                     /* 4 read map 0 */
	0x10,                     /* 5 mode: odd/even */
	0x0e,                     /* 6 misc: text, memory at 0xb8000-0xbffff, chained */
	0x00,                     /* 7 colour don't care */
	0xff,                     /* 8 bit mask */
};

static const uint8_t ac[] = {
	/* 0-f: the 16 text colours to the DAC's default entries (brown is 0x14, bright 0x38+) */
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07,
	0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f,
	0x0c,   /* 10 mode: text, line graphics for 0xc0-0xdf, blink */
	0x00,   /* 11 overscan: black */
	0x0f,   /* 12 colour planes: all four */
	0x08,   /* 13 horizontal pixel panning for 9-dot characters */
	0x00,   /* 14 colour select */
};

static void indexed(uint16_t port, const uint8_t *v, unsigned first, unsigned n)
{
	for (unsigned i = first; i < n; i++) {
		outb(port, (uint8_t)i);
		outb(port + 1, v[i]);
	}
}

void vga_reset_text_mode(void)
{
	/* Hold the sequencer in reset while the clock changes. */
	outb(VGA_SEQ, 0);
	outb(VGA_SEQ + 1, 0x01);
	outb(VGA_MISC_WRITE, MISC_MODE3);
	indexed(VGA_SEQ, seq, 1, sizeof(seq));
	indexed(VGA_SEQ, seq, 0, 1);   /* out of reset last */

	outb(VGA_CRTC, CRTC_PROTECT);
	outb(VGA_CRTC + 1, 0);
	indexed(VGA_CRTC, crtc, 0, sizeof(crtc));
	indexed(VGA_GC, gc, 0, sizeof(gc));

	(void)inb(VGA_STATUS);
	for (unsigned i = 0; i < sizeof(ac); i++) {
		outb(VGA_AC, (uint8_t)i);
		outb(VGA_AC, ac[i]);
	}
	(void)inb(VGA_STATUS);
	outb(VGA_AC, AC_PALETTE_ON);
}
