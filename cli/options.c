/* SPDX-License-Identifier: MIT */
/* Parsing baton's command line. */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

enum {
	OPT_INITRD = 256,
	OPT_COMMAND_LINE,
	OPT_APPEND,
	OPT_REUSE_CMDLINE,
	OPT_ENTRY_32BIT,
	OPT_REAL_MODE,
	OPT_CONSOLE_SERIAL,
	OPT_CONSOLE_VGA,
	OPT_CONSOLE_FB,
	OPT_RESET_VGA,
	OPT_SERIAL,
	OPT_SERIAL_BAUD,
	OPT_DRY_RUN,
	OPT_REPORT,
	OPT_JSON,
	OPT_KEXEC_COMPAT,
	OPT_TYPE,
	OPT_ELF64_CORE_HEADERS,
	OPT_MODULE,
	OPT_ENTRY,
	OPT_ARGS_LINUX,
	OPT_ARGS_ELF,
	OPT_ARGS_NONE,
	OPT_VMCORE_DMESG,
	OPT_HOTPLUG,
	OPT_NO_HOTPLUG,
	OPT_MEM_MIN,
	OPT_MEM_MAX,
	OPT_REUSE_INITRD,
	OPT_PRINT_CKR_SIZE,
	OPT_PASS_MEMMAP_CMDLINE,
	OPT_ELF32_CORE_HEADERS,
	OPT_DTB,
	OPT_REUSE_VIDEO_TYPE,
	OPT_NOEFI,
	OPT_FORCE_DTB,
	OPT_KEXEC_JUMP,    /* refused: needs CONFIG_KEXEC_JUMP (main.c says what this kernel has) */
	OPT_UNSUPPORTED,   /* kexec-tools options baton does not have: named in the error */
};

static const struct option long_options[] = {
	{ "load", no_argument, NULL, 'l' },
	{ "load-panic", no_argument, NULL, 'p' },
	{ "exec", no_argument, NULL, 'e' },
	{ "force", no_argument, NULL, 'f' },
	{ "unload", no_argument, NULL, 'u' },
	{ "status", no_argument, NULL, 'S' },
	{ "kexec-file-syscall", no_argument, NULL, 's' },
	{ "kexec-syscall", no_argument, NULL, 'c' },
	{ "kexec-syscall-auto", no_argument, NULL, 'a' },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "module", required_argument, NULL, OPT_MODULE },
	{ "ramdisk", required_argument, NULL, OPT_INITRD },
	{ "command-line", required_argument, NULL, OPT_COMMAND_LINE },
	{ "append", required_argument, NULL, OPT_APPEND },
	{ "reuse-cmdline", no_argument, NULL, OPT_REUSE_CMDLINE },
	{ "entry-32bit", no_argument, NULL, OPT_ENTRY_32BIT },
	{ "entry", required_argument, NULL, OPT_ENTRY },
	{ "args-linux", no_argument, NULL, OPT_ARGS_LINUX },
	{ "args-elf", no_argument, NULL, OPT_ARGS_ELF },
	{ "args-none", no_argument, NULL, OPT_ARGS_NONE },
	{ "real-mode", no_argument, NULL, OPT_REAL_MODE },
	{ "console-serial", no_argument, NULL, OPT_CONSOLE_SERIAL },
	{ "console-vga", no_argument, NULL, OPT_CONSOLE_VGA },
	{ "console-fb", no_argument, NULL, OPT_CONSOLE_FB },
	{ "reset-vga", no_argument, NULL, OPT_RESET_VGA },
	{ "serial", required_argument, NULL, OPT_SERIAL },
	{ "serial-baud", required_argument, NULL, OPT_SERIAL_BAUD },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "report", no_argument, NULL, OPT_REPORT },
	{ "vmcore-dmesg", no_argument, NULL, OPT_VMCORE_DMESG },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "no-ifdown", no_argument, NULL, 'x' },
	{ "no-sync", no_argument, NULL, 'y' },
	{ "no-checks", no_argument, NULL, 'i' },
	{ "type", required_argument, NULL, 't' },
	{ "elf64-core-headers", no_argument, NULL, OPT_ELF64_CORE_HEADERS },
	{ "hotplug", no_argument, NULL, OPT_HOTPLUG },
	{ "no-hotplug", no_argument, NULL, OPT_NO_HOTPLUG },
	{ "elf32-core-headers", no_argument, NULL, OPT_ELF32_CORE_HEADERS },
	{ "mem-min", required_argument, NULL, OPT_MEM_MIN },
	{ "mem-max", required_argument, NULL, OPT_MEM_MAX },
	{ "reuse-initrd", no_argument, NULL, OPT_REUSE_INITRD },
	{ "reuseinitrd", no_argument, NULL, OPT_REUSE_INITRD },   /* kexec-tools' spelling */
	{ "reuse-video-type", no_argument, NULL, OPT_REUSE_VIDEO_TYPE },
	{ "noefi", no_argument, NULL, OPT_NOEFI },
	{ "force-dtb", no_argument, NULL, OPT_FORCE_DTB },
	{ "print-ckr-size", no_argument, NULL, OPT_PRINT_CKR_SIZE },
	{ "pass-memmap-cmdline", no_argument, NULL, OPT_PASS_MEMMAP_CMDLINE },
	{ "dtb", required_argument, NULL, OPT_DTB },
	{ "kexec-compat", no_argument, NULL, OPT_KEXEC_COMPAT },
	{ "debug", no_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'v' },
	/* kexec-tools' (x86) options that baton does not implement */
	{ "load-preserve-context", no_argument, NULL, OPT_KEXEC_JUMP },
	{ "load-jump-back-helper", no_argument, NULL, OPT_KEXEC_JUMP },
	{ "load-live-update", no_argument, NULL, OPT_UNSUPPORTED },
	{ "exec-live-update", no_argument, NULL, OPT_UNSUPPORTED },
	{ "no-cma", no_argument, NULL, OPT_UNSUPPORTED },
	{ NULL, 0, NULL, 0 },
};

/* Why an option kexec-tools has is refused here (one clear line instead of a guess). */
static const char *unsupported_reason(const char *name)
{
	static const struct { const char *name, *why; } reasons[] = {
		{ "load-live-update", "Debian's Xen (4.17) has no live update kexec type" },
		{ "exec-live-update", "Debian's Xen (4.17) has no live update kexec type" },
		{ "no-cma", "it concerns a CMA crash reservation (crashkernel=...,cma), which no "
			    "Debian 12 kernel makes" },
	};
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (!strcmp(reasons[i].name, name))
			return reasons[i].why;
	return "baton does not implement it";
}

void cli_usage(FILE *out)
{
	fputs("Usage: baton [OPTION]... [KERNEL]\n"
	      "       kexec [OPTION]... [KERNEL]   (kexec-tools compatible)\n"
	      "Load a Linux kernel (a bzImage or a Unified Kernel Image; or Xen, through\n"
	      "multiboot) for kexec through baton's own purgatory and identity map, and hand the\n"
	      "machine over to it.\n"
	      "\n"
	      "  -l, --load               load KERNEL, to be run later by -e\n"
	      "  -p, --load-panic         load KERNEL as the crash (kdump) kernel, run after a panic;\n"
	      "                           with -u or -S: the crash image\n"
	      "  -e, --exec               run the loaded kernel now (file systems are synced first)\n"
	      "  -f, --force              load KERNEL and run it at once\n"
	      "  -u, --unload             unload the loaded kernel\n"
	      "  -S, --status             exit 1 if an image is loaded, 0 if not; like kexec-tools,\n"
	      "                           the crash image unless -l is given too\n"
	      "      --initrd=FILE        the new kernel's initial ramdisk (also --ramdisk); for a\n"
	      "                           UKI, after its .ucode and .initrd\n"
	      "      --module=STRING      a multiboot module: STRING is \"FILE ARGS\", FILE loaded\n"
	      "                           and STRING its command line (repeatable, in order);\n"
	      "                           Xen's dom0 kernel, then its initrd\n"
	      "      --command-line=TEXT  the new kernel's command line (replaces a UKI's .cmdline)\n"
	      "      --append=TEXT        add TEXT to the command line (a UKI's .cmdline, if no\n"
	      "                           --command-line)\n"
	      "      --reuse-cmdline      start from the running kernel's command line\n"
	      "                           (without BOOT_IMAGE=; replaces a UKI's .cmdline)\n"
	      "      --entry-32bit        enter the kernel through the 32-bit boot protocol\n"
	      "      --args-linux         an ELF image (elf-x86_64) gets Linux's boot_params\n"
	      "                           through the 64-bit boot protocol (a vmlinux's default)\n"
	      "      --args-elf           an ELF image gets ELF boot notes with the command line\n"
	      "                           in RDI (any other ELF's default; no initrd)\n"
	      "      --args-none          an ELF image gets nothing: no command line, no initrd\n"
	      "      --entry=ADDR         enter an ELF image at ADDR (physical, inside one of its\n"
	      "                           PT_LOADs) instead of its ELF entry point\n"
	      "      --real-mode          enter a bzImage through its 16-bit setup code, as a BIOS\n"
	      "                           boot loader does (it asks the BIOS for the memory map);\n"
	      "                           BIOS machines only, not with -p or -s\n"
	      "      --console-serial     the purgatory reports its steps on a serial port\n"
	      "      --serial=PORT        I/O port of that UART (default 0x3f8)\n"
	      "      --serial-baud=N      its speed (default 115200)\n"
	      "      --console-vga        the purgatory's lines on the screen too: VGA text\n"
	      "                           memory, or on a framebuffer (EFI) drawn with a font\n"
	      "      --console-fb         the same lines in the linear framebuffer only\n"
	      "      --reset-vga          program the VGA for 80x25 text before the new kernel\n"
	      "                           (not on an EFI framebuffer)\n"
	      "  -a, --kexec-syscall-auto kexec_load with baton's purgatory; if the kernel refuses\n"
	      "                           it (lockdown, Secure Boot, ENOSYS), kexec_file_load\n"
	      "                           (the default)\n"
	      "  -c, --kexec-syscall      kexec_load only\n"
	      "  -s, --kexec-file-syscall kexec_file_load only: the kernel's own loader, purgatory\n"
	      "                           and signature check\n"
	      "  -x, --no-ifdown          with -e or -f as kexec: leave network interfaces up\n"
	      "  -y, --no-sync            with -e or -f: do not flush file systems first\n"
	      "  -i, --no-checks          accepted for kexec-tools; the purgatory still verifies\n"
	      "                           every segment (at the hash's hardware speed)\n"
	      "  -t, --type=TYPE          the kernel's type (-t help lists them): bzImage, uki,\n"
	      "                           multiboot2-x86, multiboot-x86 (Xen has both headers:\n"
	      "                           multiboot2 unless -t says otherwise) or elf-x86_64 (an\n"
	      "                           ELF vmlinux); without it, the file's own header says,\n"
	      "                           in that order\n"
	      	      "      --elf64-core-headers crash images get ELF64 core headers (the default)\n"
	      "      --elf32-core-headers with -p: an ELF32 core header (RAM below 4 GiB only)\n"
	      "      --mem-min=ADDR       place every segment at or above ADDR\n"
	      "      --mem-max=ADDR       ... and at or below ADDR (inclusive, as kexec-tools)\n"
	      "      --reuse-initrd       the initrd the running kernel kept (retain_initrd):\n"
	      "                           /sys/firmware/initrd (also --reuseinitrd)\n"
	      "      --reuse-video-type   accepted: the running kernel's screen_info is always\n"
	      "                           passed on, its video type included\n"
	      "      --print-ckr-size     print the crash kernel region's size in bytes (0: none)\n"
	      "      --pass-memmap-cmdline with -p: memmap=exactmap and the capture kernel's map\n"
	      "                           on its command line\n"
	      "      --dtb=FILE           a flattened device tree for a bzImage (SETUP_DTB)\n"
	      "      --force-dtb          carry the running kernel's device tree over\n"
	      "                           (/sys/firmware/fdt) unless --dtb names one\n"
	      "      --noefi              hand the new kernel no UEFI runtime (efi_info cleared)\n"
	      "      --hotplug            with -p: crash hotplug, required: the running kernel\n"
	      "                           rewrites the ELF core header when CPUs or memory come\n"
	      "                           or go (6.5+; not under Xen); the default where it can\n"
	      "      --no-hotplug         with -p: no crash hotplug; the dump then describes the\n"
	      "                           CPUs and memory present at load time\n"
	      "      --kexec-compat       behave as kexec-tools' kexec (as when called kexec)\n"
	      "      --dry-run            prepare everything, load nothing, and draw the plan:\n"
	      "                           memory map, segments (each one's SHA-256 and the tree\n"
	      "                           digest root the purgatory checks), identity map page\n"
	      "                           sizes and types\n"
	      "  -d, --debug              print the plan on standard error while loading\n"
	      "      --report             in a kernel started by baton: how long the purgatory took\n"
	      "                           to verify and hand over, and how many bytes it hashed\n"
	      "      --json               --report or --dry-run as JSON\n"
	      "      --vmcore-dmesg [FILE] in a capture kernel: print the dead kernel's log from\n"
	      "                           its dump (default /proc/vmcore), as vmcore-dmesg does\n"
	      "  -h, --help               show this help\n"
	      "  -v, --version            show the version\n"
	      "\n"
	      "As kexec (a link named kexec, or --kexec-compat) baton follows kexec-tools: KERNEL\n"
	      "with neither -l, -p nor -e is loaded and then shutdown -r now runs; -e and -f take\n"
	      "network interfaces down (unless -x) and flush file systems (unless -y) first; usage\n"
	      "errors exit 1. kexec-tools options that baton lacks are refused by name, and so\n"
	      "are the two that return to the old kernel: they need CONFIG_KEXEC_JUMP, which\n"
	      "Debian does not build.\n"
	      "As vmcore-dmesg (a link of that name) baton is kexec-tools' vmcore-dmesg:\n"
	      "vmcore-dmesg FILE prints the log in FILE, a kernel crash dump.\n"
	      "\n"
	      "In Xen's control domain (dom0) baton loads through the hypervisor (libxenctrl),\n"
	      "with the machine's memory map; elsewhere through Linux's kexec_load.\n"
	      "\n"
	      "Exit status: 0 on success, 1 on failure (with -S: see above), 2 on a usage error.\n",
	      out);
}

void cli_types(FILE *out)
{
	const struct baton_format *f;

	fputs("Kernel types baton loads (-t TYPE; by default the file's header decides):\n", out);
	for (size_t i = 0; (f = baton_format_at(i)); i++) {
		fprintf(out, "  %s", f->name);
		for (const char *const *a = f->aliases; a && *a; a++)
			fprintf(out, "%s%s", a == f->aliases ? " (also " : ", ", *a);
		fputs(f->aliases && *f->aliases ? ")\n" : "\n", out);
	}
}

/* "bzImage, bzImage64, ...": every name -t takes, for its error message. */
static void type_names(char *buf, size_t size)
{
	const struct baton_format *f;
	size_t at = 0;

	buf[0] = 0;
	for (size_t i = 0; (f = baton_format_at(i)); i++) {
		at += (size_t)snprintf(buf + at, at < size ? size - at : 0, "%s%s", at ? ", " : "",
				       f->name);
		for (const char *const *a = f->aliases; a && *a; a++)
			at += (size_t)snprintf(buf + at, at < size ? size - at : 0, ", %s", *a);
	}
}

/* An address as kexec-tools' strtoul takes it (decimal, 0x hex, 0 octal), 0 included. */
static int parse_address(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || !*s || *end || *s == '-')
		return -1;
	*out = v;
	return 0;
}

static int parse_number(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || !*s || *end || v == 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

/* kexec-tools' rules: -S supersedes everything, -u takes -p as "the crash image", -l and -p
 * only pick the image there; otherwise one action. */
static int resolve_action(struct cli_options *o, unsigned seen, char *msg, size_t size)
{
	enum { L = 1, P = 2, E = 4, F = 8, U = 16, S = 32 };
	unsigned actions = seen & (L | P | E | F);

	if ((seen & L) && (seen & P)) {
		snprintf(msg, size, "options -l and -p exclude each other");
		return -1;
	}
	if (seen & S) {
		o->action = CLI_STATUS;
		return 0;
	}
	if (seen & U) {
		if (seen & (E | F | L)) {
			snprintf(msg, size, "options -u, -l, -e and -f exclude each other");
			return -1;
		}
		o->action = CLI_UNLOAD;
		return 0;
	}
	if (actions & (actions - 1)) {
		snprintf(msg, size, "options -l, -p, -e and -f exclude each other");
		return -1;
	}
	o->action = actions == E ? CLI_EXEC : actions == F ? CLI_FORCE : actions ? CLI_LOAD
		  : CLI_NONE;
	return 0;
}

static int called(const char *argv0, const char *name)
{
	const char *base = argv0 ? strrchr(argv0, '/') : NULL;
	return argv0 && !strcmp(base ? base + 1 : argv0, name);
}

/* kexec-tools' vmcore-dmesg takes exactly one argument, the dump, and no options; --help and
 * --version are baton's. */
static int parse_vmcore_dmesg(struct cli_options *o, int argc, char **argv, char *msg,
			      size_t size)
{
	o->prog = "vmcore-dmesg";
	o->compat = 1;
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		o->action = CLI_HELP;
	else if (argc == 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-v")))
		o->action = CLI_VERSION;
	else if (argc == 2) {
		o->action = CLI_VMCORE_DMESG;
		o->vmcore = argv[1];
	} else {
		snprintf(msg, size, "usage: vmcore-dmesg <kernel core file>");
		return -1;
	}
	return 0;
}

int cli_parse(struct cli_options *o, int argc, char **argv, char *msg, size_t size)
{
	unsigned seen = 0;
	unsigned long v;
	int c, idx;

	memset(o, 0, sizeof(*o));
	o->mem_max = UINT64_MAX;
	o->serial_port = 0x3f8;
	o->serial_baud = 115200;
	if (called(argv[0], "vmcore-dmesg"))
		return parse_vmcore_dmesg(o, argc, argv, msg, size);
	o->compat = called(argv[0], "kexec");
	o->prog = o->compat ? "kexec" : "baton";
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":lpefuSscadhvxyit:", long_options, &idx)) != -1) {
		switch (c) {
		case 'l':
			o->load_flag = 1;
			seen |= 1;
			break;
		case 'p':
			o->panic = 1;
			seen |= 2;
			break;
		case 'e':
			seen |= 4;
			break;
		case 'f':
			seen |= 8;
			break;
		case 'u':
			seen |= 16;
			break;
		case 'S':
			seen |= 32;
			break;
		case 's':
			o->syscall = CLI_SYSCALL_FILE;
			break;
		case 'c':
			o->syscall = CLI_SYSCALL_LOAD;
			break;
		case 'a':
			o->syscall = CLI_SYSCALL_AUTO;
			break;
		case 'd':
			o->debug = 1;
			break;
		case 'h':
			o->action = CLI_HELP;
			return 0;
		case 'v':
			o->action = CLI_VERSION;
			return 0;
		case OPT_INITRD:
			o->initrd = optarg;
			break;
		case OPT_MODULE:
			if (o->nr_modules == (int)(sizeof(o->modules) / sizeof(o->modules[0]))) {
				snprintf(msg, size, "too many --module options (kexec_load takes at "
					 "most 16 segments)");
				return -1;
			}
			o->modules[o->nr_modules++] = optarg;
			break;
		case OPT_COMMAND_LINE:
			o->command_line = optarg;
			o->nr_append = 0;
			break;
		case OPT_APPEND:
			if (o->nr_append == (int)(sizeof(o->append) / sizeof(o->append[0]))) {
				snprintf(msg, size, "too many --append options");
				return -1;
			}
			o->append[o->nr_append++] = optarg;
			break;
		case OPT_REUSE_CMDLINE:
			o->reuse_cmdline = 1;
			break;
		case OPT_ENTRY_32BIT:
			o->entry_32bit = 1;
			break;
		case OPT_ENTRY: {
			char *end;
			errno = 0;
			o->entry = strtoull(optarg, &end, 0);
			if (errno || !*optarg || *end || *optarg == '-') {
				snprintf(msg, size, "--entry: '%s' is not an address", optarg);
				return -1;
			}
			o->have_entry = 1;
			break;
		}
		case OPT_ARGS_LINUX:
			o->args = CLI_ARGS_LINUX;
			break;
		case OPT_ARGS_ELF:
			o->args = CLI_ARGS_ELF;
			break;
		case OPT_ARGS_NONE:
			o->args = CLI_ARGS_NONE;
			break;
		case OPT_REAL_MODE:
			o->real_mode = 1;
			break;
		case OPT_CONSOLE_SERIAL:
			o->console_serial = 1;
			break;
		case OPT_CONSOLE_VGA:
			o->console_vga = 1;
			break;
		case OPT_CONSOLE_FB:
			o->console_fb = 1;
			break;
		case OPT_RESET_VGA:
			o->reset_vga = 1;
			break;
		case OPT_SERIAL:
			if (parse_number(optarg, 0xffff, &v)) {
				snprintf(msg, size, "--serial: '%s' is not an I/O port", optarg);
				return -1;
			}
			o->serial_port = (uint16_t)v;
			o->console_serial = 1;
			break;
		case OPT_SERIAL_BAUD:
			if (parse_number(optarg, 115200, &v) || 115200 % v) {
				snprintf(msg, size, "--serial-baud: '%s' is not a divisor of 115200",
					 optarg);
				return -1;
			}
			o->serial_baud = (uint32_t)v;
			break;
		case OPT_DRY_RUN:
			o->dry_run = 1;
			break;
		case OPT_REPORT:
			seen |= 64;
			break;
		case OPT_VMCORE_DMESG:
			seen |= 128;
			break;
		case OPT_JSON:
			o->json = 1;
			break;
		case 'x':
			o->no_ifdown = 1;
			break;
		case 'y':
			o->no_sync = 1;
			break;
		case 'i':
			o->no_checks = 1;
			break;
		case 't':
			if (!strcmp(optarg, "help")) {
				o->action = CLI_TYPES;
				return 0;
			}
			/* Checked against the table here; the library loads the file as this one. */
			if (!baton_format_lookup(optarg)) {
				char names[256];
				type_names(names, sizeof(names));
				snprintf(msg, size, "--type: '%.32s' is not a kernel type baton loads (%s)",
					 optarg, names);
				return -1;
			}
			o->type = optarg;
			break;
		case OPT_ELF64_CORE_HEADERS:
			o->elf32 = 0;
			break;
		case OPT_HOTPLUG:
			o->hotplug = 1;
			break;
		case OPT_NO_HOTPLUG:
			o->hotplug = -1;
			break;
		case OPT_ELF32_CORE_HEADERS:
			o->elf32 = 1;
			break;
		case OPT_MEM_MIN:
		case OPT_MEM_MAX:
			if (parse_address(optarg, c == OPT_MEM_MIN ? &o->mem_min : &o->mem_max)) {
				snprintf(msg, size, "--%s: '%s' is not an address",
					 long_options[idx].name, optarg);
				return -1;
			}
			o->mem_bounds = 1;
			break;
		case OPT_REUSE_INITRD:
			o->reuse_initrd = 1;
			break;
		case OPT_PRINT_CKR_SIZE:
			/* kexec-tools prints it at once, whatever else is asked. */
			o->action = CLI_PRINT_CKR_SIZE;
			return 0;
		case OPT_REUSE_VIDEO_TYPE:
			/* baton always passes the running kernel's screen_info, video type included. */
			break;
		case OPT_PASS_MEMMAP_CMDLINE:
			o->pass_memmap = 1;
			break;
		case OPT_DTB:
			o->dtb = optarg;
			break;
		case OPT_NOEFI:
			o->noefi = 1;
			break;
		case OPT_FORCE_DTB:
			o->force_dtb = 1;
			break;
		case OPT_KEXEC_JUMP:
			o->kexec_jump = long_options[idx].name;
			snprintf(msg, size, "option --%s is not supported: it needs CONFIG_KEXEC_JUMP "
				 "(a return to the old kernel), which Debian does not build",
				 long_options[idx].name);
			return -1;
		case OPT_KEXEC_COMPAT:
			o->compat = 1;
			o->prog = "kexec";
			break;
		case OPT_UNSUPPORTED:
			snprintf(msg, size, "option --%s is not supported: %s", long_options[idx].name,
				 unsupported_reason(long_options[idx].name));
			return -1;
		case ':':
			snprintf(msg, size, "option %s needs an argument", argv[optind - 1]);
			return -1;
		default:
			if (optopt)
				snprintf(msg, size, "unknown option -%c", optopt);
			else
				snprintf(msg, size, "unknown option %s", argv[optind - 1]);
			return -1;
		}
	}
	if (resolve_action(o, seen & 63, msg, size))
		return -1;
	if (o->syscall == CLI_SYSCALL_FILE && (o->console_vga || o->console_fb || o->reset_vga)) {
		snprintf(msg, size, "--%s: with -s the kernel's own purgatory runs, and it shows nothing",
			 o->console_vga ? "console-vga" : o->console_fb ? "console-fb" : "reset-vga");
		return -1;
	}
	if (seen & 64) {
		if (o->action != CLI_NONE) {
			snprintf(msg, size, "--report takes no other action");
			return -1;
		}
		o->action = CLI_REPORT;
	}
	if (seen & 128) {
		if (o->action != CLI_NONE || (seen & 64)) {
			snprintf(msg, size, "--vmcore-dmesg takes no other action");
			return -1;
		}
		o->action = CLI_VMCORE_DMESG;
		if (optind < argc)
			o->vmcore = argv[optind++];
		if (optind < argc) {
			snprintf(msg, size, "--vmcore-dmesg reads one dump: unexpected argument '%s'",
				 argv[optind]);
			return -1;
		}
	}
	if (optind < argc)
		o->kernel = argv[optind++];
	if (optind < argc) {
		snprintf(msg, size, "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	/* kexec-tools: a kernel and no action means load it, then reboot through shutdown(8). */
	if (o->action == CLI_NONE && o->compat && o->kernel)
		o->action = CLI_LOAD_SHUTDOWN;
	if (o->action == CLI_NONE && o->kernel && o->dry_run)
		o->action = CLI_LOAD;
	if ((o->action == CLI_LOAD || o->action == CLI_FORCE || o->action == CLI_LOAD_SHUTDOWN ||
	     (o->compat && o->action == CLI_NONE)) && !o->kernel) {
		snprintf(msg, size, "no kernel given to load");
		return -1;
	}
	if (o->action == CLI_NONE) {
		snprintf(msg, size, "nothing to do: give -l KERNEL, -p KERNEL, -e, -f KERNEL, -u or -S");
		return -1;
	}
	return 0;
}
