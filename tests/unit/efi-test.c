/* SPDX-License-Identifier: MIT */
/* Tests for the UEFI facts handed to the new kernel. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "efi.h"
#include "support/fixture.h"

static void write_desc(const char *root, int n, const char *type, const char *phys,
		       const char *virt, const char *pages, const char *attr)
{
	const char *fields[] = { "type", "phys_addr", "virt_addr", "num_pages", "attribute" };
	const char *values[] = { type, phys, virt, pages, attr };
	char rel[128];

	for (int i = 0; i < 5; i++) {
		snprintf(rel, sizeof(rel), "sys/firmware/efi/runtime-map/%d/%s", n, fields[i]);
		fx_write_str(root, rel, values[i]);
	}
}

/* An OVMF-like machine: runtime code and data, an MMIO region for the flash. */
static char *efi_root(void)
{
	char *root = fx_tmpdir();

	write_desc(root, 0, "0x5\n", "0x3f6b0000\n", "0xfffffffeffa00000\n", "0x50\n",
		   "0x800000000000000f\n");
	write_desc(root, 1, "0x6\n", "0x3f700000\n", "0xfffffffeffa50000\n", "0x60\n",
		   "0x800000000000000f\n");
	write_desc(root, 2, "0xb\n", "0xffc00000\n", "0xfffffffeff600000\n", "0x400\n",
		   "0x8000000000000001\n");
	fx_write_str(root, "sys/firmware/efi/fw_vendor", "0x3f9ee018\n");
	fx_write_str(root, "sys/firmware/efi/config_table", "0x3f9ee098\n");
	fx_write_str(root, "sys/firmware/efi/systab", "ACPI20=0x3fb7e014\nACPI=0x3fb7e000\n"
		     "SMBIOS=0x3f9a6000\nSMBIOS3=0x3f9a4000\n");
	return root;
}

static void running_efi(uint8_t *bp)
{
	struct efi_info ei = { 0x34364c45, 0x3f9ee018, 48, 1, 0x3e6c5018, 0x1b30, 0, 0 };

	memset(bp, 0, 4096);
	memcpy(bp + offsetof(struct boot_params, efi_info), &ei, sizeof(ei));
	bp[offsetof(struct boot_params, secure_boot)] = 3;
}

static void reads_the_runtime_map_and_tables(void **state)
{
	(void)state;
	char *root = efi_root();
	uint8_t running[4096];
	struct baton_efi efi;
	struct baton_error err = { 0 };

	running_efi(running);
	assert_int_equal(baton_efi_read(root, running, &efi, &err), 0);
	assert_true(efi.present);
	assert_int_equal(efi.nr, 3);
	assert_int_equal(efi.map[0].type, 5);
	assert_int_equal(efi.map[1].phys_addr, 0x3f700000);
	assert_int_equal(efi.map[1].virt_addr, 0xfffffffeffa50000ULL);
	assert_int_equal(efi.map[2].num_pages, 0x400);
	assert_int_equal(efi.map[2].attribute, 0x8000000000000001ULL);
	assert_int_equal(efi.setup.fw_vendor, 0x3f9ee018);
	assert_int_equal(efi.setup.tables, 0x3f9ee098);
	assert_int_equal(efi.setup.smbios, 0x3f9a6000);
	assert_int_equal(baton_efi_map_size(&efi), 120);

	static struct boot_params bp;
	uint8_t map[120];
	struct efi_setup_data setup;
	memset(&bp, 0xaa, sizeof(bp));
	baton_efi_apply(&efi, &bp, map, 0x1234567000ULL, &setup);
	struct efi_info ei;
	memcpy(&ei, bp.efi_info, sizeof(ei));
	assert_int_equal(ei.efi_loader_signature, 0x34364c45);
	assert_int_equal(ei.efi_systab, 0x3f9ee018);
	assert_int_equal(ei.efi_memdesc_size, 40);
	assert_int_equal(ei.efi_memdesc_version, 1);
	assert_int_equal(ei.efi_memmap, 0x34567000);
	assert_int_equal(ei.efi_memmap_hi, 0x12);
	assert_int_equal(ei.efi_memmap_size, 120);
	assert_memory_equal(map, efi.map, 120);
	assert_int_equal(setup.tables, 0x3f9ee098);
	assert_int_equal(bp.secure_boot, 3);
	baton_efi_free(&efi);
	fx_rm_rf(root);
	free(root);
}

static void without_efi_the_new_kernel_gets_no_stale_efi_info(void **state)
{
	(void)state;
	char *root = efi_root();
	uint8_t running[4096];
	struct baton_efi efi;
	static struct boot_params bp;
	struct efi_setup_data setup;
	char dir[4200];

	/* BIOS boot: no EFI memory map in the zero page. */
	memset(running, 0, sizeof(running));
	assert_int_equal(baton_efi_read(root, running, &efi, NULL), 0);
	assert_false(efi.present);
	/* EFI, but a kernel without CONFIG_EFI_RUNTIME_MAP: the map cannot be passed on. */
	running_efi(running);
	snprintf(dir, sizeof(dir), "%s/sys/firmware/efi/runtime-map", root);
	fx_rm_rf(dir);
	assert_int_equal(baton_efi_read(root, running, &efi, NULL), 0);
	assert_false(efi.present);
	memset(&bp, 0xaa, sizeof(bp));
	baton_efi_apply(&efi, &bp, NULL, 0, &setup);
	static const uint8_t zero[32];
	assert_memory_equal(bp.efi_info, zero, 32);
	fx_rm_rf(root);
	free(root);
}

static void malformed_entries_are_refused(void **state)
{
	(void)state;
	char *root = efi_root();
	uint8_t running[4096];
	struct baton_efi efi;
	struct baton_error err = { 0 };

	running_efi(running);
	fx_write_str(root, "sys/firmware/efi/runtime-map/1/virt_addr", "elsewhere\n");
	assert_int_equal(baton_efi_read(root, running, &efi, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "runtime-map/1/virt_addr: not a hex number"));
	assert_true(fx_all_zero(&efi, sizeof(efi)));
	write_desc(root, 1, "0x6\n", "0x3f700000\n", "0xfffffffeffa50000\n", "0x60\n", "0x0\n");
	fx_write_str(root, "sys/firmware/efi/runtime-map/2/num_pages", "");
	assert_int_equal(baton_efi_read(root, running, &efi, &err), -EINVAL);
	assert_true(fx_all_zero(&efi, sizeof(efi)));
	fx_rm_rf(root);
	free(root);
}

/* A failure after the runtime map was read leaves nothing of it (the caller frees nothing). */
static void failures_leave_efi_empty(void **state)
{
	(void)state;
	char *root = efi_root();
	uint8_t running[4096];
	struct baton_efi efi;
	struct baton_error err = { 0 };
	char path[4200];

	running_efi(running);
	snprintf(path, sizeof(path), "%s/sys/firmware/efi/config_table", root);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(baton_efi_read(root, running, &efi, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "config_table: missing"));
	assert_true(fx_all_zero(&efi, sizeof(efi)));
	fx_write_str(root, "sys/firmware/efi/config_table", "0x3f9ee098\n");
	snprintf(path, sizeof(path), "%s/sys/firmware/efi/runtime-map/2/attribute", root);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(baton_efi_read(root, running, &efi, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "runtime-map/2/attribute: missing"));
	assert_true(fx_all_zero(&efi, sizeof(efi)));
	fx_rm_rf(root);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_the_runtime_map_and_tables),
		cmocka_unit_test(without_efi_the_new_kernel_gets_no_stale_efi_info),
		cmocka_unit_test(malformed_entries_are_refused),
		cmocka_unit_test(failures_leave_efi_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
