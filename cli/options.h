/* SPDX-License-Identifier: MIT */
/* Command-line options of the baton CLI (kexec-tools compatible where they overlap). */
#ifndef BATON_CLI_OPTIONS_H
#define BATON_CLI_OPTIONS_H

#include <stdint.h>
#include <stdio.h>

enum cli_action {
	CLI_NONE,
	CLI_LOAD,
	CLI_EXEC,
	CLI_FORCE,     /* load, then exec */
	CLI_LOAD_SHUTDOWN,   /* as kexec with neither -l nor -e: load, then run shutdown -r now */
	CLI_UNLOAD,
	CLI_STATUS,
	CLI_REPORT,    /* in the new kernel: how the handover went */
	CLI_VMCORE_DMESG,   /* in the capture kernel: the dead kernel's log from a dump */
	CLI_HELP,
	CLI_VERSION,
	CLI_TYPES,     /* -t help: the kernel types baton loads */
	CLI_PRINT_CKR_SIZE,   /* the crash kernel region's size in bytes (0: none) */
};

enum cli_syscall {
	CLI_SYSCALL_AUTO,   /* -a: kexec_load with baton's purgatory, kexec_file_load if refused */
	CLI_SYSCALL_LOAD,   /* -c: kexec_load only */
	CLI_SYSCALL_FILE,   /* -s: kexec_file_load only (the kernel's own loader) */
};

/* --args-linux, --args-elf, --args-none (the last given): what an ELF image is handed. */
enum cli_args {
	CLI_ARGS_DEFAULT,   /* Linux's boot_params for a vmlinux, ELF boot notes for another ELF */
	CLI_ARGS_LINUX,
	CLI_ARGS_ELF,
	CLI_ARGS_NONE,
};

struct cli_options {
	enum cli_action action;
	int load_flag;             /* -l given (also selects the normal image for -S) */
	int panic;                 /* -p: the crash image (load, -u, -S) */
	const char *kernel;
	const char *initrd;
	const char *command_line;  /* --command-line: replaces earlier --command-line/--append */
	const char *append[32];    /* --append, in order */
	int nr_append;
	const char *modules[16];   /* --module "FILE ARGS", in order (kexec_load: 16 segments) */
	int nr_modules;
	const char *type;          /* -t: the kernel's format, forced; NULL: the file's header says */
	int reuse_cmdline;
	int entry_32bit;
	enum cli_args args;        /* an ELF image's --args-* */
	int have_entry;            /* --entry=ADDR given */
	uint64_t entry;            /* an ELF image's entry, physical */
	int real_mode;             /* --real-mode: the 16-bit entry */
	int console_serial;
	int console_vga;           /* --console-vga: VGA text, or the framebuffer where there is none */
	int console_fb;            /* --console-fb */
	int reset_vga;             /* --reset-vga */
	uint16_t serial_port;
	uint32_t serial_baud;
	enum cli_syscall syscall;
	int dry_run;
	int json;                  /* --report or --dry-run as JSON */
	int debug;
	int compat;                /* called as kexec, or --kexec-compat: kexec-tools' behaviour */
	const char *vmcore;        /* --vmcore-dmesg's dump; NULL: the root's /proc/vmcore */
	int no_sync;               /* -y */
	int no_ifdown;             /* -x */
	int no_checks;             /* -i: accepted; the purgatory verifies anyway */
	int hotplug;               /* --hotplug 1 (required), --no-hotplug -1, else 0 (default) */
	int mem_bounds;            /* --mem-min or --mem-max given */
	uint64_t mem_min;          /* lowest byte a segment may use (default 0) */
	uint64_t mem_max;          /* highest byte, inclusive (default all) */
	int reuse_initrd;          /* the running kernel's retained initrd (/sys/firmware/initrd) */
	int pass_memmap;           /* -p: memmap=exactmap and the capture map on its command line */
	int elf32;                 /* -p: an ELF32 core header (--elf64-core-headers undoes it) */
	const char *dtb;           /* --dtb: SETUP_DTB for a bzImage */
	int force_dtb;             /* --force-dtb: the running kernel's /sys/firmware/fdt */
	int noefi;                 /* --noefi: no UEFI runtime for the new kernel */
	const char *kexec_jump;    /* the kexec-jump option refused (parse failed), for main.c */
	const char *prog;          /* for messages: "baton" or "kexec" */
};

/* Parse argv; on a usage error write one line to `msg` and return -1. argv[0] named kexec (or
 * --kexec-compat) selects kexec-tools' behaviour; named vmcore-dmesg, baton is kexec-tools'
 * vmcore-dmesg (one argument: the dump). */
int cli_parse(struct cli_options *o, int argc, char **argv, char *msg, size_t msg_size);
void cli_usage(FILE *out);
/* The kernel types -t takes, one format per line, from the library's format table. */
void cli_types(FILE *out);

#endif
