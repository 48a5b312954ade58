/* SPDX-License-Identifier: MIT */
/* Tests for finding and reading the RSDP: the checks, each place it is looked for, and refusals. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "acpi.h"
#include "support/fixture.h"

#define OVMF_RSDP 0x3f77d014ULL

static uint8_t checksum(const uint8_t *b, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *b++;
	return (uint8_t)-s;
}

/* An RSDP of `revision` (36 bytes from 2), checksums right. */
static void make_rsdp(uint8_t *b, uint8_t revision)
{
	memset(b, 0, 36);
	memcpy(b, "RSD PTR ", 8);
	memcpy(b + 9, "BOCHS ", 6);
	b[15] = revision;
	b[16] = 0x74;
	if (revision >= 2) {
		b[20] = 36;
		b[24] = 0xe8;
	}
	b[8] = checksum(b, 20);
	if (revision >= 2)
		b[32] = checksum(b, 36);
}

/* `n` bytes at `addr` of ROOT/dev/mem (a sparse file, made on first use). */
static void dev_mem(const char *root, uint64_t addr, const void *bytes, size_t n)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/dev/mem", root);
	if (access(path, F_OK))
		fx_write(root, "dev/mem", "", 0);
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, bytes, n, (off_t)addr), (ssize_t)n);
	close(fd);
}

static void checks_signature_checksums_and_length(void **state)
{
	(void)state;
	uint8_t b[40];

	make_rsdp(b, 2);
	assert_int_equal(baton_rsdp_check(b, 36), 36);
	assert_int_equal(baton_rsdp_check(b, 35), 0);          /* shorter than its length */
	make_rsdp(b, 0);
	assert_int_equal(baton_rsdp_check(b, 20), 20);
	assert_int_equal(baton_rsdp_check(b, 19), 0);
	b[9] ^= 1;                                              /* first checksum */
	assert_int_equal(baton_rsdp_check(b, 20), 0);
	make_rsdp(b, 2);
	b[30] ^= 1;                                             /* extended checksum */
	assert_int_equal(baton_rsdp_check(b, 36), 0);
	make_rsdp(b, 2);
	b[0] = 'X';
	assert_int_equal(baton_rsdp_check(b, 36), 0);
	make_rsdp(b, 2);
	b[20] = 64;                                             /* more than baton keeps */
	b[8] = 0;
	b[8] = checksum(b, 20);
	assert_int_equal(baton_rsdp_check(b, 40), 0);
}

static void reads_the_system_tables_address(void **state)
{
	(void)state;
	char *root = fx_tmpdir();
	struct baton_error err = { 0 };
	struct baton_rsdp r;
	uint8_t b[36];

	make_rsdp(b, 2);
	fx_write_str(root, "sys/firmware/efi/systab", "ACPI20=0x3f77d014\nACPI=0x3f77d000\n"
		     "SMBIOS=0x3f520000\n");
	dev_mem(root, OVMF_RSDP, b, sizeof(b));
	assert_int_equal(baton_rsdp_read(root, NULL, &r, &err), 0);
	assert_int_equal(r.addr, OVMF_RSDP);
	assert_int_equal(r.size, 36);
	assert_memory_equal(r.bytes, b, 36);
	fx_rm_rf(root);
	free(root);
}

static void falls_back_to_the_zero_page_then_the_bios_areas(void **state)
{
	(void)state;
	char *root = fx_tmpdir();
	struct baton_error err = { 0 };
	struct boot_params bp;
	struct baton_rsdp r;
	uint8_t b[36];
	uint16_t ebda_seg = 0x9fc0;

	make_rsdp(b, 0);
	memset(&bp, 0, sizeof(bp));
	bp.acpi_rsdp_addr = 0x7ffe0000;
	dev_mem(root, 0x7ffe0000, b, 20);
	assert_int_equal(baton_rsdp_read(root, &bp, &r, &err), 0);
	assert_int_equal(r.addr, 0x7ffe0000);
	assert_int_equal(r.size, 20);

	/* SeaBIOS: no address anywhere, the RSDP in the ROM area on a 16-byte boundary. */
	fx_rm_rf(root);
	dev_mem(root, 0xfffff, "", 1);   /* /dev/mem covers the first MiB */
	dev_mem(root, 0xf5a30, b, 20);
	assert_int_equal(baton_rsdp_read(root, NULL, &r, &err), 0);
	assert_int_equal(r.addr, 0xf5a30);

	/* The EBDA is searched first. */
	dev_mem(root, 0x40e, &ebda_seg, 2);
	dev_mem(root, 0x9fc40, b, 20);
	dev_mem(root, 0xf5a30, b, 20);
	assert_int_equal(baton_rsdp_read(root, NULL, &r, &err), 0);
	assert_int_equal(r.addr, 0x9fc40);
	fx_rm_rf(root);
	free(root);
}

static void refuses_in_one_line_with_nothing_read(void **state)
{
	(void)state;
	char *root = fx_tmpdir();
	struct baton_error err = { 0 };
	struct baton_rsdp r;
	uint8_t b[36];

	/* No /dev/mem to read it from: the address is enough, the purgatory copies it. */
	fx_write_str(root, "sys/firmware/efi/systab", "ACPI20=0x3f77d014\n");
	assert_int_equal(baton_rsdp_read(root, NULL, &r, &err), 0);
	assert_int_equal(r.addr, OVMF_RSDP);
	assert_int_equal(r.size, 0);

	make_rsdp(b, 2);
	b[33] ^= 0xff;
	dev_mem(root, OVMF_RSDP, b, sizeof(b));
	assert_int_equal(baton_rsdp_read(root, NULL, &r, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "no valid RSDP at 0x3f77d014"));
	assert_true(fx_all_zero(&r, sizeof(r)));

	fx_write_str(root, "sys/firmware/efi/systab", "SMBIOS=0x3f520000\n");
	assert_int_equal(baton_rsdp_read(root, NULL, &r, &err), -ENOENT);   /* no scan finds one */
	assert_non_null(strstr(err.msg, "no RSDP"));
	assert_true(fx_all_zero(&r, sizeof(r)));
	fx_rm_rf(root);
	assert_int_equal(baton_rsdp_read(root, NULL, &r, &err), -ENOENT);   /* nothing at all */
	assert_non_null(strstr(err.msg, "no RSDP address"));
	assert_true(fx_all_zero(&r, sizeof(r)));
	fx_rm_rf(root);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(checks_signature_checksums_and_length),
		cmocka_unit_test(reads_the_system_tables_address),
		cmocka_unit_test(falls_back_to_the_zero_page_then_the_bios_areas),
		cmocka_unit_test(refuses_in_one_line_with_nothing_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
