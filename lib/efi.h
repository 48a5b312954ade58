/* SPDX-License-Identifier: MIT */
/* UEFI: what the new kernel needs to keep the firmware's runtime services. */
#ifndef BATON_LIB_EFI_H
#define BATON_LIB_EFI_H

#include <stddef.h>
#include <stdint.h>

#include "bootparam.h"
#include "error.h"

/* A machine booted through UEFI, as the running kernel shows it. SetVirtualAddressMap() can be
 * called only once per boot, so the new kernel must map the runtime regions exactly where the
 * old one did: it learns them from this runtime map. */
struct baton_efi {
	int present;                      /* runtime map and EFI zero-page facts found */
	struct efi_info info;             /* the running kernel's, to start from */
	uint8_t secure_boot;
	struct efi_setup_data setup;
	struct efi_memory_desc *map;      /* the runtime map, heap */
	size_t nr;
};

/* Read ROOT/sys/firmware/efi/{runtime-map,fw_vendor,config_table,systab} with the running
 * kernel's zero page (`running`, may be NULL). Not an EFI machine, or no runtime map (a kernel
 * without CONFIG_EFI_RUNTIME_MAP): 0 with present = 0. *efi is overwritten; after an error it is
 * left empty. */
int baton_efi_read(const char *root, const uint8_t *running_boot_params, struct baton_efi *efi,
		   struct baton_error *err);
void baton_efi_free(struct baton_efi *efi);

/* KEY=0x... of ROOT/sys/firmware/efi/systab (the system table's entries as the kernel shows
 * them: "SMBIOS" is the 32-bit entry point, "ACPI20" the ACPI 2.0 RSDP), or 0 if it has none. */
uint64_t baton_efi_systab(const char *root, const char *key);

/* 1 if the kernel whose zero page this is was started by UEFI firmware (its EFI stub signed
 * efi_info), whether or not it kept runtime services. */
int baton_efi_booted(const struct boot_params *bp);

/* Bytes the runtime map takes in the zero page's segment. */
size_t baton_efi_map_size(const struct baton_efi *efi);

/* Point the zero page's efi_info at the runtime map copied to `map` (physical `map_phys`) and
 * fill `setup` for the SETUP_EFI node. Without EFI, efi_info is zeroed: a stale one would send
 * the new kernel to a memory map that no longer exists. */
void baton_efi_apply(const struct baton_efi *efi, struct boot_params *bp, void *map,
		     uint64_t map_phys, struct efi_setup_data *setup);

#endif
