/* SPDX-License-Identifier: MIT */
/* The loader <-> purgatory ABI: the one place both sides agree on what the purgatory is told.
 *
 * The purgatory image starts with struct baton_purgatory_header (written by the purgatory's own
 * build, read by the loader) followed at `params_offset` by struct baton_params (written by the
 * loader, read by the purgatory). Freestanding: only <stdint.h>. Private to the loader and the
 * purgatory (not installed). The purgatory's assembly includes it too: the numbers it needs are
 * macros, each checked against the C layout below, so moving a field cannot assemble into a
 * wrong jump. */
#ifndef BATON_ABI_H
#define BATON_ABI_H

#ifdef __ASSEMBLER__
#define BATON_U64(x) x
#else
#define BATON_U64(x) x##ULL
#endif

#define BATON_HEADER_MAGIC BATON_U64(0x5052474e4f544142)   /* "BATONGRP" little-endian */
#define BATON_PARAMS_MAGIC BATON_U64(0x4d5241504e544142)   /* "BATNPARM" little-endian */
#define BATON_ABI_VERSION 6

/* struct baton_purgatory_header field offsets (entry.S lays the header out with these). */
#define BATON_HDR_MAGIC 0x08
#define BATON_HDR_VERSION 0x10
#define BATON_HDR_PARAMS_OFFSET 0x14
#define BATON_HDR_TRAMPOLINE 0x24
#define BATON_HDR_SIZE 0x30

/* struct baton_params field offsets entry.S reads. */
#define BATON_PARAMS_EXIT_MODE 0x040
#define BATON_PARAMS_EXIT_ENTRY 0x048
#define BATON_PARAMS_EXIT_REGS 0x080
#define BATON_PARAMS_EXIT_TRAMPOLINE 0x0d0
#define BATON_PARAMS_EXIT_REAL_SEG 0x0d4
#define BATON_PARAMS_EXIT_REAL_SP 0x0d6

/* struct baton_params.flags (bit 0 was the 32-bit entry before ABI version 3: now exit_mode) */
#define BATON_PF_SERIAL (1 << 1)        /* report progress and failures on the 16550 at serial_port */
#define BATON_PF_BIOS_AREA (1 << 2)     /* write struct baton_bios_area's BDA and EBDA before the exit */
/* Crash hotplug: the kernel rewrites the ELF core header at [elfcorehdr, +elfcorehdr_size) after
 * the load, so it is no region (no digest); the purgatory checks its shape instead. */
#define BATON_PF_ELFCORE_HOTPLUG (1 << 8)
#define BATON_PF_CONSOLE_VGA (1 << 3)   /* report in VGA text memory (0xb8000, 80x25) too */
#define BATON_PF_RESET_VGA (1 << 4)     /* program the VGA for 80x25 text (mode 3) after verifying */
#define BATON_PF_CONSOLE_FB (1 << 5)    /* report in the linear framebuffer of struct baton_fb too */

/* VGA text memory: 80x25 cells of a character and an attribute byte. */
#define BATON_VGA_TEXT 0xb8000
#define BATON_VGA_COLS 80
#define BATON_VGA_ROWS 25

/* Where struct baton_bios_area's RSDP copy goes in its EBDA: 16-byte aligned, as an RSDP must be
 * for the firmware-table scan that finds it (ACPI 6.5, 5.2.5.1). */
#define BATON_EBDA_RSDP 0x10
/* The most RSDP bytes the purgatory copies: 20 (revision 0 and 1), 36 from revision 2. */
#define BATON_RSDP_MAX 40
/* Conventional memory ends at 640 KiB: the BIOS area lies below it. */
#define BATON_BIOS_CONVENTIONAL_END 0xa0000

/* struct baton_params.exit_mode: how the purgatory leaves, whatever the kernel's format. */
#define BATON_EXIT_LONG64 0        /* stay in long mode on baton's identity map */
#define BATON_EXIT_PROTECTED32 1   /* leave long mode: protected mode, paging off, flat segments */
/* Through BATON_EXIT_PROTECTED32 to the low trampoline (exit_trampoline), 16-bit protected mode,
 * then real mode: IVT at 0 (IDTR 0x3ff/0), the 8259s at the BIOS's vectors (0x08, 0x70) all
 * masked but the cascade, DS = ES = FS = GS = SS = exit_real_seg, SP = exit_real_sp, interrupts
 * off, CS:IP = exit_entry >> 4 : exit_entry & 0xf (exit_entry below 1 MiB). Since ABI 6. */
#define BATON_EXIT_REAL16 2
#define BATON_EXIT_NR_MODES 3

/* The real-mode exit's trampoline: at most this many bytes, copied by the loader from the
 * purgatory image (header trampoline_offset/size) to a 16-byte aligned address below 1 MiB. */
#define BATON_TRAMPOLINE_MAX 256
#define BATON_REAL_MODE_LIMIT 0x100000

/* struct baton_params.exit_regs: the registers the purgatory loads just before the jump (the
 * others are zero), by index; each is its byte offset from BATON_PARAMS_EXIT_REGS / 8. */
#define BATON_EXIT_RAX 0
#define BATON_EXIT_RBX 1
#define BATON_EXIT_RCX 2
#define BATON_EXIT_RDX 3
#define BATON_EXIT_RSI 4
#define BATON_EXIT_RDI 5
#define BATON_EXIT_NR_REGS 6

/* struct baton_params.digest: what regions[].sha256 holds (version 5 on; docs/handover.md). */
#define BATON_DIGEST_SHA256 0   /* the plain SHA-256 of the region's bytes */
#define BATON_DIGEST_TREE 1     /* the root of the tree digest, version 1, in digest_chunk chunks */

/* Segment selectors the purgatory's GDT provides, as the boot protocol requires. */
#define BATON_BOOT_CS 0x10
#define BATON_BOOT_DS 0x18

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

#define BATON_MAX_REGIONS 16     /* kexec_load takes at most 16 segments */
#define BATON_REGION_NAME 16

/* At offset 0 of the purgatory image. The entry point is offset 0: a jump over this header. */
struct baton_purgatory_header {
	uint8_t jump[8];          /* 0x00 jmp to the 64-bit entry */
	uint64_t magic;           /* 0x08 BATON_HEADER_MAGIC */
	uint32_t version;         /* 0x10 BATON_ABI_VERSION */
	uint32_t params_offset;   /* 0x14 where struct baton_params lives in the image */
	uint32_t text_offset;     /* 0x18 start of the code and read-only data the purgatory hashes */
	uint32_t text_end;        /* 0x1c end of that part: what follows is writable (stack, bss) */
	uint32_t image_size;      /* 0x20 bytes the image occupies in memory, bss and stack included */
	uint32_t trampoline_offset;   /* 0x24 BATON_EXIT_REAL16's low trampoline, in the hashed part */
	uint32_t trampoline_size;     /* 0x28 its bytes (at most BATON_TRAMPOLINE_MAX) */
	uint32_t reserved;        /* 0x2c */
} __attribute__((packed));

_Static_assert(sizeof(struct baton_purgatory_header) == BATON_HDR_SIZE, "header size");
_Static_assert(offsetof(struct baton_purgatory_header, magic) == BATON_HDR_MAGIC, "header magic");
_Static_assert(offsetof(struct baton_purgatory_header, version) == BATON_HDR_VERSION,
	       "header version");
_Static_assert(offsetof(struct baton_purgatory_header, params_offset) == BATON_HDR_PARAMS_OFFSET,
	       "header params_offset");
_Static_assert(offsetof(struct baton_purgatory_header, trampoline_offset) == BATON_HDR_TRAMPOLINE,
	       "header trampoline_offset");

/* One range the purgatory verifies before it trusts it. */
struct baton_region {
	uint64_t start;                 /* 0x00 physical address */
	uint64_t size;                  /* 0x08 bytes hashed */
	uint8_t sha256[32];             /* 0x10 as baton_params.digest says */
	char name[BATON_REGION_NAME];   /* 0x30 NUL-padded, for the failure report ("kernel") */
} __attribute__((packed));

_Static_assert(sizeof(struct baton_region) == 0x40, "region size");

/* A linear framebuffer the purgatory draws its lines into (BATON_PF_CONSOLE_FB), as the running
 * kernel's screen_info describes it: packed RGB pixels of 16, 24 or 32 bits. */
struct baton_fb {
	uint64_t base;                  /* 0x00 physical address of pixel (0, 0) */
	uint32_t stride;                /* 0x08 bytes a line */
	uint16_t width;                 /* 0x0c pixels */
	uint16_t height;                /* 0x0e */
	uint8_t bpp;                    /* 0x10 16, 24 or 32 */
	uint8_t red_pos, red_size;      /* 0x11 bit position and width of each colour */
	uint8_t green_pos, green_size;  /* 0x13 */
	uint8_t blue_pos, blue_size;    /* 0x15 */
	uint8_t reserved;               /* 0x17 zero */
} __attribute__((packed));

_Static_assert(sizeof(struct baton_fb) == 0x18, "fb size");

/* The legacy BIOS data a multiboot kernel's entry reads even where the firmware left none (UEFI):
 * the BDA's EBDA segment (0x40e) and base memory size (0x413), and an EBDA holding a copy of the
 * RSDP, where the ACPI scan of the EBDA finds it. The loader reports the EBDA as reserved. The
 * RSDP is copied at exec time from the firmware's (Linux keeps /dev/mem closed over the ACPI
 * tables: IO_STRICT_DEVMEM), and only if its signature and checksums hold then. */
struct baton_bios_area {
	uint64_t ebda;                  /* 0x00 physical, 1 KiB aligned, ends at or below 640 KiB */
	uint16_t base_kib;              /* 0x08 BDA 0x413: KiB of conventional memory (<= ebda) */
	uint16_t ebda_kib;              /* 0x0a KiB the EBDA takes: zeroed, then its first byte */
	uint32_t reserved;              /* 0x0c zero */
	uint64_t rsdp;                  /* 0x10 the firmware's RSDP, copied to ebda + BATON_EBDA_RSDP
					 * (0: none) */
} __attribute__((packed));

_Static_assert(sizeof(struct baton_bios_area) == 0x18, "bios area size");

struct baton_params {
	uint64_t magic;                 /* 0x000 BATON_PARAMS_MAGIC */
	uint32_t version;               /* 0x008 BATON_ABI_VERSION */
	uint32_t size;                  /* 0x00c sizeof(struct baton_params) */
	uint8_t self_sha256[32];        /* 0x010 SHA-256 of this struct with this field zeroed */
	uint32_t flags;                 /* 0x030 BATON_PF_* */
	uint16_t serial_port;           /* 0x034 I/O port of the UART, e.g. 0x3f8 */
	uint16_t reserved0;             /* 0x036 */
	uint32_t serial_baud;           /* 0x038 e.g. 115200 */
	uint32_t nr_regions;            /* 0x03c used entries of regions[] */
	uint32_t exit_mode;             /* 0x040 BATON_EXIT_* */
	uint32_t reserved2;             /* 0x044 zero */
	uint64_t exit_entry;            /* 0x048 where the purgatory jumps (physical) */
	uint64_t pml4;                  /* 0x050 identity map root for 4-level paging */
	uint64_t pml5;                  /* 0x058 identity map root for 5-level paging */
	uint64_t backup_src;            /* 0x060 low memory saved for kdump (0 size: none) */
	uint64_t backup_dst;            /* 0x068 */
	uint64_t backup_size;           /* 0x070 */
	uint64_t timing;                /* 0x078 struct baton_timing to fill in (0: none) */
	uint64_t exit_regs[BATON_EXIT_NR_REGS];   /* 0x080 by BATON_EXIT_RAX...; the rest zero */
	struct baton_bios_area bios;    /* 0x0b0 BATON_PF_BIOS_AREA */
	uint32_t digest;                /* 0x0c8 BATON_DIGEST_* of every region (version 5) */
	uint32_t digest_chunk;          /* 0x0cc BATON_DIGEST_TREE's chunk size: a power of two */
	uint32_t exit_trampoline;       /* 0x0d0 BATON_EXIT_REAL16: the trampoline's copy, below
					 * 1 MiB (else 0) */
	uint16_t exit_real_seg;         /* 0x0d4 BATON_EXIT_REAL16: DS, ES, FS, GS and SS */
	uint16_t exit_real_sp;          /* 0x0d6 BATON_EXIT_REAL16: SP */
	uint64_t elfcorehdr;            /* 0x0d8 BATON_PF_ELFCORE_HOTPLUG: the header's segment */
	uint64_t elfcorehdr_size;       /* 0x0e0 its memsz: the rewritten header must fit it */
	struct baton_fb fb;             /* 0x0e8 BATON_PF_CONSOLE_FB */
	struct baton_region regions[BATON_MAX_REGIONS];   /* 0x100 */
} __attribute__((packed));

_Static_assert(sizeof(struct baton_params) == 0x500, "params size");
_Static_assert(offsetof(struct baton_params, bios) == 0xb0, "bios offset");
_Static_assert(offsetof(struct baton_params, digest) == 0xc8, "params digest");
_Static_assert(offsetof(struct baton_params, digest_chunk) == 0xcc, "params digest_chunk");
_Static_assert(offsetof(struct baton_params, elfcorehdr) == 0xd8, "elfcorehdr offset");
_Static_assert(offsetof(struct baton_params, fb) == 0xe8, "fb offset");
_Static_assert(offsetof(struct baton_params, regions) == 0x100, "regions offset");
_Static_assert(offsetof(struct baton_params, exit_mode) == BATON_PARAMS_EXIT_MODE,
	       "params exit_mode");
_Static_assert(offsetof(struct baton_params, exit_entry) == BATON_PARAMS_EXIT_ENTRY,
	       "params exit_entry");
_Static_assert(offsetof(struct baton_params, exit_regs) == BATON_PARAMS_EXIT_REGS,
	       "params exit_regs");
_Static_assert(offsetof(struct baton_params, exit_trampoline) == BATON_PARAMS_EXIT_TRAMPOLINE,
	       "params exit_trampoline");
_Static_assert(offsetof(struct baton_params, exit_real_seg) == BATON_PARAMS_EXIT_REAL_SEG,
	       "params exit_real_seg");
_Static_assert(offsetof(struct baton_params, exit_real_sp) == BATON_PARAMS_EXIT_REAL_SP,
	       "params exit_real_sp");

/* The handover's timing record: a setup_data node of baton's own type in the zero page's list,
 * zero at load time, filled in by the purgatory after verification, read in the new kernel
 * from /sys/kernel/boot_params/setup_data/N/data by `baton --report`. */
#define BATON_SETUP_TIMING 0x4e4f5442u        /* "BTON"; Linux's own types are small */
#define BATON_TIMING_MAGIC 0x474e494d4954424bULL   /* "KBTIMING" little-endian */

enum baton_timing_flag {
	BATON_TIMING_SHA_NI = 1u << 0,        /* the purgatory hashed with SHA extensions */
	BATON_TIMING_LA57 = 1u << 1,          /* it ran with 5-level paging */
	BATON_TIMING_ENTRY_32BIT = 1u << 2,   /* it left through BATON_EXIT_PROTECTED32 */
	BATON_TIMING_AVX = 1u << 3,           /* it hashed with AVX2 or AVX-512 (state enabled for it) */
	BATON_TIMING_ENTRY_REAL16 = 1u << 4,  /* it left through BATON_EXIT_REAL16 (ABI 6) */
};

struct baton_timing {
	uint64_t magic;          /* 0x00 BATON_TIMING_MAGIC once filled in */
	uint64_t tsc_entry;      /* 0x08 TSC at the purgatory's entry */
	uint64_t tsc_verified;   /* 0x10 after every region was verified */
	uint64_t tsc_jump;       /* 0x18 just before entering the kernel */
	uint64_t bytes_hashed;   /* 0x20 */
	uint32_t regions;        /* 0x28 regions verified */
	uint32_t flags;          /* 0x2c enum baton_timing_flag */
	uint32_t nmis;           /* 0x30 NMIs the purgatory took (and survived) */
	uint32_t reserved;       /* 0x34 */
} __attribute__((packed));

_Static_assert(sizeof(struct baton_timing) == 0x38, "timing size");
/* What ABI version 1 wrote: no NMI count. `baton --report` still reads it. */
#define BATON_TIMING_V1_SIZE 0x30

#endif /* !__ASSEMBLER__ */

#endif
