/* SPDX-License-Identifier: MIT */
/* Linux's boot information: the zero page (bootparams.c), the command line and the setup_data
 * list, laid out in one count-then-write walk. */
#include "linux_boot.h"

#include <string.h>

#include "backend.h"
#include "bootparams.h"
#include "inputs.h"
#include "setup_nodes.h"

#define RNG_SEED_BYTES 32

int baton_linux_boot_info(const struct baton_format_ctx *ctx, const uint8_t *hdr, size_t hdr_size,
			  struct baton_boot_info *bi, struct baton_error *err)
{
	const struct baton_inputs *in = ctx->in;
	const struct baton_memmap *map = bi->map;
	size_t extra = map->nr > E820_MAX_ZEROPAGE ? map->nr - E820_MAX_ZEROPAGE : 0;
	uint8_t *seg = bi->buf;
	uint64_t phys = bi->phys;
	struct boot_params *bp = (struct boot_params *)seg;
	struct baton_setup_nodes w = { seg, phys, sizeof(*bp) + bi->cmdline_len + 1,
				       offsetof(struct boot_params, hdr.setup_data) };
	size_t map_at = baton_align8(w.at);
	int rc;

	if (seg) {
		const struct baton_segment *k = baton_segments_get(ctx->segs, BATON_SEG_KERNEL);
		struct baton_boot_layout layout = {
			.kernel_addr = k ? k->mem : 0,
			.cmdline_addr = phys + sizeof(struct boot_params),
		};
		layout.initrd_size = baton_segments_span(ctx->segs, BATON_SEG_INITRD,
						     &layout.initrd_addr);
		baton_bootparams_build(bp, hdr, hdr_size, map, in->have_running ? &in->running : NULL,
				       &layout);
		if (bi->cmdline_len)
			memcpy(seg + sizeof(*bp), bi->cmdline, bi->cmdline_len);
	}
	/* EFI: the runtime map, then SETUP_EFI; without EFI, efi_info is cleared. */
	if (in->efi.present)
		w.at = map_at + baton_efi_map_size(&in->efi);
	struct efi_setup_data setup = { 0 };
	if (seg)
		baton_efi_apply(&in->efi, bp, seg + map_at, phys + map_at, &setup);
	if (in->efi.present) {
		void *node = baton_setup_node_add(&w, SETUP_EFI, sizeof(setup));
		if (node)
			memcpy(node, &setup, sizeof(setup));
	}
	if (extra) {
		struct e820_entry *e = baton_setup_node_add(&w, SETUP_E820_EXT,
						(uint32_t)(extra * sizeof(struct e820_entry)));
		if (e)
			baton_bootparams_e820_entries(e, map, E820_MAX_ZEROPAGE, extra);
	}
	if (in->dtb_size) {
		void *dtb = baton_setup_node_add(&w, SETUP_DTB, (uint32_t)in->dtb_size);
		if (dtb)
			memcpy(dtb, in->dtb_file.data, in->dtb_size);
	}
	void *seed = baton_setup_node_add(&w, SETUP_RNG_SEED, RNG_SEED_BYTES);
	if (seed) {
		rc = ctx->system->ops->random(ctx->system, seed, RNG_SEED_BYTES);
		if (rc)
			return baton_fail(err, -rc, "bootparams: no random seed for the new kernel: %s",
					  strerror(-rc));
	}
	baton_setup_node_add(&w, BATON_SETUP_TIMING, sizeof(struct baton_timing));
	if (seg)
		bi->timing = phys + w.at - sizeof(struct baton_timing);
	bi->size = w.at;
	return 0;
}
