/* SPDX-License-Identifier: MIT */
/* The multiboot2 header of a kernel image: found, validated and read into a typed result. */
#ifndef BATON_LIB_MULTIBOOT2_H
#define BATON_LIB_MULTIBOOT2_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define BATON_MB2_MAGIC        0xe85250d6u   /* in the image's header */
#define BATON_MB2_LOADER_MAGIC 0x36d76289u   /* in EAX at entry */
#define BATON_MB2_SEARCH       32768         /* the header lies within the file's first 32 KiB */

/* Header tag types (what the image asks of the loader). */
enum baton_mb2_htag {
	BATON_MB2_HTAG_END = 0,
	BATON_MB2_HTAG_INFO_REQUEST = 1,
	BATON_MB2_HTAG_ADDRESS = 2,
	BATON_MB2_HTAG_ENTRY = 3,
	BATON_MB2_HTAG_CONSOLE = 4,
	BATON_MB2_HTAG_FRAMEBUFFER = 5,
	BATON_MB2_HTAG_MODULE_ALIGN = 6,
	BATON_MB2_HTAG_EFI_BS = 7,
	BATON_MB2_HTAG_ENTRY_EFI32 = 8,
	BATON_MB2_HTAG_ENTRY_EFI64 = 9,
	BATON_MB2_HTAG_RELOCATABLE = 10,
};

/* Information (MBI) tag types (what the loader hands over). */
enum baton_mbi_tag {
	BATON_MBI_END = 0,
	BATON_MBI_CMDLINE = 1,
	BATON_MBI_BOOT_LOADER_NAME = 2,
	BATON_MBI_MODULE = 3,
	BATON_MBI_BASIC_MEMINFO = 4,
	BATON_MBI_BOOTDEV = 5,
	BATON_MBI_MMAP = 6,
	BATON_MBI_VBE = 7,
	BATON_MBI_FRAMEBUFFER = 8,
	BATON_MBI_ELF_SECTIONS = 9,
	BATON_MBI_APM = 10,
	BATON_MBI_EFI32 = 11,
	BATON_MBI_EFI64 = 12,
	BATON_MBI_SMBIOS = 13,
	BATON_MBI_ACPI_OLD = 14,
	BATON_MBI_ACPI_NEW = 15,
	BATON_MBI_NETWORK = 16,
	BATON_MBI_EFI_MMAP = 17,
	BATON_MBI_EFI_BS = 18,
	BATON_MBI_EFI32_IH = 19,
	BATON_MBI_EFI64_IH = 20,
	BATON_MBI_LOAD_BASE_ADDR = 21,
};

#define BATON_MB2_BIT(type) (1u << (type))

/* The MBI tags baton writes for every image (lib/mbi.c, baton_mbi2_build): a required information
 * request for any other type is refused. FRAMEBUFFER, ACPI_OLD and ACPI_NEW are written only when
 * the caller has them, so they are not promised here; MODULE is one per module, possibly none. */
#define BATON_MBI_PROVIDES                                                                   \
	(BATON_MB2_BIT(BATON_MBI_END) | BATON_MB2_BIT(BATON_MBI_CMDLINE) |                   \
	 BATON_MB2_BIT(BATON_MBI_BOOT_LOADER_NAME) |                                         \
	 BATON_MB2_BIT(BATON_MBI_MODULE) | BATON_MB2_BIT(BATON_MBI_BASIC_MEMINFO) |          \
	 BATON_MB2_BIT(BATON_MBI_MMAP) | BATON_MB2_BIT(BATON_MBI_LOAD_BASE_ADDR))

#define BATON_MB2_CONSOLE_REQUIRED (1u << 0)   /* console_flags: a console must be described */
#define BATON_MB2_CONSOLE_EGA_TEXT (1u << 1)   /* console_flags: the image supports EGA text */

enum baton_mb2_reloc_pref {
	BATON_MB2_RELOC_NONE = 0,
	BATON_MB2_RELOC_LOW = 1,
	BATON_MB2_RELOC_HIGH = 2,
};

struct baton_mb2_header {
	size_t offset;              /* of the header in the file: 8-byte aligned, below 32 KiB */
	uint32_t length;            /* header_length: the header with its tags */
	uint32_t present;           /* BATON_MB2_BIT(htag) for each tag found (END included) */
	uint32_t required;          /* of those, the tags without the "optional" flag */
	uint32_t info_requested;    /* BATON_MB2_BIT(mbi tag) for each type asked for (below 32) */
	uint32_t info_required;     /* of those, asked for by a request without "optional" */
	struct {                    /* ADDRESS: where the file's bytes go (no ELF needed) */
		uint32_t header_addr;
		uint32_t load_addr;         /* 0xffffffff: the file from its start */
		uint32_t load_end_addr;     /* 0: to the end of the file */
		uint32_t bss_end_addr;      /* 0: no bss */
		size_t load_offset;         /* the file offset load_addr corresponds to */
		size_t load_size;           /* file bytes to load from there */
	} address;
	uint32_t entry_addr;        /* ENTRY: the i386 entry (else the ELF's e_entry) */
	uint32_t console_flags;     /* CONSOLE: BATON_MB2_CONSOLE_* */
	struct {
		uint32_t width, height, depth;  /* FRAMEBUFFER: preferred mode, 0 = no preference */
	} framebuffer;
	uint32_t efi32_entry;       /* ENTRY_EFI32 */
	uint32_t efi64_entry;       /* ENTRY_EFI64 */
	struct {                    /* RELOCATABLE */
		uint32_t min_addr, max_addr, align;
		enum baton_mb2_reloc_pref preference;
	} relocatable;
};

/* 1 when the image has a tag of this type. */
static inline int baton_mb2_has(const struct baton_mb2_header *h, enum baton_mb2_htag tag)
{
	return !!(h->present & BATON_MB2_BIT(tag));
}

/* The tag's name in messages ("EFI boot services"); "unknown" past RELOCATABLE. */
const char *baton_mb2_htag_name(unsigned type);
/* The MBI tag's name ("basic memory information"); "unknown" past LOAD_BASE_ADDR. */
const char *baton_mbi_tag_name(unsigned type);

/* 1 when the file's first 32 KiB hold a multiboot2 magic whose checksum adds up. */
int baton_mb2_probe(const uint8_t *data, size_t size);

/* Find and validate the header and walk its tags. Refuses (-ENOEXEC, one line naming the file and
 * the tag) a malformed header and any required tag a kexec loader cannot satisfy: EFI boot
 * services, the EFI entry points, a framebuffer mode, a required console, an information request
 * for a type outside BATON_MBI_PROVIDES, a tag type it does not know. After an error *out is
 * zeroed. */
int baton_mb2_parse(struct baton_mb2_header *out, const uint8_t *data, size_t size,
		    const char *name, struct baton_error *err);

#endif
