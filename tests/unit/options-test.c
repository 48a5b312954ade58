/* SPDX-License-Identifier: MIT */
/* Tests for the CLI's option parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "options.h"

#define PARSE(o, msg, ...) \
	cli_parse(o, (int)(sizeof((char *[]){ "baton", __VA_ARGS__ }) / sizeof(char *)), \
		  (char *[]){ "baton", __VA_ARGS__, NULL }, msg, sizeof(msg))

static void load_with_everything(void **state)
{
	(void)state;
	struct cli_options o;
	char msg[256];

	assert_int_equal(PARSE(&o, msg, "-l", "/boot/vmlinuz", "--initrd=/boot/initrd.img",
			       "--command-line=console=ttyS0", "--append=quiet", "--entry-32bit",
			       "--serial=0x2f8", "--serial-baud=9600", "-d"), 0);
	assert_int_equal(o.action, CLI_LOAD);
	assert_string_equal(o.kernel, "/boot/vmlinuz");
	assert_string_equal(o.initrd, "/boot/initrd.img");
	assert_string_equal(o.command_line, "console=ttyS0");
	assert_int_equal(o.nr_append, 1);
	assert_string_equal(o.append[0], "quiet");
	assert_true(o.entry_32bit && o.console_serial && o.debug);
	assert_int_equal(o.serial_port, 0x2f8);
	assert_int_equal(o.serial_baud, 9600);
}

static void kexec_tools_spellings(void **state)
{
	(void)state;
	struct cli_options o;
	char msg[256];

	assert_int_equal(PARSE(&o, msg, "--load", "k", "--ramdisk", "r", "--reuse-cmdline"), 0);
	assert_string_equal(o.initrd, "r");
	assert_true(o.reuse_cmdline);
	assert_int_equal(PARSE(&o, msg, "-f", "k"), 0);
	assert_int_equal(o.action, CLI_FORCE);
	assert_int_equal(PARSE(&o, msg, "-e"), 0);
	assert_int_equal(o.action, CLI_EXEC);
	assert_int_equal(PARSE(&o, msg, "-u"), 0);
	assert_int_equal(o.action, CLI_UNLOAD);
}

static void status_supersedes_and_l_picks_the_image(void **state)
{
	(void)state;
	struct cli_options o;
	char msg[256];

	assert_int_equal(PARSE(&o, msg, "-S"), 0);
	assert_int_equal(o.action, CLI_STATUS);
	assert_false(o.load_flag);
	assert_int_equal(PARSE(&o, msg, "-l", "-S"), 0);
	assert_int_equal(o.action, CLI_STATUS);
	assert_true(o.load_flag);
	assert_int_equal(PARSE(&o, msg, "-S", "-l"), 0);
	assert_int_equal(o.action, CLI_STATUS);
}

static void panic_selects_the_crash_image(void **state)
{
	(void)state;
	struct cli_options o;
	char msg[256];

	assert_int_equal(PARSE(&o, msg, "-p", "k", "--initrd=r"), 0);
	assert_int_equal(o.action, CLI_LOAD);
	assert_true(o.panic);
	assert_int_equal(PARSE(&o, msg, "--load-panic", "k"), 0);
	assert_true(o.panic);
	assert_int_equal(PARSE(&o, msg, "-p", "-u"), 0);
	assert_int_equal(o.action, CLI_UNLOAD);
	assert_true(o.panic);
	assert_int_equal(PARSE(&o, msg, "-u", "-p"), 0);
	assert_int_equal(o.action, CLI_UNLOAD);
	assert_int_equal(PARSE(&o, msg, "-S", "-p"), 0);
	assert_int_equal(o.action, CLI_STATUS);
	assert_int_equal(PARSE(&o, msg, "-l", "k", "-p"), -1);
	assert_int_equal(PARSE(&o, msg, "-p", "k", "-e"), -1);
}

static void command_line_replaces_appends_accumulate(void **state)
{
	(void)state;
	struct cli_options o;
	char msg[256];

	assert_int_equal(PARSE(&o, msg, "-l", "k", "--append=a", "--command-line=b",
			       "--append=c", "--append=d"), 0);
	assert_string_equal(o.command_line, "b");
	assert_int_equal(o.nr_append, 2);
	assert_string_equal(o.append[1], "d");
}

static void usage_errors(void **state)
{
	(void)state;
	struct cli_options o;
	char msg[256];

	assert_int_equal(PARSE(&o, msg, "-l"), -1);
	assert_string_equal(msg, "no kernel given to load");
	assert_int_equal(PARSE(&o, msg, "-l", "k", "-e"), -1);
	assert_non_null(strstr(msg, "exclude"));
	assert_int_equal(PARSE(&o, msg, "--bogus"), -1);
	assert_string_equal(msg, "unknown option --bogus");
	assert_int_equal(PARSE(&o, msg, "-z"), -1);
	assert_string_equal(msg, "unknown option -z");
	assert_int_equal(PARSE(&o, msg, "-l", "k", "--serial-baud=7"), -1);
	assert_non_null(strstr(msg, "--serial-baud"));
	assert_int_equal(PARSE(&o, msg, "-l", "k", "--serial=zz"), -1);
	assert_int_equal(PARSE(&o, msg, "-l", "k", "extra"), -1);
	assert_non_null(strstr(msg, "unexpected argument 'extra'"));
	assert_int_equal(PARSE(&o, msg, "-l", "k", "--initrd"), -1);
	assert_non_null(strstr(msg, "needs an argument"));
	assert_int_equal(PARSE(&o, msg, "--dry-run"), -1);
}

#define PARSE_AS(argv0, o, msg, ...) \
	cli_parse(o, (int)(sizeof((char *[]){ argv0, __VA_ARGS__ }) / sizeof(char *)), \
		  (char *[]){ argv0, __VA_ARGS__, NULL }, msg, sizeof(msg))

static void called_kexec_follows_kexec_tools(void **state)
{
	(void)state;
	struct cli_options o;
	char msg[256];

	/* A kernel and no action: load, then shutdown -r now. */
	assert_int_equal(PARSE_AS("/sbin/kexec", &o, msg, "/boot/vmlinuz", "--append=quiet"), 0);
	assert_true(o.compat);
	assert_string_equal(o.prog, "kexec");
	assert_int_equal(o.action, CLI_LOAD_SHUTDOWN);
	/* baton itself still wants an action */
	assert_int_equal(PARSE(&o, msg, "/boot/vmlinuz"), -1);
	assert_false(o.compat);
	assert_int_equal(PARSE(&o, msg, "--kexec-compat", "/boot/vmlinuz"), 0);
	assert_int_equal(o.action, CLI_LOAD_SHUTDOWN);
	assert_int_equal(PARSE_AS("kexec", &o, msg, "-e", "-x", "-y"), 0);
	assert_int_equal(o.action, CLI_EXEC);
	assert_true(o.no_ifdown && o.no_sync);
	assert_int_equal(PARSE_AS("kexec", &o, msg, "--no-ifdown", "--no-sync", "-f", "k"), 0);
	assert_int_equal(o.action, CLI_FORCE);
	assert_true(o.no_ifdown && o.no_sync);
	assert_int_equal(PARSE_AS("kexec", &o, msg, "-p", "-i", "--type=bzImage64",
				  "--elf64-core-headers", "k"), 0);
	assert_int_equal(o.action, CLI_LOAD);
	assert_true(o.panic && o.no_checks);
	assert_int_equal(PARSE_AS("kexec", &o, msg, "-s", "-p", "-u"), 0);
	assert_int_equal(o.action, CLI_UNLOAD);
	assert_int_equal(o.syscall, CLI_SYSCALL_FILE);
	assert_int_equal(PARSE_AS("kexec", &o, msg, "-i"), -1);
	assert_string_equal(msg, "no kernel given to load");
}

static void kexec_tools_options_baton_lacks_are_named(void **state)
{
	(void)state;
	struct cli_options o;
	char msg[256];

	assert_int_equal(PARSE_AS("kexec", &o, msg, "-l", "k", "--load-preserve-context"), -1);
	assert_string_equal(msg, "option --load-preserve-context is not supported: it needs "
			    "CONFIG_KEXEC_JUMP (a return to the old kernel), which Debian does not "
			    "build");
	assert_string_equal(o.kexec_jump, "load-preserve-context");
	assert_int_equal(PARSE_AS("kexec", &o, msg, "--load-jump-back-helper"), -1);
	assert_string_equal(o.kexec_jump, "load-jump-back-helper");
	assert_int_equal(PARSE_AS("kexec", &o, msg, "-l", "-t", "elf-x86", "k"), -1);
	assert_string_equal(msg, "--type: 'elf-x86' is not a kernel type baton loads "
			    "(bzImage, bzImage64, uki, multiboot2-x86, multiboot-x86, elf-x86_64)");
	assert_int_equal(PARSE(&o, msg, "-l", "-t", "multiboot-x86", "xen"), 0);
	assert_string_equal(o.type, "multiboot-x86");
	assert_int_equal(PARSE(&o, msg, "-t", "help"), 0);
	assert_int_equal(o.action, CLI_TYPES);
	assert_int_equal(PARSE_AS("kexec", &o, msg, "-l", "-t", "bzImage", "k"), 0);
	assert_int_equal(PARSE(&o, msg, "-l", "k", "--real-mode"), 0);
	assert_int_equal(o.real_mode, 1);
}

/* The screens: --console-vga, --console-fb and --reset-vga as kexec-tools spells them; with -s
 * the kernel's own purgatory runs, which shows nothing. */
static void screen_consoles(void **state)
{
	(void)state;
	struct cli_options o;
	char msg[256];

	assert_int_equal(PARSE_AS("kexec", &o, msg, "-l", "k", "--console-vga", "--reset-vga"), 0);
	assert_true(o.console_vga && o.reset_vga && !o.console_fb);
	assert_int_equal(PARSE(&o, msg, "-p", "k", "--console-fb", "--console-serial"), 0);
	assert_true(o.console_fb && o.console_serial && !o.console_vga);
	assert_int_equal(PARSE(&o, msg, "-l", "-s", "k", "--console-vga"), -1);
	assert_string_equal(msg, "--console-vga: with -s the kernel's own purgatory runs, and it "
			    "shows nothing");
	assert_int_equal(PARSE(&o, msg, "-l", "-s", "k", "--reset-vga"), -1);
	assert_non_null(strstr(msg, "--reset-vga: with -s"));
	assert_int_equal(PARSE(&o, msg, "-l", "-a", "k", "--console-fb"), 0);
}

/* --mem-min/--mem-max as kexec-tools' strtoul reads them, the crash-image options, --dtb,
 * --reuse-initrd; --print-ckr-size acts at once, as there. */
static void placement_and_crash_options(void **state)
{
	(void)state;
	struct cli_options o;
	char msg[256];

	assert_int_equal(PARSE(&o, msg, "-l", "k"), 0);
	assert_false(o.mem_bounds);
	assert_true(o.mem_min == 0 && o.mem_max == UINT64_MAX);
	assert_int_equal(PARSE_AS("kexec", &o, msg, "-l", "k", "--mem-min=0x1000000",
				  "--mem-max", "536870911"), 0);
	assert_true(o.mem_bounds);
	assert_true(o.mem_min == 0x1000000 && o.mem_max == 536870911);
	assert_int_equal(PARSE(&o, msg, "-l", "k", "--mem-min=0"), 0);
	assert_true(o.mem_bounds && o.mem_min == 0 && o.mem_max == UINT64_MAX);
	assert_int_equal(PARSE(&o, msg, "-l", "k", "--mem-max=16M"), -1);
	assert_string_equal(msg, "--mem-max: '16M' is not an address");
	assert_int_equal(PARSE(&o, msg, "-l", "k", "--mem-min=-1"), -1);
	assert_string_equal(msg, "--mem-min: '-1' is not an address");
	assert_int_equal(PARSE(&o, msg, "-p", "k", "--elf32-core-headers", "--pass-memmap-cmdline"),
			 0);
	assert_true(o.elf32 && o.pass_memmap);
	assert_int_equal(PARSE(&o, msg, "-p", "k", "--elf32-core-headers", "--elf64-core-headers"),
			 0);
	assert_false(o.elf32);
	assert_int_equal(PARSE(&o, msg, "-l", "k", "--dtb=board.dtb", "--reuse-initrd"), 0);
	assert_string_equal(o.dtb, "board.dtb");
	assert_true(o.reuse_initrd);
	assert_int_equal(PARSE(&o, msg, "-l", "k", "--dtb"), -1);
	assert_int_equal(PARSE_AS("kexec", &o, msg, "-l", "k", "--reuseinitrd",
				  "--reuse-video-type"), 0);
	assert_true(o.reuse_initrd);
	assert_int_equal(PARSE_AS("kexec", &o, msg, "-l", "k", "--noefi", "--force-dtb"), 0);
	assert_true(o.noefi && o.force_dtb);
	assert_int_equal(PARSE_AS("kexec", &o, msg, "-l", "k", "--load-live-update"), -1);
	assert_string_equal(msg, "option --load-live-update is not supported: Debian's Xen (4.17) "
			    "has no live update kexec type");
	assert_int_equal(PARSE_AS("kexec", &o, msg, "--print-ckr-size", "-l"), 0);
	assert_int_equal(o.action, CLI_PRINT_CKR_SIZE);
}

/* An ELF image's options as kexec-tools has them: the last --args-* wins, --entry takes any
 * number strtoull reads whole. */
static void elf_args_and_entry(void **state)
{
	(void)state;
	struct cli_options o;
	char msg[256];

	assert_int_equal(PARSE(&o, msg, "-l", "vmlinux"), 0);
	assert_int_equal(o.args, CLI_ARGS_DEFAULT);
	assert_false(o.have_entry);
	assert_int_equal(PARSE_AS("kexec", &o, msg, "-l", "-t", "elf-x86_64", "--args-linux",
				  "vmlinux"), 0);
	assert_int_equal(o.args, CLI_ARGS_LINUX);
	assert_string_equal(o.type, "elf-x86_64");
	assert_int_equal(PARSE(&o, msg, "-l", "--args-linux", "--args-elf", "k.elf"), 0);
	assert_int_equal(o.args, CLI_ARGS_ELF);
	assert_int_equal(PARSE(&o, msg, "-l", "--args-none", "--entry=0x1000040", "k.elf"), 0);
	assert_int_equal(o.args, CLI_ARGS_NONE);
	assert_true(o.have_entry);
	assert_int_equal(o.entry, 0x1000040);
	assert_int_equal(PARSE(&o, msg, "-l", "--entry", "16777216", "k.elf"), 0);
	assert_int_equal(o.entry, 0x1000000);
	assert_int_equal(PARSE(&o, msg, "-l", "--entry=0x10zz", "k.elf"), -1);
	assert_string_equal(msg, "--entry: '0x10zz' is not an address");
	assert_int_equal(PARSE(&o, msg, "-l", "--entry=-1", "k.elf"), -1);
	assert_int_equal(PARSE(&o, msg, "-l", "--entry=", "k.elf"), -1);
}

/* kexec-tools' --module "FILE ARGS": repeatable, in order, passed on as given (as kexec too). */
static void modules_accumulate_in_order(void **state)
{
	(void)state;
	struct cli_options o;
	char msg[256];

	assert_int_equal(PARSE_AS("kexec", &o, msg, "-l", "xen.gz", "--module=vmlinuz root=/dev/vda",
				  "--module", "initrd.img"), 0);
	assert_int_equal(o.nr_modules, 2);
	assert_string_equal(o.modules[0], "vmlinuz root=/dev/vda");
	assert_string_equal(o.modules[1], "initrd.img");
	char *argv[20] = { "baton", "-l", "k" };
	for (int i = 3; i < 20; i++)
		argv[i] = "--module=m";
	assert_int_equal(cli_parse(&o, 20, argv, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "too many --module options"));
}

static void vmcore_dmesg_reads_one_dump(void **state)
{
	(void)state;
	struct cli_options o;
	char msg[256];

	assert_int_equal(PARSE(&o, msg, "--vmcore-dmesg"), 0);
	assert_int_equal(o.action, CLI_VMCORE_DMESG);
	assert_null(o.vmcore);
	assert_int_equal(PARSE(&o, msg, "--vmcore-dmesg", "/var/crash/vmcore"), 0);
	assert_string_equal(o.vmcore, "/var/crash/vmcore");
	assert_null(o.kernel);
	assert_int_equal(PARSE(&o, msg, "--vmcore-dmesg", "a", "b"), -1);
	assert_string_equal(msg, "--vmcore-dmesg reads one dump: unexpected argument 'b'");
	assert_int_equal(PARSE(&o, msg, "--vmcore-dmesg", "-p", "k"), -1);
	assert_string_equal(msg, "--vmcore-dmesg takes no other action");
	assert_int_equal(PARSE(&o, msg, "--report", "--vmcore-dmesg"), -1);
	assert_string_equal(msg, "--vmcore-dmesg takes no other action");

	/* called vmcore-dmesg: kexec-tools' one argument, no options */
	assert_int_equal(PARSE_AS("/usr/sbin/vmcore-dmesg", &o, msg, "/proc/vmcore"), 0);
	assert_int_equal(o.action, CLI_VMCORE_DMESG);
	assert_string_equal(o.vmcore, "/proc/vmcore");
	assert_string_equal(o.prog, "vmcore-dmesg");
	assert_true(o.compat);
	assert_int_equal(PARSE_AS("vmcore-dmesg", &o, msg, "-l"), 0);   /* a file named -l */
	assert_string_equal(o.vmcore, "-l");
	assert_int_equal(PARSE_AS("vmcore-dmesg", &o, msg, "a", "b"), -1);
	assert_string_equal(msg, "usage: vmcore-dmesg <kernel core file>");
	assert_int_equal(PARSE_AS("vmcore-dmesg", &o, msg, "--version"), 0);
	assert_int_equal(o.action, CLI_VERSION);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(load_with_everything),
		cmocka_unit_test(kexec_tools_spellings),
		cmocka_unit_test(status_supersedes_and_l_picks_the_image),
		cmocka_unit_test(panic_selects_the_crash_image),
		cmocka_unit_test(command_line_replaces_appends_accumulate),
		cmocka_unit_test(usage_errors),
		cmocka_unit_test(called_kexec_follows_kexec_tools),
		cmocka_unit_test(kexec_tools_options_baton_lacks_are_named),
		cmocka_unit_test(modules_accumulate_in_order),
		cmocka_unit_test(screen_consoles),
		cmocka_unit_test(elf_args_and_entry),
		cmocka_unit_test(vmcore_dmesg_reads_one_dump),
		cmocka_unit_test(placement_and_crash_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
