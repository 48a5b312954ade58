/* SPDX-License-Identifier: MIT */
/* The RSDP, through /dev/mem: Linux exposes every ACPI table in sysfs but not the root pointer,
 * and /dev/mem reads it only where the kernel allows: the BIOS areas below 1 MiB, firmware
 * memory no driver claimed. Debian's kernels (IO_STRICT_DEVMEM) keep the ACPI tables closed, so
 * on UEFI machines the address is what counts: the purgatory copies the bytes at exec time.
 * Under lockdown /dev/mem is closed, but so is kexec_load. */
#include "acpi.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "efi.h"
#include "file.h"
#include "le.h"

#define RSDP_V1_SIZE 20
#define RSDP_V2_HEAD 24   /* through the length field */
#define BIOS_EBDA_SEGMENT 0x40e
#define BIOS_ROM_START 0xe0000
#define BIOS_ROM_END 0x100000

static int read_mem(int fd, uint64_t addr, void *buf, size_t n)
{
	ssize_t got = pread(fd, buf, n, (off_t)addr);

	return got == (ssize_t)n ? 0 : got < 0 ? -errno : -EIO;
}

/* The first valid RSDP on a 16-byte boundary in [start, end), as the BIOS scan goes. */
static uint64_t scan(int fd, uint64_t start, uint64_t end, struct baton_rsdp *out)
{
	size_t n = end - start;
	uint8_t *area = malloc(n);
	uint64_t found = 0;

	if (!area)
		return 0;
	if (!read_mem(fd, start, area, n)) {
		for (size_t off = 0; off + RSDP_V1_SIZE <= n && !found; off += 16) {
			size_t len = baton_rsdp_check(area + off, n - off);
			if (len) {
				memcpy(out->bytes, area + off, len);
				out->size = (uint32_t)len;
				found = start + off;
			}
		}
	}
	free(area);
	return found;
}

int baton_rsdp_read(const char *root, const struct boot_params *running, struct baton_rsdp *out,
		    struct baton_error *err)
{
	uint8_t buf[BATON_RSDP_MAX];
	char path[4096];
	uint64_t addr;
	uint16_t seg;
	size_t len;
	int fd, rc;

	memset(out, 0, sizeof(*out));
	addr = baton_efi_systab(root, "ACPI20");
	if (!addr)
		addr = baton_efi_systab(root, "ACPI");
	if (!addr && running)
		addr = running->acpi_rsdp_addr;
	rc = baton_path(path, sizeof(path), root, "/dev/mem", err);
	if (rc)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && addr) {
		out->addr = addr;
		return 0;
	}
	if (fd < 0)
		return baton_fail(err, errno, "acpi: no RSDP address (EFI system table, zero page) "
				  "and %s: %s", path, strerror(errno));
	if (!addr) {
		if (!read_mem(fd, BIOS_EBDA_SEGMENT, &seg, sizeof(seg)) && seg)
			addr = scan(fd, (uint64_t)seg << 4, ((uint64_t)seg << 4) + 1024, out);
		if (!addr)
			addr = scan(fd, BIOS_ROM_START, BIOS_ROM_END, out);
		close(fd);
		if (!addr)
			return baton_fail(err, ENOENT, "acpi: no RSDP (not in the EFI system table, "
					  "the zero page, the EBDA or 0xe0000-0xfffff)");
		out->addr = addr;
		return 0;
	}
	memset(buf, 0, sizeof(buf));
	rc = read_mem(fd, addr, buf, RSDP_V1_SIZE);
	/* From revision 2: the length field after the first 20 bytes, then what it asks (never
	 * past what we keep). */
	if (!rc && buf[15] >= 2)
		rc = read_mem(fd, addr, buf, RSDP_V2_HEAD);
	if (!rc && buf[15] >= 2)
		rc = read_mem(fd, addr, buf, sizeof(buf) < baton_le32(buf + 20) ? sizeof(buf)
									: baton_le32(buf + 20));
	close(fd);
	out->addr = addr;
	if (rc)
		return 0;   /* closed to us (EPERM): the address is enough */
	len = baton_rsdp_check(buf, sizeof(buf));
	if (!len) {
		memset(out, 0, sizeof(*out));
		return baton_fail(err, EINVAL, "acpi: %s: no valid RSDP at 0x%llx (signature, "
				  "checksum or length)", path, (unsigned long long)addr);
	}
	memcpy(out->bytes, buf, len);
	out->size = (uint32_t)len;
	return 0;
}
