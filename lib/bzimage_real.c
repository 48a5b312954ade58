/* SPDX-License-Identifier: MIT */
/* The bzImage's 16-bit entry (kexec-tools' --real-mode): the kernel's own setup code runs in real
 * mode below 1 MiB, as a BIOS boot loader starts it (Documentation/arch/x86/boot.rst, "Loading
 * the rest of the kernel" and "Running the kernel"), and asks the BIOS for the memory map,
 * video and disks itself; baton passes no zero page. */
#include "bzimage_real.h"

#include <string.h>

#include "backend.h"
#include "bootparam.h"
#include "inputs.h"
#include "setup_nodes.h"

#define RNG_SEED_BYTES 32
#define LOADFLAG_CAN_USE_HEAP 0x80
#define REAL_STACK_ROOM 0x200   /* heap_end_ptr is the heap's end minus this (boot.rst) */

int baton_bzimage_real_check(const struct baton_format_ctx *ctx, struct baton_error *err)
{
	const struct baton_inputs *in = ctx->in;
	const struct baton_load_opts *opts = ctx->opts;

	/* Under UEFI the real-mode services the setup code calls are not there (no CSM). */
	if (in->booted_efi || in->efi.present)
		return baton_fail(err, EOPNOTSUPP, "bzimage: %s: --real-mode needs a BIOS, and this "
				  "machine booted through UEFI (efi_info in the running kernel's zero "
				  "page); use the 64-bit entry", opts->kernel);
	if (in->kernel.bz.setup_size > BATON_REAL_SETUP_MAX)
		return baton_fail(err, ENOEXEC, "bzimage: %s: %zu bytes of real-mode code (setup_sects), "
				  "more than the %d a real-mode boot leaves it", opts->kernel,
				  in->kernel.bz.setup_size, BATON_REAL_SETUP_MAX);
	return 0;
}

int baton_bzimage_real_boot_info(const struct baton_format_ctx *ctx, struct baton_boot_info *bi,
				 struct baton_error *err)
{
	const struct baton_bzimage *bz = &ctx->in->kernel.bz;
	uint8_t *seg = bi->buf;
	struct setup_header *hdr = (struct setup_header *)(seg + offsetof(struct boot_params, hdr));
	struct baton_setup_nodes w = { seg, bi->phys, BATON_REAL_HEAP_END + bi->cmdline_len + 1,
				       offsetof(struct boot_params, hdr.setup_data) };

	if (seg) {
		const struct baton_segment *k = baton_segments_get(ctx->segs, BATON_SEG_KERNEL);
		uint64_t rd_addr, rd_size = baton_segments_span(ctx->segs, BATON_SEG_INITRD, &rd_addr);

		/* The setup code copies this header into its own zero page: what a loader writes
		 * here is what the kernel sees. */
		memcpy(seg, bz->data, bz->setup_size);
		hdr->type_of_loader = TYPE_OF_LOADER_UNDEFINED;
		hdr->loadflags |= LOADFLAG_CAN_USE_HEAP;
		hdr->heap_end_ptr = BATON_REAL_HEAP_END - REAL_STACK_ROOM;
		hdr->cmd_line_ptr = (uint32_t)(bi->phys + BATON_REAL_HEAP_END);
		/* Where the setup code jumps in protected mode: where the kernel was placed. */
		hdr->code32_start = (uint32_t)(k ? k->mem : 0);
		hdr->ramdisk_image = (uint32_t)rd_addr;
		hdr->ramdisk_size = (uint32_t)rd_size;
		hdr->setup_data = 0;
		if (bi->cmdline_len)
			memcpy(seg + BATON_REAL_HEAP_END, bi->cmdline, bi->cmdline_len);
	}
	void *seed = baton_setup_node_add(&w, SETUP_RNG_SEED, RNG_SEED_BYTES);
	if (seed) {
		int rc = ctx->system->ops->random(ctx->system, seed, RNG_SEED_BYTES);
		if (rc)
			return baton_fail(err, -rc, "bootparams: no random seed for the new kernel: %s",
					  strerror(-rc));
	}
	baton_setup_node_add(&w, BATON_SETUP_TIMING, sizeof(struct baton_timing));
	if (seg)
		bi->timing = bi->phys + w.at - sizeof(struct baton_timing);
	bi->size = w.at;
	return 0;
}

void baton_bzimage_real_exit(uint64_t base, struct baton_exit *out)
{
	*out = (struct baton_exit){ 0 };
	out->mode = BATON_EXIT_REAL16;
	out->entry = base + 0x200;   /* CS = (base >> 4) + 0x20, IP = 0 */
	out->real_seg = (uint16_t)(base >> 4);
	out->real_sp = BATON_REAL_HEAP_END;
}
