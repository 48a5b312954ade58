/* SPDX-License-Identifier: MIT */
/* The seam to the old kernel: one ops table per backend (lib/backend_*.c, the tests' fake)
 * holding everything the planner asks of the running system and every call that loads or
 * executes. Chosen once, when a session opens (baton_backend_open); nothing else reads the
 * running system's state or calls the kernel. */
#ifndef BATON_LIB_BACKEND_H
#define BATON_LIB_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "baton/baton.h"
#include "acpi.h"
#include "bootparam.h"
#include "crash.h"
#include "efi.h"
#include "error.h"
#include "file.h"
#include "memmap.h"

/* The kernel's struct kexec_segment. */
struct baton_kexec_segment {
	const void *buf;
	size_t bufsz;
	uint64_t mem;       /* physical destination (a pointer-sized field in the kernel ABI) */
	size_t memsz;
};

_Static_assert(sizeof(struct baton_kexec_segment) == 32, "kexec_segment layout");

#define BATON_KEXEC_ARCH_X86_64 (62UL << 16)
#define BATON_KEXEC_ON_CRASH 0x00000001UL
/* The kernel may rewrite the ELF core header on hotplug (6.5+; x86 6.10+ also takes 0x8,
 * KEXEC_CRASH_HOTPLUG_SUPPORT, but 6.5-6.9 refuse it). Xen reads 0x4 as KEXEC_LIVE_UPDATE. */
#define BATON_KEXEC_UPDATE_ELFCOREHDR 0x00000004UL
#define BATON_KEXEC_FILE_UNLOAD 0x00000001UL
#define BATON_KEXEC_FILE_ON_CRASH 0x00000002UL
#define BATON_KEXEC_FILE_NO_INITRAMFS 0x00000004UL

struct baton_backend;

/* Every op is set (a backend without a facility says so in its op). Readers follow the
 * library's cleanup rule: their output is overwritten, and left empty after an error. */
struct baton_backend_ops {
	const char *name;
	/* 1 when this backend is the old kernel of the machine at `root` (tried in
	 * baton_backend_open's order). */
	int (*probe)(const char *root);
	/* Set up be->priv; be->ops, be->root and be->priv (what the opener passed) are set. */
	int (*open)(struct baton_backend *be, const struct baton_config *cfg,
		    struct baton_error *err);
	void (*close)(struct baton_backend *be);

	/* --- the running system, as the planner reads it --- */
	/* The machine's memory map, sorted. */
	int (*memmap)(const struct baton_backend *be, struct baton_memmap *map,
		      struct baton_error *err);
	/* Crash area, notes, vmcoreinfo, the old kernel's text, RAM to dump; `machine` is what
	 * memmap() returned. */
	int (*crash_facts)(const struct baton_backend *be, const struct baton_memmap *machine,
			   struct baton_crash_info *info, struct baton_error *err);
	/* enum baton_cpu_feature of the CPU the purgatory runs on; EOPNOTSUPP where baton's
	 * purgatory cannot run (a confidential guest). */
	int (*cpu_features)(const struct baton_backend *be, unsigned *features,
			    struct baton_error *err);
	/* The running kernel's zero page: 1 if read into *bp, 0 if there is none. */
	int (*boot_params)(const struct baton_backend *be, struct boot_params *bp);
	/* UEFI runtime map and tables for the new kernel (efi->present 0: none). */
	int (*efi)(const struct baton_backend *be, const struct boot_params *running,
		   struct baton_efi *efi, struct baton_error *err);
	/* The ACPI root pointer the machine's firmware provides (formats with bios_area only);
	 * an error is one line the plan turns into a warning. */
	int (*rsdp)(const struct baton_backend *be, const struct boot_params *running,
		    struct baton_rsdp *rsdp, struct baton_error *err);
	/* *loaded = 1 if a normal (crash = 0) or crash image is loaded. */
	int (*loaded)(const struct baton_backend *be, int crash, int *loaded,
		      struct baton_error *err);
	/* The running kernel's command line (BATON_LOAD_REUSE_CMDLINE), NUL-terminated. */
	int (*cmdline)(const struct baton_backend *be, struct baton_file *f,
		       struct baton_error *err);
	/* len random bytes (the new kernel's RNG seed); 0 or a negative errno. */
	int (*random)(const struct baton_backend *be, void *buf, size_t len);

	/* --- the calls that load and execute: 0 or a negative errno, like the library --- */
	int (*kexec_load)(const struct baton_backend *be, uint64_t entry, size_t nr,
			  const struct baton_kexec_segment *segs, unsigned long flags);
	/* The kernel's own loader (its purgatory, its signature check): for lockdown.
	 * cmdline_len counts the NUL. */
	int (*kexec_file_load)(const struct baton_backend *be, int kernel_fd, int initrd_fd,
			       size_t cmdline_len, const char *cmdline, unsigned long flags);
	/* NULL where kexec_file_load exists; else why it does not (kexec_file_load then
	 * answers -ENOSYS). */
	const char *no_file_load;
	int (*reboot_kexec)(const struct baton_backend *be);
	void (*sync)(const struct baton_backend *be);
	/* Take every network interface down (kexec-tools' -e does, so that no NIC keeps DMAing
	 * into memory the new kernel owns); 0 or a negative errno. */
	int (*ifdown)(const struct baton_backend *be);
};

struct baton_backend {
	const struct baton_backend_ops *ops;
	const char *root;   /* ROOT/proc, ROOT/sys: "" for this machine */
	void *priv;         /* the backend's own state */
};

/* Linux as the old kernel: syscalls, sysfs and procfs under the root. Its probe claims any
 * root, so baton_backend_open tries it last. */
extern const struct baton_backend_ops baton_backend_linux;

/* The first backend whose probe claims `root`, opened. */
int baton_backend_open(struct baton_backend *be, const char *root,
		       const struct baton_config *cfg, struct baton_error *err);
/* `ops` opened for `root` with `priv`: tests, with their fake. */
int baton_backend_open_ops(struct baton_backend *be, const struct baton_backend_ops *ops,
			   void *priv, const char *root, const struct baton_config *cfg,
			   struct baton_error *err);
void baton_backend_close(struct baton_backend *be);

/* Linux backend ops other backends share: a hypervisor's control domain is a Linux too, and
 * the tests' fake reads its fixtures through Linux's readers. */
int baton_linux_boot_params(const struct baton_backend *be, struct boot_params *bp);
int baton_linux_cmdline(const struct baton_backend *be, struct baton_file *f,
			struct baton_error *err);
void baton_linux_sync(const struct baton_backend *be);
int baton_linux_ifdown(const struct baton_backend *be);

#endif
