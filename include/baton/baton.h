/* SPDX-License-Identifier: MIT */
/* baton: load a Linux kernel for kexec on x86-64 and hand the machine over to it.
 *
 * The public library (libbaton, pkg-config "baton"). A session (struct baton) knows where the
 * machine's state is read and who the old kernel is: Linux (kexec_load) or, in Xen's control
 * domain, the hypervisor (libxenctrl, loaded at run time). A plan (struct baton_plan) is a kernel
 * prepared for loading: every segment placed, built and digested, the identity map made; nothing
 * reaches the kernel until baton_load(). Inspecting a plan is free of side effects, so a plan is
 * also a dry run.
 *
 * Every function that can fail returns 0 or a negative errno and, if `err` is not NULL, fills it
 * with one line naming the file or call and the problem. The library prints nothing, never exits
 * and keeps no global state; sessions and plans are independent of each other.
 */
#ifndef BATON_BATON_H
#define BATON_BATON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BATON_API_VERSION 1   /* bumped when this header changes incompatibly */

struct baton_error {
	int code;        /* positive errno value */
	char msg[256];   /* one line, no trailing newline, e.g. "bzimage: vmlinuz: no HdrS signature" */
};

/* --- sessions ----------------------------------------------------------------------------- */

struct baton;

struct baton_config {
	const char *root;      /* read ROOT/proc, ROOT/sys instead of the machine's; NULL or "": / */
	const char *xenctrl;   /* libxenctrl to dlopen under Xen; NULL: the usual sonames */
};

/* Open a session; cfg may be NULL. In Xen's dom0 this opens the hypervisor interface. */
int baton_open(struct baton **out, const struct baton_config *cfg, struct baton_error *err);
void baton_close(struct baton *b);
/* 1 when the old kernel is the Xen hypervisor (dom0), 0 for Linux. */
int baton_under_xen(const struct baton *b);

/* --- plans -------------------------------------------------------------------------------- */

enum baton_load_flag {
	BATON_LOAD_ENTRY_32BIT = 1u << 0,   /* enter through the 32-bit boot protocol */
	BATON_LOAD_SERIAL = 1u << 1,        /* the purgatory reports on a serial port */
	BATON_LOAD_CRASH = 1u << 2,         /* a capture kernel for after a panic (kdump) */
	/* The running kernel's command line first (without BOOT_IMAGE=, the boot loader's, and
	 * for a crash image without crashkernel=), then `cmdline`. */
	BATON_LOAD_REUSE_CMDLINE = 1u << 3,
	/* A plan for the kernel's own loader (kexec_file_load): nothing is read or built, and
	 * baton_load hands the files over as they are. */
	BATON_LOAD_FILE = 1u << 4,
	/* Where baton's own way is refused - by the plan (a confidential guest) or by the old
	 * kernel (lockdown: EPERM; IMA under Secure Boot: EACCES; no kexec_load: ENOSYS) - and the
	 * old kernel has its own loader, use that instead; baton_fell_back() says so. */
	BATON_LOAD_FALLBACK_FILE = 1u << 5,
	/* modules/nr_modules are set. Fields added after version 0.1.0 are read only when their
	 * flag says so: a program built against 0.1.0 passes a shorter struct. */
	BATON_LOAD_MODULES = 1u << 6,
	/* `type` is set: load the kernel as that format (a name or alias of -t), even when another
	 * format's header is in the file too (Xen carries multiboot2 and multiboot v1). */
	BATON_LOAD_TYPE = 1u << 7,
	/* Start from the command line the kernel file carries (a UKI's .cmdline), then `cmdline`
	 * (after the running kernel's, with BATON_LOAD_REUSE_CMDLINE); a file without one adds
	 * nothing. Without this flag `cmdline` replaces it. */
	BATON_LOAD_IMAGE_CMDLINE = 1u << 8,
	/* Also compute every segment's plain SHA-256 (baton_plan_segment.sha256, else zero), to
	 * compare with sha256sum: a second pass over every byte, for dry runs. The purgatory
	 * checks the tree digest (`root`) either way. */
	BATON_LOAD_PLAIN_SHA256 = 1u << 9,
	/* `entry` is set: the purgatory enters the kernel there (physical, inside one of its
	 * PT_LOADs) instead of at its ELF entry; ELF images (elf-x86_64) only. */
	BATON_LOAD_ENTRY = 1u << 10,
	/* What an ELF image (elf-x86_64) is handed, as kexec-tools' --args-*: Linux's boot_params
	 * through the 64-bit boot protocol, ELF boot notes, or nothing. At most one; without one,
	 * boot_params for a Linux vmlinux (it carries a "Linux" ELF note) and notes for any other. */
	BATON_LOAD_ARGS_LINUX = 1u << 11,
	BATON_LOAD_ARGS_ELF = 1u << 12,
	BATON_LOAD_ARGS_NONE = 1u << 13,
	/* Crash hotplug (with BATON_LOAD_CRASH): the running kernel rewrites the ELF core header
	 * on every CPU or memory hotplug event, the purgatory checks its shape instead of its
	 * digest. It is the default where the kernel can (6.5+ with CONFIG_CRASH_HOTPLUG);
	 * BATON_LOAD_HOTPLUG makes it required (an error where the kernel cannot, or under Xen),
	 * BATON_LOAD_NO_HOTPLUG turns it off (the header then describes the load time's CPUs and
	 * memory). */
	BATON_LOAD_HOTPLUG = 1u << 14,
	BATON_LOAD_NO_HOTPLUG = 1u << 15,
	/* mem_min/mem_max are set: every segment baton places lies in [mem_min, mem_max]
	 * (both inclusive, kexec-tools' --mem-min/--mem-max; for -p also inside the crash
	 * region). The kernel's own loader cannot honour them: no kexec_file_load fallback. */
	BATON_LOAD_MEM_BOUNDS = 1u << 16,
	/* The initrd is the one the running kernel retained (booted with retain_initrd):
	 * ROOT/sys/firmware/initrd; `initrd` must be NULL. */
	BATON_LOAD_REUSE_INITRD = 1u << 17,
	/* Crash images: the capture kernel's memory map also on its command line,
	 * memmap=exactmap memmap=SIZEK@STARTK ... as kexec-tools' --pass-memmap-cmdline. */
	BATON_LOAD_MEMMAP_CMDLINE = 1u << 18,
	/* Crash images: an ELF32 core header (every physical address and size below 4 GiB). */
	BATON_LOAD_ELF32_CORE = 1u << 19,
	/* `dtb` is set: a flattened device tree handed over as SETUP_DTB setup_data (formats
	 * with a zero page: bzImage). */
	BATON_LOAD_DTB = 1u << 20,
	/* The purgatory's lines on the screen too (kexec-tools' --console-vga): VGA text memory
	 * where the running kernel had VGA text, else the linear framebuffer (an EFI machine's),
	 * drawn with baton's own font. Refused where screen_info shows neither. */
	BATON_LOAD_CONSOLE_VGA = 1u << 21,
	/* The same lines in the linear framebuffer only (refused where there is none). */
	BATON_LOAD_CONSOLE_FB = 1u << 22,
	/* Program the VGA for 80x25 text (mode 3) before the new kernel starts (kexec-tools'
	 * --reset-vga); refused on an EFI framebuffer, where no legacy VGA is promised. */
	BATON_LOAD_RESET_VGA = 1u << 23,
	/* Enter a bzImage through its 16-bit setup code in real mode, as a BIOS boot loader does
	 * (kexec-tools' --real-mode): the setup code asks the firmware for the memory map itself.
	 * BIOS machines only; not with -p, BATON_LOAD_ENTRY_32BIT or the kexec_file_load fallback. */
	BATON_LOAD_REAL_MODE = 1u << 24,
	/* Hand the new kernel no UEFI runtime (kexec-tools' --noefi): efi_info cleared, no runtime
	 * map and no SETUP_EFI, so it runs without EFI runtime services, as on a BIOS machine. */
	BATON_LOAD_NO_EFI = 1u << 25,
};

struct baton_load_opts {
	const char *kernel;      /* the kernel's path (bzImage, UKI, multiboot2 or multiboot, ELF) */
	const char *initrd;      /* path or NULL */
	const char *cmdline;     /* what the new kernel gets, after what the flags put first
				  * (REUSE_CMDLINE, IMAGE_CMDLINE); NULL = empty */
	unsigned flags;          /* enum baton_load_flag */
	uint16_t serial_port;    /* with BATON_LOAD_SERIAL; 0: 0x3f8 */
	uint32_t serial_baud;    /* with BATON_LOAD_SERIAL; 0: 115200 */
	/* With BATON_LOAD_MODULES: multiboot modules, in order, each "FILE ARGS" (kexec-tools'
	 * --module): FILE is loaded, the whole string is the module's command line. A bzImage
	 * takes none. */
	const char *const *modules;
	size_t nr_modules;
	const char *type;        /* with BATON_LOAD_TYPE: the format, e.g. "multiboot-x86" */
	uint64_t mem_min;        /* with BATON_LOAD_MEM_BOUNDS: lowest byte a segment may use */
	uint64_t mem_max;        /* with BATON_LOAD_MEM_BOUNDS: highest byte (inclusive) */
	const char *dtb;         /* with BATON_LOAD_DTB: the device tree blob's path */
	uint64_t entry;          /* with BATON_LOAD_ENTRY: the kernel's entry, physical */
};

struct baton_plan;

/* Read the kernel (and initrd), the machine's memory map and state; place, build and digest
 * every segment. Loads nothing. */
int baton_plan_create(struct baton *b, const struct baton_load_opts *opts,
		      struct baton_plan **out, struct baton_error *err);
void baton_plan_free(struct baton_plan *plan);

enum baton_mem_type {
	BATON_MEM_TYPE_RAM,
	BATON_MEM_TYPE_RESERVED,
	BATON_MEM_TYPE_ACPI,
	BATON_MEM_TYPE_NVS,
	BATON_MEM_TYPE_UNUSABLE,
	BATON_MEM_TYPE_PMEM,
	BATON_MEM_TYPE_SOFT_RESERVED,
};

struct baton_plan_range {        /* one range of the firmware's memory map, [start, end) */
	uint64_t start;
	uint64_t end;
	enum baton_mem_type type;
	const char *type_name;       /* "System RAM", "Reserved", ... */
};

struct baton_plan_segment {      /* what the kernel copies, and where */
	const char *name;            /* "kernel", "initrd", "boot_params", "page-tables", ... */
	uint64_t mem;                /* physical destination */
	uint64_t memsz;
	uint64_t bufsz;              /* bytes of content; the rest of memsz is zero */
	uint8_t sha256[32];          /* of the range the purgatory verifies (BATON_LOAD_PLAIN_SHA256) */
	uint8_t root[32];            /* its tree digest, which the purgatory checks (since 0.2) */
};

struct baton_plan_info {
	const char *cmdline;         /* the new kernel's command line, as loaded */
	unsigned flags;              /* enum baton_load_flag */
	uint16_t boot_protocol;      /* the kernel's, e.g. 0x020f */
	uint64_t entry;              /* the purgatory's entry point */
	uint64_t kernel_entry;       /* where the purgatory enters the new kernel */
	uint64_t pml4, pml5;         /* roots of the identity map */
	int paging_levels;           /* of the running kernel: 4 or 5 */
	int gbpages;                 /* 1 GiB pages used */
	size_t table_pages;          /* pages of the identity map, roots included */
	uint64_t pages[3][2];        /* leaf entries: [4K, 2M, 1G][write-back, uncached] */
	size_t nr_segments;
	size_t nr_ranges;
};

/* For a plan by the kernel's loader (flags has BATON_LOAD_FILE) only cmdline and flags are set. */
void baton_plan_info(const struct baton_plan *plan, struct baton_plan_info *info);
/* The i-th warning (0, 1, ...): one line the user should read before running the plan (an
 * argument the new kernel needs on this machine, a firmware table it will not get), or NULL
 * past the last. */
const char *baton_plan_warning(const struct baton_plan *plan, size_t i);
/* The i-th segment (0 <= i < nr_segments) in load order, or NULL. */
const struct baton_plan_segment *baton_plan_segment(const struct baton_plan *plan, size_t i);
/* The i-th range of the firmware's memory map (0 <= i < nr_ranges), or -ERANGE. */
int baton_plan_range(const struct baton_plan *plan, size_t i, struct baton_plan_range *out);

/* --- the old kernel ------------------------------------------------------------------------ */

/* The size in bytes of the crash kernel region a capture kernel is loaded into (the last
 * "Crash kernel" region; under Xen the hypervisor's crash range), 0 when none is reserved
 * (kexec-tools' --print-ckr-size). */
int baton_crash_size(struct baton *b, uint64_t *size, struct baton_error *err);

/* Hand the plan to the old kernel (Linux kexec_load, or Xen's kexec hypercall; a
 * BATON_LOAD_FILE plan to kexec_file_load). */
int baton_load(struct baton *b, const struct baton_plan *plan, struct baton_error *err);
/* 1 if the last baton_plan_create or baton_load of this session fell back to the kernel's
 * loader (BATON_LOAD_FALLBACK_FILE), *why (if not NULL) then saying what was refused; else 0. */
int baton_fell_back(const struct baton *b, struct baton_error *why);
/* The kernel's own loader instead (kexec_file_load: its purgatory and signature check), for
 * lockdown and Secure Boot; -ENOSYS under Xen. Honours BATON_LOAD_REUSE_CMDLINE. */
int baton_load_file(struct baton *b, const struct baton_load_opts *opts,
		    struct baton_error *err);
int baton_unload(struct baton *b, int crash, struct baton_error *err);
/* *loaded = 1 if a normal (crash = 0) or crash image is loaded. */
int baton_loaded(struct baton *b, int crash, int *loaded, struct baton_error *err);

enum baton_exec_flag {
	BATON_EXEC_NO_SYNC = 1u << 0,   /* do not flush file systems first */
	BATON_EXEC_IFDOWN = 1u << 1,    /* take network interfaces down first (kexec-tools -e) */
};

/* Run the loaded kernel now. On success this does not return. */
int baton_exec(struct baton *b, unsigned flags, struct baton_error *err);

/* --- after the handover, in the new kernel -------------------------------------------------- */

struct baton_report {            /* what the purgatory measured on its way to this kernel */
	uint64_t tsc_entry;          /* TSC at the purgatory's entry */
	uint64_t tsc_verified;       /* after every region was verified */
	uint64_t tsc_jump;           /* just before entering the kernel */
	uint64_t tsc_khz;            /* the TSC rate (0: unknown; then the _ms fields are 0) */
	double verify_ms;            /* entry -> all regions verified */
	double total_ms;             /* entry -> jump into the kernel */
	double hash_mb_per_s;        /* bytes hashed / verification time (0: unknown) */
	uint64_t bytes_hashed;
	unsigned regions;            /* regions verified */
	unsigned nmis;               /* NMIs the purgatory took and survived */
	int sha_ni;                  /* 1: hashed with the SHA extensions; 2 (since 0.2): with AVX2
	                              * or AVX-512 vectors (a CPU without them); 0: portable C */
	int paging_levels;           /* 4 or 5 */
	int entry_32bit;             /* entered the kernel through the 32-bit boot protocol */
	int entry_real_mode;         /* entered the kernel's 16-bit setup code (--real-mode) */
};

/* Read the record baton's purgatory left for this kernel (ROOT/sys/kernel/boot_params/
 * setup_data, cfg->root as for baton_open; cfg may be NULL). Needs no session: the old kernel is
 * gone. -ENOENT when baton did not start this kernel. */
int baton_report_read(const struct baton_config *cfg, struct baton_report *r,
		      struct baton_error *err);

#ifdef __cplusplus
}
#endif

#endif
