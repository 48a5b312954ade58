/* SPDX-License-Identifier: MIT */
/* baton --vmcore-dmesg: read the dump through the library, write the log to standard output. */
#include "dmesg.h"

#include <stdio.h>
#include <stdlib.h>

#include "file.h"
#include "vmcore.h"
#include "vmcore_dmesg.h"

int cli_vmcore_dmesg(const char *root, const struct cli_options *o)
{
	struct baton_error err = { 0 };
	struct baton_dmesg log = { 0 };
	struct baton_vmcore vc;
	char path[4096];
	const char *file = o->vmcore;
	int rc = 0;

	/* The default is the machine's dump: under BATON_ROOT, like everything baton reads of it. */
	if (!file) {
		rc = baton_path(path, sizeof(path), root, "/proc/vmcore", &err);
		file = path;
	}
	if (!rc && !(rc = baton_vmcore_open_file(&vc, file, &err))) {
		rc = baton_vmcore_dmesg(&vc, &log, &err);
		baton_vmcore_close(&vc);
	}
	if (rc) {
		fprintf(stderr, "%s: %s\n", o->prog, err.msg);
		return EXIT_FAILURE;
	}
	rc = fwrite(log.text, 1, log.len, stdout) != log.len || fflush(stdout);
	baton_dmesg_free(&log);
	if (rc) {
		fprintf(stderr, "%s: writing the log: %m\n", o->prog);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
