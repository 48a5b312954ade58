/* SPDX-License-Identifier: MIT */
/* Multiboot header (Multiboot Specification 0.6.96, section 3.1): search, checksum, flags. */
#include "multiboot.h"

#include <errno.h>
#include <string.h>

#include "le.h"
#include "mb_search.h"

/* A refusal: the message first (it may name fields of *out), then *out zeroed (the library's
 * cleanup rule). */
#define FAIL(...) (baton_fail(err, ENOEXEC, __VA_ARGS__), memset(out, 0, sizeof(*out)), -ENOEXEC)
#define HDR_SIZE      12   /* magic, flags, checksum */
#define HDR_ADDR_SIZE 32   /* and the five address fields */

int baton_mb1_probe(const uint8_t *data, size_t size)
{
	return baton_mb_find(data, size, BATON_MB1_SEARCH, BATON_MB1_MAGIC, 4, 3, NULL) !=
	       BATON_MB_NOT_FOUND;
}

static int check_address(struct baton_mb1_header *out, const uint8_t *h, size_t size,
			 const char *name, struct baton_error *err)
{
	uint32_t hdr = baton_le32(h + 12), load = baton_le32(h + 16);
	uint32_t load_end = baton_le32(h + 20), bss_end = baton_le32(h + 24);
	uint64_t end;

	out->address.header_addr = hdr;
	out->address.load_addr = load;
	out->address.load_end_addr = load_end;
	out->address.bss_end_addr = bss_end;
	out->address.entry_addr = baton_le32(h + 28);
	if (load > hdr)
		return FAIL("multiboot: %s: load_addr 0x%x is above header_addr 0x%x", name, load,
			    hdr);
	if (hdr - load > out->offset)
		return FAIL("multiboot: %s: load_addr 0x%x would start before the file", name,
			    load);
	out->address.load_offset = out->offset - (hdr - load);
	end = load_end ? load_end : (uint64_t)load + (size - out->address.load_offset);
	if (end < load || end - load > size - out->address.load_offset)
		return FAIL("multiboot: %s: load_end_addr 0x%x is outside the file's 0x%zx bytes"
			    " from load_addr 0x%x", name, load_end, size, load);
	if (end > 0x100000000ull)
		return FAIL("multiboot: %s: the load ends above 4 GiB", name);
	out->address.load_size = (size_t)(end - load);
	if (bss_end && bss_end < end)
		return FAIL("multiboot: %s: bss_end_addr 0x%x is below the load's end 0x%llx", name,
			    bss_end, (unsigned long long)end);
	if (out->address.entry_addr < load || out->address.entry_addr >= (bss_end ? bss_end : end))
		return FAIL("multiboot: %s: entry_addr 0x%x is outside the loaded image", name,
			    out->address.entry_addr);
	return 0;
}

int baton_mb1_parse(struct baton_mb1_header *out, const uint8_t *data, size_t size,
		    const char *name, struct baton_error *err)
{
	size_t end = size < BATON_MB1_SEARCH ? size : BATON_MB1_SEARCH, off, need;
	int seen;
	const uint8_t *h;
	uint32_t unknown;

	*out = (struct baton_mb1_header){ 0 };
	off = baton_mb_find(data, size, BATON_MB1_SEARCH, BATON_MB1_MAGIC, 4, 3, &seen);
	if (!seen)
		return FAIL("multiboot: %s: no multiboot header in the first 8 KiB", name);
	if (off == BATON_MB_NOT_FOUND)
		return FAIL("multiboot: %s: header checksum does not add up", name);
	h = data + off;
	out->offset = off;
	out->flags = baton_le32(h + 4);
	unknown = out->flags & 0xffffu & ~(uint32_t)BATON_MB1_KNOWN_REQUIREMENTS;
	if (unknown & BATON_MB1_VIDEO_MODE)
		return FAIL("multiboot: %s: the image requires a video mode (flag 2); baton sets"
			    " none", name);
	if (unknown)
		return FAIL("multiboot: %s: the image requires flag bits 0x%x, which baton does"
			    " not know", name, unknown);
	need = out->flags & BATON_MB1_ADDRESS ? HDR_ADDR_SIZE : HDR_SIZE;
	if (need > end - off)
		return FAIL("multiboot: %s: header of %zu bytes at 0x%zx runs past %s", name,
			    need, off, size < BATON_MB1_SEARCH ? "the end of the file" :
			    "the first 8 KiB");
	if (out->flags & BATON_MB1_ADDRESS)
		return check_address(out, h, size, name, err);
	return 0;
}
