/* baton: the command-line front end. The only place that prints or exits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baton/baton.h"
#include "cmdline.h"
#include "file.h"
#include "lock.h"
#include "options.h"
#include "plan_view.h"
#include "report.h"
#include "session.h"
#include "timing.h"

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

static int build_cmdline(const char *root, const struct cli_options *o, struct baton_cmdline *c,
			 struct baton_error *err)
{
	int rc = 0;

	if (o->reuse_cmdline) {
		char path[4096];
		struct baton_file f;
		rc = baton_path(path, sizeof(path), root, "/proc/cmdline", err);
		if (!rc)
			rc = baton_file_read(&f, path, 1 << 16, err);
		if (rc)
			return rc;
		/* A capture kernel must not reserve a crash region of its own. */
		rc = baton_cmdline_append_reused(c, (const char *)f.data,
						 o->panic ? BATON_DROP_CRASHKERNEL : 0, err);
		baton_file_free(&f);
	}
	if (!rc && o->command_line)
		rc = baton_cmdline_append(c, o->command_line, err);
	for (int i = 0; !rc && i < o->nr_append; i++)
		rc = baton_cmdline_append(c, o->append[i], err);
	return rc;
}

/* baton's own way: everything prepared here, the kernel asked only to copy and jump. */
static int load_prepared(struct baton *b, const struct cli_options *o,
			 const struct baton_load_opts *lo, struct baton_error *err)
{
	struct baton_plan *plan;
	int rc = baton_plan_create(b, lo, &plan, err);

	if (rc)
		return rc;
	if (o->debug)
		report_plan(stderr, &plan->img, o->kernel);
	if (o->dry_run)
		rc = plan_view_print(stdout, &plan->img, o->kernel, o->json, err);
	else
		rc = baton_load(b, plan, err);
	baton_plan_free(plan);
	return rc;
}

static int load_by_kernel(struct baton *b, const struct cli_options *o,
			  const struct baton_load_opts *lo, struct baton_error *err)
{
	if (!o->dry_run)
		return baton_load_file(b, lo, err);
	printf("kexec_file_load: kernel %s, initrd %s, command line \"%s\"\n", lo->kernel,
	       lo->initrd ? lo->initrd : "(none)", lo->cmdline ? lo->cmdline : "");
	return 0;
}

static int load(struct baton *b, const char *root, const struct cli_options *o)
{
	struct baton_error err = { 0 };
	struct baton_cmdline cmdline = { 0 };
	struct baton_load_opts lo = {
		.kernel = o->kernel,
		.initrd = o->initrd,
		.flags = (o->entry_32bit ? BATON_LOAD_ENTRY_32BIT : 0) |
			 (o->console_serial ? BATON_LOAD_SERIAL : 0) |
			 (o->panic ? BATON_LOAD_CRASH : 0),
		.serial_port = o->serial_port,
		.serial_baud = o->serial_baud,
	};
	int rc = build_cmdline(root, o, &cmdline, &err);

	lo.cmdline = cmdline.text;
	if (!rc && o->syscall == CLI_SYSCALL_FILE)
		rc = load_by_kernel(b, o, &lo, &err);
	else if (!rc)
		rc = load_prepared(b, o, &lo, &err);
	/* Lockdown refuses kexec_load (EPERM), so does IMA under Secure Boot (EACCES: it cannot
	 * appraise a kernel without a file descriptor), and some kernels lack it (ENOSYS): the
	 * kernel's own loader still works for a kernel it can verify. The plan refuses a
	 * confidential guest (EOPNOTSUPP), which the kernel's loader handles. Said once, on stderr. */
	if ((rc == -EPERM || rc == -EACCES || rc == -ENOSYS || rc == -EOPNOTSUPP) &&
	    o->syscall == CLI_SYSCALL_AUTO &&
	    !baton_under_xen(b)) {
		fprintf(stderr, "%s: %s; falling back to kexec_file_load (the kernel's own loader "
			"and signature check)\n", o->prog, err.msg);
		rc = load_by_kernel(b, o, &lo, &err);
	}
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

static int run(struct baton *b, const char *root, const struct cli_options *o)
{
	struct baton_error err = { 0 };

	switch (o->action) {
	case CLI_LOAD:
		return load(b, root, o);
	case CLI_LOAD_SHUTDOWN:
		if (load(b, root, o))
			return EXIT_FAILURE;
		return o->dry_run ? EXIT_SUCCESS : require_loaded(b, o);
	case CLI_FORCE:
		if (load(b, root, o))
			return EXIT_FAILURE;
		return o->dry_run ? EXIT_SUCCESS : exec(b, o);
	case CLI_EXEC:
		return require_loaded(b, o) ? EXIT_FAILURE : exec(b, o);
	case CLI_UNLOAD:
		return baton_unload(b, o->panic, &err) ? fail(o, &err) : EXIT_SUCCESS;
	case CLI_STATUS:
		return status(b, o);
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

static int report(const char *root, const struct cli_options *o)
{
	struct baton_handover_report r;
	struct baton_error err = { 0 };

	if (baton_timing_read(root, NULL, &r, &err))
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
	char msg[256];
	int rc, lock;

	if (cli_parse(&o, argc, argv, msg, sizeof(msg))) {
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
		printf(o.compat ? "kexec (baton) %s\n" : "baton %s\n", BATON_VERSION);
		return EXIT_SUCCESS;
	}
	if (o.action == CLI_REPORT)
		return report(root, &o);
	if (baton_open(&b, &cfg, &err))
		return fail(&o, &err);
	if (o.debug && baton_under_xen(b))
		fprintf(stderr, "%s: Xen dom0: using the hypervisor's kexec interface\n", o.prog);
	/* Planning only reads; whatever reaches the kernel holds the lock. */
	lock = o.dry_run || o.action == CLI_STATUS ? -1 : cli_lock(root);
	rc = run(b, root, &o);
	cli_unlock(lock);
	baton_close(b);
	if (o.action == CLI_LOAD_SHUTDOWN && rc == EXIT_SUCCESS && !o.dry_run)
		rc = run_shutdown(root, &o);
	return rc;
}
