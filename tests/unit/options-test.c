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
	assert_int_equal(PARSE(&o, msg, "-x"), -1);
	assert_string_equal(msg, "unknown option -x");
	assert_int_equal(PARSE(&o, msg, "-l", "k", "--serial-baud=7"), -1);
	assert_non_null(strstr(msg, "--serial-baud"));
	assert_int_equal(PARSE(&o, msg, "-l", "k", "--serial=zz"), -1);
	assert_int_equal(PARSE(&o, msg, "-l", "k", "extra"), -1);
	assert_non_null(strstr(msg, "unexpected argument 'extra'"));
	assert_int_equal(PARSE(&o, msg, "-l", "k", "--initrd"), -1);
	assert_non_null(strstr(msg, "needs an argument"));
	assert_int_equal(PARSE(&o, msg, "--dry-run"), -1);
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
