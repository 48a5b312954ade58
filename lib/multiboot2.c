/* SPDX-License-Identifier: MIT */
/* Multiboot2 header (Multiboot2 Specification 1.0, section 3.1): search, checksum, tag walk. */
#include "multiboot2.h"

#include <errno.h>
#include <string.h>

#include "le.h"
#include "mb_search.h"

/* A refusal: the message first (it may name fields of *out), then *out zeroed (the library's
 * cleanup rule). */
#define FAIL(...) (baton_fail(err, ENOEXEC, __VA_ARGS__), memset(out, 0, sizeof(*out)), -ENOEXEC)
#define HDR_SIZE 16
#define TAG_SIZE 8

static const char *const htag_names[] = {
	"end", "information request", "address", "entry address", "console flags",
	"framebuffer", "module alignment", "EFI boot services", "EFI i386 entry address",
	"EFI amd64 entry address", "relocatable",
};

static const char *const mbi_names[] = {
	"end", "command line", "boot loader name", "module", "basic memory information",
	"BIOS boot device", "memory map", "VBE information", "framebuffer", "ELF sections",
	"APM table", "EFI 32-bit system table", "EFI 64-bit system table", "SMBIOS tables",
	"ACPI old RSDP", "ACPI new RSDP", "networking information", "EFI memory map",
	"EFI boot services not terminated", "EFI 32-bit image handle", "EFI 64-bit image handle",
	"image load base address",
};

/* Smallest size of each header tag type. */
static const uint32_t htag_min_size[] = { 8, 8, 24, 12, 12, 20, 8, 8, 12, 12, 24 };

#define NR_HTAGS (sizeof(htag_names) / sizeof(htag_names[0]))

const char *baton_mb2_htag_name(unsigned type)
{
	return type < NR_HTAGS ? htag_names[type] : "unknown";
}

const char *baton_mbi_tag_name(unsigned type)
{
	return type < sizeof(mbi_names) / sizeof(mbi_names[0]) ? mbi_names[type] : "unknown";
}

int baton_mb2_probe(const uint8_t *data, size_t size)
{
	return baton_mb_find(data, size, BATON_MB2_SEARCH, BATON_MB2_MAGIC, 8, 4, NULL) !=
	       BATON_MB_NOT_FOUND;
}

/* A required tag baton cannot honour: the reason, else NULL. */
static const char *unsatisfiable(unsigned type, const struct baton_mb2_header *h)
{
	switch (type) {
	case BATON_MB2_HTAG_EFI_BS:
		return "a kexec loader starts the image after ExitBootServices()";
	case BATON_MB2_HTAG_ENTRY_EFI32:
	case BATON_MB2_HTAG_ENTRY_EFI64:
		return "baton enters the image through its i386 entry, not under EFI";
	case BATON_MB2_HTAG_FRAMEBUFFER:
		return "baton sets no video mode";
	case BATON_MB2_HTAG_CONSOLE:
		return h->console_flags & BATON_MB2_CONSOLE_REQUIRED ?
		       "it asks for a console and baton describes none" : NULL;
	default:
		return NULL;
	}
}

static int check_address(struct baton_mb2_header *out, size_t size, const char *name,
			 struct baton_error *err)
{
	uint32_t hdr = out->address.header_addr, load = out->address.load_addr;
	uint32_t load_end = out->address.load_end_addr, bss_end = out->address.bss_end_addr;
	uint64_t end;

	if (load == 0xffffffffu) {
		if (hdr < out->offset)
			return FAIL("multiboot2: %s: address tag: header_addr 0x%x is below the"
				    " header's file offset 0x%zx", name, hdr, out->offset);
		out->address.load_offset = 0;
		load = hdr - (uint32_t)out->offset;
	} else {
		if (load > hdr)
			return FAIL("multiboot2: %s: address tag: load_addr 0x%x is above"
				    " header_addr 0x%x", name, load, hdr);
		if (hdr - load > out->offset)
			return FAIL("multiboot2: %s: address tag: load_addr 0x%x would start"
				    " before the file", name, load);
		out->address.load_offset = out->offset - (hdr - load);
	}
	end = load_end ? load_end : (uint64_t)load + (size - out->address.load_offset);
	if (end < load || end - load > size - out->address.load_offset)
		return FAIL("multiboot2: %s: address tag: load_end_addr 0x%x is outside the file's"
			    " 0x%zx bytes from load_addr 0x%x", name, load_end, size, load);
	if (end > 0x100000000ull)
		return FAIL("multiboot2: %s: address tag: the load ends above 4 GiB", name);
	out->address.load_size = (size_t)(end - load);
	if (bss_end && bss_end < end)
		return FAIL("multiboot2: %s: address tag: bss_end_addr 0x%x is below the load's"
			    " end 0x%llx", name, bss_end, (unsigned long long)end);
	return 0;
}

static int read_tag(struct baton_mb2_header *out, const uint8_t *t, uint32_t type, uint32_t size,
		    int required, const char *name, struct baton_error *err)
{
	switch (type) {
	case BATON_MB2_HTAG_INFO_REQUEST:
		if ((size - TAG_SIZE) % 4)
			return FAIL("multiboot2: %s: information request tag size %u is not 8 plus"
				    " a multiple of 4", name, size);
		for (uint32_t i = TAG_SIZE; i < size; i += 4) {
			uint32_t want = baton_le32(t + i);

			if (required && (want >= 32 || !(BATON_MBI_PROVIDES & BATON_MB2_BIT(want))))
				return FAIL("multiboot2: %s: the information request tag requires MBI"
					    " tag %u (%s), which baton does not provide", name, want,
					    baton_mbi_tag_name(want));
			if (want >= 32)
				continue;
			out->info_requested |= BATON_MB2_BIT(want);
			if (required)
				out->info_required |= BATON_MB2_BIT(want);
		}
		return 0;
	case BATON_MB2_HTAG_ADDRESS:
		out->address.header_addr = baton_le32(t + 8);
		out->address.load_addr = baton_le32(t + 12);
		out->address.load_end_addr = baton_le32(t + 16);
		out->address.bss_end_addr = baton_le32(t + 20);
		return 0;
	case BATON_MB2_HTAG_ENTRY:
		out->entry_addr = baton_le32(t + 8);
		return 0;
	case BATON_MB2_HTAG_CONSOLE:
		out->console_flags = baton_le32(t + 8);
		return 0;
	case BATON_MB2_HTAG_FRAMEBUFFER:
		out->framebuffer.width = baton_le32(t + 8);
		out->framebuffer.height = baton_le32(t + 12);
		out->framebuffer.depth = baton_le32(t + 16);
		return 0;
	case BATON_MB2_HTAG_ENTRY_EFI32:
		out->efi32_entry = baton_le32(t + 8);
		return 0;
	case BATON_MB2_HTAG_ENTRY_EFI64:
		out->efi64_entry = baton_le32(t + 8);
		return 0;
	case BATON_MB2_HTAG_RELOCATABLE: {
		uint32_t align = baton_le32(t + 16), pref = baton_le32(t + 20);

		out->relocatable.min_addr = baton_le32(t + 8);
		out->relocatable.max_addr = baton_le32(t + 12);
		out->relocatable.align = align;
		if (out->relocatable.min_addr > out->relocatable.max_addr)
			return FAIL("multiboot2: %s: relocatable tag: min_addr 0x%x is above"
				    " max_addr 0x%x", name, out->relocatable.min_addr,
				    out->relocatable.max_addr);
		if (!align || (align & (align - 1)))
			return FAIL("multiboot2: %s: relocatable tag: align 0x%x is not a power of"
				    " two", name, align);
		if (pref > BATON_MB2_RELOC_HIGH)
			return FAIL("multiboot2: %s: relocatable tag: preference %u is not 0, 1"
				    " or 2", name, pref);
		out->relocatable.preference = (enum baton_mb2_reloc_pref)pref;
		return 0;
	}
	default:   /* MODULE_ALIGN, EFI_BS: presence is all */
		return 0;
	}
}

static int walk_tags(struct baton_mb2_header *out, const uint8_t *data, const char *name,
		     struct baton_error *err)
{
	const uint8_t *hdr = data + out->offset;
	size_t pos = HDR_SIZE;

	for (;;) {
		uint32_t type, size, required;

		if (pos + TAG_SIZE > out->length)
			return FAIL("multiboot2: %s: the header's tags run past its %u bytes without"
				    " an end tag", name, out->length);
		type = baton_le16(hdr + pos);
		required = !(baton_le16(hdr + pos + 2) & 1);
		size = baton_le32(hdr + pos + 4);
		if (type < NR_HTAGS && size < htag_min_size[type])
			return FAIL("multiboot2: %s: %s tag of %u bytes, less than its %u", name,
				    baton_mb2_htag_name(type), size, htag_min_size[type]);
		if (size < TAG_SIZE || size > out->length - pos)
			return FAIL("multiboot2: %s: tag type %u at 0x%zx: size %u runs past the"
				    " header", name, type, out->offset + pos, size);
		if (type == BATON_MB2_HTAG_END) {
			if (size != TAG_SIZE)
				return FAIL("multiboot2: %s: end tag of %u bytes, not 8", name, size);
			out->present |= BATON_MB2_BIT(type);
			out->required |= BATON_MB2_BIT(type);
			return 0;
		}
		if (type >= NR_HTAGS) {
			if (required)
				return FAIL("multiboot2: %s: header tag type %u is required and baton"
					    " does not know it", name, type);
		} else {
			if (type != BATON_MB2_HTAG_INFO_REQUEST &&
			    out->present & BATON_MB2_BIT(type))
				return FAIL("multiboot2: %s: two %s tags", name,
					    baton_mb2_htag_name(type));
			out->present |= BATON_MB2_BIT(type);
			if (required)
				out->required |= BATON_MB2_BIT(type);
			int rc = read_tag(out, hdr + pos, type, size, required, name, err);
			if (rc)
				return rc;
			const char *why = required ? unsatisfiable(type, out) : NULL;
			if (why)
				return FAIL("multiboot2: %s: the %s tag is required, and %s", name,
					    baton_mb2_htag_name(type), why);
		}
		pos += ((size_t)size + 7) & ~(size_t)7;
	}
}

int baton_mb2_parse(struct baton_mb2_header *out, const uint8_t *data, size_t size,
		    const char *name, struct baton_error *err)
{
	size_t end = size < BATON_MB2_SEARCH ? size : BATON_MB2_SEARCH, off;
	int seen;
	const uint8_t *h;
	int rc;

	*out = (struct baton_mb2_header){ 0 };
	off = baton_mb_find(data, size, BATON_MB2_SEARCH, BATON_MB2_MAGIC, 8, 4, &seen);
	if (!seen)
		return FAIL("multiboot2: %s: no multiboot2 header in the first 32 KiB", name);
	if (off == BATON_MB_NOT_FOUND)
		return FAIL("multiboot2: %s: header checksum does not add up", name);
	h = data + off;
	if (baton_le32(h + 4) != 0)
		return FAIL("multiboot2: %s: architecture %u is not i386 (0)", name,
			    baton_le32(h + 4));
	out->offset = off;
	out->length = baton_le32(h + 8);
	if (out->length < HDR_SIZE + TAG_SIZE)
		return FAIL("multiboot2: %s: header_length %u is too small for the header and an"
			    " end tag", name, out->length);
	if (out->length > end - off)
		return FAIL("multiboot2: %s: header of %u bytes at 0x%zx runs past %s", name,
			    out->length, off, size < BATON_MB2_SEARCH ? "the end of the file" :
			    "the first 32 KiB");
	rc = walk_tags(out, data, name, err);
	if (!rc && baton_mb2_has(out, BATON_MB2_HTAG_ADDRESS))
		rc = check_address(out, size, name, err);
	return rc;
}
