/* baton: the command-line front end. The only place that prints or exits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "file.h"
#include "image.h"
#include "kexec.h"
#include "lock.h"
#include "options.h"
#include "report.h"
#include "timing.h"
#include "xen.h"

#ifndef BATON_VERSION
#define BATON_VERSION "unknown"
#endif

enum { EXIT_USAGE = 2 };

static int fail(const struct baton_error *err)
{
	fprintf(stderr, "baton: %s\n", err->msg);
	return EXIT_FAILURE;
}

static int build_cmdline(const struct baton_ctx *ctx, const struct cli_options *o,
			 struct baton_cmdline *c, struct baton_error *err)
{
	int rc = 0;

	if (o->reuse_cmdline) {
		char path[4096];
		struct baton_file f;
		rc = baton_file_read(&f, baton_path(path, sizeof(path), ctx->root, "/proc/cmdline"),
				     1 << 16, err);
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
static int load_prepared(const struct baton_ctx *ctx, const struct baton_sys *sys,
			 const struct cli_options *o, const struct baton_load_opts *lo,
			 struct baton_error *err)
{
	struct baton_image img;
	int rc = baton_image_prepare(ctx, lo, &img, err);

	if (!rc && (o->dry_run || o->debug))
		report_plan(o->dry_run ? stdout : stderr, &img, o->kernel);
	if (!rc && !o->dry_run)
		rc = baton_kexec_load(sys, &img, err);
	baton_image_free(&img);
	return rc;
}

static int load_by_kernel(const struct baton_sys *sys, const struct cli_options *o,
			  const struct baton_load_opts *lo, struct baton_error *err)
{
	if (!o->dry_run)
		return baton_kexec_file_load(sys, lo, err);
	printf("kexec_file_load: kernel %s, initrd %s, command line \"%s\"\n", lo->kernel,
	       lo->initrd ? lo->initrd : "(none)", lo->cmdline ? lo->cmdline : "");
	return 0;
}

static int load(const struct baton_ctx *ctx, const struct baton_sys *sys,
		const struct cli_options *o)
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
	int rc = build_cmdline(ctx, o, &cmdline, &err);

	lo.cmdline = cmdline.text;
	if (!rc && o->syscall == CLI_SYSCALL_FILE)
		rc = load_by_kernel(sys, o, &lo, &err);
	else if (!rc)
		rc = load_prepared(ctx, sys, o, &lo, &err);
	/* Lockdown refuses kexec_load (EPERM), so does IMA under Secure Boot (EACCES: it cannot
	 * appraise a kernel without a file descriptor), and some kernels lack it (ENOSYS): the
	 * kernel's own loader still works for a kernel it can verify. Said once, on stderr. */
	if ((rc == -EPERM || rc == -EACCES || rc == -ENOSYS) && o->syscall == CLI_SYSCALL_AUTO &&
	    sys->kexec_file_load) {
		fprintf(stderr, "baton: %s; falling back to kexec_file_load (the kernel's own loader "
			"and signature check)\n", err.msg);
		rc = load_by_kernel(sys, o, &lo, &err);
	}
	baton_cmdline_free(&cmdline);
	return rc ? fail(&err) : EXIT_SUCCESS;
}

static int status(const struct baton_ctx *ctx, const struct cli_options *o)
{
	struct baton_error err = { 0 };
	int crash = !o->load_flag;   /* kexec-tools: the crash image unless -l asks otherwise */
	int loaded = 0;
	int rc = ctx->xen ? baton_xen_loaded(ctx->xen, crash, &loaded, &err)
			  : baton_kexec_loaded(ctx, crash, &loaded, &err);

	if (rc)
		return fail(&err);
	if (o->debug)
		fprintf(stderr, "baton: %s image %s\n", crash ? "crash" : "kexec",
			loaded ? "loaded" : "not loaded");
	return loaded ? 1 : 0;
}

static int run(const struct baton_ctx *ctx, const struct baton_sys *sys,
	       const struct cli_options *o)
{
	struct baton_error err = { 0 };

	switch (o->action) {
	case CLI_LOAD:
		return load(ctx, sys, o);
	case CLI_FORCE:
		if (load(ctx, sys, o))
			return EXIT_FAILURE;
		if (o->dry_run)
			return EXIT_SUCCESS;
		return baton_kexec_exec(sys, &err) ? fail(&err) : EXIT_SUCCESS;
	case CLI_EXEC:
		return baton_kexec_exec(sys, &err) ? fail(&err) : EXIT_SUCCESS;
	case CLI_UNLOAD:
		return baton_kexec_unload(sys, o->panic, &err) ? fail(&err) : EXIT_SUCCESS;
	case CLI_STATUS:
		return status(ctx, o);
	case CLI_REPORT: {
		struct baton_handover_report r;
		if (baton_timing_read(ctx->root, &r, &err))
			return fail(&err);
		report_handover(stdout, &r, o->json);
		return EXIT_SUCCESS;
	}
	default:
		return EXIT_USAGE;
	}
}

int main(int argc, char **argv)
{
	struct baton_ctx ctx = { .root = getenv("BATON_ROOT") ? getenv("BATON_ROOT") : "" };
	struct baton_sys sys = baton_sys_linux;
	struct baton_error err = { 0 };
	struct cli_options o;
	char msg[256];
	int rc;

	if (cli_parse(&o, argc, argv, msg, sizeof(msg))) {
		fprintf(stderr, "baton: %s (see baton --help)\n", msg);
		return EXIT_USAGE;
	}
	if (o.dry_run && o.action != CLI_LOAD && o.action != CLI_FORCE && o.action != CLI_HELP &&
	    o.action != CLI_VERSION) {
		fprintf(stderr, "baton: --dry-run only plans a load (-l or -f)\n");
		return EXIT_USAGE;
	}
	if (o.action == CLI_HELP) {
		cli_usage(stdout);
		return EXIT_SUCCESS;
	}
	if (o.action == CLI_VERSION) {
		printf("baton %s\n", BATON_VERSION);
		return EXIT_SUCCESS;
	}
	if (o.action == CLI_REPORT)
		return run(&ctx, &sys, &o);
	/* In Xen's control domain the hypervisor is the old kernel: its kexec interface and its
	 * machine memory map replace Linux's. */
	if (baton_xen_is_dom0(ctx.root)) {
		if (baton_xen_open(&ctx.xen, getenv("BATON_XENCTRL"), &err))
			return fail(&err);
		baton_xen_sys(ctx.xen, &sys);
		if (o.debug)
			fprintf(stderr, "baton: Xen dom0: using the hypervisor's kexec interface\n");
	}
	/* Planning only reads; whatever reaches the kernel holds the lock. */
	int lock = o.dry_run || o.action == CLI_STATUS ? -1 : cli_lock(ctx.root);
	rc = run(&ctx, &sys, &o);
	cli_unlock(lock);
	baton_xen_close(ctx.xen);
	return rc;
}
