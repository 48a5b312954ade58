/* SPDX-License-Identifier: MIT */
/* Linux bzImage: check the setup header (Documentation/arch/x86/boot.rst) for a 64-bit load. */
#include "bzimage.h"

#include <errno.h>
#include <inttypes.h>

/* Offsets into the file (the setup header starts at 0x1f1). */
#define OFF_SETUP_SECTS      0x1f1
#define OFF_SYSSIZE          0x1f4
#define OFF_BOOT_FLAG        0x1fe
#define OFF_JUMP             0x200
#define OFF_HEADER           0x202
#define OFF_VERSION          0x206
#define OFF_INITRD_ADDR_MAX  0x22c
#define OFF_KERNEL_ALIGNMENT 0x230
#define OFF_RELOCATABLE      0x234
#define OFF_XLOADFLAGS       0x236
#define OFF_CMDLINE_SIZE     0x238
#define OFF_PREF_ADDRESS     0x258
#define OFF_INIT_SIZE        0x260
#define HDR_END_MIN          0x264   /* end of init_size: every 2.12 header reaches it */
#define HDR_END_MAX          0x290   /* boot_params.hdr must not run into the next field */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) | (uint32_t)get16(p + 2) << 16;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

#define FAIL(...) baton_fail(err, ENOEXEC, __VA_ARGS__)

int baton_bzimage_parse(struct baton_bzimage *img, const uint8_t *data, size_t size,
			const char *name, struct baton_error *err)
{
	unsigned setup_sects;
	size_t hdr_end;
	uint64_t syssize;

	*img = (struct baton_bzimage){ .data = data, .size = size };
	if (size < OFF_VERSION + 2)
		return FAIL("bzimage: %s: file too small (%zu bytes) to hold a setup header", name,
			    size);
	if (get16(data + OFF_BOOT_FLAG) != 0xaa55)
		return FAIL("bzimage: %s: not a Linux kernel image (no boot flag 0xAA55 at 0x1fe)",
			    name);
	if (get32(data + OFF_HEADER) != 0x53726448)   /* "HdrS" */
		return FAIL("bzimage: %s: not a bzImage (no HdrS signature at 0x202)", name);

	img->protocol = get16(data + OFF_VERSION);
	if (img->protocol < BATON_BZIMAGE_MIN_PROTOCOL)
		return FAIL("bzimage: %s: boot protocol %u.%02u is older than %u.%02u", name,
			    img->protocol >> 8, img->protocol & 0xff,
			    BATON_BZIMAGE_MIN_PROTOCOL >> 8, BATON_BZIMAGE_MIN_PROTOCOL & 0xff);

	/* The short jump at 0x200 lands just past the header, which is how its length is known. */
	if (data[OFF_JUMP] != 0xeb)
		return FAIL("bzimage: %s: no short jump (0xEB) at 0x200 to give the setup header"
			    " length", name);
	hdr_end = OFF_HEADER + (size_t)data[OFF_JUMP + 1];
	if (hdr_end < HDR_END_MIN || hdr_end > HDR_END_MAX)
		return FAIL("bzimage: %s: setup header ends at 0x%zx, outside 0x%x..0x%x for"
			    " protocol %u.%02u", name, hdr_end, HDR_END_MIN, HDR_END_MAX,
			    img->protocol >> 8, img->protocol & 0xff);
	if (hdr_end > size)
		return FAIL("bzimage: %s: file too small (%zu bytes) for its setup header (to 0x%zx)",
			    name, size, hdr_end);
	img->header_size = hdr_end - OFF_SETUP_SECTS;

	setup_sects = data[OFF_SETUP_SECTS] ? data[OFF_SETUP_SECTS] : 4;
	img->setup_size = ((size_t)setup_sects + 1) * 512;
	if (img->setup_size >= size)
		return FAIL("bzimage: %s: setup_sects %u puts the payload at 0x%zx, at or past the"
			    " end of the %zu-byte file", name, setup_sects, img->setup_size, size);
	img->kernel = data + img->setup_size;
	img->kernel_size = size - img->setup_size;
	/* syssize counts 16-byte units of payload; a signed image carries more (the signature). */
	syssize = (uint64_t)get32(data + OFF_SYSSIZE) * 16;
	if (syssize > img->kernel_size)
		return FAIL("bzimage: %s: truncated: syssize says 0x%" PRIx64 " payload bytes, the file"
			    " holds 0x%zx", name, syssize, img->kernel_size);

	img->xloadflags = get16(data + OFF_XLOADFLAGS);
	if (!(img->xloadflags & BATON_XLF_KERNEL_64))
		return FAIL("bzimage: %s: xloadflags lacks XLF_KERNEL_64: not a 64-bit kernel", name);
	img->relocatable = data[OFF_RELOCATABLE];
	if (!img->relocatable)
		return FAIL("bzimage: %s: relocatable_kernel is 0: not relocatable", name);
	img->kernel_alignment = get32(data + OFF_KERNEL_ALIGNMENT);
	if (img->kernel_alignment < 4096 || (img->kernel_alignment & (img->kernel_alignment - 1)))
		return FAIL("bzimage: %s: kernel_alignment 0x%" PRIx32 " is not a power of two of at"
			    " least 4 KiB", name, img->kernel_alignment);
	img->init_size = get32(data + OFF_INIT_SIZE);
	if (img->init_size == 0)
		return FAIL("bzimage: %s: init_size is 0", name);
	/* The payload is loaded at the start of the init_size area, so it must fit inside. */
	if (img->init_size < img->kernel_size)
		return FAIL("bzimage: %s: init_size 0x%" PRIx32 " is smaller than the 0x%zx-byte"
			    " payload", name, img->init_size, img->kernel_size);

	img->pref_address = get64(data + OFF_PREF_ADDRESS);
	img->cmdline_size = get32(data + OFF_CMDLINE_SIZE);
	img->initrd_addr_max = get32(data + OFF_INITRD_ADDR_MAX);
	return 0;
}
