/* SPDX-License-Identifier: MIT */
/* Building the zero page: the one place internal memory kinds become e820 wire types. */
#include "bootparams.h"

#include <string.h>

static uint32_t e820_type(enum baton_mem_kind kind)
{
	switch (kind) {
	case BATON_MEM_RAM:
		return E820_TYPE_RAM;
	case BATON_MEM_ACPI:
		return E820_TYPE_ACPI;
	case BATON_MEM_NVS:
		return E820_TYPE_NVS;
	case BATON_MEM_UNUSABLE:
		return E820_TYPE_UNUSABLE;
	case BATON_MEM_PMEM:
		return E820_TYPE_PMEM;
	case BATON_MEM_SOFT_RESERVED:
		return E820_TYPE_SOFT_RESERVED;
	case BATON_MEM_RESERVED:
		break;
	}
	return E820_TYPE_RESERVED;
}

enum baton_mem_kind baton_mem_kind_from_e820(uint32_t type)
{
	switch (type) {
	case E820_TYPE_RAM:
		return BATON_MEM_RAM;
	case E820_TYPE_ACPI:
		return BATON_MEM_ACPI;
	case E820_TYPE_NVS:
		return BATON_MEM_NVS;
	case E820_TYPE_UNUSABLE:
		return BATON_MEM_UNUSABLE;
	case E820_TYPE_PMEM:
	case E820_TYPE_PRAM:
		return BATON_MEM_PMEM;
	case E820_TYPE_SOFT_RESERVED:
		return BATON_MEM_SOFT_RESERVED;
	}
	return BATON_MEM_RESERVED;
}

void baton_bootparams_e820_entries(struct e820_entry *out, const struct baton_memmap *map,
				   size_t first, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		const struct baton_mem_range *r = &map->ranges[first + i];
		out[i].addr = r->start;
		out[i].size = r->end - r->start;
		out[i].type = e820_type(r->kind);
	}
}

void baton_bootparams_e820(struct boot_params *bp, const struct baton_memmap *map)
{
	size_t n = map->nr < E820_MAX_ZEROPAGE ? map->nr : E820_MAX_ZEROPAGE;
	uint64_t top = 0;

	baton_bootparams_e820_entries(bp->e820_table, map, 0, n);
	for (size_t i = 0; i < map->nr; i++)
		if (map->ranges[i].kind == BATON_MEM_RAM && map->ranges[i].end > top)
			top = map->ranges[i].end;
	bp->e820_entries = (uint8_t)n;
	/* Extended memory above 1 MiB in KiB, for the few paths that still read it. */
	top = top > (1ULL << 20) ? (top - (1ULL << 20)) >> 10 : 0;
	bp->alt_mem_k = top > UINT32_MAX ? UINT32_MAX : (uint32_t)top;
}

void baton_bootparams_build(struct boot_params *bp, const uint8_t *hdr, size_t hdr_size,
			    const struct baton_memmap *map, const struct boot_params *running,
			    const struct baton_boot_layout *layout)
{
	memset(bp, 0, sizeof(*bp));
	memcpy(&bp->hdr, hdr, hdr_size < sizeof(bp->hdr) ? hdr_size : sizeof(bp->hdr));

	if (running) {
		memcpy(bp->screen_info, running->screen_info, sizeof(bp->screen_info));
		memcpy(bp->efi_info, running->efi_info, sizeof(bp->efi_info));
		memcpy(bp->edid_info, running->edid_info, sizeof(bp->edid_info));
		bp->acpi_rsdp_addr = running->acpi_rsdp_addr;
	}

	bp->hdr.type_of_loader = TYPE_OF_LOADER_UNDEFINED;
	bp->hdr.loadflags = (bp->hdr.loadflags | LOADFLAG_LOADED_HIGH) & ~0x80; /* no heap */
	bp->hdr.code32_start = (uint32_t)layout->kernel_addr;
	bp->hdr.ramdisk_image = (uint32_t)layout->initrd_addr;
	bp->hdr.ramdisk_size = (uint32_t)layout->initrd_size;
	bp->ext_ramdisk_image = (uint32_t)(layout->initrd_addr >> 32);
	bp->ext_ramdisk_size = (uint32_t)(layout->initrd_size >> 32);
	bp->hdr.cmd_line_ptr = (uint32_t)layout->cmdline_addr;
	bp->ext_cmd_line_ptr = (uint32_t)(layout->cmdline_addr >> 32);
	bp->hdr.setup_data = 0;

	baton_bootparams_e820(bp, map);
}
