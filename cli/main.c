/* SPDX-License-Identifier: MIT */
/* baton: the command-line front end. The only place that prints or exits. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baton/baton.h"
#include "cmdline.h"
#include "dmesg.h"
#include "error.h"
#include "file.h"
#include "kexec.h"
#include "kconfig.h"
#include "lock.h"
#include "options.h"
#include "plan_view.h"
#include "report.h"
#include "session.h"

#ifndef BATON_VERSION
#define BATON_VERSION "unknown"
#endif

enum { EXIT_USAGE = 2 };

/* kexec-tools exits 1 on a usage error; scripts written for it may test for that. */
static int usage_status(const struct cli_options *o)
{
	return o->compat ? EXIT_FAILURE : EXIT_USAGE;
}

static int fail(const struct cli_options *o, const struct baton_error *err)
{
	fprintf(stderr, "%s: %s\n", o->prog, err->msg);
	return EXIT_FAILURE;
}

/* What -c/--command-line and --append ask for; the library puts the running kernel's line
 * (--reuse-cmdline) first. */
static int build_cmdline(const struct cli_options *o, struct baton_cmdline *c,
			 struct baton_error *err)
{
	int rc = 0;

	if (o->command_line)
		rc = baton_cmdline_append(c, o->command_line, err);
	for (int i = 0; !rc && i < o->nr_append; i++)
		rc = baton_cmdline_append(c, o->append[i], err);
	return rc;
}

static void print_by_kernel(const struct cli_options *o, const struct baton_load_opts *lo,
			    const struct baton_plan *plan)
{
	struct baton_plan_info info;

	baton_plan_info(plan, &info);
	/* A UKI reaches the kernel's loader in pieces (lib/kexec.c): say which. */
	if (baton_kexec_file_is_uki(lo))
		printf("kexec_file_load: kernel %s (.linux), initrd its .ucode and .initrd%s%s, "
		       "command line \"%s\"\n", o->kernel, o->initrd ? " then " : "",
		       o->initrd ? o->initrd : "", info.cmdline);
	else
		printf("kexec_file_load: kernel %s, initrd %s, command line \"%s\"\n", o->kernel,
		       o->initrd ? o->initrd : "(none)", info.cmdline);
}

/* Lockdown refuses kexec_load (EPERM), so does IMA under Secure Boot (EACCES: it cannot appraise
 * a kernel without a file descriptor), and some kernels lack it (ENOSYS): the kernel's own
 * loader still works for a kernel it can verify. The plan refuses a confidential guest
 * (EOPNOTSUPP), which the kernel's loader handles. The library falls back
 * (BATON_LOAD_FALLBACK_FILE); the CLI says so once, on stderr. */
static void say_fallback(struct baton *b, const struct cli_options *o)
{
	struct baton_error why;

	if (baton_fell_back(b, &why))
		fprintf(stderr, "%s: %s; falling back to kexec_file_load (the kernel's own loader "
			"and signature check)\n", o->prog, why.msg);
}

static void say_warnings(const struct baton_plan *plan, const struct cli_options *o)
{
	const char *w;

	for (size_t i = 0; (w = baton_plan_warning(plan, i)); i++)
		fprintf(stderr, "%s: warning: %s\n", o->prog, w);
}

/* --force-dtb: the device tree the running kernel booted with, as Linux shows it. */
static int running_dtb(char *path, size_t size, struct baton_error *err)
{
	const char *root = getenv("BATON_ROOT") ? getenv("BATON_ROOT") : "";
	int rc = baton_path(path, size, root, "/sys/firmware/fdt", err);

	if (!rc && access(path, R_OK))
		rc = baton_fail(err, errno, "--force-dtb: %s: %s (the running kernel booted without "
				"a device tree to carry over)", path, strerror(errno));
	return rc;
}

static int load(struct baton *b, const struct cli_options *o)
{
	struct baton_error err = { 0 };
	struct baton_cmdline cmdline = { 0 };
	char fdt[4096];
	struct baton_load_opts lo = {
		.kernel = o->kernel,
		.initrd = o->initrd,
		.flags = (o->entry_32bit ? BATON_LOAD_ENTRY_32BIT : 0) |
			 (o->real_mode ? BATON_LOAD_REAL_MODE : 0) |
			 (o->console_serial ? BATON_LOAD_SERIAL : 0) |
			 (o->console_vga ? BATON_LOAD_CONSOLE_VGA : 0) |
			 (o->console_fb ? BATON_LOAD_CONSOLE_FB : 0) |
			 (o->reset_vga ? BATON_LOAD_RESET_VGA : 0) |
			 (o->panic ? BATON_LOAD_CRASH : 0) |
			 (o->reuse_cmdline ? BATON_LOAD_REUSE_CMDLINE : 0) |
			 (o->syscall == CLI_SYSCALL_FILE ? BATON_LOAD_FILE : 0) |
			 (o->syscall == CLI_SYSCALL_AUTO ? BATON_LOAD_FALLBACK_FILE : 0) |
			 (o->nr_modules ? BATON_LOAD_MODULES : 0) |
			 (o->type ? BATON_LOAD_TYPE : 0) |
			 (o->have_entry ? BATON_LOAD_ENTRY : 0) |
			 (o->args == CLI_ARGS_LINUX ? BATON_LOAD_ARGS_LINUX : 0) |
			 (o->args == CLI_ARGS_ELF ? BATON_LOAD_ARGS_ELF : 0) |
			 (o->args == CLI_ARGS_NONE ? BATON_LOAD_ARGS_NONE : 0) |
			 /* a UKI's .cmdline, unless -c or --reuse-cmdline says what the line is */
			 (o->command_line || o->reuse_cmdline ? 0 : BATON_LOAD_IMAGE_CMDLINE) |
			 (o->hotplug > 0 ? BATON_LOAD_HOTPLUG : 0) |
			 (o->hotplug < 0 ? BATON_LOAD_NO_HOTPLUG : 0) |
			 (o->mem_bounds ? BATON_LOAD_MEM_BOUNDS : 0) |
			 (o->reuse_initrd ? BATON_LOAD_REUSE_INITRD : 0) |
			 (o->pass_memmap ? BATON_LOAD_MEMMAP_CMDLINE : 0) |
			 (o->elf32 ? BATON_LOAD_ELF32_CORE : 0) |
			 (o->dtb || o->force_dtb ? BATON_LOAD_DTB : 0) |
			 (o->noefi ? BATON_LOAD_NO_EFI : 0) |
			 /* what the plan shows, to compare with sha256sum; a load needs only roots */
			 (o->dry_run || o->debug ? BATON_LOAD_PLAIN_SHA256 : 0),
		.serial_port = o->serial_port,
		.serial_baud = o->serial_baud,
		.modules = o->modules,
		.nr_modules = (size_t)o->nr_modules,
		.type = o->type,
		.mem_min = o->mem_min,
		.mem_max = o->mem_max,
		.dtb = o->dtb,
		.entry = o->entry,
	};
	struct baton_plan *plan = NULL;
	struct baton_plan_info info;
	int rc = build_cmdline(o, &cmdline, &err);

	if (!rc && !o->dtb && o->force_dtb && !(rc = running_dtb(fdt, sizeof(fdt), &err)))
		lo.dtb = fdt;
	lo.cmdline = cmdline.text;
	if (!rc)
		rc = baton_plan_create(b, &lo, &plan, &err);
	if (!rc) {
		say_fallback(b, o);
		say_warnings(plan, o);
		baton_plan_info(plan, &info);
		/* baton's own way: everything prepared here, the kernel asked only to copy and
		 * jump. The kernel's loader: the files as they are. */
		if (o->debug && !(info.flags & BATON_LOAD_FILE))
			report_plan(stderr, &plan->img, o->kernel);
		if (o->dry_run && (info.flags & BATON_LOAD_FILE))
			print_by_kernel(o, &lo, plan);
		else if (o->dry_run)
			rc = plan_view_print(stdout, &plan->img, o->kernel, o->json, &err);
		else {
			rc = baton_load(b, plan, &err);
			say_fallback(b, o);
		}
	}
	baton_plan_free(plan);
	baton_cmdline_free(&cmdline);
	return rc ? fail(o, &err) : EXIT_SUCCESS;
}

static int require_loaded(struct baton *b, const struct cli_options *o)
{
	struct baton_error err = { 0 };
	int loaded = 0;

	if (baton_loaded(b, 0, &loaded, &err))
		return fail(o, &err);
	if (!loaded) {
		fprintf(stderr, "%s: nothing has been loaded (load a kernel with -l first)\n",
			o->prog);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

static int exec(struct baton *b, const struct cli_options *o)
{
	struct baton_error err = { 0 };
	/* kexec-tools takes interfaces down before -e and -f; baton's own mode leaves that to
	 * the drivers' shutdown methods, which the kernel runs before the jump anyway. */
	unsigned flags = (o->no_sync ? BATON_EXEC_NO_SYNC : 0) |
			 (o->compat && !o->no_ifdown ? BATON_EXEC_IFDOWN : 0);

	return baton_exec(b, flags, &err) ? fail(o, &err) : EXIT_SUCCESS;
}

static int status(struct baton *b, const struct cli_options *o)
{
	struct baton_error err = { 0 };
	int crash = !o->load_flag;   /* kexec-tools: the crash image unless -l asks otherwise */
	int loaded = 0;

	if (baton_loaded(b, crash, &loaded, &err))
		return fail(o, &err);
	if (o->debug)
		fprintf(stderr, "%s: %s image %s\n", o->prog, crash ? "crash" : "kexec",
			loaded ? "loaded" : "not loaded");
	return loaded ? 1 : 0;
}

/* kexec-tools' --print-ckr-size: the bytes of the region a capture kernel goes to, 0 if none. */
static int print_ckr_size(struct baton *b, const struct cli_options *o)
{
	struct baton_error err = { 0 };
	uint64_t size;

	if (baton_crash_size(b, &size, &err))
		return fail(o, &err);
	printf("%llu\n", (unsigned long long)size);
	return EXIT_SUCCESS;
}

/* A kexec-jump option is refused on any kernel; the refusal says whether this one could have
 * taken it (its configuration, when readable). */
static void kexec_jump_fact(const char *root, char *msg, size_t size)
{
	char where[4096];
	size_t len = strlen(msg);
	int set = cli_kconfig(root, "KEXEC_JUMP", where, sizeof(where));

	if (set > 0)
		snprintf(msg + len, size - len, "; this kernel has it (%.200s), but baton does not return"
			 " to the old kernel", where);
	else if (!set)
		snprintf(msg + len, size - len, "; this kernel lacks it (%.200s)", where);
}

static int run(struct baton *b, const struct cli_options *o)
{
	struct baton_error err = { 0 };

	switch (o->action) {
	case CLI_LOAD:
		return load(b, o);
	case CLI_LOAD_SHUTDOWN:
		if (load(b, o))
			return EXIT_FAILURE;
		return o->dry_run ? EXIT_SUCCESS : require_loaded(b, o);
	case CLI_FORCE:
		if (load(b, o))
			return EXIT_FAILURE;
		return o->dry_run ? EXIT_SUCCESS : exec(b, o);
	case CLI_EXEC:
		return require_loaded(b, o) ? EXIT_FAILURE : exec(b, o);
	case CLI_UNLOAD:
		return baton_unload(b, o->panic, &err) ? fail(o, &err) : EXIT_SUCCESS;
	case CLI_STATUS:
		return status(b, o);
	case CLI_PRINT_CKR_SIZE:
		return print_ckr_size(b, o);
	default:
		return EXIT_USAGE;
	}
}

/* kexec-tools' reboot after a load: shutdown(8) stops the system, whose last step runs the
 * loaded kernel (systemd-shutdown or the kexec init script call kexec -e). Only returns on
 * failure. Looked up under BATON_ROOT, like everything else baton reads of the machine. */
static int run_shutdown(const char *root, const struct cli_options *o)
{
	static const char *const places[] = { "/sbin/shutdown", "/etc/shutdown", "/bin/shutdown" };
	char *const args[] = { "shutdown", "-r", "now", NULL };
	char path[4096];

	fflush(NULL);
	for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++)
		if (!baton_path(path, sizeof(path), root, places[i], NULL))
			execv(path, args);
	fprintf(stderr, "%s: shutdown: cannot run %s/sbin/shutdown: %m\n", o->prog, root);
	return EXIT_FAILURE;
}

static int report(const struct baton_config *cfg, const struct cli_options *o)
{
	struct baton_report r;
	struct baton_error err = { 0 };

	if (baton_report_read(cfg, &r, &err))
		return fail(o, &err);
	report_handover(stdout, &r, o->json);
	return EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	const char *root = getenv("BATON_ROOT") ? getenv("BATON_ROOT") : "";
	struct baton_config cfg = { .root = root, .xenctrl = getenv("BATON_XENCTRL") };
	struct baton_error err = { 0 };
	struct cli_options o;
	struct baton *b;
	char msg[1024];
	int rc, lock;

	if (cli_parse(&o, argc, argv, msg, sizeof(msg))) {
		if (o.kexec_jump)
			kexec_jump_fact(root, msg, sizeof(msg));
		fprintf(stderr, "%s: %s (see %s --help)\n", o.prog, msg, o.prog);
		return usage_status(&o);
	}
	if (o.dry_run && o.action != CLI_LOAD && o.action != CLI_FORCE &&
	    o.action != CLI_LOAD_SHUTDOWN && o.action != CLI_HELP && o.action != CLI_VERSION &&
	    o.action != CLI_TYPES) {
		fprintf(stderr, "%s: --dry-run only plans a load (-l, -p or -f)\n", o.prog);
		return usage_status(&o);
	}
	if (o.action == CLI_HELP) {
		cli_usage(stdout);
		return EXIT_SUCCESS;
	}
	if (o.action == CLI_TYPES) {
		cli_types(stdout);
		return EXIT_SUCCESS;
	}
	if (o.action == CLI_VERSION) {
		if (o.compat)   /* "kexec (baton) 0.1.0", "vmcore-dmesg (baton) 0.1.0" */
			printf("%s (baton) %s\n", o.prog, BATON_VERSION);
		else
			printf("baton %s\n", BATON_VERSION);
		return EXIT_SUCCESS;
	}
	if (o.action == CLI_REPORT)
		return report(&cfg, &o);
	if (o.action == CLI_VMCORE_DMESG)
		return cli_vmcore_dmesg(root, &o);
	if (baton_open(&b, &cfg, &err))
		return fail(&o, &err);
	if (o.debug && baton_under_xen(b))
		fprintf(stderr, "%s: Xen dom0: using the hypervisor's kexec interface\n", o.prog);
	/* Planning only reads; whatever reaches the kernel holds the lock. */
	lock = o.dry_run || o.action == CLI_STATUS ? -1 : cli_lock(root);
	rc = run(b, &o);
	cli_unlock(lock);
	baton_close(b);
	if (o.action == CLI_LOAD_SHUTDOWN && rc == EXIT_SUCCESS && !o.dry_run)
		rc = run_shutdown(root, &o);
	return rc;
}
