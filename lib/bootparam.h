/* SPDX-License-Identifier: MIT */
/* Wire types of the x86 boot protocol (Documentation/arch/x86/boot.rst): the zero page and e820. */
#ifndef BATON_LIB_BOOTPARAM_H
#define BATON_LIB_BOOTPARAM_H

#include <stddef.h>
#include <stdint.h>

struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));

enum {
	E820_TYPE_RAM = 1,
	E820_TYPE_RESERVED = 2,
	E820_TYPE_ACPI = 3,
	E820_TYPE_NVS = 4,
	E820_TYPE_UNUSABLE = 5,
	E820_TYPE_PMEM = 7,
	E820_TYPE_PRAM = 12,   /* legacy persistent memory */
	E820_TYPE_SOFT_RESERVED = 0xefffffff,
};

#define E820_MAX_ZEROPAGE 128

/* A node of the zero page's setup_data list (hdr.setup_data, protocol 2.09+). */
enum {
	SETUP_E820_EXT = 1,   /* e820 entries beyond the zero page's 128 */
	SETUP_DTB = 2,        /* a flattened device tree (--dtb) */
	SETUP_EFI = 4,        /* struct efi_setup_data: what a kexec'd kernel needs of EFI */
	SETUP_RNG_SEED = 9,   /* bytes for the new kernel's random number generator */
};

struct setup_data {
	uint64_t next;   /* physical address of the next node, 0 at the end */
	uint32_t type;
	uint32_t len;    /* bytes of data[] */
	uint8_t data[];
} __attribute__((packed));

/* boot_params.efi_info. */
struct efi_info {
	uint32_t efi_loader_signature;  /* 0x00 "EL64" */
	uint32_t efi_systab;            /* 0x04 */
	uint32_t efi_memdesc_size;      /* 0x08 */
	uint32_t efi_memdesc_version;   /* 0x0c */
	uint32_t efi_memmap;            /* 0x10 physical address of the EFI memory map */
	uint32_t efi_memmap_size;       /* 0x14 */
	uint32_t efi_systab_hi;         /* 0x18 */
	uint32_t efi_memmap_hi;         /* 0x1c */
} __attribute__((packed));

_Static_assert(sizeof(struct efi_info) == 0x20, "efi_info size");

/* The SETUP_EFI node's data: the firmware tables a kexec'd kernel cannot find by itself. */
struct efi_setup_data {
	uint64_t fw_vendor;     /* 0x00 */
	uint64_t unused;        /* 0x08 */
	uint64_t tables;        /* 0x10 the configuration table */
	uint64_t smbios;        /* 0x18 */
	uint64_t reserved[8];   /* 0x20 */
} __attribute__((packed));

/* An EFI memory descriptor (UEFI spec), as the runtime map lists them. */
struct efi_memory_desc {
	uint32_t type;          /* 0x00 */
	uint32_t pad;
	uint64_t phys_addr;     /* 0x08 */
	uint64_t virt_addr;     /* 0x10 where SetVirtualAddressMap put it: the new kernel reuses it */
	uint64_t num_pages;     /* 0x18 4 KiB pages */
	uint64_t attribute;     /* 0x20 */
} __attribute__((packed));

_Static_assert(sizeof(struct efi_memory_desc) == 40, "efi_memory_desc size");

/* Offsets below are within struct boot_params. */
struct setup_header {
	uint8_t setup_sects;            /* 0x1f1 */
	uint16_t root_flags;            /* 0x1f2 */
	uint32_t syssize;               /* 0x1f4 */
	uint16_t ram_size;              /* 0x1f8 */
	uint16_t vid_mode;              /* 0x1fa */
	uint16_t root_dev;              /* 0x1fc */
	uint16_t boot_flag;             /* 0x1fe */
	uint16_t jump;                  /* 0x200 */
	uint32_t header;                /* 0x202 "HdrS" */
	uint16_t version;               /* 0x206 */
	uint32_t realmode_swtch;        /* 0x208 */
	uint16_t start_sys_seg;         /* 0x20c */
	uint16_t kernel_version;        /* 0x20e */
	uint8_t type_of_loader;         /* 0x210 */
	uint8_t loadflags;              /* 0x211 */
	uint16_t setup_move_size;       /* 0x212 */
	uint32_t code32_start;          /* 0x214 */
	uint32_t ramdisk_image;         /* 0x218 */
	uint32_t ramdisk_size;          /* 0x21c */
	uint32_t bootsect_kludge;       /* 0x220 */
	uint16_t heap_end_ptr;          /* 0x224 */
	uint8_t ext_loader_ver;         /* 0x226 */
	uint8_t ext_loader_type;        /* 0x227 */
	uint32_t cmd_line_ptr;          /* 0x228 */
	uint32_t initrd_addr_max;       /* 0x22c */
	uint32_t kernel_alignment;      /* 0x230 */
	uint8_t relocatable_kernel;     /* 0x234 */
	uint8_t min_alignment;          /* 0x235 */
	uint16_t xloadflags;            /* 0x236 */
	uint32_t cmdline_size;          /* 0x238 */
	uint32_t hardware_subarch;      /* 0x23c */
	uint64_t hardware_subarch_data; /* 0x240 */
	uint32_t payload_offset;        /* 0x248 */
	uint32_t payload_length;        /* 0x24c */
	uint64_t setup_data;            /* 0x250 */
	uint64_t pref_address;          /* 0x258 */
	uint32_t init_size;             /* 0x260 */
	uint32_t handover_offset;       /* 0x264 */
	uint32_t kernel_info_offset;    /* 0x268 */
} __attribute__((packed));

#define LOADFLAG_LOADED_HIGH 0x01
#define LOADFLAG_KEEP_SEGMENTS 0x40
#define TYPE_OF_LOADER_UNDEFINED 0xff

struct boot_params {
	uint8_t screen_info[0x40];      /* 0x000 */
	uint8_t apm_bios_info[0x14];    /* 0x040 */
	uint8_t pad2[4];                /* 0x054 */
	uint64_t tboot_addr;            /* 0x058 */
	uint8_t ist_info[0x10];         /* 0x060 */
	uint64_t acpi_rsdp_addr;        /* 0x070 */
	uint8_t pad3[8];                /* 0x078 */
	uint8_t hd0_info[16];           /* 0x080 */
	uint8_t hd1_info[16];           /* 0x090 */
	uint8_t sys_desc_table[16];     /* 0x0a0 */
	uint8_t olpc_ofw_header[16];    /* 0x0b0 */
	uint32_t ext_ramdisk_image;     /* 0x0c0 */
	uint32_t ext_ramdisk_size;      /* 0x0c4 */
	uint32_t ext_cmd_line_ptr;      /* 0x0c8 */
	uint8_t pad4[112];              /* 0x0cc */
	uint32_t cc_blob_address;       /* 0x13c */
	uint8_t edid_info[0x80];        /* 0x140 */
	uint8_t efi_info[0x20];         /* 0x1c0 */
	uint32_t alt_mem_k;             /* 0x1e0 */
	uint32_t scratch;               /* 0x1e4 */
	uint8_t e820_entries;           /* 0x1e8 */
	uint8_t eddbuf_entries;         /* 0x1e9 */
	uint8_t edd_mbr_sig_buf_entries;/* 0x1ea */
	uint8_t kbd_status;             /* 0x1eb */
	uint8_t secure_boot;            /* 0x1ec */
	uint8_t pad5[2];                /* 0x1ed */
	uint8_t sentinel;               /* 0x1ef */
	uint8_t pad6[1];                /* 0x1f0 */
	struct setup_header hdr;        /* 0x1f1 */
	uint8_t pad7[0x290 - 0x1f1 - sizeof(struct setup_header)];
	uint32_t edd_mbr_sig_buffer[16];/* 0x290 */
	struct e820_entry e820_table[E820_MAX_ZEROPAGE]; /* 0x2d0 */
	uint8_t pad8[48];               /* 0xcd0 */
	uint8_t eddbuf[492];            /* 0xd00 */
	uint8_t pad9[276];              /* 0xeec */
} __attribute__((packed));

_Static_assert(sizeof(struct setup_header) == 0x26c - 0x1f1, "setup_header size");
_Static_assert(sizeof(struct boot_params) == 4096, "boot_params size");
_Static_assert(offsetof(struct boot_params, acpi_rsdp_addr) == 0x070, "acpi_rsdp_addr");
_Static_assert(offsetof(struct boot_params, ext_ramdisk_image) == 0x0c0, "ext_ramdisk_image");
_Static_assert(offsetof(struct boot_params, efi_info) == 0x1c0, "efi_info");
_Static_assert(offsetof(struct boot_params, e820_entries) == 0x1e8, "e820_entries");
_Static_assert(offsetof(struct boot_params, hdr) == 0x1f1, "hdr");
_Static_assert(offsetof(struct boot_params, hdr.code32_start) == 0x214, "code32_start");
_Static_assert(offsetof(struct boot_params, hdr.cmdline_size) == 0x238, "cmdline_size");
_Static_assert(offsetof(struct boot_params, hdr.setup_data) == 0x250, "setup_data");
_Static_assert(offsetof(struct boot_params, hdr.init_size) == 0x260, "init_size");
_Static_assert(offsetof(struct boot_params, e820_table) == 0x2d0, "e820_table");
_Static_assert(offsetof(struct boot_params, eddbuf) == 0xd00, "eddbuf");

#endif
