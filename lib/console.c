/* SPDX-License-Identifier: MIT */
/* Chooses the purgatory's screens from what the running kernel's screen_info says is there. */
#include "console.h"

#include <inttypes.h>
#include <string.h>

#include "baton/baton.h"
#include "screen_info.h"

#define LOW_4G (1ULL << 32)

static int vga_text(const struct baton_screen *s, unsigned flags)
{
	/* A VESA framebuffer on a BIOS machine has a VGA behind it: mode 3 brings the text back. */
	return s->kind == BATON_SCREEN_VGA_TEXT ||
	       ((flags & BATON_LOAD_RESET_VGA) && s->type == BATON_VIDEO_VLFB);
}

/* Below 4 GiB the identity map covers every byte (uncached where it is not RAM); above, only
 * what the memory map lists. */
static int mapped(const struct baton_memmap *map, uint64_t start, uint64_t end)
{
	if (end <= LOW_4G)
		return 1;
	if (start < LOW_4G)
		start = LOW_4G;
	for (size_t i = 0; map && i < map->nr && start < end; i++)
		if (map->ranges[i].start <= start && map->ranges[i].end > start)
			start = map->ranges[i].end;
	return start >= end;
}

static int framebuffer(const struct baton_screen_fb *f, const struct baton_memmap *map,
		       struct baton_fb *out, struct baton_error *err)
{
	uint64_t end = f->addr + (uint64_t)f->pitch * f->height;

	if (f->bpp != 16 && f->bpp != 24 && f->bpp != 32)
		return baton_fail(err, EOPNOTSUPP, "console: the framebuffer has %u bits per pixel; "
				  "the purgatory draws 16, 24 or 32", f->bpp);
	if (f->pitch < (uint64_t)f->width * f->bpp / 8 || f->width > UINT16_MAX ||
	    f->height > UINT16_MAX || f->red_pos + f->red_size > f->bpp ||
	    f->green_pos + f->green_size > f->bpp || f->blue_pos + f->blue_size > f->bpp)
		return baton_fail(err, EINVAL, "console: screen_info describes an inconsistent "
				  "framebuffer (%ux%u, %u bpp, %u bytes a line)", f->width, f->height,
				  f->bpp, f->pitch);
	if (!mapped(map, f->addr, end))
		return baton_fail(err, EOPNOTSUPP, "console: the framebuffer at 0x%" PRIx64 "-0x%"
				  PRIx64 " lies above 4 GiB outside the memory map: the purgatory's "
				  "identity map does not reach it", f->addr, end - 1);
	*out = (struct baton_fb){ f->addr, f->pitch, (uint16_t)f->width, (uint16_t)f->height,
				  f->bpp, f->red_pos, f->red_size, f->green_pos, f->green_size,
				  f->blue_pos, f->blue_size, 0 };
	return 0;
}

int baton_console_plan(unsigned flags, const uint8_t *screen_info, const struct baton_memmap *map,
		       struct baton_console_plan *out, struct baton_error *err)
{
	struct baton_screen s = { 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	flags &= BATON_LOAD_CONSOLE_VGA | BATON_LOAD_CONSOLE_FB | BATON_LOAD_RESET_VGA;
	if (!flags)
		return 0;
	if (!screen_info)
		return baton_fail(err, EOPNOTSUPP, "console: the running kernel's screen_info is "
				  "unknown (no zero page to read it from)");
	baton_screen_info_parse(screen_info, &s);
	if (flags & BATON_LOAD_RESET_VGA) {
		if (s.type == BATON_VIDEO_EFI)
			return baton_fail(err, EOPNOTSUPP, "console: cannot reset the VGA: the screen "
					  "is an EFI framebuffer (screen_info type 0x70), where no "
					  "legacy VGA is promised");
		if (s.kind == BATON_SCREEN_NONE && s.type != BATON_VIDEO_VLFB)
			return baton_fail(err, EOPNOTSUPP, "console: cannot reset the VGA: screen_info "
					  "shows no VGA adapter (type 0x%02x)", s.type);
		out->pf |= BATON_PF_RESET_VGA;
	}
	if ((flags & BATON_LOAD_CONSOLE_VGA) && vga_text(&s, flags)) {
		out->pf |= BATON_PF_CONSOLE_VGA;
		flags &= ~BATON_LOAD_CONSOLE_VGA;
	}
	if (!(flags & (BATON_LOAD_CONSOLE_VGA | BATON_LOAD_CONSOLE_FB)))
		return 0;
	/* What is left asks for the framebuffer (--console-vga where there is no text mode). */
	if (s.kind != BATON_SCREEN_LFB) {
		memset(out, 0, sizeof(*out));
		return baton_fail(err, EOPNOTSUPP, "console: screen_info shows %s (type 0x%02x)",
				  s.kind == BATON_SCREEN_VGA_TEXT ? "VGA text, no linear framebuffer"
				  : "neither VGA text nor a linear framebuffer", s.type);
	}
	if (out->pf & BATON_PF_RESET_VGA) {
		memset(out, 0, sizeof(*out));
		return baton_fail(err, EINVAL, "console: resetting the VGA to text mode hides the "
				  "framebuffer the purgatory would draw into");
	}
	rc = framebuffer(&s.fb, map, &out->fb, err);
	if (rc) {
		memset(out, 0, sizeof(*out));
		return rc;
	}
	out->pf |= BATON_PF_CONSOLE_FB;
	return 0;
}
