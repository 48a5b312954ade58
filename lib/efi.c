/* SPDX-License-Identifier: MIT */
/* UEFI facts for the new kernel: the runtime map and the tables, from sysfs. */
#include "efi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "text.h"

#define EFI_MAX_DESCS 4096
#define EFI_LOADER_SIGNATURE_64 0x34364c45   /* "EL64" */
#define EFI_LOADER_SIGNATURE_32 0x32334c45   /* "EL32" */

/* 1 and *v set: ROOT/REL holds one hex number; 0: no such file; <0: malformed. */
static int read_hex(const char *root, const char *rel, uint64_t *v, struct baton_error *err)
{
	char path[4096], text[65];
	const char *p = text;
	int rc = baton_path(path, sizeof(path), root, rel, err);

	if (rc)
		return rc;
	rc = baton_file_read_text(path, text, sizeof(text));
	if (rc && rc != -EFBIG)
		return 0;
	if (!rc && !baton_parse_hex(&p, text + strlen(text), v) && !*p)
		return 1;
	return baton_fail(err, EINVAL, "efi: %s: not a hex number", path);
}

static int read_desc(const char *root, size_t n, struct efi_memory_desc *d,
		     struct baton_error *err)
{
	static const char *const fields[] = { "type", "phys_addr", "virt_addr", "num_pages",
					      "attribute" };
	uint64_t v[5];
	char rel[128];

	for (int i = 0; i < 5; i++) {
		snprintf(rel, sizeof(rel), "/sys/firmware/efi/runtime-map/%zu/%s", n, fields[i]);
		int rc = read_hex(root, rel, &v[i], err);
		if (rc <= 0)
			return rc ? rc : baton_fail(err, ENOENT, "efi: %s%s: missing", root, rel);
	}
	memset(d, 0, sizeof(*d));
	d->type = (uint32_t)v[0];
	d->phys_addr = v[1];
	d->virt_addr = v[2];
	d->num_pages = v[3];
	d->attribute = v[4];
	return 0;
}

uint64_t baton_efi_systab(const char *root, const char *key)
{
	size_t n = strlen(key);
	char path[4096];
	struct baton_file f;
	uint64_t v = 0;

	if (baton_path(path, sizeof(path), root, "/sys/firmware/efi/systab", NULL) ||
	    baton_file_read(&f, path, 4096, NULL))
		return 0;
	for (const char *p = (const char *)f.data; p && *p; p = strchr(p, '\n')) {
		p += *p == '\n';
		if (!strncmp(p, key, n) && p[n] == '=') {
			const char *q = p + n + 1, *end = strchr(q, '\n');
			if (baton_parse_hex(&q, end ? end : q + strlen(q), &v))
				v = 0;
			break;
		}
	}
	baton_file_free(&f);
	return v;
}

int baton_efi_read(const char *root, const uint8_t *running, struct baton_efi *efi,
		   struct baton_error *err)
{
	char rel[128];
	uint64_t probe, vendor = 0, tables = 0;
	int rc;

	memset(efi, 0, sizeof(*efi));
	if (!running)
		return 0;
	memcpy(&efi->info, running + offsetof(struct boot_params, efi_info), sizeof(efi->info));
	efi->secure_boot = running[offsetof(struct boot_params, secure_boot)];
	/* Booted through EFI with runtime services: the stub left a memory map. */
	if (!efi->info.efi_memmap_size || !(efi->info.efi_systab || efi->info.efi_systab_hi))
		return 0;
	for (;;) {
		snprintf(rel, sizeof(rel), "/sys/firmware/efi/runtime-map/%zu/type", efi->nr);
		if (read_hex(root, rel, &probe, NULL) != 1)
			break;
		if (efi->nr == EFI_MAX_DESCS) {
			rc = baton_fail(err, E2BIG, "efi: more than %d runtime map entries",
					EFI_MAX_DESCS);
			goto fail;
		}
		if (efi->nr % 64 == 0) {
			struct efi_memory_desc *m = realloc(efi->map, (efi->nr + 64) * sizeof(*m));
			if (!m) {
				rc = baton_fail(err, ENOMEM, "efi: out of memory");
				goto fail;
			}
			efi->map = m;
		}
		rc = read_desc(root, efi->nr, &efi->map[efi->nr], err);
		if (rc)
			goto fail;
		efi->nr++;
	}
	if (!efi->nr)
		return 0;   /* no CONFIG_EFI_RUNTIME_MAP: the new kernel boots without EFI */
	if ((rc = read_hex(root, "/sys/firmware/efi/fw_vendor", &vendor, err)) < 0 ||
	    (rc = read_hex(root, "/sys/firmware/efi/config_table", &tables, err)) < 0)
		goto fail;
	if (!tables) {
		rc = baton_fail(err, ENOENT, "efi: %s/sys/firmware/efi/config_table: missing", root);
		goto fail;
	}
	efi->setup.fw_vendor = vendor;
	efi->setup.tables = tables;
	efi->setup.smbios = baton_efi_systab(root, "SMBIOS");
	efi->present = 1;
	return 0;
fail:
	baton_efi_free(efi);
	return rc;
}

void baton_efi_free(struct baton_efi *efi)
{
	free(efi->map);
	memset(efi, 0, sizeof(*efi));
}

size_t baton_efi_map_size(const struct baton_efi *efi)
{
	return efi->present ? efi->nr * sizeof(struct efi_memory_desc) : 0;
}

void baton_efi_apply(const struct baton_efi *efi, struct boot_params *bp, void *map,
		     uint64_t map_phys, struct efi_setup_data *setup)
{
	struct efi_info ei;

	memset(&ei, 0, sizeof(ei));
	if (efi->present) {
		ei.efi_loader_signature = EFI_LOADER_SIGNATURE_64;
		ei.efi_systab = efi->info.efi_systab;
		ei.efi_systab_hi = efi->info.efi_systab_hi;
		ei.efi_memdesc_version = efi->info.efi_memdesc_version;
		ei.efi_memdesc_size = sizeof(struct efi_memory_desc);
		ei.efi_memmap = (uint32_t)map_phys;
		ei.efi_memmap_hi = (uint32_t)(map_phys >> 32);
		ei.efi_memmap_size = (uint32_t)baton_efi_map_size(efi);
		memcpy(map, efi->map, baton_efi_map_size(efi));
		*setup = efi->setup;
		bp->secure_boot = efi->secure_boot;
	}
	memcpy(bp->efi_info, &ei, sizeof(ei));
}

int baton_efi_booted(const struct boot_params *bp)
{
	struct efi_info info;
	uint32_t sig;

	memcpy(&info, bp->efi_info, sizeof(info));
	sig = info.efi_loader_signature;

	return sig == EFI_LOADER_SIGNATURE_64 || sig == EFI_LOADER_SIGNATURE_32;
}
