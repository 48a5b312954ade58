/* SPDX-License-Identifier: MIT */
/* Reading one symbol of the running kernel's configuration. */
#include "kconfig.h"

#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "file.h"

/* 1: "CONFIG_SYM=y|m", 0: "# CONFIG_SYM is not set" or nothing, for one line. */
static int line_says(const char *line, const char *sym, int *found)
{
	size_t n = strlen(sym);

	if (!strncmp(line, "CONFIG_", 7) && !strncmp(line + 7, sym, n) && line[7 + n] == '=') {
		*found = 1;
		return line[8 + n] == 'y' || line[8 + n] == 'm';
	}
	return 0;
}

/* ROOT/proc/sys/kernel/osrelease, the running kernel's release (uname -r). */
static int read_release(const char *root, char *buf, size_t size)
{
	char path[4096];
	FILE *f;
	int ok;

	if (baton_path(path, sizeof(path), root, "/proc/sys/kernel/osrelease", NULL) ||
	    !(f = fopen(path, "r")))
		return -1;
	ok = fgets(buf, (int)size, f) != NULL;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return ok && buf[0] ? 0 : -1;
}

int cli_kconfig(const char *root, const char *sym, char *where, size_t where_size)
{
	char release[128], rel[192], line[512];
	int found = 0, set = 0;
	gzFile gz;

	if (!read_release(root, release, sizeof(release))) {
		snprintf(rel, sizeof(rel), "/boot/config-%s", release);
		/* gzopen reads a plain file as it is, so both candidates go one way. */
		if (!baton_path(where, where_size, root, rel, NULL) && (gz = gzopen(where, "rb")))
			goto read;
	}
	if (baton_path(where, where_size, root, "/proc/config.gz", NULL) ||
	    !(gz = gzopen(where, "rb")))
		return -1;
read:
	while (!found && gzgets(gz, line, sizeof(line)))
		set = line_says(line, sym, &found);
	gzclose(gz);
	return set;
}
