/* SPDX-License-Identifier: MIT */
/* Fuzz target: baton_bzimage_parse on arbitrary bytes; what it accepts goes on into the zero page. */
#include <string.h>

#include "bootparams.h"
#include "bzimage.h"
#include "fuzz.h"

static void check_image(const struct baton_bzimage *img, const uint8_t *data, size_t size)
{
	FUZZ_CHECK(img->data == data && img->size == size, "data/size changed");
	FUZZ_CHECK(img->setup_size >= 512 && img->setup_size % 512 == 0 && img->setup_size < size,
		   "setup_size 0x%zx of 0x%zx", img->setup_size, size);
	FUZZ_CHECK(img->kernel == data + img->setup_size && img->kernel_size == size - img->setup_size,
		   "payload");
	FUZZ_CHECK(img->header_size >= 0x264 - 0x1f1 && img->header_size <= 0x290 - 0x1f1 &&
		   0x1f1 + img->header_size <= size, "header_size 0x%zx", img->header_size);
	FUZZ_CHECK(img->protocol >= BATON_BZIMAGE_MIN_PROTOCOL, "protocol 0x%x", img->protocol);
	FUZZ_CHECK(img->xloadflags & BATON_XLF_KERNEL_64, "xloadflags 0x%x", img->xloadflags);
	FUZZ_CHECK(img->relocatable, "not relocatable");
	FUZZ_CHECK(img->kernel_alignment >= 4096 &&
		   !(img->kernel_alignment & (img->kernel_alignment - 1)), "kernel_alignment");
	FUZZ_CHECK(img->init_size && img->init_size >= img->kernel_size, "init_size");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct boot_params running_zero;
	const struct baton_memmap map = fuzz_qemu_1g;
	struct baton_boot_layout layout = { 0 };
	struct baton_error err = { 0 };
	struct baton_bzimage img;
	struct boot_params bp;
	int rc = baton_bzimage_parse(&img, data, size, "fuzz", &err);

	if (rc) {
		fuzz_check_error(rc, &err);
		FUZZ_CHECK(rc == -ENOEXEC, "rc %d", rc);
		return 0;
	}
	check_image(&img, data, size);

	layout.kernel_addr = img.pref_address;
	layout.initrd_addr = size & 1 ? 0x3f000000 : 0;
	layout.initrd_size = size & 1 ? 0x800000 : 0;
	layout.cmdline_addr = 0x3ffdf000;
	baton_bootparams_build(&bp, img.data + offsetof(struct boot_params, hdr), img.header_size,
			       &map, size & 2 ? &running_zero : NULL, &layout);
	FUZZ_CHECK(!memcmp(&bp.hdr.header, data + 0x202, 4), "HdrS not carried over");
	FUZZ_CHECK(bp.hdr.type_of_loader == TYPE_OF_LOADER_UNDEFINED, "type_of_loader");
	FUZZ_CHECK(bp.hdr.loadflags & LOADFLAG_LOADED_HIGH && !(bp.hdr.loadflags & 0x80),
		   "loadflags 0x%x", bp.hdr.loadflags);
	FUZZ_CHECK(bp.hdr.code32_start == (uint32_t)img.pref_address, "code32_start");
	FUZZ_CHECK(bp.hdr.setup_data == 0, "setup_data");
	FUZZ_CHECK(bp.e820_entries == map.nr, "e820_entries %u", bp.e820_entries);
	return 0;
}
